import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType, defaultSpoolCodec } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { RowEncoder, encodedRow, insertBody } from '../src/encoding/encoder';
import type { ClickHouseRow, InsertFormat } from '../src/encoding/encoder';
import { jsonEachRowWriter } from '../src/encoding/json';
import { logJsonLineWriter, spanJsonLineWriter } from '../src/encoding/json-lines';
import { logRecordToRow } from '../src/mapping/logs';
import { resourceMetricsToRows } from '../src/mapping/metrics';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { layoutFor } from '../src/schema/columns';
import { ClickHouseSender } from '../src/sender/sender';
import { clickHouseRowSpoolCodec } from '../src/sender/spool-codec';
import { FakeClickHouseClient } from './fake-client';
import { RESOURCE, SCOPE, makeLogRecord, makeSpan } from './fixtures';

/** Rows as each format's mapping makes them: spans and logs, and metric rows with their object. */
function rowsIn(format: InsertFormat): ClickHouseRow[] {
  const resources = new ResourceColumnsCache();
  const encoder = new RowEncoder(format);
  const spans = [makeSpan(), makeSpan({ name: 'é ✓ 𝄞', events: [], links: [] })];
  const logs = [makeLogRecord(), makeLogRecord({ body: 'bad \ud800 half' })];
  const rows: ClickHouseRow[] =
    format === 'JSONEachRow'
      ? [
          ...spans.map((s) => encodedRow('traces', spanJsonLineWriter(resources)(s))),
          ...logs.map((l) => encodedRow('logs', logJsonLineWriter(resources)(l))),
        ]
      : [
          ...spans.map((s) => encoder.encode('traces', spanToRow(s, resources))),
          ...logs.map((l) => encoder.encode('logs', logRecordToRow(l, resources))),
        ];
  const { rows: metricRows } = resourceMetricsToRows(
    {
      resource: RESOURCE,
      scopeMetrics: [
        {
          scope: SCOPE,
          metrics: [
            {
              descriptor: { name: 'q', description: 'd', unit: 'ms', valueType: 1 },
              aggregationTemporality: AggregationTemporality.CUMULATIVE,
              dataPointType: DataPointType.GAUGE,
              dataPoints: [
                {
                  startTime: [1_700_000_000, 1],
                  endTime: [1_700_000_060, 999_999_999],
                  attributes: { route: '/a' },
                  value: 2.5,
                },
              ],
            },
          ],
        },
      ],
    },
    resources,
  );
  for (const m of metricRows) rows.push(encoder.encodeKeepingSource(m.table, m.row));
  // Text a mapping would not make (its strings are made well-formed): the body has its UTF-8.
  if (format === 'JSONEachRow') rows.push(encodedRow('logs', '{"Body":"lone \ud800"}\n'));
  return rows;
}

/** What an insert of these rows sends, into the exporter's tables and into the Collector's. */
function wire(rows: readonly ClickHouseRow[]): string[] {
  const collectorGauge = layoutFor('gauge', new Map([['TimeUnix', 'DateTime']]));
  return rows.map((row) =>
    [
      insertBody(undefined, [row.data]).toString('base64'),
      row.source ? jsonEachRowWriter(collectorGauge.columns)(row.source) : '',
    ].join('|'),
  );
}

for (const format of ['JSONEachRow', 'RowBinary'] as const) {
  test(`${format} rows come back from the spool as they were sent, metric row objects included`, async () => {
    const rows = rowsIn(format);
    const sender = new ClickHouseSender({
      hosts: [{ client: {} as never, label: 'ch' }],
      format,
      tables: {} as never,
      deduplicate: true,
      asyncInsert: false,
      http: true,
      secrets: [],
      ownsClients: false,
    });
    assert.equal(sender.spoolCodec, clickHouseRowSpoolCodec);
    const replayed = await replayThroughSpool(rows, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x43);
    assert.deepEqual(
      replayed.records.map((r) => [r.table, r.id, typeof r.data, r.source !== undefined]),
      rows.map((r) => [r.table, r.id, typeof r.data, r.source !== undefined]),
    );
    assert.deepEqual(wire(replayed.records), wire(rows), 'the same bytes to every table');
  });
}

