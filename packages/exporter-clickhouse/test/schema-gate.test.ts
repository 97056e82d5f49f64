import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClickHouseError } from '@clickhouse/client';
import { SchemaGate } from '../src/schema/gate';
import { createSchema } from '../src/schema/public';
import { FakeClickHouseClient } from './fake-client';
import { SCHEMA_SETTINGS, clearClickHouseEnv } from './fixtures';

clearClickHouseEnv();

const scrub = (text: string) => text.replace('hunter2', '[REDACTED]');

test('the schema is created once per client, however many sends wait on it', async () => {
  const client = new FakeClickHouseClient();
  const gate = new SchemaGate(SCHEMA_SETTINGS, ['traces'], scrub, 5_000);
  const results = await Promise.all([
    gate.ensure(client.asClient()),
    gate.ensure(client.asClient()),
  ]);
  assert.deepEqual(results, [undefined, undefined]);
  assert.equal(await gate.ensure(client.asClient()), undefined);
  assert.deepEqual(
    client.commands.map((sql) => sql.split('\n')[0]),
    [
      'CREATE DATABASE IF NOT EXISTS `otel`',
      'CREATE TABLE IF NOT EXISTS `otel`.`otel_traces` (',
      'CREATE TABLE IF NOT EXISTS `otel`.`otel_traces_trace_id_ts` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `otel`.`otel_traces_trace_id_ts_mv`',
    ],
  );
});

test("the schema's statements carry the header provider's headers (a rotating token)", async () => {
  const client = new FakeClickHouseClient();
  let token = 0;
  const gate = new SchemaGate(SCHEMA_SETTINGS, ['logs'], scrub, 5_000, async () => ({
    'x-proxy-token': `rotating-${++token}`,
  }));
  assert.equal(await gate.ensure(client.asClient()), undefined);
  assert.ok(client.commandHeaders.length > 0);
  for (const headers of client.commandHeaders) {
    assert.deepEqual(headers, { 'x-proxy-token': 'rotating-1' });
  }
});

test('a network failure is retryable and the next send tries again', async () => {
  const client = new FakeClickHouseClient().commandAnswers(
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }),
  );
  const gate = new SchemaGate(SCHEMA_SETTINGS, ['logs'], scrub, 5_000);
  const failure = await gate.ensure(client.asClient());
  assert.deepEqual(failure, {
    retryable: true,
    backpressure: false,
    reason: 'creating the logs schema: connect ECONNREFUSED 127.0.0.1:8123 (ECONNREFUSED)',
    hostFault: true,
  });
  assert.equal(await gate.ensure(client.asClient()), undefined);
  assert.equal(client.commands.length, 4, 'one failed attempt, then database, table and column');
});

test('losing a creation race to another process counts as created', async () => {
  const client = new FakeClickHouseClient().commandAnswers(
    undefined,
    new ClickHouseError({
      message: 'Table otel.otel_logs already exists',
      code: '57',
      type: 'TABLE_ALREADY_EXISTS',
    }),
  );
  assert.equal(
    await new SchemaGate(SCHEMA_SETTINGS, ['logs'], scrub, 5_000).ensure(client.asClient()),
    undefined,
  );
});

test('a permanent failure (no CREATE grant) is logged once, and the inserts go ahead', async () => {
  const client = new FakeClickHouseClient().commandAnswers(
    new ClickHouseError({
      message: 'user otel lacks CREATE DATABASE',
      code: '497',
      type: 'ACCESS_DENIED',
    }),
  );
  const gate = new SchemaGate(SCHEMA_SETTINGS, ['metrics'], scrub, 5_000);
  assert.equal(await gate.ensure(client.asClient()), undefined);
  assert.equal(await gate.ensure(client.asClient()), undefined);
  assert.equal(client.commands.length, 1);
});

test('createSchema runs every statement and surfaces any other error as it came', async () => {
  const client = new FakeClickHouseClient();
  await createSchema(client.asClient(), { database: 'otel' });
  assert.equal(client.commands.length, 11);
  const failing = new FakeClickHouseClient().commandAnswers(
    undefined,
    new ClickHouseError({ message: 'Syntax error', code: '62', type: 'SYNTAX_ERROR' }),
  );
  await assert.rejects(createSchema(failing.asClient(), { database: 'otel' }), {
    code: '62',
    type: 'SYNTAX_ERROR',
  });
});
