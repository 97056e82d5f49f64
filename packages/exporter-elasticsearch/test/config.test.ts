import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { InvalidConfigError } from '@otelpack/batching-core';
import { ENVIRONMENT_VARIABLES, resolveConfig } from '../src/config';
import type { ElasticsearchExporterOptions } from '../src/options';

const VARIABLES = Object.values(ENVIRONMENT_VARIABLES);
let saved: Record<string, string | undefined> = {};

beforeEach(() => {
  saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) delete process.env[name];
});
afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

// A cloud id for "us-east-1.aws.found.io$abc123$kib456".
const CLOUD_ID = `my-deployment:${Buffer.from('us-east-1.aws.found.io$abc123$kib456').toString('base64')}`;

function invalid(options: ElasticsearchExporterOptions, option: string, message: RegExp): void {
  assert.throws(
    () => resolveConfig(options),
    (error: unknown) => {
      assert.ok(error instanceof InvalidConfigError, String(error));
      assert.equal(error.option, option);
      assert.match(error.message, message);
      assert.equal(error.code, 'OTELPACK_ERR_INVALID_CONFIG');
      return true;
    },
  );
}

test('defaults: localhost, otel mode, generic/default, 5 MB batches, no auth', () => {
  const config = resolveConfig();
  assert.equal(config.name, 'elasticsearch');
  assert.deepEqual(config.connection.nodes, ['http://localhost:9200/']);
  assert.equal(config.connection.cloudId, undefined);
  assert.equal(config.connection.auth, undefined);
  assert.equal(config.connection.compression, false);
  assert.equal(config.connection.requestTimeoutMs, 30_000);
  assert.deepEqual(config.mapping, {
    mode: 'otel',
    index: undefined,
    routeByAttributes: true,
    dataset: 'generic',
    namespace: 'default',
    indexDateSuffix: 'none',
    deterministicIds: false,
    limits: { maxStringLength: 1_048_576 },
  });
  assert.equal(config.setup, undefined);
  assert.deepEqual(config.pipeline, { maxBatchBytes: 5_000_000, requestTimeoutMs: 31_000 });
});

test('environment: ELASTICSEARCH_URL (a list), API key before username/password; options win', () => {
  process.env.ELASTICSEARCH_URL = 'https://es1.example:9200, https://es2.example:9200';
  process.env.ELASTICSEARCH_API_KEY = 'key-from-env';
  process.env.ELASTICSEARCH_USERNAME = 'elastic';
  process.env.ELASTICSEARCH_PASSWORD = 'pw-from-env';
  const fromEnv = resolveConfig();
  assert.deepEqual(fromEnv.connection.nodes, [
    'https://es1.example:9200/',
    'https://es2.example:9200/',
  ]);
  assert.deepEqual(fromEnv.connection.auth, { apiKey: 'key-from-env' });

  delete process.env.ELASTICSEARCH_API_KEY;
  assert.deepEqual(resolveConfig().connection.auth, {
    username: 'elastic',
    password: 'pw-from-env',
  });

  const explicit = resolveConfig({ node: 'http://other:9200', auth: { bearer: 'token-1' } });
  assert.deepEqual(explicit.connection.nodes, ['http://other:9200/']);
  assert.deepEqual(explicit.connection.auth, { bearer: 'token-1' });
  assert.deepEqual(explicit.connection.secrets, ['token-1']);
});

test('environment: ELASTIC_CLOUD_ID when no URL is set, with gzip as the client does for Cloud', () => {
  process.env.ELASTIC_CLOUD_ID = CLOUD_ID;
  const config = resolveConfig();
  assert.equal(config.connection.nodes, undefined);
  assert.equal(config.connection.cloudId, CLOUD_ID);
  assert.equal(config.connection.compression, true);
  assert.equal(resolveConfig({ compression: 'none' }).connection.compression, false);
  // An explicit node wins over the environment's cloud id.
  assert.equal(resolveConfig({ node: 'http://localhost:9200' }).connection.cloudId, undefined);
});

test('environment: a username without a password names the missing variable', () => {
  process.env.ELASTICSEARCH_USERNAME = 'elastic';
  invalid({}, 'ELASTICSEARCH_PASSWORD', /is required when ELASTICSEARCH_USERNAME is set/);
});

test('secrets: credentials from auth and URLs are collected for redaction', () => {
  const config = resolveConfig({ node: 'https://user:p%40ss@es.example:9200' });
  assert.deepEqual(config.connection.secrets, ['user', 'user', 'p@ss', 'p%40ss']);
  assert.deepEqual(resolveConfig({ auth: { apiKey: 'abc==' } }).connection.secrets, ['abc==']);
});

