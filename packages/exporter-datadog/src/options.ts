import {
  InvalidConfigError,
  TLS_FIELDS,
  defineExporterOptions,
  optionKinds,
} from '@otelpack/batching-core';
import { dogStatsDTarget } from './dogstatsd-target';
import type {
  HeaderProvider,
  KitOptions,
  PipelineTuning,
  Signal,
  TemporalityOption,
  TlsOptions,
} from '@otelpack/batching-core';

/** How histograms become DogStatsD metrics (the Datadog translator's `histograms.mode`). */
export type HistogramMode = 'distributions' | 'counters' | 'nobuckets';

/** What happens to the first point of a cumulative monotonic series (the translator's policy). */
export type InitialCumulativeValue = 'auto' | 'keep' | 'drop';

/**
 * The exporter's options: the pack's shared vocabulary (url, headers, auth, tls, timeouts, name,
 * temporality), Datadog's own (the Agent's address, the site, unified service tagging, the metric
 * mapping), and the core's pipeline options at the same level. Every option's environment variable
 * is in the README.
 */
export interface DatadogExporterOptions
  extends Omit<PipelineTuning<unknown>, 'requestTimeoutMs'>, KitOptions {
  /**
   * Traces: the trace Agent's base URL (default `http://<agentHost>:<traceAgentPort>`).
   * Logs: the logs intake's base URL (default `https://http-intake.logs.<site>`).
   * The metric exporter speaks DogStatsD and takes `dogstatsdUrl` instead.
   */
  url?: string | URL;
  /** Logs: `{ apiKey }`, sent as `DD-API-KEY`. Metrics and traces go to the Agent, which holds its own key. */
  auth?: { apiKey: string };
  /** Extra headers on every HTTP request (traces, logs), or a function called before each. */
  headers?: Record<string, string> | HeaderProvider;
  tls?: TlsOptions;
  /** Traces and logs: connection deadline (ms). Default 5,000. */
  connectTimeoutMs?: number;
  /** Logs: `gzip` (default) or `none`. */
  compression?: 'gzip' | 'none';
  /** The trace Agent's port. Default 8126. */
  traceAgentPort?: number;
  /** The Datadog site the logs go to. Default `datadoghq.com`. */
  site?: string;
  /** Logs: `ddsource`. Default `otlp_log_ingestion`. */
  logsSource?: string;
  /** One request's (or one batch of datagrams') deadline (ms). Default 10,000. */
  timeoutMs?: number;
  /** Metrics: `delta` (default: Datadog's own preference), `cumulative`, `lowmemory` or a selector. */
  temporality?: TemporalityOption;
  /** The Agent's host, for DogStatsD and traces. Default `localhost`. */
  agentHost?: string;
  /** DogStatsD's UDP port. Default 8125. */
  dogstatsdPort?: number;
  /** DogStatsD over a Unix datagram socket at this path (wins over host and port). */
  dogstatsdSocket?: string;
  /** `udp://host:port`, `unix:///path`, `unixgram:///path` or `tcp://host:port` (wins over the three above). */
  dogstatsdUrl?: string;
  /** Bytes in one datagram. Default 1,432 over UDP, 8,192 over UDS and TCP. */
  maxDatagramBytes?: number;
  /** Unified service tagging: used when the resource has no `service.name`. */
  service?: string;
  /** Unified service tagging: used when the resource has no `deployment.environment(.name)`. */
  env?: string;
  /** Unified service tagging: used when the resource has no `service.version`. */
  version?: string;
  /** Tags on everything (`DD_TAGS`: comma- or space-separated `key:value`). */
  tags?: string[];
  /** The host name when the resource names none. */
  hostname?: string;
  /** Metrics: `|T<unix s>` on counts and gauges, so Datadog keeps counts as counts. Default true. */
  timestamps?: boolean;
  /** Metrics: histograms as `distributions` (default), `counters` or `nobuckets`. */
  histograms?: HistogramMode;
  /** Metrics: `<name>.count`, `.sum`, `.min`, `.max` for every histogram. Default false. */
  histogramAggregations?: boolean;
  /** Metrics: every resource attribute as a tag, not only the mapped ones. Default false. */
  resourceAttributesAsTags?: boolean;
  /** Metrics: the first point of a cumulative monotonic sum: `auto` (default), `keep`, `drop`. */
  initialCumulativeValue?: InitialCumulativeValue;
  /** Cumulative series remembered for delta conversion. Default 10,000. */
  maxCumulativeSeries?: number;
  /** In logs and stats. Default `datadog`. */
  name?: string;
}

/**
 * The delivery core's defaults per signal, and why:
 * - metrics: one record is one DogStatsD line; 2,000 lines a batch are a few hundred datagrams,
 *   sent in one go: a reader's export is seldom larger, and a batch's outcome is known per datagram.
 * - traces: the Agent's intake takes 50 MB ("hard limit" in dd-trace-js's writer, which flushes
 *   at 8 MB); 4 MiB keeps a request small enough to retry cheaply.
 * - logs: the intake's documented limits, 1,000 entries and 5 MB uncompressed per request.
 */
