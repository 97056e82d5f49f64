import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowEncoder } from '../src/encoding/encoder';
import type { ClickHouseRow } from '../src/encoding/encoder';
import { ClickHouseSender } from '../src/sender/sender';
import type { TableKind } from '../src/schema/tables';
import { FakeClickHouseClient } from './fake-client';
import { makeLogRecord } from './fixtures';
import { logRecordToRow } from '../src/mapping/logs';

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
