import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../src/encoding/encoder';
import type { InsertFormat } from '../src/encoding/encoder';
import { rowBinaryHeader } from '../src/encoding/row-binary';
import { DEFAULT_LAYOUTS, layoutFor } from '../src/schema/columns';
import { TableLayouts } from '../src/schema/layouts';
import { DEFAULT_TABLE_NAMES, INSERT_COLUMNS } from '../src/schema/tables';
import type { ColumnKind, TableKind } from '../src/schema/tables';
import { ClickHouseSender } from '../src/sender/sender';
import { FakeClickHouseClient } from './fake-client';
import { makeLogRecord } from './fixtures';
import { logRecordToRow } from '../src/mapping/logs';
import { ResourceColumnsCache } from '../src/mapping/resource';

/*
 * Column types of tables the Collector creates, as system.columns lists them, and the encoding
 * each of our columns gets there. Source of each row: exporter/clickhouseexporter/internal/
 * sqltemplates/<file> in open-telemetry/opentelemetry-collector-contrib.
 */
const COLLECTOR_TYPES: {
  source: string;
  table: TableKind;
  column: string;
  type: string;
  kind: ColumnKind;
}[] = [
  {
    source: 'metrics_sum_table.sql',
    table: 'sum',
    column: 'StartTimeUnix',
    type: 'DateTime',
    kind: 'datetime',
  },
  {
    source: 'metrics_sum_table.sql',
    table: 'sum',
    column: 'TimeUnix',
    type: 'DateTime',
    kind: 'datetime',
  },
  {
    source: 'metrics_sum_table.sql',
    table: 'sum',
    column: 'Exemplars.TimeUnix',
    type: 'Array(DateTime)',
    kind: 'datetime[]',
  },
  {
    source: 'metrics_sum_table.sql',
    table: 'sum',
    column: 'IsMonotonic',
    type: 'Bool',
    kind: 'bool',
  },
  {
    source: 'metrics_exp_histogram_table.sql',
    table: 'exponentialHistogram',
    column: 'TimeUnix',
    type: 'DateTime',
    kind: 'datetime',
  },
  {
    source: 'metrics_gauge_table.sql (older)',
    table: 'gauge',
    column: 'MetricName',
    type: 'String',
    kind: 'string',
  },
  {
    source: 'metrics_gauge_table.sql (older)',
    table: 'gauge',
    column: 'TimeUnix',
    type: 'DateTime64(9)',
    kind: 'datetime64',
  },
  {
    source: 'traces_table.sql',
    table: 'traces',
    column: 'Events.Timestamp',
    type: 'Array(DateTime64(9))',
    kind: 'datetime64[]',
  },
  {
    source: 'logs_table.sql',
    table: 'logs',
    column: 'Timestamp',
    type: 'DateTime64(9)',
    kind: 'datetime64',
  },
  // A DBA's table with a time zone on the column is still a DateTime.
  {
    source: '(a DBA table)',
    table: 'gauge',
    column: 'TimeUnix',
    type: "DateTime('UTC')",
    kind: 'datetime',
  },
];

for (const row of COLLECTOR_TYPES) {
  test(`${row.source}: ${row.column} ${row.type} is written as ${row.kind}`, () => {
    const layout = layoutFor(row.table, new Map([[row.column, row.type]]));
    const column = layout.columns.find((c) => c.name === row.column);
    assert.ok(column);
    assert.equal(column.kind, row.kind);
    assert.equal(column.type, row.type, "RowBinary's header states the table's own type");
    const ours = INSERT_COLUMNS[row.table].find((c) => c.name === row.column);
    assert.equal(layout.matchesDefault, ours?.type === row.type);
  });
}

test('the exporter-made tables need no second encoding', () => {
  for (const kind of Object.keys(INSERT_COLUMNS) as TableKind[]) {
    const types = new Map(INSERT_COLUMNS[kind].map((c) => [c.name, c.type]));
    assert.equal(layoutFor(kind, types).matchesDefault, true, kind);
  }
});

const POINT = {
  StartTimeUnix: [1_700_000_000, 123_456_789],
  TimeUnix: [1_700_000_060, 999_999_999],
};

