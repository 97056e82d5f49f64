import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import { jsonEachRowWriter } from '../src/encoding/json';
import { rowBinaryReader } from '../src/encoding/row-binary-reader';
import { rowBinaryWriter } from '../src/encoding/row-binary';
import { logRecordToRow } from '../src/mapping/logs';
import { resourceMetricsToRows } from '../src/mapping/metrics';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { layoutFor } from '../src/schema/columns';
import { INSERT_COLUMNS } from '../src/schema/tables';
import type { TableKind } from '../src/schema/tables';
import { RESOURCE, SCOPE, makeLogRecord, makeSpan } from './fixtures';

/*
 * RowBinary bytes read back (the exporter's fallback for a table of other column types: the
 * row is read and written again as JSON). For every table and the values that are easy to get
 * wrong, the JSON line from the row read back must be the JSON line from the row itself.
 */

const START: [number, number] = [1_700_000_000, 1];
const END: [number, number] = [1_700_000_060, 999_999_999];

/** A data point of any value type (the metric's type says which): typed by its use. */
function point(value: unknown): never {
  return { startTime: START, endTime: END, attributes: { route: '/a', code: 200 }, value } as never;
}

const METRICS: MetricDataLike[] = [
  {
    descriptor: { name: 'q', description: 'd', unit: 'ms', valueType: 1 },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [point(NaN), point(-0.5), point(Infinity)],
  },
  {
    descriptor: { name: 'r', description: '', unit: '', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: [point(12), point(2 ** 60)],
  },
  {
    descriptor: { name: 'h', description: '', unit: 's', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      point({
        buckets: { boundaries: [5, 10, Infinity], counts: [1, 0, 3, 2] },
        sum: 123.5,
        count: 6,
        min: 0.5,
        max: 99,
      }),
    ],
  },
  {
    descriptor: { name: 'e', description: '', unit: '', valueType: 1 },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    dataPoints: [
      point({
        count: 2 ** 70,
        sum: 42,
        scale: -2,
        zeroCount: 1,
        positive: { offset: 3, bucketCounts: [2, 0, 2 ** 60] },
        negative: { offset: -1, bucketCounts: [2] },
        min: -7,
        max: 40,
      }),
    ],
  },
];

function rowsOfEveryTable(): { table: TableKind; row: object }[] {
  const resources = new ResourceColumnsCache();
  const rows: { table: TableKind; row: object }[] = [
    makeSpan(),
    makeSpan({ events: [], links: [] }),
    makeSpan({ endTime: [1_700_000_000 + 20_000_000, 1] }),
    makeSpan({
      name: 'bad\ud800name "quoted"\t',
      attributes: { '\udc00k': NaN, nested: [1, { z: 1 }] as never, big: 2 ** 60 },
      events: [{ name: 'e', time: [1_700_000_000.5, 0.4] }],
    }),
  ].map((span) => ({ table: 'traces' as TableKind, row: spanToRow(span, resources) }));
  for (const record of [
    makeLogRecord(),
    makeLogRecord({ hrTime: [0, 0], spanContext: undefined }),
    makeLogRecord({ body: { msg: 'hi', tags: ['a'] } as never, severityNumber: 300 as never }),
  ]) {
    rows.push({ table: 'logs', row: logRecordToRow(record, resources) });
  }
  const metrics = resourceMetricsToRows(
    { resource: RESOURCE, scopeMetrics: [{ scope: SCOPE, metrics: METRICS }] },
    resources,
  );
  assert.deepEqual(metrics.failures, []);
  rows.push(...metrics.rows);
  return rows;
}

test('every table: the row read back from its RowBinary writes the same JSON line', () => {
  const rows = rowsOfEveryTable();
  const tables = new Set(rows.map((r) => r.table));
  // Every table the exporter writes (the JS SDK has no summaries: that table is the Collector's).
  assert.deepEqual(
    [...tables].sort(),
    Object.keys(INSERT_COLUMNS)
      .filter((table) => table !== 'summary')
      .sort(),
  );
  for (const { table, row } of rows) {
    const columns = INSERT_COLUMNS[table];
    const bytes = rowBinaryWriter(columns)(row);
    const back = rowBinaryReader(columns)(bytes);
    assert.equal(jsonEachRowWriter(columns)(back), jsonEachRowWriter(columns)(row), table);
    // And written again, the same bytes.
    assert.deepEqual(rowBinaryWriter(columns)(back), bytes, table);
  }
});

test("a table of other types (the Collector's DateTime metric times): read with ours, written with its", () => {
  const { row } = rowsOfEveryTable().find((r) => r.table === 'sum') as { row: object };
  const layout = layoutFor(
    'sum',
    new Map([
      ['StartTimeUnix', 'DateTime'],
      ['TimeUnix', 'DateTime'],
    ]),
  );
  assert.equal(layout.sameBytes, false);
  const back = rowBinaryReader(INSERT_COLUMNS.sum)(rowBinaryWriter(INSERT_COLUMNS.sum)(row));
  assert.equal(jsonEachRowWriter(layout.columns)(back), jsonEachRowWriter(layout.columns)(row));
});

test('bytes it did not write throw: every truncation, a trailing byte', () => {
  const { table, row } = rowsOfEveryTable()[0];
  const columns = INSERT_COLUMNS[table];
  const bytes = rowBinaryWriter(columns)(row);
  const read = rowBinaryReader(columns);
  for (let end = 0; end < bytes.length; end++) {
    assert.throws(() => read(bytes.subarray(0, end)), /ends early/, `cut at ${end}`);
  }
  assert.throws(() => read(Buffer.concat([bytes, Buffer.from([0])])), /longer than its columns/);
});
