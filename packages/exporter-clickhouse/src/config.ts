import {
  InvalidConfigError,
  PIPELINE_DEFAULTS,
  PIPELINE_OPTION_NAMES,
  assertKnownOptions,
  booleanOption,
  enumOption,
  env,
  integerOption,
  pickPipelineOptions,
  stringOption,
  urlOption,
} from '@otelpack/batching-core';
import type { PipelineTuning } from '@otelpack/batching-core';
import type { ClickHouseClient } from '@clickhouse/client';
import { parseEndpoint } from './client/http-clients';
import type { HostEndpoint, TlsSettings } from './client/http-clients';
import { isEmbeddedClient } from './client/embedded';
import { INSERT_FORMATS } from './encoding/encoder';
import type { ClickHouseRow, InsertFormat } from './encoding/encoder';
import { CLICKHOUSE_OPTION_NAMES, CLICKHOUSE_PIPELINE_DEFAULTS } from './options';
import type { ClickHouseExporterOptions, ClickHouseSchemaOptions } from './options';
import type { SchemaSettings } from './schema/ddl';
import { DEFAULT_TABLE_NAMES } from './schema/tables';
import type { ClickHouseTableNames } from './schema/tables';

export const DEFAULT_URL = 'http://localhost:8123';
export const DEFAULT_DATABASE = 'default';
export const DEFAULT_DEDUPLICATION_WINDOW = 1000;
export const DEFAULT_MAX_OPEN_CONNECTIONS = 8;

/** How the exporter reaches ClickHouse, resolved. */
export type ConnectionSettings =
  | { kind: 'client'; client: ClickHouseClient; embedded: boolean }
  | {
      kind: 'http';
      endpoints: HostEndpoint[];
      username: string;
      password: string;
      compression: 'gzip' | 'none';
      compressionLevel: number;
      maxOpenConnections: number;
      tls?: TlsSettings;
    };

