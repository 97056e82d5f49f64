import { TLS_FIELDS, defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  ExporterAuth,
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TlsOptions,
} from '@otelpack/batching-core';
import { DEFAULT_MAPPING_OPTIONS } from './mapping';
import type { ExponentialHistogramForm } from './mapping';
import type { TimeSeries } from './types';

/**
 * The exporter's options: the pack's shared vocabulary (url, headers, auth, tls, timeouts, name),
 * its own (tenant, labels, naming), and the core's pipeline options at the same level under the
 * core's names. Every option's environment variable is in the README's table.
 */
export interface VictoriaMetricsExporterOptions
  extends Omit<PipelineTuning<TimeSeries>, 'requestTimeoutMs'>, KitOptions {
  /**
   * Remote-write URL, or several for failover (tried in order: a retryable failure moves to the
   * next). A URL without a path gets `/api/v1/write`; with `tenant`, the URL is the vminsert
   * base and the path is `/insert/<tenant>/prometheus/api/v1/write`.
   */
  url?: string | URL | (string | URL)[];
  /** VictoriaMetrics cluster tenant: `<accountID>` or `<accountID>:<projectID>`. */
  tenant?: string;
  /** `{ username, password }` (basic) or `{ bearerToken }`. */
  auth?: Extract<ExporterAuth, { username: string } | { bearerToken: string }>;
  /** Extra headers on every request (e.g. `X-Scope-OrgID` for Mimir), or a function called before each. */
  headers?: Record<string, string> | HeaderProvider;
  tls?: TlsOptions;
  /** One request's deadline: response headers, and silence in a body (ms). Default 30,000. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** Labels on every series unless it has them. */
  externalLabels?: Record<string, string>;
  /** Resource attributes copied as labels onto every series. */
  promoteResourceAttributes?: string[];
  /** Unit, `_total` and `_ratio` suffixes. Default true. */
  addMetricSuffixes?: boolean;
  /**
   * A `target_info` series per resource: written when it has attributes beyond `service.*` and a
   * `job` or `instance` label to join by, as Prometheus' receiver. Default true.
   */
  targetInfo?: boolean;
  /** `otel_scope_name`, `_version`, `_schema_url` and `otel_scope_<attribute>` labels. Default true. */
  scopeLabels?: boolean;
  /**
   * `vmrange` (VictoriaMetrics), `le` (any Prometheus-compatible backend) or `native` (native
   * histograms, remote write 2.0 only). Default `vmrange`, or `native` with remote write 2.0.
   */
  exponentialHistograms?: ExponentialHistogramForm;
  /**
   * `1.0` (prometheus.WriteRequest, what every receiver takes) or `2.0`
   * (io.prometheus.write.v2.Request: a symbol table, metadata, created timestamps and native
   * histograms, for receivers that take it). Default `1.0`.
   */
  remoteWriteVersion?: '1.0' | '2.0';
  /** Label values longer than this many UTF-8 bytes are cut. Default 16,384. */
  maxLabelValueBytes?: number;
  /** Delta input (only when a reader forces it): `accumulate` (default) or `drop`. */
  deltaTemporality?: 'accumulate' | 'drop';
  /** Series tracked for delta accumulation. Default 10,000. */
  maxDeltaSeries?: number;
  /** In logs and stats. Default `victoriametrics`. */
  name?: string;
}

export const DEFAULT_URL = 'http://localhost:8428/api/v1/write';

/**
 * The delivery core's defaults for this exporter, and why:
 * - maxBatchItems 2,000: one record is one series with one sample, so this is samples per
 *   request: Prometheus's own remote-write client sends at most `max_samples_per_send` = 2,000
 *   (its default since 2.x; vmagent and Grafana Agent/Alloy use the same figure).
 * - maxBatchBytes 1 MiB of uncompressed protobuf: 2,000 typical OpenTelemetry series (job,
 *   instance, scope name and version, a few attributes: 200–500 B each) fit, so the item limit
 *   usually cuts first and the byte limit only stops label-heavy series from making huge requests.
 *   Snappy makes that 100–250 KB on the wire, far below what receivers accept
 *   (VictoriaMetrics `-maxInsertRequestSize` 32 MB, Mimir's distributor 100 MB).
 * - maxConcurrency 1: requests then reach the backend in order, which Prometheus needs (it
 *   refuses a whole request with a sample older than one it has for the series). With
 *   VictoriaMetrics, which takes samples in any order, raise it for very large exports.
 */
export const EXPORTER_PIPELINE_DEFAULTS = {
  maxBatchItems: 2_000,
  maxBatchBytes: 1024 * 1024,
  maxConcurrency: 1,
};

export const VICTORIAMETRICS_OPTIONS = defineExporterOptions({
  backend: 'victoriametrics',
  url: { default: DEFAULT_URL },
  headers: {},
  auth: { forms: ['basic', 'bearerToken'], emptyPasswordAllowed: true },
  tls: { fields: TLS_FIELDS },
  connectTimeoutMs: { default: 10_000 },
  own: {
    tenant: optionKinds.string(),
    externalLabels: optionKinds.keyValues(),
    promoteResourceAttributes: optionKinds.list(),
    addMetricSuffixes: optionKinds.boolean({ default: DEFAULT_MAPPING_OPTIONS.addMetricSuffixes }),
    targetInfo: optionKinds.boolean({ default: DEFAULT_MAPPING_OPTIONS.targetInfo }),
    scopeLabels: optionKinds.boolean({ default: DEFAULT_MAPPING_OPTIONS.scopeLabels }),
    remoteWriteVersion: optionKinds.oneOf(['1.0', '2.0'], { default: '1.0' }),
    exponentialHistograms: optionKinds.oneOf(['vmrange', 'le', 'native'], {
      default: DEFAULT_MAPPING_OPTIONS.exponentialHistograms,
    }),
    maxLabelValueBytes: optionKinds.integer({
      default: DEFAULT_MAPPING_OPTIONS.maxLabelValueBytes,
      min: 16,
    }),
    deltaTemporality: optionKinds.oneOf(['accumulate', 'drop'], { default: 'accumulate' }),
    maxDeltaSeries: optionKinds.integer({ default: 10_000, min: 1 }),
  },
  // Ordered delivery by default while one request is in flight: after an outage Prometheus
  // refuses a retried batch that arrives after a newer one. Whoever raises the concurrency (for
  // VictoriaMetrics, which takes any order) gets unordered delivery unless they ask for it.
  pipelineDefaults: (user) => ({
    ...EXPORTER_PIPELINE_DEFAULTS,
    ordered: (user.maxConcurrency ?? 1) === 1 && !user.adaptiveConcurrency,
  }),
});
