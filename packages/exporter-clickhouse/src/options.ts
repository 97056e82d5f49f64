import type { ClickHouseClient } from '@clickhouse/client';
import type {
  AggregationTemporality,
  InstrumentType,
  PIPELINE_OPTION_NAMES,
  PipelineTuning,
  TemporalityPreference,
} from '@otelpack/batching-core';
import type { TlsSettings } from './client/http-clients';
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
 * The exporter's own options, and the core's pipeline options (`maxBatchItems`, `overflow`,
 * `deadLetter`, …: see @otelpack/batching-core) at the same level under the core's names.
 */
export interface ClickHouseExporterOptions
  extends ClickHouseSchemaOptions, PipelineTuning<ClickHouseRow> {
  /**
   * ClickHouse's HTTP(S) endpoint, or several for failover (tried in order; a failed host hands
   * the retry to the next). Default: CLICKHOUSE_URL (comma-separated), else
   * `http://localhost:8123`. Credentials in the URL are used and never logged.
   */
  url?: string | URL | readonly (string | URL)[];
  /** Default: the URL's user, else CLICKHOUSE_USER, else `default`. */
  username?: string;
  /** Default: the URL's password, else CLICKHOUSE_PASSWORD, else empty. */
  password?: string;
  /**
   * A ready @clickhouse/client to insert through instead of `url` (for the embedded engine,
   * `createEmbeddedClickHouseClient()`). The application keeps it: shutdown does not close it.
   */
  client?: ClickHouseClient;
  /** Create the database and tables on the first insert (default true; turn off in production). */
  createSchema?: boolean;
  /** The INSERT format. Default JSONEachRow; RowBinary needs an HTTP connection. */
  format?: InsertFormat;
  /** gzip the INSERT bodies over HTTP (default `gzip`). */
  compression?: 'gzip' | 'none';
  /** gzip level from 1 (fastest; default) to 9 (smallest). */
  compressionLevel?: number;
  /** Let the server buffer and merge inserts (`async_insert`, waited for). Default false. */
  asyncInsert?: boolean;
  /** Deduplicate retried inserts with `insert_deduplication_token` (default true). */
  deduplicate?: boolean;
  /** More ClickHouse settings for every INSERT, e.g. `{ async_insert_busy_timeout_ms: 500 }`. */
  insertSettings?: Record<string, string | number | boolean>;
  /** HTTP sockets per host (default 8). */
  maxOpenConnections?: number;
  /** Trust a private CA, or authenticate with a client certificate, over HTTPS. */
  tls?: TlsSettings;
}

export interface ClickHouseMetricExporterOptions extends ClickHouseExporterOptions {
  /** Default `cumulative`: what the Collector stores and ClickHouse dashboards expect. */
  temporality?:
    TemporalityPreference | ((instrumentType: InstrumentType) => AggregationTemporality);
}

type OwnOptionName = Exclude<
  keyof ClickHouseMetricExporterOptions,
  (typeof PIPELINE_OPTION_NAMES)[number]
>;

/** Typed as a record so that an option added to the interfaces cannot be left out here. */
const OWN_OPTIONS: Record<OwnOptionName, true> = {
  url: true,
  username: true,
  password: true,
  client: true,
  database: true,
  tables: true,
  ttlSeconds: true,
  clusterName: true,
  tableEngine: true,
  deduplicationWindow: true,
  createSchema: true,
  format: true,
  compression: true,
  compressionLevel: true,
  asyncInsert: true,
  deduplicate: true,
  insertSettings: true,
  maxOpenConnections: true,
  tls: true,
  temporality: true,
};

/**
 * The exporters' own option names (`temporality` is the metric exporter's only); with the core's
 * `PIPELINE_OPTION_NAMES` they are every option taken, and any other throws at construction.
 */
export const CLICKHOUSE_OPTION_NAMES = Object.freeze(Object.keys(OWN_OPTIONS) as OwnOptionName[]);

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
