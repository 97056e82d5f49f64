import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import { InvalidConfigError } from '@otelpack/batching-core';
import {
  CHDB_MISSING_MESSAGE,
  ChdbNotInstalledError,
  createEmbeddedClickHouseClient,
  isEmbeddedClient,
  loadChdbConnectionFactory,
} from '../src/client/embedded';
import { resolveConfig } from '../src/config';
import { ClickHouseSpanExporter } from '../src/exporters';
import { clearClickHouseEnv } from './fixtures';

clearClickHouseEnv();

function missing(id: string): never {
  throw Object.assign(new Error(`Cannot find module '${id}'`), { code: 'MODULE_NOT_FOUND' });
}

test('without chdb installed, the embedded mode says what is missing and how to add it', () => {
  assert.throws(
    () => createEmbeddedClickHouseClient({}, missing),
    (error: unknown) => {
      assert.ok(error instanceof ChdbNotInstalledError);
      assert.equal(error.message, CHDB_MISSING_MESSAGE);
      assert.match(error.message, /npm install chdb@\^3\.4/);
      assert.match(error.message, /CLICKHOUSE_URL/);
      return true;
    },
  );
});

test('a chdb without the connection factory is reported the same way', () => {
  assert.throws(() => loadChdbConnectionFactory(() => ({})), ChdbNotInstalledError);
});

test('other load failures are not mistaken for a missing package', () => {
  const broken = (): never => {
    throw Object.assign(new Error('libchdb.so: cannot open shared object file'), {
      code: 'ERR_DLOPEN_FAILED',
    });
  };
  assert.throws(() => loadChdbConnectionFactory(broken), /libchdb\.so/);
});

test('the embedded client is known as such: RowBinary is refused with it, JSONEachRow is the default', async () => {
  let openedPath: string | undefined;
  const fakeChdb = () => ({
    createChdbConnection: (options: { path?: string }) => {
      openedPath = options.path;
      return { close: async () => undefined };
    },
  });
  const client = createEmbeddedClickHouseClient({}, fakeChdb);
  assert.equal(openedPath, ':memory:');
  assert.ok(isEmbeddedClient(client));
  assert.throws(
    () => new ClickHouseSpanExporter({ client, format: 'RowBinary' }),
    (error: unknown) => error instanceof InvalidConfigError && error.option === 'format',
  );
  assert.equal(resolveConfig({ client }).format, 'JSONEachRow');
  createEmbeddedClickHouseClient({ path: '/var/lib/otel-chdb' }, fakeChdb);
  assert.equal(openedPath, '/var/lib/otel-chdb');
});

test("a client the application built on chdb's connection is recognised too", () => {
  const client = createClient({
    connection: { connectionName: 'chdb', close: async () => undefined } as never,
  });
  assert.ok(isEmbeddedClient(client));
  assert.ok(!isEmbeddedClient(createClient({ url: 'http://localhost:8123' })));
});
