import type { Client } from '@elastic/elasticsearch';
import type { PIPELINE_OPTION_NAMES } from '@otelpack/batching-core';
import type { PipelineTuning, TemporalityPreference } from '@otelpack/batching-core';
import type { AggregationTemporality, InstrumentType } from '@otelpack/batching-core';
import type { BulkRecord } from './bulk/record';
import type { IndexDateSuffix, MappingMode } from './mapping/types';

/** How to authenticate; the environment's credentials are used only when this is not given. */
export type ElasticsearchAuth =
  /** An encoded API key (the `encoded` value Elasticsearch returns), sent as `ApiKey <key>`. */
  | { apiKey: string }
  | { username: string; password: string }
  /** A bearer token (e.g. from a service account), sent as `Bearer <token>`. */
  | { bearer: string };

export interface ElasticsearchTlsOptions {
  /** PEM CA certificate(s) to trust instead of the system's. */
  ca?: string | Buffer | (string | Buffer)[];
  /** PEM client certificate and key, for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Default true. False accepts any certificate: for tests only. */
  rejectUnauthorized?: boolean;
  /** SHA-256 fingerprint of the CA that signed the server certificate (as Elasticsearch prints it at first start). */
  caFingerprint?: string;
}

/** Index templates and an ILM policy for users who write to plain (date-suffixed) indices. */
export interface ElasticsearchSetupOptions {
  /** Put an index template for `index` (and `index-*`) on first send. Requires `index`. */
  indexTemplate?: boolean;
  /**
   * An ILM policy attached by that template: hot from creation, warm (read-only, force-merged)
   * after `warmAfter` (default `7d`, `false` for no warm phase), deleted after `deleteAfter`
   * (default `30d`). Requires `indexTemplate` and an `indexDateSuffix`: ILM deletes whole
   * indices by age, so without a date suffix it would delete the one index being written.
   */
  ilm?: { warmAfter?: string | false; deleteAfter?: string };
}

/**
 * The core's pipeline options, taken at the top level under the core's names. `requestTimeoutMs`
 * is the exporter's own: the client's deadline, which the pipeline's backs up.
 */
type ForwardedPipelineOptions = Omit<PipelineTuning<BulkRecord>, 'requestTimeoutMs'>;

/**
 * The exporter's own options, and the core's pipeline options (`maxBatchItems`, `overflow`,
 * `deadLetter`, …: see @otelpack/batching-core) at the same level under the core's names.
 */
export interface ElasticsearchExporterOptions extends ForwardedPipelineOptions {
  // ---- connection ---------------------------------------------------------------------------
  /** Node URL(s). Default: `ELASTICSEARCH_URL` (comma-separated), else `http://localhost:9200`. */
  node?: string | string[];
  /** Elastic Cloud deployment id. Default: `ELASTIC_CLOUD_ID`. Not together with `node`. */
  cloudId?: string;
  /**
   * Default: `ELASTICSEARCH_API_KEY`, else `ELASTICSEARCH_USERNAME` + `ELASTICSEARCH_PASSWORD`,
   * else credentials in the node URL, else none.
   */
  auth?: ElasticsearchAuth;
  tls?: ElasticsearchTlsOptions;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Request body compression. Default `none`, or `gzip` with `cloudId` (as the client does). */
  compression?: 'gzip' | 'none';
  /** One request's deadline; a request past it is aborted and retried. Default 30,000. */
  requestTimeoutMs?: number;
  /**
   * A client of your own (e.g. to share one connection pool between the three exporters). The
   * connection options above are then not allowed; it is not closed on shutdown.
   */
  client?: Client;

  // ---- mapping ------------------------------------------------------------------------------
  /** Document shape. Default `otel`. */
  mappingMode?: MappingMode;
  /** A fixed index or data stream for every document; turns attribute routing off. */
  index?: string;
  /** Data stream dataset when no `data_stream.dataset` attribute names one. Default `generic`. */
  dataset?: string;
  /** Data stream namespace when no `data_stream.namespace` attribute names one. Default `default`. */
  namespace?: string;
  /** Honour `elasticsearch.index` and `data_stream.*` attributes. Default true. */
  routeByAttributes?: boolean;
  /** `daily` (`-YYYY.MM.DD`) or `monthly` (`-YYYY.MM`) suffix on plain index names. Default `none`. */
  indexDateSuffix?: IndexDateSuffix;
  /** Ids that make a resend of a stored document a no-op instead of a duplicate. Default false. */
  deterministicIds?: boolean;
  /** Strings longer than this (UTF-16 code units) are cut. Default 1,048,576. */
  maxStringLength?: number;

  // ---- setup --------------------------------------------------------------------------------
  /** Off by default. */
  setup?: ElasticsearchSetupOptions;

  /** Names the exporter in logs, stats and self-telemetry. Default `elasticsearch`. */
  name?: string;
}

export interface ElasticsearchMetricExporterOptions extends ElasticsearchExporterOptions {
  /** Default `cumulative`: Elasticsearch's OTel templates map monotonic cumulative sums as counters. */
  temporality?:
    TemporalityPreference | ((instrumentType: InstrumentType) => AggregationTemporality);
}

type OwnOptionName = Exclude<
  keyof ElasticsearchMetricExporterOptions,
  Exclude<(typeof PIPELINE_OPTION_NAMES)[number], 'requestTimeoutMs'>
>;

/** Typed as a record so that an option added to the interfaces cannot be left out here. */
const OWN_OPTIONS: Record<OwnOptionName, true> = {
  node: true,
  cloudId: true,
  auth: true,
  tls: true,
  headers: true,
  compression: true,
  requestTimeoutMs: true,
  client: true,
  mappingMode: true,
  index: true,
  dataset: true,
  namespace: true,
  routeByAttributes: true,
  indexDateSuffix: true,
  deterministicIds: true,
  maxStringLength: true,
  setup: true,
  name: true,
  temporality: true,
};

/**
 * The exporters' own option names (`temporality` is the metric exporter's only); with the core's
 * `PIPELINE_OPTION_NAMES` they are every option taken, and any other throws at construction.
 */
export const ELASTICSEARCH_OPTION_NAMES = Object.freeze(
  Object.keys(OWN_OPTIONS) as OwnOptionName[],
);
