import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickHouseError } from '@clickhouse/client';
import { RowEncoder } from '../src/encoding/encoder';
import type { ClickHouseRow } from '../src/encoding/encoder';
import { logRecordToRow } from '../src/mapping/logs';
import { makeLogRecord } from './fixtures';
import { rowBinaryHeader } from '../src/encoding/row-binary';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { ClickHouseSender } from '../src/sender/sender';
import type { ClickHouseSenderOptions } from '../src/sender/sender';
import type { TableKind } from '../src/schema/tables';
import { FakeClickHouseClient } from './fake-client';

const TABLES: Record<TableKind, string> = {
  traces: '`otel`.`otel_traces`',
  logs: '`otel`.`otel_logs`',
  gauge: '`otel`.`otel_metrics_gauge`',
  sum: '`otel`.`otel_metrics_sum`',
  histogram: '`otel`.`otel_metrics_histogram`',
  exponentialHistogram: '`otel`.`otel_metrics_exponential_histogram`',
  summary: '`otel`.`otel_metrics_summary`',
};

function senderWith(
  clients: FakeClickHouseClient[],
  overrides: Partial<ClickHouseSenderOptions> = {},
) {
  return new ClickHouseSender({
    hosts: clients.map((client, i) => ({
      client: client.asClient(),
      label: `http://ch-${i + 1}:8123`,
    })),
    format: 'JSONEachRow',
    tables: TABLES,
    deduplicate: true,
    asyncInsert: false,
    http: true,
    secrets: ['hunter2'],
    ownsClients: true,
    ...overrides,
  });
}

/** A row made outside the mapping: a JSON line is text, a RowBinary row bytes (`binary`). */
function row(table: TableKind, text: string, binary = false): ClickHouseRow {
  return { table, data: binary ? Buffer.from(`${text}\n`) : `${text}\n` };
}

const context = () => ({ signal: new AbortController().signal, attempt: 1 });

test('a batch of one table is one INSERT of the concatenated rows, with a dedup token', async () => {
  const client = new FakeClickHouseClient();
  const sender = senderWith([client]);
  const batch = [row('logs', '{"a":1}'), row('logs', '{"a":2}')];
  assert.equal(sender.sizeOf(batch[0]), 8);
  assert.deepEqual(await sender.send(batch, context()), { kind: 'delivered' });
  assert.equal(client.execs.length, 1);
  const [call] = client.execs;
  assert.equal(
    call.query,
    'INSERT INTO `otel`.`otel_logs` (`Timestamp`, `TraceId`, `SpanId`, `TraceFlags`, `SeverityText`, ' +
      '`SeverityNumber`, `ServiceName`, `Body`, `ResourceSchemaUrl`, `ResourceAttributes`, ' +
      '`ScopeSchemaUrl`, `ScopeName`, `ScopeVersion`, `ScopeAttributes`, `LogAttributes`, `EventName`) ' +
      `SETTINGS insert_deduplication_token = '${ClickHouseSender.deduplicationToken(TABLES.logs, call.body)}' ` +
      'FORMAT JSONEachRow',
  );
  assert.equal(call.body.toString(), '{"a":1}\n{"a":2}\n');
  assert.deepEqual(
    call.settings,
    { wait_end_of_query: 1 },
    'only the HTTP setting goes with the request',
  );
  assert.match(call.querySettings.insert_deduplication_token, /^'[A-Za-z0-9_-]{43}'$/);
  assert.equal(call.ignoreErrorResponse, true);
});

