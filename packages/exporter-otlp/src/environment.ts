import type { Signal } from '@otelpack/batching-core';

/*
 * The OTLP exporter's environment variables, as the OpenTelemetry specification names them
 * (protocol/exporter.md): each setting has a per-signal variable, which wins, and a generic
 * one. The kit reads them in that order.
 */

const SIGNAL_WORD: Record<Signal, string> = { traces: 'TRACES', logs: 'LOGS', metrics: 'METRICS' };

/** `OTEL_EXPORTER_OTLP_<SIGNAL>_<SETTING>`, then `OTEL_EXPORTER_OTLP_<SETTING>`. */
export function otlpVariables(setting: string): (signal: Signal) => readonly string[] {
  return (signal) => [
    `OTEL_EXPORTER_OTLP_${SIGNAL_WORD[signal]}_${setting}`,
    `OTEL_EXPORTER_OTLP_${setting}`,
  ];
}

/** The generic endpoint variable: its URL is a base, to which `v1/<signal>` is appended. */
export const GENERIC_ENDPOINT_VARIABLE = 'OTEL_EXPORTER_OTLP_ENDPOINT';

export const TEMPORALITY_VARIABLE = 'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE';

/** The path OTLP/HTTP posts each signal to, under a base URL. */
export const SIGNAL_PATHS: Record<Signal, string> = {
  traces: 'v1/traces',
  logs: 'v1/logs',
  metrics: 'v1/metrics',
};

/**
 * The URL a signal is posted to, by where the URL came from (the specification's rule for the
 * variables, and the same for code):
 * - a per-signal variable (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`): used as it is;
 * - the generic variable, or the default: a base URL, `v1/traces` appended to its path;
 * - `url` in code: as it is when it has a path, else `/v1/traces` is appended (the official
 *   exporters take it as it is, and post to `/` when there is no path).
 */
export function signalUrl(base: URL, source: string | undefined, signal: Signal): URL {
  const url = new URL(base.href);
  const perSignal =
    source !== undefined && source !== 'url' && source !== GENERIC_ENDPOINT_VARIABLE;
  if (perSignal) return url;
  const hasPath = url.pathname !== '/' && url.pathname !== '';
  if (source === 'url' && hasPath) return url;
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  url.pathname = `${path}${SIGNAL_PATHS[signal]}`;
  return url;
}
