import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteWriter } from '../src/encoding/row-binary';
import { ROW_SLABS, SlabPool } from '../src/encoding/row-slabs';
import { logRowBinaryWriter } from '../src/encoding/row-binary-rows';
import { ClickHouseSender } from '../src/sender/sender';
import type { ClickHouseSenderOptions } from '../src/sender/sender';
import { DEFAULT_LAYOUTS } from '../src/schema/columns';
import type { ClickHouseRow } from '../src/encoding/encoder';
import { EncodedRow } from '../src/encoding/encoder';
import { FakeClickHouseClient } from './fake-client';
import { makeLogRecord } from './fixtures';
import { NO_RESOURCE_CACHE } from '../src/mapping/resource';
import { DEFAULT_TABLE_NAMES } from '../src/schema/tables';

// Slabs of 128 bytes hold four 20-byte rows (a length byte and 19 characters; the writer makes
// room for three bytes a character before writing one): the fifth moves it to the next slab.
const SLAB_BYTES = 128;

function rowsOf(writer: ByteWriter, count: number, fill: string): Buffer[] {
  const rows: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    writer.string(`${fill}${String(i).padStart(3, '0')}`.padEnd(19, fill));
    rows.push(writer.take());
  }
  return rows;
}

const copies = (rows: Buffer[]) => rows.map((r) => Buffer.from(r));

test('a slab is written again once all its rows are delivered, never while one of them is not', () => {
  const pool = new SlabPool({ slabBytes: SLAB_BYTES, keep: 8 });
  const writer = new ByteWriter(pool);
  const [a1, a2, a3, a4, b1, b2, b3, b4] = rowsOf(writer, 8, 'a');
  assert.equal(a1.buffer, a4.buffer, 'four rows to a slab');
  assert.notEqual(a4.buffer, b1.buffer);
  assert.equal(b1.buffer, b4.buffer);
  const bBefore = copies([b1, b2, b3, b4]);

  for (const row of [a1, a2, a3, a4]) pool.release(row);
  assert.equal(pool.freeSlabs, 1, "the first slab's rows are all delivered");
  // b4 is never delivered (dropped, say, and kept by a dead-letter sink).
  for (const row of [b1, b2, b3]) pool.release(row);

  const later = rowsOf(writer, 30, 'c');
  assert.ok(
    later.some((row) => row.buffer === a1.buffer),
    'the delivered slab holds new rows',
  );
  assert.ok(
    later.every((row) => row.buffer !== b4.buffer),
    'a slab with a row not delivered is never written again',
  );
  assert.deepEqual(copies([b1, b2, b3, b4]), bBefore, 'its rows keep their bytes');
});

test('the slab being written is not given back, though every row taken from it is delivered', () => {
  const pool = new SlabPool({ slabBytes: SLAB_BYTES });
  const writer = new ByteWriter(pool);
  const [first, second] = rowsOf(writer, 2, 'd');
  pool.release(first);
  pool.release(second);
  assert.equal(pool.freeSlabs, 0, 'the writer still writes in it');
  const [third, fourth] = rowsOf(writer, 2, 'e');
  assert.equal(fourth.buffer, first.buffer);
  const [fifth] = rowsOf(writer, 1, 'f');
  assert.notEqual(fifth.buffer, first.buffer, 'the writer moved on');
  pool.release(third);
  assert.equal(pool.freeSlabs, 0, 'the fourth row is not delivered yet');
  pool.release(fourth);
  assert.equal(pool.freeSlabs, 1);
});

test('memory the pool did not make is passed over: a row larger than a slab, a replayed row', () => {
  const pool = new SlabPool({ slabBytes: SLAB_BYTES });
  const writer = new ByteWriter(pool);
  const [small] = rowsOf(writer, 1, 'g');
  writer.string('h'.repeat(200));
  const large = writer.take();
  assert.notEqual(large.buffer, small.buffer);
  const largeBefore = Buffer.from(large);
  pool.release(large);
  pool.release(Buffer.from('replayed from a spool'));
  assert.equal(pool.freeSlabs, 0);
  pool.release(small);
  assert.equal(pool.freeSlabs, 1, "the small row's slab, retired when the large row moved on");
  rowsOf(writer, 24, 'i');
  assert.deepEqual(large, largeBefore, 'the large row is never written over');
});