test('RowBinary and metric rows take less room than through V8, and replay what V8 wrote before', () => {
  for (const format of ['JSONEachRow', 'RowBinary'] as const) {
    const rows = rowsIn(format);
    const ours = clickHouseRowSpoolCodec.encode(rows).length;
    const before = defaultSpoolCodec.encode(rows);
    assert.equal(before[0], 0xff, 'rows with objects or Buffers went through V8');
    assert.ok(ours < before.length, `${format}: ${ours} against V8's ${before.length}`);
    const back = clickHouseRowSpoolCodec.decode(before, rows.length);
    assert.deepEqual(wire(back), wire(rows));
    assert.ok(back.every((r) => typeof r.data === 'string' || Buffer.isBuffer(r.data)));
  }
  // JSON span and log rows alone went as columns: read back as well. Rows were plain objects
  // then (EncodedRow, a class, is not written as columns).
  const columns = rowsIn('JSONEachRow')
    .slice(0, 4)
    .map(({ table, data, id }) => ({ table, data, id }));
  const asColumns = defaultSpoolCodec.encode(columns);
  assert.equal(asColumns[0], 0x03);
  assert.deepEqual(wire(clickHouseRowSpoolCodec.decode(asColumns, 4)), wire(columns));
});

test('refuses what it cannot replay: another shape, a later format, every truncation', () => {
  const foreign = defaultSpoolCodec.encode([{ labels: [], samples: [] }]);
  assert.throws(() => clickHouseRowSpoolCodec.decode(foreign, 1), /not a ClickHouse row/);
  const rows = rowsIn('RowBinary');
  const payload = Buffer.from(clickHouseRowSpoolCodec.encode(rows));
  const later = Buffer.from(payload);
  later[1] = 2;
  assert.throws(
    () => clickHouseRowSpoolCodec.decode(later, rows.length),
    /format 2, this exporter reads 1/,
  );
  for (let end = 2; end < payload.length; end++) {
    assert.throws(() => clickHouseRowSpoolCodec.decode(payload.subarray(0, end), rows.length));
  }
  assert.throws(() => clickHouseRowSpoolCodec.decode(payload, rows.length - 1), /bytes after/);
});

test('rows spooled under one format and replayed under another go as JSONEachRow, converted', async () => {
  const resources = new ResourceColumnsCache();
  const records = [makeLogRecord(), makeLogRecord({ body: 'second' })];
  // What JSONEachRow (the default before RowBinary) wrote, what RowBinary writes, and
  // JSONCompactEachRow lines: each replayed into a sender of another format.
  const asJson = records.map((r) => encodedRow('logs', logJsonLineWriter(resources)(r)));
  const asBinary = records.map((r) =>
    new RowEncoder('RowBinary').encode('logs', logRecordToRow(r, resources)),
  );
  const asCompact = records.map((r) =>
    new RowEncoder('JSONCompactEachRow').encode('logs', logRecordToRow(r, resources)),
  );
  const expected = asJson.map((r) => JSON.parse(r.data as string) as unknown);
  const cases: [InsertFormat, ClickHouseRow[]][] = [
    ['RowBinary', asJson],
    ['RowBinary', asCompact],
    ['JSONEachRow', asBinary],
    ['JSONEachRow', asCompact],
    ['JSONCompactEachRow', asJson],
  ];
  for (const [format, rows] of cases) {
    const replayed = (await replayThroughSpool(rows, clickHouseRowSpoolCodec)).records;
    const client = new FakeClickHouseClient();
    const sender = new ClickHouseSender({
      hosts: [{ client: client.asClient(), label: 'ch' }],
      format,
      tables: { logs: '`otel`.`otel_logs`' } as never,
      deduplicate: true,
      asyncInsert: false,
      http: true,
      secrets: [],
      ownsClients: false,
    });
    const result = await sender.send(replayed, {
      signal: new AbortController().signal,
      attempt: 1,
    });
    assert.deepEqual(result, { kind: 'delivered' });
    const [call] = client.execs;
    assert.match(call.query, / FORMAT JSONEachRow$/, `${format}: ${call.query.slice(-40)}`);
    const lines = call.body.toString().trim().split('\n');
    assert.deepEqual(
      lines.map((line) => JSON.parse(line) as unknown),
      expected,
      format,
    );
  }
});
