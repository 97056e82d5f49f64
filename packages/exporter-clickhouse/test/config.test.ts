import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidConfigError,
  exporterPipelineOptionNames,
  urlListFromText,
} from '@otelpack/batching-core';
import type { ClickHouseClient } from '@clickhouse/client';
import { engineOption, resolveConfig } from '../src/config';
import { ClickHouseSpanExporter } from '../src/index';
import type { ResolvedConfig } from '../src/config';
import { CLICKHOUSE_OPTIONS, CLICKHOUSE_PIPELINE_DEFAULTS } from '../src/options';
import type { ClickHouseExporterOptions } from '../src/options';
import { withEnv } from './fixtures';

function httpOf(config: ResolvedConfig) {
  assert.equal(config.connection.kind, 'http');
  return config.connection as Extract<ResolvedConfig['connection'], { kind: 'http' }>;
}

const fakeClient = {
  exec: async () => ({}),
  command: async () => ({}),
} as unknown as ClickHouseClient;

test('defaults: localhost, the default user and database, RowBinary, Brotli, schema on', () => {
  const config = withEnv({}, () => resolveConfig());
  const http = httpOf(config);
  assert.deepEqual(http.endpoints, [{ origin: 'http://localhost:8123' }]);
  assert.equal(http.username, 'default');
  assert.equal(http.password, '');
  assert.deepEqual(http.compression, { codec: 'br', level: 1 });
  assert.equal(http.maxOpenConnections, 8);
  assert.equal(config.schema.database, 'default');
  assert.equal(config.schema.tableEngine, 'MergeTree()');
  assert.equal(config.schema.deduplicationWindow, 1000);
  assert.equal(config.format, 'RowBinary');
  assert.equal(config.createSchema, true);
  assert.equal(config.deduplicate, true);
  assert.equal(config.asyncInsert, false);
  assert.deepEqual(config.pipelineDefaults, { ...CLICKHOUSE_PIPELINE_DEFAULTS });
  // No pipeline option given: only the send deadline the kit derives from timeoutMs.
  assert.deepEqual(config.pipeline, { requestTimeoutMs: 31_000 });
  assert.deepEqual(config.secrets, []);
});

test('the usual environment variables are read', () => {
  const config = withEnv(
    {
      CLICKHOUSE_URL: 'https://ch-1.example.com:8443, ch-2.example.com:8443',
      CLICKHOUSE_USER: 'otel',
      CLICKHOUSE_PASSWORD: 's3cret',
      CLICKHOUSE_DATABASE: 'telemetry',
    },
    () => resolveConfig(),
  );
  const http = httpOf(config);
  assert.deepEqual(
    http.endpoints.map((e) => e.origin),
    ['https://ch-1.example.com:8443', 'https://ch-2.example.com:8443'],
  );
  assert.equal(http.username, 'otel');
  assert.equal(http.password, 's3cret');
  assert.equal(config.schema.database, 'telemetry');
  // The password, and the Basic credentials it makes (as the kit lists them).
  assert.deepEqual(config.secrets, ['s3cret', 'b3RlbDpzM2NyZXQ=']);
  assert.equal(
    withEnv({ CLICKHOUSE_DB: 'fromdb' }, () => resolveConfig()).schema.database,
    'fromdb',
  );
});

test("CLICKHOUSE_PASSWORD alone is the password of ClickHouse's default user", () => {
  const config = withEnv({ CLICKHOUSE_PASSWORD: 'only-pass' }, () => resolveConfig());
  assert.equal(httpOf(config).username, 'default');
  assert.equal(httpOf(config).password, 'only-pass');
  assert.deepEqual(config.secrets, ['only-pass', 'ZGVmYXVsdDpvbmx5LXBhc3M=']);
});

test('credential headers are among the secrets every message is scrubbed of', () => {
  const config = resolveConfig({ headers: { 'x-api-key': 'hdr-secret-9', 'x-team': 'obs' } });
  assert.ok(config.secrets.includes('hdr-secret-9'), JSON.stringify(config.secrets));
  assert.equal(config.secrets.includes('obs'), false);
});