export const PIPELINE_DEFAULTS_BY_SIGNAL: Record<Signal, PipelineTuning<unknown>> = {
  metrics: { maxBatchItems: 2_000, maxBatchBytes: 1024 * 1024, maxConcurrency: 1 },
  traces: { maxBatchItems: 5_000, maxBatchBytes: 4 * 1024 * 1024, maxConcurrency: 2 },
  logs: { maxBatchItems: 1_000, maxBatchBytes: 5_000_000 - 1_000, maxConcurrency: 2 },
};

/**
 * The Datadog sites (https://docs.datadoghq.com/getting_started/site/, whose English page listed
 * seven and its Japanese page also US2-FED on 7 December 2026; the logs API page lists UK1).
 */
export const SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'uk1.datadoghq.com',
  'ddog-gov.com',
  'us2.ddog-gov.com',
] as const;

/**
 * A site Datadog opens after this release is a region under one of its three domains, named as
 * its regions are (two letters and a number: us3, ap1, uk1, us2): taken too, so that an
 * application inheriting a new site's DD_SITE from its Agent still starts. Anything else (a
 * typo, `datadog.com`) is refused.
 */
const REGIONAL_SITE = /^[a-z]{2}\d{1,2}\.(?:datadoghq\.com|datadoghq\.eu|ddog-gov\.com)$/;

function site() {
  return {
    env: ['DD_SITE'],
    fromText: (text: string) => text,
    defaultValue: 'datadoghq.com',
    parse(value: unknown, source: string): string {
      if (value === undefined) return 'datadoghq.com';
      const text = typeof value === 'string' ? value.trim().toLowerCase() : '';
      if (!(SITES as readonly string[]).includes(text) && !REGIONAL_SITE.test(text)) {
        throw new InvalidConfigError(
          source,
          `expected one of ${SITES.join(', ')}, or a region of datadoghq.com, datadoghq.eu or ddog-gov.com`,
        );
      }
      return text;
    },
  };
}

/** Checked when read, so that every exporter of a service refuses a bad DD_DOGSTATSD_URL alike. */
function dogstatsdUrl() {
  const text = optionKinds.string({ env: ['DD_DOGSTATSD_URL'] });
  return {
    ...text,
    parse(value: unknown, source: string): string | undefined {
      const url = text.parse(value, source);
      if (url !== undefined) dogStatsDTarget({ dogstatsdUrl: url }, () => source);
      return url;
    },
  };
}

function port(env: string[]) {
  return optionKinds.integer({ min: 1, max: 65_535, env });
}

/** `DD_TAGS`: comma-separated when it has a comma, else space-separated (as the Agent and dd-trace read it). */
function tagList() {
  return {
    ...optionKinds.list({ env: ['DD_TAGS'] }),
    fromText: (text: string) =>
      text
        .split(text.includes(',') ? ',' : /\s+/)
        .map((tag) => tag.trim())
        .filter((tag) => tag !== ''),
  };
}

export const DATADOG_OPTIONS = defineExporterOptions({
  backend: 'datadog',
  url: {
    // OTELPACK_DATADOG_URL: one base for both paths (a proxy in front of the Agent and the
    // intake, or otelpack's fake); each signal's own variable wins. The metric exporter reads it
    // and ignores it, as it ignores `url`.
    env: (signal: Signal) =>
      signal === 'traces'
        ? ['DD_TRACE_AGENT_URL', 'OTELPACK_DATADOG_URL']
        : signal === 'logs'
          ? ['OTELPACK_DATADOG_LOGS_URL', 'OTELPACK_DATADOG_URL']
          : ['OTELPACK_DATADOG_URL'],
  },
  headers: {},
  auth: { forms: ['apiKey'], env: { apiKey: ['DD_API_KEY'] } },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'gzip' },
  timeoutMs: { default: 10_000 },
  connectTimeoutMs: { default: 5_000 },
  temporality: { default: 'delta' },
  own: {
    agentHost: optionKinds.string({ env: ['DD_AGENT_HOST'] }),
    dogstatsdPort: port(['DD_DOGSTATSD_PORT']),
    dogstatsdSocket: optionKinds.string({ env: ['DD_DOGSTATSD_SOCKET'] }),
    dogstatsdUrl: dogstatsdUrl(),
    maxDatagramBytes: optionKinds.integer({ min: 64, max: 65_507 }),
    traceAgentPort: port(['DD_TRACE_AGENT_PORT']),
    site: site(),
    service: optionKinds.string({ env: ['DD_SERVICE'] }),
    env: optionKinds.string({ env: ['DD_ENV'] }),
    version: optionKinds.string({ env: ['DD_VERSION'] }),
    tags: tagList(),
    hostname: optionKinds.string({ env: ['DD_HOSTNAME'] }),
    timestamps: optionKinds.boolean({ default: true }),
    histograms: optionKinds.oneOf(['distributions', 'counters', 'nobuckets'], {
      default: 'distributions',
    }),
    histogramAggregations: optionKinds.boolean({ default: false }),
    resourceAttributesAsTags: optionKinds.boolean({ default: false }),
    initialCumulativeValue: optionKinds.oneOf(['auto', 'keep', 'drop'], { default: 'auto' }),
    maxCumulativeSeries: optionKinds.integer({ default: 10_000, min: 1 }),
    logsSource: optionKinds.string({ default: 'otlp_log_ingestion' }),
  },
  pipelineDefaults: (_user, signal) => ({ ...PIPELINE_DEFAULTS_BY_SIGNAL[signal] }),
});
