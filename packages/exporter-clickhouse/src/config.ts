import { InvalidConfigError, env, integerOption, stringOption } from '@otelpack/batching-core';
import type { HeaderProvider, ResolvedOptions, Signal } from '@otelpack/batching-core';
import type { ClickHouseClient } from '@clickhouse/client';
import { parseEndpoint } from './client/http-clients';
import type { HostEndpoint, TlsSettings } from './client/http-clients';
import { isEmbeddedClient } from './client/embedded';
import type { InsertFormat } from './encoding/encoder';
import { CLICKHOUSE_OPTIONS, DEFAULT_DEDUPLICATION_WINDOW } from './options';
import type { ClickHouseExporterOptions, ClickHouseSchemaOptions } from './options';
import type { SchemaSettings } from './schema/ddl';
import { DEFAULT_TABLE_NAMES } from './schema/tables';
import type { ClickHouseTableNames } from './schema/tables';

export const DEFAULT_DATABASE = 'default';

/** The INSERT bodies' codec, with its level (Brotli's quality, gzip's level). */
export type RequestCompression = { codec: 'br' | 'gzip'; level: number } | { codec: 'none' };

/** How the exporter reaches ClickHouse, resolved. */
export type ConnectionSettings =
  | { kind: 'client'; client: ClickHouseClient; embedded: boolean }
  | {
      kind: 'http';
      endpoints: HostEndpoint[];
      username: string;
      password: string;
      compression: RequestCompression;
      maxOpenConnections: number;
      tls?: TlsSettings;
    };

export interface ResolvedConfig {
  name: string;
  connection: ConnectionSettings;
  schema: SchemaSettings;
  createSchema: boolean;
  format: InsertFormat;
  deduplicate: boolean;
  asyncInsert: boolean;
  insertSettings: Record<string, string | number | boolean>;
  /** Static HTTP headers of every INSERT, and a provider called before each. */
  headers: Record<string, string>;
  headerProvider: HeaderProvider | undefined;
  /** One INSERT's deadline, for @clickhouse/client. */
  timeoutMs: number;
  /** Strings scrubbed from every reason and log line. */
  secrets: string[];
  /** The user's pipeline options (code and environment), and this exporter's defaults under them. */
  pipeline: ResolvedOptions['pipeline'];
  pipelineDefaults: ResolvedOptions['pipelineDefaults'];
}

function hasControlCharacters(text: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/.test(text);
}

function nameOption(name: string, value: unknown, fallback: string): string {
  const text = stringOption(name, value, fallback) as string;
  if (hasControlCharacters(text)) {
    throw new InvalidConfigError(name, 'must not contain control characters');
  }
  return text;
}

/**
 * `MergeTree`, `ReplicatedMergeTree('/clickhouse/tables/{shard}/{table}', '{replica}')`, …: an
 * engine name with optional arguments, never a second statement.
 */
export function engineOption(value: unknown): string {
  if (value === undefined) return 'MergeTree()';
  if (
    typeof value !== 'string' ||
    !/^[A-Za-z][A-Za-z0-9_]*\s*(\([^;]*\))?$/.test(value.trim()) ||
    hasControlCharacters(value)
  ) {
    throw new InvalidConfigError(
      'tableEngine',
      "expected a table engine such as 'MergeTree' or \"ReplicatedMergeTree('/clickhouse/tables/{shard}/{table}', '{replica}')\"",
    );
  }
  const engine = value.trim();
  return engine.includes('(') ? engine : `${engine}()`;
}

function tablesOption(value: unknown): ClickHouseTableNames {
  if (value === undefined) return { ...DEFAULT_TABLE_NAMES };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidConfigError('tables', 'expected an object of table names');
  }
  const tables = { ...DEFAULT_TABLE_NAMES };
  for (const [kind, name] of Object.entries(value as Record<string, unknown>)) {
    if (name === undefined) continue;
    // Own keys only: `in` accepted `constructor` and `__proto__` as tables and ignored them.
    if (!Object.hasOwn(DEFAULT_TABLE_NAMES, kind)) {
      throw new InvalidConfigError(
        `tables.${kind}`,
        `unknown table; expected one of ${Object.keys(DEFAULT_TABLE_NAMES).join(', ')}`,
      );
    }
    tables[kind as keyof ClickHouseTableNames] = nameOption(`tables.${kind}`, name, '');
  }
  return tables;
}

