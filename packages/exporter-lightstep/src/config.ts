import { diag } from '@opentelemetry/api';
import { InvalidConfigError, redactUrl } from '@otelpack/batching-core';
import type { Signal } from '@otelpack/batching-core';
import type { OtlpConfig } from '@otelpack/exporter-otlp';
import type { LIGHTSTEP_OPTIONS } from './options';
import { INGEST_HOSTS, INGEST_PATHS } from './options';

export type LightstepResolved = ReturnType<typeof LIGHTSTEP_OPTIONS.resolve>;

/** The lengths Cloud Observability's access tokens come in (the launcher's own check). */
export const TOKEN_LENGTHS: readonly number[] = [32, 84, 104];

export const TOKEN_HEADER = 'lightstep-access-token';

/**
 * A token of the wrong shape is refused here, at construction, rather than answered 403 by the
 * ingest at every export. Its text is never echoed: only its length.
 */
export function checkToken(token: string, source: string): void {
  if (!TOKEN_LENGTHS.includes(token.length) || /\s/.test(token)) {
    throw new InvalidConfigError(
      source === 'auth' ? 'auth.token' : source,
      `an access token is ${TOKEN_LENGTHS.join(', ')} characters without spaces; this one has ${token.length} characters${/\s/.test(token) ? ' and whitespace' : ''}`,
    );
  }
}

/**
 * No token for the ingest: every export will be refused. Said at ERROR when the exporter is made,
 * not thrown: an exporter made before its configuration is complete (a test, a tool listing the
 * exporters) must still construct, and the 403s are counted and reported as well.
 */
export const MISSING_TOKEN =
  'no access token for ServiceNow Cloud Observability: set LS_ACCESS_TOKEN or auth: { token } (Project settings → Access tokens); until then every export is refused (403) and counted as rejected';

/** The signal's URL: the region's ingest, or `url` (a path kept, none given the ingest's path). */
function signalUrl(base: URL | undefined, region: keyof typeof INGEST_HOSTS, signal: Signal): URL {
  const path = INGEST_PATHS[signal as keyof typeof INGEST_PATHS];
  if (!base) return new URL(path, INGEST_HOSTS[region]);
  const url = new URL(base.href);
  if (url.pathname === '/' || url.pathname === '') url.pathname = path;
  return url;
}

/** What exporter-otlp's sender needs, from the preset's options. */
export function lightstepConfig(config: LightstepResolved): OtlpConfig {
  const auth = config.auth as { token: string } | undefined;
  const custom = config.sourceOf('url') !== undefined;
  if (auth) checkToken(auth.token, config.sourceOf('auth') ?? 'auth');
  else if (!custom) diag.error(`otelpack ${config.name}: ${MISSING_TOKEN}`);
  const bases = custom ? config.urls : [undefined];
  const endpoints = bases.map((base) => {
    const url = signalUrl(base, config.own.region, config.signal);
    return { url, display: redactUrl(url) };
  });
  const headers = config.headers;
  if (auth) headers[TOKEN_HEADER] = auth.token;
  return {
    name: config.name,
    signal: config.signal,
    endpoints,
    encoding: 'protobuf',
    compression: config.compression ?? 'gzip',
    headers,
    headerProvider: config.headerProvider,
    tls: config.tls,
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  };
}