test("an insert body's memory is reused after an acknowledged insert, never after a failed one", async () => {
  const client = new FakeClickHouseClient();
  const sender = senderWith([client]);
  const batch = [row('logs', '{"a":1}'), row('logs', '{"a":2}')];
  const memoryOf = (n: number) => client.execs[n].sentMemory[0];
  client.answer(
    {},
    {},
    {
      status: 500,
      headers: { 'x-clickhouse-exception-code': '241' },
      body: 'Code: 241. DB::Exception: x',
    },
    new Error('socket hang up'),
    {},
  );
  assert.deepEqual(await sender.send(batch, context()), { kind: 'delivered' });
  assert.deepEqual(await sender.send(batch, context()), { kind: 'delivered' });
  assert.equal(memoryOf(1), memoryOf(0), 'the acknowledged body is written again');
  assert.equal((await sender.send(batch, context())).kind, 'retryable');
  assert.equal((await sender.send(batch, context())).kind, 'retryable');
  assert.deepEqual(await sender.send(batch, context()), { kind: 'delivered' });
  for (const failed of [2, 3]) {
    for (const later of [3, 4].filter((n) => n > failed)) {
      assert.notEqual(
        memoryOf(later),
        memoryOf(failed),
        `the body of failed insert ${failed} is not reused`,
      );
    }
  }
  for (const call of client.execs) assert.equal(call.body.toString(), '{"a":1}\n{"a":2}\n');
});

test('the embedded connection is always handed fresh memory', async () => {
  const client = new FakeClickHouseClient();
  const sender = senderWith([client], { http: false });
  // Larger than what Node cuts from its shared 8 KiB pool, so that each body has its own memory.
  const batch = [row('logs', `{"a":"${'x'.repeat(8192)}"}`)];
  await sender.send(batch, context());
  await sender.send(batch, context());
  assert.notEqual(client.execs[1].sentMemory[0], client.execs[0].sentMemory[0]);
});

test('the dedup token depends only on the table and the rows, so a retry repeats it', () => {
  const body = Buffer.from('{"a":1}\n');
  assert.equal(
    ClickHouseSender.deduplicationToken(TABLES.logs, body),
    ClickHouseSender.deduplicationToken(TABLES.logs, Buffer.from('{"a":1}\n')),
  );
  assert.notEqual(
    ClickHouseSender.deduplicationToken(TABLES.logs, body),
    ClickHouseSender.deduplicationToken(TABLES.traces, body),
  );
  assert.notEqual(
    ClickHouseSender.deduplicationToken(TABLES.logs, body),
    ClickHouseSender.deduplicationToken(TABLES.logs, Buffer.from('{"a":2}\n')),
  );
});

test('a metrics batch is one INSERT per table; a failed table fails only its rows', async () => {
  const client = new FakeClickHouseClient().answer(
    {},
    {
      status: 404,
      headers: { 'x-clickhouse-exception-code': '60' },
      body: 'Code: 60. DB::Exception: Table otel.otel_metrics_sum does not exist. (UNKNOWN_TABLE) (version 26.7.2.1)\n',
    },
  );
  const sender = senderWith([client]);
  const batch = [row('gauge', 'g1'), row('sum', 's1'), row('gauge', 'g2'), row('sum', 's2')];
  const result = await sender.send(batch, context());
  assert.deepEqual(
    client.execs.map((call) => [call.query.split(' (')[0], call.body.toString()]),
    [
      ['INSERT INTO `otel`.`otel_metrics_gauge`', 'g1\ng2\n'],
      ['INSERT INTO `otel`.`otel_metrics_sum`', 's1\ns2\n'],
    ],
  );
  const reason =
    'ClickHouse error 60 UNKNOWN_TABLE (HTTP 404): Table otel.otel_metrics_sum does not exist.';
  assert.deepEqual(result, {
    kind: 'partial',
    failures: [
      { index: 1, retryable: false, reason },
      { index: 3, retryable: false, reason },
    ],
  });
});

