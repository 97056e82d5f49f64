import type { ClickHouseClient } from '@clickhouse/client';
import { defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';
import { INSERT_FORMATS } from './encoding/encoder';
import type { ClickHouseRow, InsertFormat } from './encoding/encoder';
import type { ClickHouseTableNames } from './schema/tables';

/** Where the tables are and what they look like; shared by the exporters and `createSchema`. */
export interface ClickHouseSchemaOptions {
  /** Default: CLICKHOUSE_DATABASE, else the URL's path, else `default` (the Collector's). */
  database?: string;
  /** Any table renamed; the rest keep the Collector's names. */
  tables?: Partial<ClickHouseTableNames>;
  /** Rows older than this are dropped by ClickHouse (`TTL`); 0 (default) keeps everything. */
  ttlSeconds?: number;
  /** Adds `ON CLUSTER <name>` to every CREATE. */
  clusterName?: string;
  /** The table engine, e.g. `ReplicatedMergeTree`; default `MergeTree`. */
  tableEngine?: string;
  /**
   * `non_replicated_deduplication_window` of non-replicated tables: how many recent inserts the
   * table remembers so that a retried one is not stored twice. Default 1000; 0 turns it off.
   */
  deduplicationWindow?: number;
}

/**
 * The exporter's options: the pack's shared vocabulary (url, auth, headers, tls, compression,
 * timeoutMs, name), its own (schema, format, inserts), and the core's pipeline options at the same
 * level under the core's names. Every option's environment variable is in the README's table.
 */
export interface ClickHouseExporterOptions
  extends
    ClickHouseSchemaOptions,
    Omit<PipelineTuning<ClickHouseRow>, 'requestTimeoutMs'>,
    KitOptions {
  /**
   * ClickHouse's HTTP(S) endpoint, or several for failover (tried in order; a failed host hands
   * the retry to the next). Default `http://localhost:8123`. Credentials in the URL are used
   * (after `auth`) and never logged.
   */
  url?: string | URL | readonly (string | URL)[];
  /** `{ username, password }`. Default: the URL's user, else the environment, else `default`. */
  auth?: { username: string; password: string };
  /** Extra HTTP headers on every INSERT, or a function called before each. */
  headers?: Record<string, string> | HeaderProvider;
  /**
   * A ready @clickhouse/client to insert through instead of `url` (for the embedded engine,
   * `createEmbeddedClickHouseClient()`). The application keeps it: shutdown does not close it.
   */
  client?: ClickHouseClient;
  /** Create the database and tables on the first insert (default true; turn off in production). */
  createSchema?: boolean;
  /**
   * The INSERT format. Default RowBinary over HTTP, JSONEachRow on the embedded engine (which
   * takes text only); RowBinary needs an HTTP connection.
   */
  format?: InsertFormat;
  /**
   * Compress the INSERT bodies over HTTP: `br` (Brotli, the default), `gzip` or `none`. Brotli
   * at quality 1 costs half of gzip level 1's CPU and sends fewer bytes.
   */
  compression?: 'br' | 'gzip' | 'none';
  /** Brotli quality 0–11 or gzip level 1–9; default 1 for either (fastest but one, for Brotli). */
  compressionLevel?: number;
  /** Let the server buffer and merge inserts (`async_insert`, waited for). Default false. */
  asyncInsert?: boolean;
  /** Deduplicate retried inserts with `insert_deduplication_token` (default true). */
  deduplicate?: boolean;
  /** More ClickHouse settings for every INSERT, e.g. `{ async_insert_busy_timeout_ms: 500 }`. */
  insertSettings?: Record<string, string | number | boolean>;
  /** HTTP sockets per host (default 8). */
  maxOpenConnections?: number;
  /** Trust a private CA (`ca`, needed for any TLS option), or a client certificate (`cert`, `key`). */
  tls?: Pick<TlsOptions, 'ca' | 'cert' | 'key'>;
  /** One INSERT's deadline, given to @clickhouse/client (ms). Default 30,000. */
  timeoutMs?: number;
  /** In logs and stats. Default `clickhouse`. */
  name?: string;
}

export interface ClickHouseMetricExporterOptions extends ClickHouseExporterOptions {
  /** Default `cumulative`: what the Collector stores and ClickHouse dashboards expect. */
  temporality?: TemporalityOption;
}

export const DEFAULT_URL = 'http://localhost:8123';

/** Recent inserts a non-replicated table remembers, to drop a retried one. */
export const DEFAULT_DEDUPLICATION_WINDOW = 1000;

/**
 * The exporter's defaults for the core's pipeline, and why: ClickHouse wants few, large inserts
 * (thousands of rows, about one per second per table at most), each of which becomes a part
 * that the server must later merge.
 */
export const CLICKHOUSE_PIPELINE_DEFAULTS = {
  /** Rows per INSERT: ClickHouse's advice is at least 1,000 and ideally 10,000–100,000. */
  maxBatchItems: 10_000,
  /** Uncompressed bytes per INSERT: about 10,000 spans, well inside the server's limits. */
  maxBatchBytes: 16 * 1024 * 1024,
  /** A partial batch waits up to 5 s for more rows: fewer parts, as the Collector's docs advise. */
  flushIntervalMs: 5_000,
  /** Enough to ride out a minute of a busy service while ClickHouse restarts; the bytes bound rules. */
  maxQueueItems: 100_000,
  /** Two inserts in flight per signal: one on the server while the next batch fills. */
  maxConcurrency: 2,
} as const;

/**
 * The options, declared once through the core's kit. ClickHouse's own variables where they exist
 * (`CLICKHOUSE_URL`, `CLICKHOUSE_USER`, `CLICKHOUSE_PASSWORD`, `CLICKHOUSE_DATABASE` /
 * `CLICKHOUSE_DB`, as clickhouse-client and the official images read them); the rest
 * `OTELPACK_CLICKHOUSE_<OPTION>`.
 */
export const CLICKHOUSE_OPTIONS = defineExporterOptions({
  backend: 'clickhouse',
  url: { default: DEFAULT_URL, env: ['CLICKHOUSE_URL'] },
  headers: {},
  auth: {
    forms: ['basic'],
    env: { username: ['CLICKHOUSE_USER'], password: ['CLICKHOUSE_PASSWORD'] },
    // ClickHouse's `default` user has no password unless one is set, and is the user of a
    // password given alone (as the official image's CLICKHOUSE_PASSWORD is).
    emptyPasswordAllowed: true,
    defaultUsername: 'default',
  },
  // What @clickhouse/client's TLS settings take.
  tls: { fields: ['ca', 'cert', 'key'] },
  compression: { default: 'br', codecs: ['br', 'gzip', 'none'] },
  temporality: { default: 'cumulative' },
  own: {
    database: optionKinds.string({ env: ['CLICKHOUSE_DATABASE', 'CLICKHOUSE_DB'] }),
    tables: optionKinds.custom((value) => value as Partial<ClickHouseTableNames> | undefined),
    ttlSeconds: optionKinds.integer({ default: 0 }),
    clusterName: optionKinds.string(),
    tableEngine: optionKinds.string(),
    deduplicationWindow: optionKinds.integer({
      default: DEFAULT_DEDUPLICATION_WINDOW,
      max: 10_000_000,
    }),
    client: optionKinds.custom((value) => value as ClickHouseClient | undefined),
    createSchema: optionKinds.boolean({ default: true }),
    // The default depends on the connection: insertFormatOf (config.ts).
    format: optionKinds.oneOf(INSERT_FORMATS, { default: 'RowBinary' }),
    // Its range depends on the codec, and compressionOf (config.ts) checks it: a bound here would
    // refuse gzip's 12 with Brotli's range in the message.
    compressionLevel: optionKinds.integer({ default: 1, min: 0 }),
    asyncInsert: optionKinds.boolean({ default: false }),
    deduplicate: optionKinds.boolean({ default: true }),
    insertSettings: optionKinds.custom((value) => value),
    maxOpenConnections: optionKinds.integer({ default: 8, min: 1, max: 1_000 }),
  },
  pipelineDefaults: CLICKHOUSE_PIPELINE_DEFAULTS,
});