test('explicit options win over the environment, and the URL over the variables', () => {
  const vars = {
    CLICKHOUSE_URL: 'http://env-host:8123',
    CLICKHOUSE_USER: 'env-user',
    CLICKHOUSE_PASSWORD: 'env-pass',
    CLICKHOUSE_DATABASE: 'envdb',
  };
  const explicit = withEnv(vars, () =>
    resolveConfig({
      url: 'http://opt-host:8123',
      auth: { username: 'u', password: 'p' },
      database: 'd',
    }),
  );
  assert.equal(httpOf(explicit).endpoints[0].origin, 'http://opt-host:8123');
  assert.equal(httpOf(explicit).username, 'u');
  assert.equal(httpOf(explicit).password, 'p');
  assert.equal(explicit.schema.database, 'd');

  const fromUrl = withEnv(
    { CLICKHOUSE_USER: 'env-user', CLICKHOUSE_PASSWORD: 'env-pass', CLICKHOUSE_DATABASE: 'envdb' },
    () => resolveConfig({ url: 'http://url-user:p%40ss@host:8123/urldb' }),
  );
  const http = httpOf(fromUrl);
  assert.deepEqual(http.endpoints[0], {
    origin: 'http://host:8123',
    username: 'url-user',
    password: 'p@ss',
    database: 'urldb',
  });
  assert.equal(http.username, 'url-user');
  assert.equal(http.password, 'p@ss');
  assert.equal(
    fromUrl.schema.database,
    'urldb',
    "the code's URL names the database over the variable",
  );
  // A URL from the environment is no code: CLICKHOUSE_DATABASE names the database over its path.
  const envUrl = withEnv(
    { CLICKHOUSE_URL: 'http://host:8123/urldb', CLICKHOUSE_DATABASE: 'envdb' },
    () => resolveConfig(),
  );
  assert.equal(envUrl.schema.database, 'envdb');
  // The URL's password is scrubbed (the environment's is not read: the URL in code carries one).
  for (const secret of ['p@ss', 'p%40ss']) {
    assert.ok(fromUrl.secrets.includes(secret), `${secret} in ${JSON.stringify(fromUrl.secrets)}`);
  }
});

test('several hosts: a list, or commas; later entries inherit scheme and credentials', () => {
  assert.deepEqual(urlListFromText('http://u:p@a:8123,b:8124'), [
    'http://u:p@a:8123',
    'http://u:p@b:8124',
  ]);
  const fromEnv = withEnv({ CLICKHOUSE_URL: 'http://u:p@a:8123,b:8124' }, () => resolveConfig());
  assert.deepEqual(
    httpOf(fromEnv).endpoints.map((e) => [e.origin, e.username, e.password]),
    [
      ['http://a:8123', 'u', 'p'],
      ['http://b:8124', 'u', 'p'],
    ],
  );
  const listed = withEnv({}, () => resolveConfig({ url: ['https://a', new URL('http://b:1')] }));
  assert.deepEqual(
    httpOf(listed).endpoints.map((e) => e.origin),
    ['https://a', 'http://b:1'],
  );
});

test('a ready client is used as is, and RowBinary is refused for the embedded one only', () => {
  const config = withEnv({}, () => resolveConfig({ client: fakeClient, format: 'RowBinary' }));
  assert.deepEqual(config.connection, { kind: 'client', client: fakeClient, embedded: false });
  assert.equal(config.format, 'RowBinary');
});

test("the default format is the connection's: JSONEachRow on the embedded engine, as given otherwise", () => {
  const embedded = {
    ...fakeClient,
    connection: { connectionName: 'chdb' },
  } as unknown as ClickHouseClient;
  assert.equal(withEnv({}, () => resolveConfig({ client: fakeClient })).format, 'RowBinary');
  assert.equal(withEnv({}, () => resolveConfig({ client: embedded })).format, 'JSONEachRow');
  assert.throws(
    () => withEnv({}, () => resolveConfig({ client: embedded, format: 'RowBinary' })),
    /format: RowBinary cannot go through the embedded engine's connection/,
  );
  const fromEnv = withEnv({ OTELPACK_CLICKHOUSE_FORMAT: 'JSONEachRow' }, () => resolveConfig());
  assert.equal(fromEnv.format, 'JSONEachRow');
  assert.equal(resolveConfig({ format: 'JSONCompactEachRow' }).format, 'JSONCompactEachRow');
});