test('invalid options throw at construction, naming the option and what it accepts', () => {
  invalid({ node: 'localhost:9200' }, 'node', /expected an http:\/\/ or https:\/\/ URL/);
  invalid({ node: ['http://a:9200', 'ftp://b'] }, 'node[1]', /http/);
  invalid({ node: [] }, 'node', /at least one URL/);
  invalid({ node: 'http://a:9200', cloudId: CLOUD_ID }, 'cloudId', /cannot be combined with node/);
  invalid({ cloudId: 'no-colon' }, 'cloudId', /<name>:<base64>/);
  invalid({ auth: { apiKey: '' } }, 'auth', /apiKey/);
  invalid({ auth: { username: 'u' } as never }, 'auth', /username, password/);
  invalid({ auth: { apiKey: 'k', bearer: 'b' } as never }, 'auth', /expected/);
  invalid({ compression: 'br' as never }, 'compression', /'gzip', 'none'/);
  invalid({ mappingMode: 'none' as never }, 'mappingMode', /'otel', 'ecs', 'raw'/);
  invalid({ index: 'Logs' }, 'index', /lowercase/);
  invalid({ index: '_private' }, 'index', /not starting with/);
  invalid({ index: 'a,b' }, 'index', /index name/);
  invalid({ dataset: 'my-app' }, 'dataset', /none of/);
  invalid({ namespace: 'Prod' }, 'namespace', /lowercase/);
  invalid({ indexDateSuffix: 'weekly' as never }, 'indexDateSuffix', /'none', 'daily', 'monthly'/);
  invalid({ maxStringLength: 0 }, 'maxStringLength', /integer from 1/);
  invalid({ requestTimeoutMs: 1.5 }, 'requestTimeoutMs', /integer/);
  invalid({ deterministicIds: 'yes' as never }, 'deterministicIds', /true or false/);
  invalid({ headers: { 'x-a': 1 as never } }, 'headers.x-a', /string/);
  invalid(
    { tls: { rejectUnauthorized: 'no' as never } },
    'tls.rejectUnauthorized',
    /true or false/,
  );
  invalid(
    { client: new Client({ node: 'http://localhost:9200' }), node: 'http://a:9200' },
    'node',
    /cannot be combined with client/,
  );
  invalid({ client: {} as never }, 'client', /Client from @elastic\/elasticsearch/);
});

test('a URL with credentials that fails validation is not echoed', () => {
  assert.throws(
    () => resolveConfig({ node: 'ftp://elastic:supersecret@es.example' }),
    (error: Error) => !error.message.includes('supersecret'),
  );
});

test('setup: index templates need a plain index; ILM needs a date suffix and sane ages', () => {
  invalid({ setup: { indexTemplate: true } }, 'setup.indexTemplate', /needs index/);
  invalid({ index: 'otel-logs', setup: { ilm: {} } }, 'setup.ilm', /needs setup.indexTemplate/);
  invalid(
    { index: 'otel-logs', setup: { indexTemplate: true, ilm: {} } },
    'setup.ilm',
    /indexDateSuffix/,
  );
  const base = { index: 'otel-logs', indexDateSuffix: 'daily' as const };
  invalid(
    { ...base, setup: { indexTemplate: true, ilm: { warmAfter: '7 days' } } },
    'setup.ilm.warmAfter',
    /'7d'/,
  );
  invalid(
    { ...base, setup: { indexTemplate: true, ilm: { warmAfter: '30d', deleteAfter: '7d' } } },
    'setup.ilm.deleteAfter',
    /later than warmAfter/,
  );
  invalid(
    { ...base, setup: { indexTemplate: true, ilm: { warmAfter: false, deleteAfter: '12h' } } },
    'setup.ilm.deleteAfter',
    /longer than one day/,
  );
  invalid(
    {
      index: 'otel-logs',
      indexDateSuffix: 'monthly',
      setup: { indexTemplate: true, ilm: { deleteAfter: '30d' } },
    },
    'setup.ilm.deleteAfter',
    /longer than one month/,
  );
  assert.deepEqual(resolveConfig({ ...base, setup: { indexTemplate: true, ilm: {} } }).setup, {
    index: 'otel-logs',
    ilm: { warmAfter: '7d', deleteAfter: '30d' },
  });
  assert.deepEqual(
    resolveConfig({
      ...base,
      setup: { indexTemplate: true, ilm: { warmAfter: false, deleteAfter: '3d' } },
    }).setup,
    { index: 'otel-logs', ilm: { warmAfter: undefined, deleteAfter: '3d' } },
  );
  assert.equal(resolveConfig({ index: 'x', setup: { indexTemplate: false } }).setup, undefined);
});

test('pipeline options pass through to the core; exporter options do not', () => {
  const config = resolveConfig({
    maxBatchItems: 500,
    maxConcurrency: undefined,
    maxQueueBytes: 1_000_000,
    deliveryMode: 'direct',
    requestTimeoutMs: 5_000,
    mappingMode: 'ecs',
    temporality: 'delta',
  } as ElasticsearchExporterOptions);
  assert.deepEqual(config.pipeline, {
    maxBatchBytes: 1_000_000,
    maxBatchItems: 500,
    maxQueueBytes: 1_000_000,
    deliveryMode: 'direct',
    requestTimeoutMs: 6_000,
  });
});