export interface ResolvedConfig {
  connection: ConnectionSettings;
  schema: SchemaSettings;
  createSchema: boolean;
  format: InsertFormat;
  deduplicate: boolean;
  asyncInsert: boolean;
  insertSettings: Record<string, string | number | boolean>;
  /** Strings scrubbed from every reason and log line. */
  secrets: string[];
  /** The exporter's defaults for the core's options, then the user's. */
  pipeline: PipelineTuning<ClickHouseRow>;
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
    if (!(kind in DEFAULT_TABLE_NAMES)) {
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
): SchemaSettings {
  const database = nameOption(
    'database',
    options.database,
    env('CLICKHOUSE_DATABASE') ?? env('CLICKHOUSE_DB') ?? urlDatabase ?? DEFAULT_DATABASE,
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

/** Splits `http://a:8123,b:8123` into URLs; a later entry without a scheme takes the first's. */
export function parseUrlList(value: unknown, option: string): URL[] {
  const entries: unknown[] = Array.isArray(value)
    ? value
    : typeof value === 'string'
      ? value
          .split(',')
          .map((part) => part.trim())
          .filter((part) => part !== '')
      : [value];
  if (entries.length === 0) throw new InvalidConfigError(option, 'expected at least one URL');
  const urls: URL[] = [];
  for (const [i, entry] of entries.entries()) {
    let candidate = entry;
    if (i > 0 && typeof entry === 'string' && !entry.includes('://')) {
      const first = urls[0];
      const userInfo = first.username
        ? `${first.username}${first.password ? `:${first.password}` : ''}@`
        : '';
      candidate = `${first.protocol}//${userInfo}${entry}`;
    }
    urls.push(urlOption(entries.length > 1 ? `${option}[${i}]` : option, candidate));
  }
  return urls;
}

function tlsOption(value: ClickHouseExporterOptions['tls']): TlsSettings | undefined {
  if (value === undefined) return undefined;
  if (!value || !Buffer.isBuffer(value.caCert)) {
    throw new InvalidConfigError('tls.caCert', 'expected a Buffer holding the PEM CA certificate');
  }
  if ((value.cert === undefined) !== (value.key === undefined)) {
    throw new InvalidConfigError('tls', 'cert and key go together (mutual TLS needs both)');
  }
  if (value.cert !== undefined && (!Buffer.isBuffer(value.cert) || !Buffer.isBuffer(value.key))) {
    throw new InvalidConfigError(
      'tls.cert',
      'expected Buffers holding the PEM certificate and key',
    );
  }
  return value;
}

function connectionOption(options: ClickHouseExporterOptions): {
  connection: ConnectionSettings;
  urlDatabase?: string;
  secrets: string[];
} {
  if (options.client !== undefined) {
    const client = options.client as unknown as { exec?: unknown; command?: unknown };
    if (!client || typeof client.exec !== 'function' || typeof client.command !== 'function') {
      throw new InvalidConfigError('client', 'expected a @clickhouse/client ClickHouseClient');
    }
    return {
      connection: {
        kind: 'client',
        client: options.client,
        embedded: isEmbeddedClient(options.client),
      },
      secrets: [],
    };
  }
  const urls = parseUrlList(options.url ?? env('CLICKHOUSE_URL') ?? DEFAULT_URL, 'url');
  const endpoints = urls.map(parseEndpoint);
  const username = stringOption(
    'username',
    options.username,
    endpoints[0].username ?? env('CLICKHOUSE_USER') ?? 'default',
  ) as string;
  let password = endpoints[0].password ?? env('CLICKHOUSE_PASSWORD') ?? '';
  if (options.password !== undefined) {
    if (typeof options.password !== 'string') {
      throw new InvalidConfigError('password', 'expected a string');
    }
    password = options.password;
  }
  const secrets = [password, ...endpoints.map((e) => e.password ?? '')].filter((s) => s !== '');
  return {
    connection: {
      kind: 'http',
      endpoints,
      username,
      password,
      compression: enumOption('compression', options.compression, ['gzip', 'none'], 'gzip'),
      compressionLevel: integerOption('compressionLevel', options.compressionLevel, 1, {
        min: 1,
        max: 9,
      }),
      maxOpenConnections: integerOption(
        'maxOpenConnections',
        options.maxOpenConnections,
        DEFAULT_MAX_OPEN_CONNECTIONS,
        { min: 1, max: 1_000 },
      ),
      tls: tlsOption(options.tls),
    },
    urlDatabase: endpoints[0].database,
    secrets: [...new Set(secrets)],
  };
}

/**
 * Every option checked and defaulted, in the precedence the pack keeps everywhere: an explicit
 * option, then the backend's usual environment variable, then the default. Throws
 * InvalidConfigError naming the option and what it accepts.
 */
export function resolveConfig(options: ClickHouseExporterOptions = {}): ResolvedConfig {
  if (options === null || typeof options !== 'object') {
    throw new InvalidConfigError('options', 'expected an object');
  }
  if ((options as { pipeline?: unknown }).pipeline !== undefined) {
    throw new InvalidConfigError(
      'pipeline',
      "unknown option: the core's options go at the top level ({ maxBatchItems: 500 }, not { pipeline: { maxBatchItems: 500 } })",
    );
  }
  assertKnownOptions(options, [...CLICKHOUSE_OPTION_NAMES, ...PIPELINE_OPTION_NAMES]);
  const { connection, urlDatabase, secrets } = connectionOption(options);
  const format = enumOption('format', options.format, INSERT_FORMATS, 'JSONEachRow');
  if (format === 'RowBinary' && connection.kind === 'client' && connection.embedded) {
    throw new InvalidConfigError(
      'format',
      "RowBinary cannot go through the embedded engine's connection (it passes insert bodies as text); use 'JSONEachRow'",
    );
  }
  const insertSettings = insertSettingsOption(options.insertSettings);
  return {
    connection,
    schema: resolveSchemaOptions(options, urlDatabase),
    createSchema: booleanOption('createSchema', options.createSchema, true),
    format,
    deduplicate: booleanOption('deduplicate', options.deduplicate, true),
    asyncInsert: booleanOption('asyncInsert', options.asyncInsert, false),
    insertSettings,
    secrets,
    pipeline: { ...CLICKHOUSE_PIPELINE_DEFAULTS, ...pickPipelineOptions<ClickHouseRow>(options) },
  };
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

/** The client's own deadline sits past the pipeline's, whose abort then always comes first. */
export function clientTimeoutMs(pipeline: PipelineTuning<ClickHouseRow>): number {
  return (pipeline.requestTimeoutMs ?? PIPELINE_DEFAULTS.requestTimeoutMs) + 5_000;
}