test('free slabs are kept up to the bound, and let go when no slab is taken for a while', async () => {
  const pool = new SlabPool({ slabBytes: SLAB_BYTES, keep: 2, idleReleaseMs: 20 });
  const writer = new ByteWriter(pool);
  const rows = rowsOf(writer, 13, 'j'); // four slabs; the writer is in the fourth
  for (const row of rows) pool.release(row);
  assert.equal(pool.freeSlabs, 2, 'three slabs retired and delivered, two kept');
  const deadline = Date.now() + 5_000;
  while (pool.freeSlabs > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(pool.freeSlabs, 0);
});

function rowBinarySender(
  client: FakeClickHouseClient,
  overrides: Partial<ClickHouseSenderOptions> = {},
): ClickHouseSender {
  return new ClickHouseSender({
    hosts: [{ client: client.asClient(), label: 'http://ch:8123' }],
    format: 'RowBinary',
    tables: DEFAULT_TABLE_NAMES,
    deduplicate: false,
    asyncInsert: false,
    http: true,
    secrets: [],
    ownsClients: true,
    ...overrides,
  });
}

test("the exporter's RowBinary rows come back to the process's pool once delivered", async () => {
  const client = new FakeClickHouseClient();
  const sender = rowBinarySender(client);
  const write = logRowBinaryWriter(NO_RESOURCE_CACHE);
  const record = makeLogRecord();
  // Enough rows to fill several slabs (a log row is a few hundred bytes), so that the writer
  // moves on and retires the first ones.
  const rows: ClickHouseRow[] = [];
  for (let i = 0; i < 1_000; i++) rows.push(new EncodedRow('logs', write(record), i));
  const slabs = new Set(rows.map((r) => (r.data as Buffer).buffer));
  assert.ok(slabs.size > 2, `${slabs.size} slabs`);
  assert.deepEqual(await sender.send(rows, { signal: new AbortController().signal, attempt: 1 }), {
    kind: 'delivered',
  });
  const freeBefore = ROW_SLABS.freeSlabs;
  sender.afterDelivered(rows);
  // Every slab but the one the writer is still in.
  assert.equal(ROW_SLABS.freeSlabs - freeBefore, slabs.size - 1);
  await sender.close();
});

test('a send abandoned at its deadline reads no row: their slabs may be written again', async () => {
  const client = new FakeClickHouseClient();
  const sender = rowBinarySender(client);
  const write = logRowBinaryWriter(NO_RESOURCE_CACHE);
  const abandoned = new AbortController();
  abandoned.abort(new Error('requestTimeoutMs'));
  const result = await sender.send([new EncodedRow('logs', write(makeLogRecord()), 1)], {
    signal: abandoned.signal,
    attempt: 1,
  });
  assert.equal(result.kind, 'retryable');
  assert.equal(client.execs.length, 0, 'nothing was inserted');
  await sender.close();
});

// ClickHouse refusing the RowBinary header of a table made by someone else (code 117), as in
// sender.test.ts: the sender falls back to JSON, reading the rows again.
const HEADER_REFUSED = {
  status: 400,
  body: "Code: 117. DB::Exception: Type of 'SeverityNumber' must be Int32, not UInt8: (while reading header) (INCORRECT_DATA) (version 24.3.1)",
};

test('a send abandoned while its RowBinary was refused does not read its rows again for the JSON fallback', async () => {
  const write = logRowBinaryWriter(NO_RESOURCE_CACHE);
  const rows: ClickHouseRow[] = [];
  for (let i = 0; i < 1_000; i++) {
    rows.push(new EncodedRow('logs', write(makeLogRecord({ body: `first-${i}` })), i));
  }
  const abandoned = new AbortController();
  const client = new FakeClickHouseClient();
  const sender = rowBinarySender(client);
  client.answer(async () => {
    // The deadline passes while ClickHouse answers; the retry delivered the rows, and new
    // records were written into their slabs.
    abandoned.abort(new Error('requestTimeoutMs'));
    sender.afterDelivered(rows);
    for (let i = 0; i < 1_000; i++) write(makeLogRecord({ body: `later-${i}` }));
    return HEADER_REFUSED;
  });
  const result = await sender.send(rows, { signal: abandoned.signal, attempt: 1 });
  assert.equal(client.execs.length, 1, 'no JSON insert of rows whose slabs hold other records');
  assert.equal(result.kind, 'permanent', "the refusal is the abandoned send's answer");
  await sender.close();
});

test("a send answers only once every table's insert has ended, one that threw included", async () => {
  let gaugeInsertEnded = false;
  const client = new FakeClickHouseClient().answer(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    gaugeInsertEnded = true;
    return {};
  });
  const sender = rowBinarySender(client, {
    format: 'JSONEachRow',
    // Two hosts: a fault of the rows (or of the code) must not move the traffic to the next.
    hosts: [
      { client: client.asClient(), label: 'http://ch-1:8123' },
      { client: new FakeClickHouseClient().asClient(), label: 'http://ch-2:8123' },
    ],
    layoutOf: (_host, table) => {
      if (table === 'sum') throw new Error('a layout that cannot be read');
      return DEFAULT_LAYOUTS[table];
    },
  });
  const rows: ClickHouseRow[] = [
    new EncodedRow('gauge', '{"a":1}\n', 1),
    new EncodedRow('sum', '{"a":2}\n', 2),
  ];
  const result = await sender.send(rows, { signal: new AbortController().signal, attempt: 1 });
  assert.ok(gaugeInsertEnded, 'the gauge insert ended before the send answered');
  assert.equal(result.kind, 'partial');
  assert.deepEqual(
    result.kind === 'partial' ? result.failures.map((f) => f.index) : [],
    [1],
    'only the sum row failed',
  );
  assert.equal(sender.currentHost, 'http://ch-1:8123', "not the host's fault: no failover");
  await sender.close();
});