test("compression: each codec with its level, in the codec's range; gzip's range named with the variable it came from", () => {
  const compressionOf = (options: ClickHouseExporterOptions, vars: Record<string, string> = {}) =>
    httpOf(withEnv(vars, () => resolveConfig(options))).compression;
  assert.deepEqual(compressionOf({ compression: 'gzip' }), { codec: 'gzip', level: 1 });
  assert.deepEqual(compressionOf({ compression: 'gzip', compressionLevel: 9 }), {
    codec: 'gzip',
    level: 9,
  });
  // Brotli's quality runs from 0 to 11.
  assert.deepEqual(compressionOf({ compressionLevel: 0 }), { codec: 'br', level: 0 });
  assert.deepEqual(compressionOf({ compression: 'br', compressionLevel: 11 }), {
    codec: 'br',
    level: 11,
  });
  assert.deepEqual(compressionOf({ compression: 'none', compressionLevel: 11 }), {
    codec: 'none',
  });
  assert.deepEqual(
    compressionOf(
      {},
      { OTELPACK_CLICKHOUSE_COMPRESSION: 'gzip', OTELPACK_CLICKHOUSE_COMPRESSION_LEVEL: '6' },
    ),
    { codec: 'gzip', level: 6 },
  );
  // Through the kit, as an application meets it: the error names the variable.
  assert.throws(
    () =>
      withEnv(
        { OTELPACK_CLICKHOUSE_COMPRESSION: 'gzip', OTELPACK_CLICKHOUSE_COMPRESSION_LEVEL: '11' },
        () => new ClickHouseSpanExporter({ createSchema: false }),
      ),
    /OTELPACK_CLICKHOUSE_COMPRESSION_LEVEL: gzip takes a level from 1 to 9, got 11/,
  );
});

