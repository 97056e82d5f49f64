import type { HttpTransportOptions } from '@otelpack/batching-core';
import { dogStatsDTarget } from './dogstatsd-target';
import type { DogStatsDTarget } from './dogstatsd-target';
import type { MetricMappingOptions } from './metrics/mapping';
import { DATADOG_OPTIONS } from './options';
import type { DatadogExporterOptions, InitialCumulativeValue } from './options';
import type { ServiceTags } from './tags';
import type { TraceMappingOptions } from './traces/mapping';
import type { LogMappingOptions } from './logs/mapping';

export type DatadogResolved = ReturnType<typeof DATADOG_OPTIONS.resolve>;

/** A cumulative series not updated for an hour is forgotten (the translator's `delta_ttl`). */
export const CUMULATIVE_IDLE_MS = 3_600_000;

export interface MetricsConfig {
  name: string;
  target: DogStatsDTarget;
  mapping: MetricMappingOptions;
  cumulative: { maxSeries: number; idleMs: number; initialValue: InitialCumulativeValue };
}

function serviceTags(config: DatadogResolved): ServiceTags {
  const own = config.own;
  return {
    ...(own.service !== undefined ? { service: own.service } : {}),
    ...(own.env !== undefined ? { env: own.env } : {}),
    ...(own.version !== undefined ? { version: own.version } : {}),
  };
}

/**
 * What the DogStatsD sender and mapping need. The metric exporter reads no `url` (nor auth or
 * headers): one options object can then serve the three exporters of a service.
 */
export function metricsConfig(config: DatadogResolved): MetricsConfig {
  const own = config.own;
  return {
    name: config.name,
    target: dogStatsDTarget(config.own, (option) => config.sourceOf(option)),
    mapping: {
      timestamps: own.timestamps,
      histograms: own.histograms,
      histogramAggregations: own.histogramAggregations,
      resourceAttributesAsTags: own.resourceAttributesAsTags,
      globalTags: own.tags,
      fallback: serviceTags(config),
      ...(own.hostname !== undefined ? { hostname: own.hostname } : {}),
    },
    cumulative: {
      maxSeries: own.maxCumulativeSeries,
      idleMs: CUMULATIVE_IDLE_MS,
      initialValue: own.initialCumulativeValue,
    },
  };
}

/** Every option checked and defaulted, for the metric exporter. */
export function resolveMetricsConfig(options: DatadogExporterOptions = {}): MetricsConfig {
  return metricsConfig(DATADOG_OPTIONS.resolve(options, 'metrics'));
}

export { serviceTags };

export interface TracesConfig {
  name: string;
  url: URL;
  display: string;
  transport: Omit<HttpTransportOptions, 'url' | 'compression'>;
  mapping: TraceMappingOptions;
}

/** The common HTTP transport options of the traces and logs senders. */
export function transportOptions(
  config: DatadogResolved,
): Omit<HttpTransportOptions, 'url' | 'compression'> {
  return {
    headers: config.headers,
    ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
    timeoutMs: config.timeoutMs,
    ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
    userAgent: 'otelpack-exporter-datadog',
  };
}

/**
 * The trace Agent's URL as the tracers resolve it: `url` (DD_TRACE_AGENT_URL), else
 * `http://<agentHost>:<traceAgentPort>` (DD_AGENT_HOST, DD_TRACE_AGENT_PORT), localhost:8126.
 */
export function tracesConfig(config: DatadogResolved): TracesConfig {
  const own = config.own;
  const given = config.urls[0];
  const host = own.agentHost ?? 'localhost';
  const url =
    given ??
    new URL(`http://${host.includes(':') ? `[${host}]` : host}:${own.traceAgentPort ?? 8126}`);
  return {
    name: config.name,
    url,
    display: given ? (config.displayUrls[0] ?? url.origin) : url.origin,
    transport: transportOptions(config),
    mapping: {
      ...serviceTags(config),
      ...(own.hostname !== undefined ? { hostname: own.hostname } : {}),
    },
  };
}

export interface LogsConfig {
  name: string;
  url: URL;
  /** Undefined: none given, and `url` is not a proxy that may add it (every send refused). */
  apiKey: string | undefined;
  /** Sends go out without a key only to a `url` of the user's (a proxy that adds it). */
  keyless: boolean;
  compression: 'gzip' | 'none';
  transport: Omit<HttpTransportOptions, 'url' | 'compression'>;
  mapping: LogMappingOptions;
}

/** The logs intake of a site: `https://http-intake.logs.<site>`. */
export function logsIntakeUrl(site: string): URL {
  return new URL(`https://http-intake.logs.${site}`);
}

export const MISSING_API_KEY =
  'the logs intake needs an API key: set DD_API_KEY or auth: { apiKey } (until then every log is dropped, counted)';

/**
 * The URL is `url`, else the site's intake. Without an API key the exporter still constructs
 * (an application must start whatever its environment), says so at ERROR through diag, and
 * drops what it is given, counted as rejected: the intake would answer 403 to every request.
 */
export function logsConfig(config: DatadogResolved): LogsConfig {
  const own = config.own;
  const auth = config.auth;
  const apiKey = auth && 'apiKey' in auth && auth.apiKey.trim() !== '' ? auth.apiKey : undefined;
  const custom = config.urls[0] !== undefined;
  return {
    name: config.name,
    url: config.urls[0] ?? logsIntakeUrl(own.site),
    apiKey,
    keyless: apiKey === undefined && custom,
    compression: config.compression ?? 'gzip',
    transport: transportOptions(config),
    mapping: {
      source: own.logsSource,
      globalTags: own.tags,
      fallback: serviceTags(config),
      ...(own.hostname !== undefined ? { hostname: own.hostname } : {}),
    },
  };
}