/** The schema settings from options, the environment and a database named in the URL. */
export function resolveSchemaOptions(
  options: ClickHouseSchemaOptions = {},
  urlDatabase?: string,
  /** The URL (and so its database) was given in code: explicit, it beats the environment. */
  urlGivenInCode = false,
): SchemaSettings {
  const explicitUrlDatabase = urlGivenInCode ? urlDatabase : undefined;
  const database = nameOption(
    'database',
    options.database,
    explicitUrlDatabase ??
      env('CLICKHOUSE_DATABASE') ??
      env('CLICKHOUSE_DB') ??
      urlDatabase ??
      DEFAULT_DATABASE,
  );
  return {
    database,
    tables: tablesOption(options.tables),
    ttlSeconds: integerOption('ttlSeconds', options.ttlSeconds, 0),
    clusterName:
      options.clusterName === undefined ? '' : nameOption('clusterName', options.clusterName, ''),
    tableEngine: engineOption(options.tableEngine),
    deduplicationWindow: integerOption(
      'deduplicationWindow',
      options.deduplicationWindow,
      DEFAULT_DEDUPLICATION_WINDOW,
      { max: 10_000_000 },
    ),
  };
}

/** The resolved options of the kit, with ClickHouse's own types. */
export type ResolvedClickHouseOptions = ReturnType<typeof CLICKHOUSE_OPTIONS.resolve>;

/** `tls` as @clickhouse/client takes it: a CA (required), and a client certificate and key. */
function tlsSettings(options: ResolvedClickHouseOptions): TlsSettings | undefined {
  const tls = options.tls;
  if (tls === undefined) return undefined;
  if (tls.ca === undefined) {
    throw new InvalidConfigError('tls.ca', "is required by @clickhouse/client's TLS settings");
  }
  const pem = (value: string | Buffer) => (Buffer.isBuffer(value) ? value : Buffer.from(value));
  const ca = Array.isArray(tls.ca) ? Buffer.concat(tls.ca.map(pem)) : pem(tls.ca);
  return {
    caCert: ca,
    ...(tls.cert !== undefined ? { cert: pem(tls.cert) } : {}),
    ...(tls.key !== undefined ? { key: pem(tls.key) } : {}),
  };
}

/**
 * Credentials, in this order: `auth` in code, the first URL's user info, CLICKHOUSE_USER and
 * CLICKHOUSE_PASSWORD, ClickHouse's `default` user without a password.
 */
function credentials(
  options: ResolvedClickHouseOptions,
  first: HostEndpoint,
): { username: string; password: string } {
  const auth = options.auth as { username: string; password: string } | undefined;
  if (auth && options.sourceOf('auth') === 'auth') return auth;
  if (first.username !== undefined || first.password !== undefined) {
    return { username: first.username ?? 'default', password: first.password ?? '' };
  }
  return auth ?? { username: 'default', password: '' };
}

function connectionOption(options: ResolvedClickHouseOptions): {
  connection: ConnectionSettings;
  urlDatabase?: string;
  secrets: string[];
} {
  const own = options.own;
  if (own.client !== undefined) {
    const client = own.client as unknown as { exec?: unknown; command?: unknown };
    if (!client || typeof client.exec !== 'function' || typeof client.command !== 'function') {
      throw new InvalidConfigError('client', 'expected a @clickhouse/client ClickHouseClient');
    }
    return {
      connection: { kind: 'client', client: own.client, embedded: isEmbeddedClient(own.client) },
      secrets: [],
    };
  }
  const endpoints = options.urls.map(parseEndpoint);
  const { username, password } = credentials(options, endpoints[0]);
  const secrets = [password, ...endpoints.map((e) => e.password ?? '')].filter((s) => s !== '');
  return {
    connection: {
      kind: 'http',
      endpoints,
      username,
      password,
      compression: compressionOf(options),
      maxOpenConnections: own.maxOpenConnections,
      tls: tlsSettings(options),
    },
    urlDatabase: endpoints[0].database,
    secrets: [...new Set(secrets)],
  };
}