test('invalid options fail at construction, naming the option and what it accepts', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['url', { url: 'ftp://x' }, /^url: expected an http:\/\/ or https:\/\/ URL/],
    ['url[1]', { url: ['http://a', 'not a url'] }, /^url\[1\]: expected an http/],
    [
      'format',
      { format: 'CSV' },
      /^format: expected one of 'JSONEachRow', 'JSONCompactEachRow', 'RowBinary', got "CSV"/,
    ],
    [
      'compression',
      { compression: 'zstd' },
      /^compression: expected one of 'br', 'gzip', 'none', got "zstd"/,
    ],
    [
      'compressionLevel',
      { compressionLevel: 12 },
      /^compressionLevel: br takes a level from 0 to 11, got 12/,
    ],
    ['compressionLevel', { compressionLevel: -1 }, /^compressionLevel: expected an integer from 0/],
    [
      'compressionLevel',
      { compression: 'gzip', compressionLevel: 12 },
      /^compressionLevel: gzip takes a level from 1 to 9, got 12/,
    ],
    [
      'compressionLevel',
      { compression: 'gzip', compressionLevel: 0 },
      /^compressionLevel: gzip takes a level from 1 to 9, got 0/,
    ],
    [
      'compressionLevel',
      { compression: 'gzip', compressionLevel: 10 },
      /^compressionLevel: gzip takes a level from 1 to 9, got 10/,
    ],
    ['ttlSeconds', { ttlSeconds: -1 }, /^ttlSeconds: expected an integer from 0/],
    [
      'deduplicationWindow',
      { deduplicationWindow: 1.5 },
      /^deduplicationWindow: expected an integer/,
    ],
    [
      'tableEngine',
      { tableEngine: 'MergeTree; DROP TABLE x' },
      /^tableEngine: expected a table engine/,
    ],
    [
      'tables.spans',
      { tables: { spans: 'x' } },
      /^tables\.spans: unknown table; expected one of traces, logs/,
    ],
    // Names Object.prototype has are not tables; JSON.parse makes `__proto__` an own key.
    ['tables.constructor', { tables: { constructor: 'x' } }, /^tables\.constructor: unknown table/],
    [
      'tables.__proto__',
      { tables: JSON.parse('{"__proto__":"x"}') },
      /^tables\.__proto__: unknown table/,
    ],
    ['tables.logs', { tables: { logs: '' } }, /^tables\.logs: expected a non-empty string/],
    ['database', { database: 'a\nb' }, /^database: must not contain control characters/],
    ['client', { client: {} }, /^client: expected a @clickhouse\/client ClickHouseClient/],
    ['createSchema', { createSchema: 'yes' }, /^createSchema: expected true or false/],
    ['auth', { auth: { username: 'u', password: 42 } }, /^auth: expected \{ username, password \}/],
    [
      'insertSettings.bad name',
      { insertSettings: { 'bad name': 1 } },
      /^insertSettings\.bad name: expected a ClickHouse setting name/,
    ],
    [
      'insertSettings.x',
      { insertSettings: { x: {} } },
      /^insertSettings\.x: expected a string, number or boolean/,
    ],
    [
      'maxOpenConnections',
      { maxOpenConnections: 0 },
      /^maxOpenConnections: expected an integer from 1/,
    ],
    ['tls.ca', { tls: { ca: 42 } }, /^tls\.ca: expected PEM text/],
    ['tls.ca', { tls: { cert: 'c', key: 'k' } }, /^tls\.ca: is required by @clickhouse\/client/],
    [
      'tls.rejectUnauthorized',
      { tls: { ca: 'x', rejectUnauthorized: false } },
      /^tls\.rejectUnauthorized: is not supported by this exporter's client/,
    ],
    [
      'tls',
      { tls: { ca: Buffer.from('x'), cert: Buffer.from('y') } },
      /^tls: cert and key go together/,
    ],
  ];
  for (const [option, options, message] of cases) {
    assert.throws(
      () => withEnv({}, () => resolveConfig(options)),
      (error: unknown) => {
        assert.ok(error instanceof InvalidConfigError, option);
        assert.equal(error.option, option);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('an invalid URL is reported without echoing it (it may hold a password)', () => {
  assert.throws(
    () => withEnv({}, () => resolveConfig({ url: 'http://user:hunter2@[bad' })),
    (error: unknown) => error instanceof Error && !error.message.includes('hunter2'),
  );
});

test('engine names get their parentheses; arguments are kept', () => {
  assert.equal(engineOption(undefined), 'MergeTree()');
  assert.equal(engineOption('ReplicatedMergeTree'), 'ReplicatedMergeTree()');
  assert.equal(
    engineOption("ReplicatedMergeTree('/p/{table}', '{replica}')"),
    "ReplicatedMergeTree('/p/{table}', '{replica}')",
  );
});

test("the core's options at the top level override the exporter defaults; the exporter's own stay out", () => {
  const config = withEnv({}, () =>
    resolveConfig({
      maxBatchItems: 500,
      flushIntervalMs: 200,
      maxConcurrency: undefined,
      database: 'otel',
      format: 'RowBinary',
    }),
  );
  // The user's values go to the core as they are; the exporter's defaults go under them, in the
  // core's defaults layer (never spread over the user's: see batching-core's `defaults`).
  assert.deepEqual(config.pipeline, {
    maxBatchItems: 500,
    flushIntervalMs: 200,
    requestTimeoutMs: 31_000,
  });
  assert.deepEqual(config.pipelineDefaults, { ...CLICKHOUSE_PIPELINE_DEFAULTS });
});

test('an unknown option throws, naming it and the closest known one; the old nested pipeline too', () => {
  const cases: [ClickHouseExporterOptions, RegExp][] = [
    [
      { maxBatchItem: 500 } as ClickHouseExporterOptions,
      /^maxBatchItem: unknown option \(did you mean 'maxBatchItems'\?\)$/,
    ],
    [
      { databse: 'otel' } as ClickHouseExporterOptions,
      /^databse: unknown option \(did you mean 'database'\?\)$/,
    ],
    [
      { pipeline: { maxBatchItems: 500 } } as ClickHouseExporterOptions,
      /^pipeline: unknown option: the core's options go at the top level/,
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => withEnv({}, () => resolveConfig(options)),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        error.option === Object.keys(options)[0] &&
        message.test(error.message),
    );
  }
});

test("the option names: the exporter's, the shared vocabulary and every pipeline option of the core", () => {
  const names = CLICKHOUSE_OPTIONS.optionNames('metrics');
  for (const name of exporterPipelineOptionNames()) assert.ok(names.includes(name), name);
  for (const name of ['url', 'auth', 'headers', 'name', 'temporality', 'database']) {
    assert.ok(names.includes(name), name);
  }
  assert.ok(!CLICKHOUSE_OPTIONS.optionNames('traces').includes('temporality'));
  assert.ok(!names.includes('requestTimeoutMs'), 'derived from timeoutMs');
});
