import { diag } from '@opentelemetry/api';
import { InvalidConfigError } from '@otelpack/batching-core';
import type { ResolvedOptions } from '@otelpack/batching-core';
import { presetConfig } from '@otelpack/exporter-otlp';
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

/** What exporter-otlp's sender needs, from the preset's options. */
export function lightstepConfig(config: LightstepResolved): OtlpConfig {
  const auth = config.auth as { token: string } | undefined;
  const headers = config.headers;
  const headerToken = headers[TOKEN_HEADER];
  if (auth) checkToken(auth.token, config.sourceOf('auth') ?? 'auth');
  else if (headerToken === undefined && config.sourceOf('url') === undefined) {
    diag.error(`otelpack ${config.name}: ${MISSING_TOKEN}`);
  }
  if (auth) headers[TOKEN_HEADER] = auth.token;
  const path = INGEST_PATHS[config.signal as keyof typeof INGEST_PATHS];
  return presetConfig(config as ResolvedOptions<unknown>, {
    url: new URL(path, INGEST_HOSTS[config.own.region]),
    path,
    headers,
  });
}