test("a proxy's 503 is retryable with its Retry-After, and the next send goes to the next host", async () => {
  const first = new FakeClickHouseClient().answer({
    status: 503,
    headers: { 'retry-after': '2' },
    body: 'no upstream',
  });
  const second = new FakeClickHouseClient();
  const sender = senderWith([first, second]);
  assert.equal(sender.currentHost, 'http://ch-1:8123');
  assert.deepEqual(await sender.send([row('traces', 't1')], context()), {
    kind: 'retryable',
    reason: 'HTTP 503: no upstream',
    backpressure: true,
    retryAfterMs: 2000,
  });
  assert.equal(sender.currentHost, 'http://ch-2:8123');
  assert.deepEqual(await sender.send([row('traces', 't1')], context()), { kind: 'delivered' });
  assert.equal(first.execs.length, 1);
  assert.equal(second.execs.length, 1);
  assert.equal(
    second.execs[0].querySettings.insert_deduplication_token,
    first.execs[0].querySettings.insert_deduplication_token,
    'the retry on the other host carries the same token',
  );
});

test('a connection reset moves to the next host and wraps around; the server being busy does not', async () => {
  const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const a = new FakeClickHouseClient().answer(
    new ClickHouseError({ message: 'Too many parts (300)', code: '252', type: 'TOO_MANY_PARTS' }),
    reset(),
  );
  const b = new FakeClickHouseClient().answer(reset());
  const sender = senderWith([a, b]);
  assert.deepEqual(await sender.send([row('logs', 'x')], context()), {
    kind: 'retryable',
    reason: 'ClickHouse error 252 TOO_MANY_PARTS: Too many parts (300)',
    backpressure: true,
  });
  assert.equal(sender.currentHost, 'http://ch-1:8123', 'overload is not a host fault');
  const resetResult = await sender.send([row('logs', 'x')], context());
  assert.equal(resetResult.kind, 'retryable');
  assert.equal(sender.currentHost, 'http://ch-2:8123');
  await sender.send([row('logs', 'x')], context());
  assert.equal(sender.currentHost, 'http://ch-1:8123');
});

test('an exception announced after a 200 status (header or body) is still a failure', async () => {
  const client = new FakeClickHouseClient().answer(
    {
      status: 200,
      headers: { 'x-clickhouse-exception-code': '241' },
      body: 'Code: 241. DB::Exception: Memory limit (total) exceeded (MEMORY_LIMIT_EXCEEDED) (version 26.7.2.1)',
    },
    {
      status: 200,
      body: 'Code: 27. DB::Exception: Cannot parse input (CANNOT_PARSE_INPUT_ASSERTION_FAILED) (version 26.7.2.1)',
    },
  );
  const sender = senderWith([client]);
  const memory = await sender.send([row('logs', 'x')], context());
  assert.equal(memory.kind, 'retryable');
  const parse = await sender.send([row('logs', 'x')], context());
  assert.deepEqual(parse, {
    kind: 'permanent',
    reason:
      'ClickHouse error 27 CANNOT_PARSE_INPUT_ASSERTION_FAILED (HTTP 200): Cannot parse input',
  });
});

test('secrets never reach a reason, and long answers are cut', async () => {
  const client = new FakeClickHouseClient().answer(
    { status: 500, body: `proxy error for http://otel:hunter2@ch-1:8123 ${'x'.repeat(2_000)}` },
    Object.assign(new Error('connect failed for password hunter2'), { code: 'ECONNREFUSED' }),
  );
  const sender = senderWith([client]);
  const first = await sender.send([row('logs', 'x')], context());
  assert.equal(first.kind, 'retryable');
  if (first.kind !== 'retryable') return;
  assert.ok(!first.reason.includes('hunter2'), first.reason);
  assert.ok(first.reason.length <= 1_001);
  const second = await sender.send([row('logs', 'x')], context());
  assert.equal(second.kind, 'retryable');
  if (second.kind === 'retryable') {
    assert.equal(second.reason, 'connect failed for password [REDACTED] (ECONNREFUSED)');
  }
});

