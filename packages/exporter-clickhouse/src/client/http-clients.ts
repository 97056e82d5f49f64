import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { DiagClickHouseLogger } from './diag-logger';

/** One ClickHouse host, from the `url` option or CLICKHOUSE_URL. */
export interface HostEndpoint {
  /** Origin only (`https://host:8443`): credentials and path are taken out. */
  origin: string;
  /** User and password written in the URL, if any. */
  username?: string;
  password?: string;
  /** A database written as the URL's path (`http://host:8123/otel`), as @clickhouse/client reads it. */
  database?: string;
}

/** PEM material for HTTPS: a CA to trust, and a client certificate for mutual TLS. */
export interface TlsSettings {
  caCert: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface HttpClientSettings {
  username: string;
  password: string;
  /** One request's deadline (the exporter's `timeoutMs`); the pipeline's is 1 s later. */
  timeoutMs: number;
  /** Static headers on every request. */
  headers?: Record<string, string>;
  maxOpenConnections: number;
  tls?: TlsSettings;
}

/**
 * Splits a URL into what the exporter uses apart: the origin, the credentials (never passed on
 * inside a URL, so they cannot reach a log line) and the database path.
 */
export function parseEndpoint(url: URL): HostEndpoint {
  const path = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  return {
    origin: url.origin,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(path ? { database: path } : {}),
  };
}

/** One @clickhouse/client per host, logging through diag. */
export function createHttpClient(origin: string, settings: HttpClientSettings): ClickHouseClient {
  return createClient({
    url: origin,
    username: settings.username,
    password: settings.password,
    application: 'otelpack-exporter-clickhouse',
    request_timeout: settings.timeoutMs,
    ...(settings.headers && Object.keys(settings.headers).length > 0
      ? { http_headers: settings.headers }
      : {}),
    max_open_connections: settings.maxOpenConnections,
    compression: {
      // The sender compresses INSERT bodies itself (sender.ts): the client's stream costs more.
      request: false,
      response: false,
    },
    keep_alive: { enabled: true },
    log: { LoggerClass: DiagClickHouseLogger },
    ...(settings.tls
      ? {
          tls: settings.tls.cert
            ? {
                ca_cert: settings.tls.caCert,
                cert: settings.tls.cert,
                key: settings.tls.key as Buffer,
              }
            : { ca_cert: settings.tls.caCert },
        }
      : {}),
  });
}
