import type { Client } from '@elastic/elasticsearch';
import { TLS_FIELDS, defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';
import type { BulkRecord } from './bulk/record';
import { INDEX_DATE_SUFFIXES, MAPPING_MODES } from './mapping/types';
import type { IndexDateSuffix, MappingMode } from './mapping/types';

/** How to authenticate; the environment's credentials are used only when this is not given. */
export type ElasticsearchAuth =
  /** An encoded API key (the `encoded` value Elasticsearch returns), sent as `ApiKey <key>`. */
  | { apiKey: string }
  | { username: string; password: string }
  /** A bearer token (e.g. from a service account), sent as `Bearer <token>`. */
  | { bearerToken: string };

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
 * The exporter's own options, and the core's pipeline options (`maxBatchItems`, `overflow`,
 * `deadLetter`, …: see @otelpack/batching-core) at the same level under the core's names.
 */
export interface ElasticsearchExporterOptions
  extends Omit<PipelineTuning<BulkRecord>, 'requestTimeoutMs'>, KitOptions {
  // ---- connection ---------------------------------------------------------------------------
  /** Node URL(s): the official client's node pool. Default `http://localhost:9200`. */
  url?: string | URL | (string | URL)[];
  /** Elastic Cloud deployment id. Not together with `url`. */
  cloudId?: string;
  /** Default: the environment's credentials, else credentials in the node URL, else none. */
  auth?: ElasticsearchAuth;
  tls?: TlsOptions;
  /** SHA-256 fingerprint of the CA that signed the server certificate (as Elasticsearch prints it at first start). */
  caFingerprint?: string;
  /** Sent with every request, or a function called before each (e.g. a refreshed token). */
  headers?: Record<string, string> | HeaderProvider;
  /** Request body compression. Default `none`, or `gzip` with `cloudId` (as the client does). */
  compression?: 'gzip' | 'none';
  /** One request's deadline, given to the client; a request past it is aborted and retried. Default 30,000. */
  timeoutMs?: number;
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

  /** Names the exporter in logs and stats. Default `elasticsearch`. */
  name?: string;
}

export interface ElasticsearchMetricExporterOptions extends ElasticsearchExporterOptions {
  /** Default `cumulative`: Elasticsearch's OTel templates map monotonic cumulative sums as counters. */
  temporality?: TemporalityOption;
}

/** The defaults; the README gives the reason for each. */
export const ELASTICSEARCH_DEFAULTS = {
  name: 'elasticsearch',
  url: 'http://localhost:9200',
  mappingMode: 'otel' as const,
  dataset: 'generic',
  namespace: 'default',
  maxStringLength: 1_048_576,
  maxBatchBytes: 5_000_000,
  maxBatchItems: 10_000,
  ilmWarmAfter: '7d',
  ilmDeleteAfter: '30d',
};

/**
 * The options, declared once through the core's kit: Elastic's own variables where they exist
 * (`ELASTICSEARCH_URL`, `ELASTIC_CLOUD_ID`, `ELASTICSEARCH_API_KEY`, `ELASTICSEARCH_USERNAME`,
 * `ELASTICSEARCH_PASSWORD`), the rest `OTELPACK_ELASTICSEARCH_<OPTION>`.
 */
export const ELASTICSEARCH_OPTIONS = defineExporterOptions({
  backend: 'elasticsearch',
  url: { default: ELASTICSEARCH_DEFAULTS.url, env: ['ELASTICSEARCH_URL'] },
  headers: {},
  auth: {
    forms: ['apiKey', 'basic', 'bearerToken'],
    env: {
      apiKey: ['ELASTICSEARCH_API_KEY'],
      username: ['ELASTICSEARCH_USERNAME'],
      password: ['ELASTICSEARCH_PASSWORD'],
    },
  },
  tls: { fields: TLS_FIELDS },
  // No default: without one, `gzip` with a cloud id and `none` otherwise, as the client does.
  compression: {},
  temporality: { default: 'cumulative' },
  own: {
    cloudId: optionKinds.string({ env: ['ELASTIC_CLOUD_ID'] }),
    caFingerprint: optionKinds.string(),
    client: optionKinds.custom((value) => value as Client | undefined),
    mappingMode: optionKinds.oneOf(MAPPING_MODES, { default: ELASTICSEARCH_DEFAULTS.mappingMode }),
    index: optionKinds.string(),
    dataset: optionKinds.string({ default: ELASTICSEARCH_DEFAULTS.dataset }),
    namespace: optionKinds.string({ default: ELASTICSEARCH_DEFAULTS.namespace }),
    routeByAttributes: optionKinds.boolean({ default: true }),
    indexDateSuffix: optionKinds.oneOf(INDEX_DATE_SUFFIXES, { default: 'none' }),
    deterministicIds: optionKinds.boolean({ default: false }),
    maxStringLength: optionKinds.integer({
      default: ELASTICSEARCH_DEFAULTS.maxStringLength,
      min: 1,
    }),
    setup: optionKinds.custom((value) => value as ElasticsearchSetupOptions | undefined),
  },
  pipelineDefaults: {
    maxBatchBytes: ELASTICSEARCH_DEFAULTS.maxBatchBytes,
    maxBatchItems: ELASTICSEARCH_DEFAULTS.maxBatchItems,
  },
});
