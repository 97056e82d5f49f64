import { afterEach, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@elastic/elasticsearch';
import { InvalidConfigError } from '@otelpack/batching-core';
import { resolveConfig } from '../src/config';
import { ELASTICSEARCH_OPTIONS } from '../src/options';
import type { ElasticsearchExporterOptions } from '../src/options';

const VARIABLES = ELASTICSEARCH_OPTIONS.environment.flatMap((entry) => entry.variables);
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
  assert.equal(config.connection.timeoutMs, 30_000);
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
  // The exporter's default goes to the core's defaults layer; the send deadline is timeoutMs + 1 s.
  assert.deepEqual(config.pipelineDefaults, { maxBatchBytes: 5_000_000, maxBatchItems: 10_000 });
  assert.deepEqual(config.pipeline, { requestTimeoutMs: 31_000 });
});

test('environment: ELASTICSEARCH_URL (a list), an API key or username/password (not both); options win', () => {
  process.env.ELASTICSEARCH_URL = 'https://es1.example:9200, https://es2.example:9200';
  process.env.ELASTICSEARCH_API_KEY = 'key-from-env';
  const fromEnv = resolveConfig();
  assert.deepEqual(fromEnv.connection.nodes, [
    'https://es1.example:9200/',
    'https://es2.example:9200/',
  ]);
  assert.deepEqual(fromEnv.connection.auth, { apiKey: 'key-from-env' });

  // Two credentials in the environment would leave one silently unused: the kit's one rule.
  process.env.ELASTICSEARCH_USERNAME = 'elastic';
  process.env.ELASTICSEARCH_PASSWORD = 'pw-from-env';
  invalid(
    {},
    'ELASTICSEARCH_USERNAME',
    /set either ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME, not both/,
  );

  delete process.env.ELASTICSEARCH_API_KEY;
  assert.deepEqual(resolveConfig().connection.auth, {
    username: 'elastic',
    password: 'pw-from-env',
  });

  const explicit = resolveConfig({ url: 'http://other:9200', auth: { bearerToken: 'token-1' } });
  assert.deepEqual(explicit.connection.nodes, ['http://other:9200/']);
  assert.deepEqual(explicit.connection.auth, { bearerToken: 'token-1' });
  assert.deepEqual(explicit.connection.secrets, ['token-1']);
});

test('environment: ELASTIC_CLOUD_ID when no URL is set, with gzip as the client does for Cloud', () => {
  process.env.ELASTIC_CLOUD_ID = CLOUD_ID;
  const config = resolveConfig();
  assert.equal(config.connection.nodes, undefined);
  assert.equal(config.connection.cloudId, CLOUD_ID);
  assert.equal(config.connection.compression, true);
  assert.equal(resolveConfig({ compression: 'none' }).connection.compression, false);
  // An explicit url wins over the environment's cloud id.
  assert.equal(resolveConfig({ url: 'http://localhost:9200' }).connection.cloudId, undefined);
});

test('environment: a username without a password names the missing variable', () => {
  process.env.ELASTICSEARCH_USERNAME = 'elastic';
  invalid({}, 'ELASTICSEARCH_PASSWORD', /is required when ELASTICSEARCH_USERNAME is set/);
});

test('secrets: credentials from auth and URLs are collected for redaction', () => {
  const config = resolveConfig({ url: 'https://user:p%40ss@es.example:9200' });
  // Each once: the client's list and the kit's (which has credential headers too) are merged.
  assert.deepEqual(config.connection.secrets, ['user', 'p@ss', 'p%40ss']);
  assert.deepEqual(resolveConfig({ auth: { apiKey: 'abc==' } }).connection.secrets, ['abc==']);
});

test('invalid options throw at construction, naming the option and what it accepts', () => {
  invalid(
    { url: 'localhost:9200' },
    'url',
    /expected an http:\/\/ or https:\/\/ URL .*, got "localhost:9200"$/,
  );
  invalid({ url: ['http://a:9200', 'ftp://b'] }, 'url[1]', /http/);
  invalid({ url: [] }, 'url', /at least one URL/);
  invalid({ url: 'http://a:9200', cloudId: CLOUD_ID }, 'cloudId', /cannot be combined with url/);
  invalid({ cloudId: 'no-colon' }, 'cloudId', /<name>:<base64>/);
  invalid({ auth: { apiKey: '' } }, 'auth', /apiKey/);
  invalid({ auth: { username: 'u' } as never }, 'auth', /username, password/);
  invalid({ auth: { apiKey: 'k', bearerToken: 'b' } as never }, 'auth', /expected/);
  invalid({ auth: { bearer: 'b' } as never }, 'auth', /\{ bearerToken \}/);
  invalid({ compression: 'br' as never }, 'compression', /'gzip', 'none'/);
  invalid({ mappingMode: 'none' as never }, 'mappingMode', /'otel', 'ecs', 'raw'/);
  invalid({ index: 'Logs' }, 'index', /lowercase/);
  invalid({ index: '_private' }, 'index', /not starting with/);
  invalid({ index: 'a,b' }, 'index', /index name/);
  invalid({ dataset: '' }, 'dataset', /non-empty/);
  invalid({ namespace: '' }, 'namespace', /non-empty/);
  invalid({ indexDateSuffix: 'weekly' as never }, 'indexDateSuffix', /'none', 'daily', 'monthly'/);
  invalid({ maxStringLength: 0 }, 'maxStringLength', /integer from 1/);
  invalid({ timeoutMs: 1.5 }, 'timeoutMs', /integer/);
  invalid({ requestTimeoutMs: 1000 } as never, 'requestTimeoutMs', /unknown option/);
  invalid({ deterministicIds: 'yes' as never }, 'deterministicIds', /true or false/);
  invalid({ headers: { 'x-a': 1 as never } }, 'headers.x-a', /string/);
  invalid(
    { tls: { rejectUnauthorized: 'no' as never } },
    'tls.rejectUnauthorized',
    /true or false/,
  );
  invalid(
    { client: new Client({ node: 'http://localhost:9200' }), url: 'http://a:9200' },
    'url',
    /cannot be combined with client/,
  );
  invalid({ client: {} as never }, 'client', /Client from @elastic\/elasticsearch/);
});

test('a URL with credentials that fails validation is not echoed', () => {
  assert.throws(
    () => resolveConfig({ url: 'ftp://elastic:supersecret@es.example' }),
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
  const config = resolveConfig(
    {
      maxBatchItems: 500,
      maxConcurrency: undefined,
      maxQueueBytes: 1_000_000,
      deliveryMode: 'direct',
      timeoutMs: 5_000,
      mappingMode: 'ecs',
      temporality: 'delta',
    } as ElasticsearchExporterOptions,
    'metrics',
  );
  // The batch bound under the 1 MB queue is the core's to reconcile (its defaults layer).
  assert.deepEqual(config.pipeline, {
    maxBatchItems: 500,
    maxQueueBytes: 1_000_000,
    deliveryMode: 'direct',
    requestTimeoutMs: 6_000,
  });
  assert.deepEqual(config.pipelineDefaults, { maxBatchBytes: 5_000_000, maxBatchItems: 10_000 });
});
