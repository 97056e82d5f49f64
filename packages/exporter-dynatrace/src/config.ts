import { diag } from '@opentelemetry/api';
import { InvalidConfigError, redactUrl } from '@otelpack/batching-core';
import type { HeaderMap, HeaderProvider, Signal, TlsOptions } from '@otelpack/batching-core';
import type { OtlpConfig } from '@otelpack/exporter-otlp';
import { normalizeDimensions } from './dimensions';
import { readOneAgentMetadata } from './enrichment';
import type { ReadText } from './enrichment';
import type { LineMappingOptions } from './mapping';
import { INGEST_PATHS, ONEAGENT_METRICS_URL } from './options';
import type { DYNATRACE_OPTIONS } from './options';

export type DynatraceResolved = ReturnType<typeof DYNATRACE_OPTIONS.resolve>;

export const TOKEN_HEADER = 'authorization';

/** An API path already on the URL: replaced by the signal's. */
const API_SUFFIX = /\/api\/v2(\/metrics\/ingest|\/otlp(\/v1\/(traces|logs|metrics))?)?$/;

/**
 * The signal's URL under the one given: a metric ingest URL is kept for metrics (the OneAgent's
 * `/metrics/ingest` on another port included); any API path is replaced by the signal's.
 */
export function signalUrl(base: URL, signal: Signal): URL {
  const url = new URL(base.href);
  const path = url.pathname.replace(/\/+$/, '');
  if (signal === 'metrics' && path.endsWith('/metrics/ingest')) {
    url.pathname = path;
    return url;
  }
  url.pathname = path.replace(API_SUFFIX, '') + INGEST_PATHS[signal as keyof typeof INGEST_PATHS];
  return url;
}

/** Said at ERROR, not thrown, so that an exporter made before its configuration is complete still constructs. */
export const MISSING_TOKEN =
  'no API token for the Dynatrace environment: set DT_API_TOKEN or auth: { token }; until then every export is refused (401) and counted as rejected';

interface Connection {
  name: string;
  url: URL;
  display: string;
  headers: HeaderMap;
  headerProvider: HeaderProvider | undefined;
  tls: TlsOptions | undefined;
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
}

/** Why traces or logs made without a URL are refused (they have no local endpoint to go to). */
export function missingUrl(signal: Signal): string {
  return `no DT_API_URL or url: ${signal} go to the environment's OTLP API (https://{id}.live.dynatrace.com), and until one is set every ${signal} export is refused and counted as rejected`;
}

/** Where a signal goes and with which headers; the token only to an environment's API. */
export function connectionOf(config: DynatraceResolved): Connection {
  const given = config.urls[0];
  if (!given && config.signal !== 'metrics') {
    throw new InvalidConfigError('url', missingUrl(config.signal));
  }
  const url = given ? signalUrl(given, config.signal) : new URL(ONEAGENT_METRICS_URL);
  const headers = config.headers;
  const auth = config.auth as { token: string } | undefined;
  const api = url.pathname.includes('/api/v2/');
  if (api && auth) headers[TOKEN_HEADER] = `Api-Token ${auth.token}`;
  else if (api && !headers[TOKEN_HEADER] && !config.headerProvider) {
    diag.error(`otelpack ${config.name}: ${MISSING_TOKEN}`);
  }
  return {
    name: config.name,
    url,
    display: redactUrl(url),
    headers,
    headerProvider: config.headerProvider,
    tls: config.tls,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  };
}

/** exporter-otlp's sender configuration for traces and logs: protobuf, the only form Dynatrace takes. */
export function otlpConfigOf(config: DynatraceResolved): OtlpConfig {
  const connection = connectionOf(config);
  return {
    ...connection,
    signal: config.signal,
    endpoints: [{ url: connection.url, display: connection.display }],
    encoding: 'protobuf',
    compression: config.compression ?? 'gzip',
  };
}

/** The line mapping's options; the OneAgent's metadata read once, here. */
export function mappingOptionsOf(config: DynatraceResolved, read?: ReadText): LineMappingOptions {
  const own = config.own;
  return {
    prefix: own.prefix,
    defaultDimensions: normalizeDimensions(own.defaultDimensions),
    staticDimensions: own.oneAgentMetadata ? normalizeDimensions(readOneAgentMetadata(read)) : [],
    resourceAttributes: own.resourceAttributes,
    metadataLines: own.metadataLines,
  };
}
