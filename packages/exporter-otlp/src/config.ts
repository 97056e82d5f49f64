import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { InvalidConfigError, redactUrl } from '@otelpack/batching-core';
import type {
  HeaderMap,
  HeaderProvider,
  ResolvedOptions,
  Signal,
  TlsOptions,
} from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import { signalUrl } from './environment';
import { JsonCodec } from './json/codec';
import type { OtlpEncoding } from './options';
import type { OTLP_OPTIONS } from './options';
import { ProtobufCodec } from './protobuf/codec';
import type { OtlpEndpoint } from './sender';

export type OtlpResolved = ReturnType<typeof OTLP_OPTIONS.resolve>;

/** What the sender and the mapping need, from the resolved options. */
export interface OtlpConfig {
  name: string;
  signal: Signal;
  endpoints: OtlpEndpoint[];
  encoding: OtlpEncoding;
  compression: 'gzip' | 'none';
  headers: HeaderMap;
  headerProvider: HeaderProvider | undefined;
  tls: TlsOptions | undefined;
  timeoutMs: number;
  connectTimeoutMs: number | undefined;
}

export function codecFor(encoding: OtlpEncoding): OtlpCodec {
  return encoding === 'json' ? new JsonCodec() : new ProtobufCodec();
}

/** A PEM file's text; an error names the option or variable that gave its path. */
function readPem(path: string, source: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new InvalidConfigError(source, `cannot read the file ${JSON.stringify(path)} (${code})`);
  }
}

/**
 * TLS from `tls` in code, field by field over the files named by `certificateFile`,
 * `clientCertificateFile` and `clientKeyFile` (or OTEL_EXPORTER_OTLP_CERTIFICATE, …_CLIENT_CERTIFICATE,
 * …_CLIENT_KEY): an explicit value wins.
 */
function tlsOf(
  config: ResolvedOptions<Record<string, unknown>>,
  own: OtlpResolved['own'],
): TlsOptions | undefined {
  const tls: TlsOptions = { ...config.tls };
  const source = (option: string) => config.sourceOf(option) ?? option;
  if (tls.ca === undefined && own.certificateFile) {
    tls.ca = readPem(own.certificateFile, source('certificateFile'));
  }
  const certFile = tls.cert === undefined ? own.clientCertificateFile : undefined;
  const keyFile = tls.key === undefined ? own.clientKeyFile : undefined;
  if ((certFile === undefined) !== (keyFile === undefined) && tls.cert === undefined) {
    // Mutual TLS needs both; one alone is a mistake the receiver would answer with a handshake
    // failure on every request. Said once here, and the lone file is not used.
    const given =
      certFile !== undefined ? source('clientCertificateFile') : source('clientKeyFile');
    diag.warn(
      `otelpack ${config.name}: ${given} is set without its pair (a client certificate and its key go together): mutual TLS is off`,
    );
  } else if (certFile !== undefined && keyFile !== undefined) {
    tls.cert = readPem(certFile, source('clientCertificateFile'));
    tls.key = readPem(keyFile, source('clientKeyFile'));
  }
  return Object.keys(tls).length > 0 ? tls : undefined;
}

/** OTLP's rules over the kit's resolution: signal URLs, auth headers, TLS files. */
export function otlpConfig(config: OtlpResolved): OtlpConfig {
  const urlSource = config.sourceOf('url');
  const endpoints = config.urls.map((url) => {
    const full = signalUrl(url, urlSource, config.signal);
    return { url: full, display: redactUrl(full) };
  });
  const headers = config.headers;
  const auth = config.auth;
  if (auth && 'bearerToken' in auth) headers.authorization = `Bearer ${auth.bearerToken}`;
  if (auth && 'password' in auth) {
    headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  }
  return {
    name: config.name,
    signal: config.signal,
    endpoints,
    encoding: config.own.encoding,
    compression: config.compression ?? 'gzip',
    headers,
    headerProvider: config.headerProvider,
    tls: tlsOf(config as unknown as ResolvedOptions<Record<string, unknown>>, config.own),
    timeoutMs: config.timeoutMs,
    connectTimeoutMs: config.connectTimeoutMs,
  };
}
