import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchemaGate } from '../src/schema/gate';
import { ClickHouseSender } from '../src/sender/sender';
import type { TableKind } from '../src/schema/tables';
import { FakeClickHouseClient } from './fake-client';
import { SCHEMA_SETTINGS } from './fixtures';

/*
 * A schema request that never answers must not hold sends past their own deadline (issue 11:
 * every batch waited requestTimeoutMs + 5 s): a waiting send gives up when its signal aborts,
 * retryably, and the statement itself has the exporter's timeout.
 */

function senderOver(client: FakeClickHouseClient, gate: SchemaGate) {
  return new ClickHouseSender({
    hosts: [{ client: client.asClient(), label: 'ch' }],
    format: 'JSONEachRow',
    tables: { logs: '`otel`.`otel_logs`' } as Record<TableKind, string>,
    deduplicate: false,
    asyncInsert: false,
    http: true,
    secrets: [],
    ownsClients: false,
    prepare: (host) => gate.ensure(host.client),
  });
}

// The statement's own timeout is ten minutes here: a send that waited for it, rather than for its
// own deadline, would outlast the test's timeout and fail it.
test(
  'a send waiting on a stalled schema request ends at its own deadline, retryably',
  { timeout: 30_000 },
  async () => {
    const client = new FakeClickHouseClient();
    client.stallCommands = true;
    const gate = new SchemaGate(SCHEMA_SETTINGS, ['logs'], (text) => text, 600_000);
    const sender = senderOver(client, gate);
    const result = await sender.send([{ table: 'logs', data: '{}\n' }], {
      signal: AbortSignal.timeout(50),
      attempt: 1,
    });
    assert.equal(result.kind, 'retryable');
    assert.match((result as { reason: string }).reason, /schema request did not answer/);
    assert.equal(client.execs.length, 0, 'nothing inserted before the schema is there');
    assert.equal(
      client.commandSignals[0]?.aborted,
      false,
      "the send ended on its own deadline, the schema statement's is still running",
    );
    client.closeStalled();
  },
);

test("the schema's statements carry the exporter's timeout as their abort signal", async () => {
  const client = new FakeClickHouseClient();
  client.stallCommands = true;
  const gate = new SchemaGate(SCHEMA_SETTINGS, ['logs'], (text) => text, 30);
  const failure = await gate.ensure(client.asClient());
  assert.ok(client.commandSignals[0], 'an abort signal');
  assert.equal(client.commandSignals[0]?.aborted, true, 'it fired');
  assert.equal(failure?.retryable, true, 'a timed-out statement is retried by a later send');
});
