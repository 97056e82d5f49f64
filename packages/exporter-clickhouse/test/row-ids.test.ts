import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../src/encoding/encoder';
import type { ClickHouseRow } from '../src/encoding/encoder';
import { ClickHouseSender } from '../src/sender/sender';
import type { TableKind } from '../src/schema/tables';
import { FakeClickHouseClient } from './fake-client';
import { makeLogRecord } from './fixtures';
import { logRecordToRow } from '../src/mapping/logs';
import { defaultSpoolCodec } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { PROCESS_ORIGIN } from '../src/encoding/row-ids';
import { clickHouseRowSpoolCodec } from '../src/sender/spool-codec';

/*
 * The dedup token names the rows of an insert (their numbers in this process) instead of
 * hashing its bytes: a retry of the same rows gets the same token, any other insert another.
 */

function sender(client: FakeClickHouseClient) {
  return new ClickHouseSender({
    hosts: [{ client: client.asClient(), label: 'ch' }],
    format: 'JSONEachRow',
    tables: { logs: '`otel`.`otel_logs`' } as Record<TableKind, string>,
    deduplicate: true,
    asyncInsert: false,
    http: true,
    secrets: [],
    ownsClients: false,
  });
}

const context = () => ({ signal: new AbortController().signal, attempt: 1 });

function rows(count: number): ClickHouseRow[] {
  const encoder = new RowEncoder('JSONEachRow');
  return Array.from({ length: count }, () =>
    encoder.encode('logs', logRecordToRow(makeLogRecord())),
  );
}

async function tokenOf(batch: ClickHouseRow[]): Promise<string> {
  const client = new FakeClickHouseClient();
  await sender(client).send(batch, context());
  return client.execs[0].querySettings.insert_deduplication_token;
}

test('a retry of the same rows has the same token, though their bytes are those of other rows', async () => {
  const batch = rows(4);
  assert.equal(batch[0].data, batch[1].data, 'identical bytes');
  const first = await tokenOf(batch);
  assert.equal(await tokenOf([...batch]), first);
  assert.notEqual(await tokenOf(batch.slice(0, 3)), first, 'a part of them');
  const other = rows(4);
  assert.notEqual(await tokenOf(other), first, 'rows with the same bytes are other rows');
});

test('the same number of rows between the same first and last, but others, has another token', async () => {
  const [a, b, c, d] = rows(4);
  assert.notEqual(await tokenOf([a, b, d]), await tokenOf([a, c, d]));
});

test('rows made outside the mapping (no number) keep the hash of their bytes', async () => {
  const batch = [{ table: 'logs' as const, data: '{"a":1}\n' }];
  assert.equal(
    await tokenOf(batch),
    `'${ClickHouseSender.deduplicationToken('`otel`.`otel_logs`', Buffer.from('{"a":1}\n'))}'`,
  );
});

test("rows replayed from another process's spool never take the token of this process's rows of the same numbers", async () => {
  const mine = rows(3);
  // The same numbers, encoded by the process before a restart (which also counted from 1).
  const replayed = mine.map((row) => ({ ...row, origin: 'the-process-before' }));
  assert.notEqual(await tokenOf(replayed), await tokenOf(mine));
  assert.match(await tokenOf(replayed), /^'the-process-before-\d+-\d+-3-\d+'$/);
  // A batch of both: a run per process, in order.
  assert.match(
    await tokenOf([...replayed.slice(0, 2), ...mine.slice(2)]),
    /^'the-process-before-\d+-\d+-2-\d+\+[\w-]+-\d+-\d+-1-\d+'$/,
  );
});

test('a batch replayed from the spool, cut as it was sent, carries the token it had', async () => {
  const batch = rows(5);
  const replayed = await replayThroughSpool(batch, clickHouseRowSpoolCodec);
  assert.equal(replayed.corrupt, 0);
  assert.equal(await tokenOf(replayed.records), await tokenOf(batch));
  assert.ok(
    replayed.records.every((row) => row.origin === PROCESS_ORIGIN),
    'the writer is kept',
  );
  // Rows spooled before origins were kept: an origin of their own, never this process's.
  const before = clickHouseRowSpoolCodec.decode(defaultSpoolCodec.encode(batch), 5);
  assert.ok(before.every((row) => row.origin !== undefined && row.origin !== PROCESS_ORIGIN));
  assert.notEqual(await tokenOf(before), await tokenOf(batch));
});