/**
 * The insert format: as given, else RowBinary (0.7-0.8x JSONEachRow's CPU per record, fewer
 * bytes; a table of other column types still gets JSON, see TableLayout.rowBinary), except on
 * the embedded engine, whose connection passes insert bodies as text.
 */
export function insertFormatOf(options: ResolvedClickHouseOptions): InsertFormat {
  // Given in the code or the environment; else the default is the connection's.
  if (options.sourceOf('format') !== undefined) return options.own.format;
  const client = options.own.client;
  return client !== undefined && isEmbeddedClient(client) ? 'JSONEachRow' : 'RowBinary';
}

/** Each codec's range of `compressionLevel`: Brotli's quality, gzip's level. */
const COMPRESSION_LEVELS = { br: [0, 11], gzip: [1, 9] } as const;

/** The INSERT bodies' codec and its level, checked against the codec's range. */
export function compressionOf(options: ResolvedClickHouseOptions): RequestCompression {
  const codec = options.compression ?? 'br';
  if (codec === 'none') return { codec };
  const level = options.own.compressionLevel;
  const [min, max] = COMPRESSION_LEVELS[codec];
  if (level < min || level > max) {
    throw new InvalidConfigError(
      'compressionLevel',
      `${codec} takes a level from ${min} to ${max}, got ${level}`,
    );
  }
  return { codec, level };
}

/** ClickHouse's own rules over the kit's resolution: connection, credentials, schema, inserts. */
export function clickHouseConfig(options: ResolvedClickHouseOptions): ResolvedConfig {
  const own = options.own;
  const { connection, urlDatabase, secrets } = connectionOption(options);
  const format = insertFormatOf(options);
  if (format === 'RowBinary' && connection.kind === 'client' && connection.embedded) {
    throw new InvalidConfigError(
      'format',
      "RowBinary cannot go through the embedded engine's connection (it passes insert bodies as text); use 'JSONEachRow'",
    );
  }
  return {
    name: options.name,
    connection,
    schema: resolveSchemaOptions(
      {
        // From the code only: the database's variables rank below a URL given in code, and
        // resolveSchemaOptions reads them in that order.
        database: options.sourceOf('database') === 'database' ? own.database : undefined,
        tables: own.tables,
        ttlSeconds: own.ttlSeconds,
        clusterName: own.clusterName,
        tableEngine: own.tableEngine,
        deduplicationWindow: own.deduplicationWindow,
      },
      urlDatabase,
      options.sourceOf('url') === 'url',
    ),
    createSchema: own.createSchema,
    format,
    deduplicate: own.deduplicate,
    asyncInsert: own.asyncInsert,
    insertSettings: insertSettingsOption(own.insertSettings),
    headers: options.headers,
    headerProvider: options.headerProvider,
    timeoutMs: options.timeoutMs,
    // The kit's list has the credential headers too.
    secrets: [...new Set([...secrets, ...options.secrets])],
    pipeline: options.pipeline,
    pipelineDefaults: options.pipelineDefaults,
  };
}

/**
 * Every option checked and defaulted, in the precedence the pack keeps everywhere: an explicit
 * option, then the backend's usual environment variable, then the default. Throws
 * InvalidConfigError naming the option (or variable) and what it accepts.
 */
export function resolveConfig(
  options: ClickHouseExporterOptions = {},
  signal: Signal = 'traces',
): ResolvedConfig {
  return clickHouseConfig(CLICKHOUSE_OPTIONS.resolve(options, signal));
}

/** Setting names go into the INSERT's SETTINGS clause: identifiers only, values scalars. */
function insertSettingsOption(value: unknown): Record<string, string | number | boolean> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidConfigError('insertSettings', 'expected an object of ClickHouse settings');
  }
  for (const [name, setting] of Object.entries(value)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw new InvalidConfigError(`insertSettings.${name}`, 'expected a ClickHouse setting name');
    }
    if (!['string', 'number', 'boolean'].includes(typeof setting)) {
      throw new InvalidConfigError(
        `insertSettings.${name}`,
        'expected a string, number or boolean',
      );
    }
  }
  return value as Record<string, string | number | boolean>;
}