test("the exporter's own tables keep nanosecond times (the mapping's encoding)", () => {
  const row = new RowEncoder('JSONEachRow').encode('gauge', gaugeRow()).data as string;
  assert.match(row, /"StartTimeUnix":"1700000000\.123456789","TimeUnix":"1700000060\.999999999"/);
});

function gaugeRow(times = POINT): object {
  return {
    ResourceAttributes: [],
    ResourceSchemaUrl: '',
    ScopeName: 's',
    ScopeVersion: '',
    ScopeAttributes: [],
    ScopeDroppedAttrCount: 0,
    ScopeSchemaUrl: '',
    ServiceName: 'svc',
    MetricName: 'm',
    MetricDescription: '',
    MetricUnit: '',
    Attributes: [],
    ...times,
    Value: 1.5,
    Flags: 0,
    'Exemplars.FilteredAttributes': [],
    'Exemplars.TimeUnix': [[1_700_000_001, 5]],
    'Exemplars.Value': [2],
    'Exemplars.SpanId': [''],
    'Exemplars.TraceId': [''],
  };
}

const COLLECTOR_GAUGE = [
  ['StartTimeUnix', 'DateTime'],
  ['TimeUnix', 'DateTime'],
  ['Exemplars.TimeUnix', 'Array(DateTime)'],
  ['MetricName', 'LowCardinality(String)'],
].map(([name, type]) => ({ table: 'otel_metrics_gauge', name, type }));

/**
 * A sender whose layouts come from the fake's system.columns rows (`client.columnRows`), for one
 * table of the default names, as the exporter wires it.
 */
function layoutSender(client: FakeClickHouseClient, table: 'gauge' | 'logs', format: InsertFormat) {
  const layouts = new TableLayouts('otel', DEFAULT_TABLE_NAMES, [table], (text) => text, 5_000);
  const sender = new ClickHouseSender({
    hosts: [{ client: client.asClient(), label: 'ch' }],
    format,
    tables: { [table]: `\`otel\`.\`${DEFAULT_TABLE_NAMES[table]}\`` } as Record<TableKind, string>,
    deduplicate: false,
    asyncInsert: false,
    http: true,
    secrets: [],
    ownsClients: false,
    prepare: (host) => layouts.ensure(host.client),
    layoutOf: (host, kind) => layouts.layoutOf(host.client, kind),
    onTableMismatch: (host) => layouts.forget(host.client),
  });
  return { sender, layouts };
}

async function sendGauge(format: 'JSONEachRow' | 'RowBinary', times = POINT) {
  const client = new FakeClickHouseClient();
  client.columnRows = COLLECTOR_GAUGE;
  const { sender, layouts } = layoutSender(client, 'gauge', format);
  const row = new RowEncoder(format).encodeKeepingSource('gauge', gaugeRow(times));
  const result = await sender.send([row], { signal: new AbortController().signal, attempt: 1 });
  assert.deepEqual(result, { kind: 'delivered' });
  assert.equal(client.queries.length, 1);
  assert.match(
    client.queries[0],
    /FROM system\.columns WHERE database = 'otel' AND table IN \('otel_metrics_gauge'\)/,
  );
  return { client, layouts };
}

test("into the Collector's gauge table, a metric row is encoded again with its times in seconds (JSON)", async () => {
  const { client } = await sendGauge('JSONEachRow');
  const body = client.execs[0].body.toString();
  assert.match(body, /"StartTimeUnix":"1700000000","TimeUnix":"1700000060"/);
  assert.match(body, /"Exemplars.TimeUnix":\["1700000001"\]/);
});

test('a time past 2106 is clamped to the last second DateTime holds', async () => {
  const { client } = await sendGauge('JSONEachRow', {
    StartTimeUnix: [5_000_000_000, 0],
    TimeUnix: [5_000_000_000, 1],
  });
  assert.match(client.execs[0].body.toString(), /"StartTimeUnix":"4294967295"/);
});

