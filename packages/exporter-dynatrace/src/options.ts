import { TLS_FIELDS, defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';
import { TEMPORALITY_VARIABLE } from '@otelpack/exporter-otlp';
import type { OtlpRecord } from '@otelpack/exporter-otlp';

/** The OneAgent's local metric ingest: no token, and it adds the host and process to each line. */
export const ONEAGENT_METRICS_URL = 'http://localhost:14499/metrics/ingest';

/** The environment API's paths, under the environment's URL. */
export const INGEST_PATHS = {
  metrics: '/api/v2/metrics/ingest',
  traces: '/api/v2/otlp/v1/traces',
  logs: '/api/v2/otlp/v1/logs',
} as const;

/** A record in the pipeline: a metric line, or an OTLP span or log record. */
export type DynatraceRecord = string | OtlpRecord;

export interface DynatraceExporterOptions
  extends Omit<PipelineTuning<DynatraceRecord>, 'requestTimeoutMs'>, KitOptions {
  /**
   * The environment's URL (`https://{id}.live.dynatrace.com`, or an ActiveGate's
   * `https://{host}:9999/e/{id}`), or `DT_API_URL`; each signal's API path is added (a URL that
   * already ends in one, or in `/api/v2`, is understood). Metrics without a URL go to the
   * local OneAgent; traces and logs need one.
   */
  url?: string | URL;
  /** `{ token }`: an API token (scopes metrics.ingest, openTelemetryTrace.ingest, logs.ingest), or `DT_API_TOKEN`. */
  auth?: { token: string };
  headers?: Record<string, string> | HeaderProvider;
  tls?: TlsOptions;
  /** Traces and logs: `gzip` (default) or `none`. Metric lines are sent as plain text. */
  compression?: 'gzip' | 'none';
  /** Default 10,000. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** Default `dynatrace`. */
  name?: string;
}

export interface DynatraceMetricExporterOptions extends DynatraceExporterOptions {
  /** `delta` (default: what the ingest takes for counters), `cumulative` (converted), `lowmemory` or a selector. */
  temporality?: TemporalityOption;
  /** Joined to every metric key with a dot. */
  prefix?: string;
  /** Dimensions on every line, under the point's own attributes. */
  defaultDimensions?: Record<string, string>;
  /** Resource attributes written as dimensions on every line. Default `['service.name']`. */
  resourceAttributes?: string[];
  /** The OneAgent's process and host dimensions, where a OneAgent runs. Default true. */
  oneAgentMetadata?: boolean;
  /** Metadata lines with each metric's description and unit. Default true. */
  metadataLines?: boolean;
}

/**
 * The delivery core's defaults for every signal, and why:
 * - maxBatchItems 1,000: Dynatrace's metric utilities' lines-per-request constant, and the
 *   Collector exporter's advice (bigger requests "may be throttled").
 * - maxBatchBytes 1,000,000: the metric ingest's 1 MB payload limit, which is also under the OTLP
 *   ingest's per-request limits (logs 2 MB, traces 8 MB).
 */
export const EXPORTER_PIPELINE_DEFAULTS = {
  maxBatchItems: 1_000,
  maxBatchBytes: 1_000_000,
};

export const DYNATRACE_OPTIONS = defineExporterOptions({
  backend: 'dynatrace',
  url: { env: ['DT_API_URL'] },
  headers: {},
  auth: { forms: ['token'], env: { token: ['DT_API_TOKEN'] } },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip' },
  timeoutMs: { default: 10_000 },
  connectTimeoutMs: { default: 10_000 },
  temporality: { default: 'delta', env: [TEMPORALITY_VARIABLE] },
  own: {
    prefix: optionKinds.string(),
    defaultDimensions: optionKinds.keyValues(),
    resourceAttributes: optionKinds.list({ default: ['service.name'] }),
    oneAgentMetadata: optionKinds.boolean({ default: true }),
    metadataLines: optionKinds.boolean({ default: true }),
  },
  pipelineDefaults: EXPORTER_PIPELINE_DEFAULTS,
});
