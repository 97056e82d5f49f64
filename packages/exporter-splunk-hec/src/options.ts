import { TLS_FIELDS, defineExporterOptions, optionKinds } from '@otelpack/batching-core';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  TlsOptions,
} from '@otelpack/batching-core';
import type { HecRecord } from './mapping/event';

/**
 * The exporter's options: the pack's shared vocabulary (url, auth, headers, tls, compression,
 * timeouts, name), HEC's own (routing defaults, health check, indexer acknowledgement), and the
 * core's pipeline options at the same level. Every environment variable is in the README.
 */
export interface SplunkHecExporterOptions
  extends Omit<PipelineTuning<HecRecord>, 'requestTimeoutMs'>, KitOptions {
  /**
   * The HEC URL (or `SPLUNK_HEC_URL`; default `https://localhost:8088`). Without a path the events go to
   * `/services/collector/event`; with one, to that path (`/services/collector` takes the same).
   */
  url?: string | URL;
  /**
   * `{ token }`: the HEC token, a GUID (or `SPLUNK_HEC_TOKEN`), sent as `Authorization: Splunk
   * <token>`. Without one, an ERROR line at construction, and HEC refuses every request.
   */
  auth?: { token: string };
  /** `guid` (default: refused at construction unless a GUID) or `any` (HEC-compatible receivers). */
  tokenFormat?: 'guid' | 'any';
  /** Index when no `com.splunk.index` attribute names one; default: the token's default index. */
  index?: string;
  /** Source when no `com.splunk.source` attribute names one; default: the token's. */
  source?: string;
  /** Sourcetype when no `com.splunk.sourcetype` attribute names one; default: the token's. */
  sourcetype?: string;
  /**
   * Which attributes name an event's envelope (the Collector's `otel_attrs_to_hec_metadata`):
   * `{ index, source, sourcetype, host }`, each an attribute name. Default `com.splunk.index`,
   * `com.splunk.source`, `com.splunk.sourcetype`, `host.name`.
   */
  metadataAttributes?: { index?: string; source?: string; sourcetype?: string; host?: string };
  /**
   * The fields a log record's severity goes to (the Collector's `otel_to_hec_fields`):
   * `{ severityText, severityNumber }`. Default `otel.log.severity.text`, `otel.log.severity.number`.
   */
  hecFields?: { severityText?: string; severityNumber?: string };
  /** Merge metric events that differ only in their values (Splunk ≥ 8.0). Default false. */
  multiMetric?: boolean;
  /** Check `/services/collector/health` and the token at the first export. Default true. */
  healthCheck?: boolean;
  /** Count a batch delivered only once Splunk acknowledges it was indexed. Default false. */
  indexerAcknowledgement?: boolean;
  /** The channel GUID for acknowledgements; default: a random one per exporter. */
  channel?: string;
  /** How often pending acknowledgements are asked for. Default 1,000 ms. */
  ackPollIntervalMs?: number;
  /** A batch not acknowledged within this is sent again (it may then be indexed twice). Default 120,000 ms. */
  ackTimeoutMs?: number;
  headers?: Record<string, string> | HeaderProvider;
  /** `tls.rejectUnauthorized: false` accepts Splunk's default self-signed certificate (tests only). */
  tls?: TlsOptions;
  /** `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** One request's deadline (ms). Default 30,000. */
  timeoutMs?: number;
  /** Default 10,000. */
  connectTimeoutMs?: number;
  /** In logs, stats and self-metrics. Default `splunk-hec`. */
  name?: string;
}

/**
 * The core's defaults for this exporter, and why:
 * - maxBatchBytes 1,000,000 bytes of events (their exact UTF-8 size, which is what Splunk counts
 *   before decompressing): within every documented default, Splunk Enterprise's old
 *   `max_content_length` of 1,000,000 (800 MB today), Splunk Observability's 2 MiB and the
 *   Collector's 2 MiB `max_content_length_*`; with gzip the request is several times smaller.
 * - maxBatchItems 10,000: events are small (200-600 B), so bytes usually cut first.
 */
export const EXPORTER_PIPELINE_DEFAULTS = {
  maxBatchBytes: 1_000_000,
  maxBatchItems: 10_000,
};

/** Splunk's own default: HEC on port 8088 over HTTPS. */
export const DEFAULT_URL = 'https://localhost:8088';

export const DEFAULT_ACK_POLL_INTERVAL_MS = 1_000;
export const DEFAULT_ACK_TIMEOUT_MS = 120_000;

export const SPLUNK_HEC_OPTIONS = defineExporterOptions({
  backend: 'splunk_hec',
  name: { default: 'splunk-hec' },
  url: { default: DEFAULT_URL, env: ['SPLUNK_HEC_URL'] },
  headers: {},
  auth: { forms: ['token'], env: { token: ['SPLUNK_HEC_TOKEN'] } },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip' },
  connectTimeoutMs: { default: 10_000 },
  own: {
    tokenFormat: optionKinds.oneOf(['guid', 'any'], { default: 'guid' }),
    index: optionKinds.string({ default: '' }),
    source: optionKinds.string({ default: '' }),
    sourcetype: optionKinds.string({ default: '' }),
    metadataAttributes: optionKinds.keyValues(),
    hecFields: optionKinds.keyValues(),
    multiMetric: optionKinds.boolean({ default: false }),
    healthCheck: optionKinds.boolean({ default: true }),
    indexerAcknowledgement: optionKinds.boolean({ default: false }),
    channel: optionKinds.string(),
    ackPollIntervalMs: optionKinds.integer({ default: DEFAULT_ACK_POLL_INTERVAL_MS, min: 10 }),
    ackTimeoutMs: optionKinds.integer({ default: DEFAULT_ACK_TIMEOUT_MS, min: 100 }),
  },
  pipelineDefaults: EXPORTER_PIPELINE_DEFAULTS,
});