test("into the Collector's gauge table, RowBinary states the table's types and writes UInt32 seconds", async () => {
  const { client, layouts } = await sendGauge('RowBinary');
  const layout = layouts.layoutOf(client.asClient(), 'gauge');
  assert.notEqual(layout, DEFAULT_LAYOUTS.gauge);
  const header = rowBinaryHeader(layout.columns);
  const body = client.execs[0].body;
  assert.ok(body.subarray(0, header.length).equals(header), 'the header names the table types');
  assert.ok(header.includes(Buffer.from('\x08DateTime')), 'DateTime in the header');
  const seconds = Buffer.alloc(8);
  seconds.writeUInt32LE(1_700_000_000, 0);
  seconds.writeUInt32LE(1_700_000_060, 4);
  assert.ok(body.includes(seconds), 'StartTimeUnix then TimeUnix as UInt32 seconds');
});

test('after an insert a table of other columns refuses, the types are read again before the next', async () => {
  const client = new FakeClickHouseClient();
  const { sender } = layoutSender(client, 'gauge', 'JSONEachRow');
  const encoder = new RowEncoder('JSONEachRow');
  const context = { signal: new AbortController().signal, attempt: 1 };
  // The table did not exist when the exporter started; a DBA then made the Collector's.
  client.answer({
    status: 500,
    body: "Code: 27. DB::Exception: Cannot parse input: expected '\"' before: '.123456789': (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 26.7.2.1)",
  });
  const first = await sender.send([encoder.encodeKeepingSource('gauge', gaugeRow())], context);
  assert.equal(first.kind, 'permanent');
  client.columnRows = COLLECTOR_GAUGE;
  const second = await sender.send([encoder.encodeKeepingSource('gauge', gaugeRow())], context);
  assert.deepEqual(second, { kind: 'delivered' });
  assert.equal(client.queries.length, 2, 'system.columns read again');
  assert.match(client.execs[1].body.toString(), /"StartTimeUnix":"1700000000"/);
});

/** An otel_logs table made by an older Collector: wider integers where the current has UInt8. */
const OLDER_LOGS = [
  ['TraceFlags', 'UInt32'],
  ['SeverityNumber', 'Int32'],
  ['ServiceName', 'LowCardinality(String)'],
].map(([name, type]) => ({ table: 'otel_logs', name, type }));

async function sendLogs(columnRows: { table: string; name: string; type: string }[]) {
  const client = new FakeClickHouseClient();
  client.columnRows = columnRows;
  const { sender } = layoutSender(client, 'logs', 'RowBinary');
  const resources = new ResourceColumnsCache();
  const rows = [makeLogRecord(), makeLogRecord({ severityNumber: 17, body: 'two' })].map((record) =>
    new RowEncoder('RowBinary').encode('logs', logRecordToRow(record, resources)),
  );
  const result = await sender.send(rows, { signal: new AbortController().signal, attempt: 1 });
  assert.deepEqual(result, { kind: 'delivered' });
  return { client, rows, resources };
}

test('RowBinary rows into a table of other integer types go as JSONEachRow, read back from their bytes', async () => {
  const layout = layoutFor('logs', new Map(OLDER_LOGS.map((c) => [c.name, c.type])));
  assert.equal(layout.rowBinary, false, 'RowBinary cannot write Int32 where ours is UInt8');
  const { client } = await sendLogs(OLDER_LOGS);
  assert.match(client.execs[0].query, / FORMAT JSONEachRow$/);
  const resources = new ResourceColumnsCache();
  const expected = [makeLogRecord(), makeLogRecord({ severityNumber: 17, body: 'two' })]
    .map((record) =>
      new RowEncoder('JSONEachRow').encode('logs', logRecordToRow(record, resources)),
    )
    .map((row) => row.data)
    .join('');
  assert.equal(client.execs[0].body.toString(), expected, 'the lines the JSON format writes');
});

test('RowBinary rows into a table whose types differ only by LowCardinality stay RowBinary', async () => {
  const sameBytes = [['SeverityText', 'String']].map(([name, type]) => ({
    table: 'otel_logs',
    name,
    type,
  }));
  const { client, rows } = await sendLogs(sameBytes);
  assert.match(client.execs[0].query, / FORMAT RowBinaryWithNamesAndTypes$/);
  const layout = layoutFor('logs', new Map([['SeverityText', 'String']]));
  assert.deepEqual(
    client.execs[0].body,
    Buffer.concat([rowBinaryHeader(layout.columns), ...rows.map((row) => row.data as Buffer)]),
    "the table's header, the rows' bytes as encoded",
  );
});