test('async inserts wait for the server and ask it to deduplicate; extra settings win', async () => {
  const client = new FakeClickHouseClient();
  const sender = senderWith([client], {
    asyncInsert: true,
    http: false,
    deduplicate: false,
    insertSettings: {
      async_insert_busy_timeout_ms: 500,
      wait_for_async_insert: false,
      comment: "it's",
    },
  });
  await sender.send([row('logs', 'x')], context());
  assert.match(
    client.execs[0].query,
    / SETTINGS async_insert = 1, wait_for_async_insert = 0, async_insert_deduplicate = 1, async_insert_busy_timeout_ms = 500, comment = 'it\\'s' FORMAT JSONEachRow$/,
  );
  assert.deepEqual(
    client.execs[0].settings,
    {},
    'the embedded connection gets no request settings',
  );
  assert.equal(client.execs[0].ignoreErrorResponse, false);
});

test('RowBinary batches carry the names-and-types header; a table refusing a type gets the rows as JSON at once', async () => {
  const client = new FakeClickHouseClient().answer(
    {},
    {
      status: 400,
      body: "Code: 117. DB::Exception: Type of 'SeverityNumber' must be Int32, not UInt8: (while reading header) (INCORRECT_DATA) (version 24.3.1)",
    },
  );
  const sender = senderWith([client], { format: 'RowBinary' });
  const logRow = () =>
    new RowEncoder('RowBinary').encode('logs', logRecordToRow(makeLogRecord({ body: 'b' })));
  const first = logRow();
  await sender.send([first], context());
  assert.match(client.execs[0].query, /' FORMAT RowBinaryWithNamesAndTypes$/);
  const header = rowBinaryHeader(INSERT_COLUMNS.logs);
  assert.deepEqual(client.execs[0].body, Buffer.concat([header, first.data as Buffer]));
  // The table's types could not be read (no access to system.columns): it refuses the header.
  const refused = logRow();
  assert.deepEqual(await sender.send([refused], context()), { kind: 'delivered' });
  assert.match(client.execs[1].query, /' FORMAT RowBinaryWithNamesAndTypes$/);
  assert.match(client.execs[2].query, /' FORMAT JSONEachRow$/, 'sent again at once as JSON');
  assert.equal(
    client.execs[2].body.toString(),
    new RowEncoder('JSONEachRow').encode('logs', logRecordToRow(makeLogRecord({ body: 'b' }))).data,
  );
  assert.equal(
    client.execs[2].querySettings.insert_deduplication_token,
    client.execs[1].querySettings.insert_deduplication_token,
    'the same rows, the same token',
  );
  await sender.send([logRow()], context());
  assert.match(client.execs[3].query, /' FORMAT JSONEachRow$/, 'and JSON from then on');
});

test("a failed preparation (the schema) is the send's outcome and nothing is inserted", async () => {
  const client = new FakeClickHouseClient();
  const other = new FakeClickHouseClient();
  let calls = 0;
  const sender = senderWith([client, other], {
    prepare: async () => {
      calls++;
      return calls === 1
        ? {
            retryable: true,
            backpressure: false,
            reason: 'creating the logs schema: refused hunter2',
            hostFault: true,
          }
        : undefined;
    },
  });
  assert.deepEqual(await sender.send([row('logs', 'x')], context()), {
    kind: 'retryable',
    reason: 'creating the logs schema: refused [REDACTED]',
    backpressure: false,
  });
  assert.equal(client.execs.length, 0);
  assert.equal(sender.currentHost, 'http://ch-2:8123');
  assert.deepEqual(await sender.send([row('logs', 'x')], context()), { kind: 'delivered' });
});

test('close releases only clients the exporter made', async () => {
  const owned = new FakeClickHouseClient();
  await senderWith([owned]).close();
  assert.equal(owned.closed, true);
  const borrowed = new FakeClickHouseClient();
  await senderWith([borrowed], { ownsClients: false }).close();
  assert.equal(borrowed.closed, false);
});

test('a metrics batch whose every table fails retryably is retried whole, with back-pressure', async () => {
  const client = new FakeClickHouseClient().answer(
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    { status: 503, body: 'overloaded' },
  );
  const result = await senderWith([client]).send([row('gauge', 'g'), row('sum', 's')], context());
  assert.equal(result.kind, 'retryable');
  assert.equal(result.kind === 'retryable' && result.backpressure, true);
});
