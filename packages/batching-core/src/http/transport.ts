import { Pool } from 'undici';
import { integerOption, enumOption, urlOption } from '../config';
import { InvalidConfigError, OtelpackError } from '../errors';
import type { OtelpackErrorCode } from '../errors';
import type { SendResult } from '../types';
import { classifyStatus, errorCode, isRetryableNetworkError } from './classify';
import { compressBody, SYNC_COMPRESS_MAX_BYTES } from './compress';
import { redact, secretsInHeaders, secretsInUrl } from './redact';
import { setOwnField } from '../sdk/own-field';
import { KnownSecrets } from './secrets';

/** Bound on the per-request credentials a transport remembers for redaction. */

export type HeaderMap = Record<string, string>;

export interface TlsOptions {
  /** PEM CA certificate(s) to trust instead of the system's. */
  ca?: string | Buffer | (string | Buffer)[];
  /** PEM client certificate, for mutual TLS. */
  cert?: string | Buffer;
  /** PEM private key of the client certificate. */
  key?: string | Buffer;
  /** Default true. False accepts any server certificate: for tests only. */
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface HttpTransportOptions {
  /** Base URL; its path is a prefix of every request path. User info becomes basic auth. */
  url: string | URL;
  /** Sent with every request. Credential headers are redacted from every error. */
  headers?: HeaderMap;
  /** Called before every request, e.g. to refresh a token; its headers win over `headers`. */
  headerProvider?: () => HeaderMap | Promise<HeaderMap>;
  /** Request body compression. */
  compression?: 'gzip' | 'none';
  /**
   * gzip bodies up to this many bytes on the calling thread (the event loop), larger ones on
   * libuv's thread pool; 0 sends every body to the pool. See compress.ts for the trade.
   */
  gzipOnCallingThreadMaxBytes?: number;
  /** Keep-alive connections to the origin. */
  connections?: number;
  connectTimeoutMs?: number;
  /** Longest wait for response headers, and longest silence while reading the body. */
  timeoutMs?: number;
  keepAliveTimeoutMs?: number;
  tls?: TlsOptions;
  /** A longer response body is an error: it protects the process from a misbehaving server. */
  maxResponseBytes?: number;
  userAgent?: string;
}

/** Sets `gzipOnCallingThreadMaxBytes` for every transport in the process (e.g. 0: always the pool). */
export const GZIP_ON_CALLING_THREAD_ENV = 'OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES';

/**
 * The process-wide limit on bodies compressed on the event loop (`GZIP_ON_CALLING_THREAD_ENV`),
 * checked; undefined when unset. Read by every transport, and by senders that compress bodies
 * themselves (ClickHouse's), whatever the codec.
 */
export function callingThreadMaxBytesFromEnvironment(): number | undefined {
  const text = process.env[GZIP_ON_CALLING_THREAD_ENV];
  return text
    ? integerOption(GZIP_ON_CALLING_THREAD_ENV, asInteger(text), 0, { min: 0 })
    : undefined;
}

export const HTTP_TRANSPORT_DEFAULTS = {
  compression: 'none' as 'gzip' | 'none',
  gzipOnCallingThreadMaxBytes: SYNC_COMPRESS_MAX_BYTES,
  connections: 16,
  connectTimeoutMs: 10_000,
  timeoutMs: 30_000,
  keepAliveTimeoutMs: 30_000,
  maxResponseBytes: 16 * 1024 * 1024,
  userAgent: 'otelpack',
};

export interface HttpRequest {
  method?: string;
  /** Appended to the base URL's path. May carry a query string. */
  path?: string;
  headers?: HeaderMap;
  body?: string | Buffer | Uint8Array;
  /** Overrides the transport's compression for this request. */
  compression?: 'gzip' | 'none';
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request that got no HTTP answer. `retryable` says whether sending it again may work. */
export class TransportError extends OtelpackError {
  readonly retryable: boolean;
  /** The underlying code, e.g. ECONNRESET or UND_ERR_HEADERS_TIMEOUT. */
  readonly networkCode: string | undefined;

  constructor(code: OtelpackErrorCode, message: string, retryable: boolean, networkCode?: string) {
    super(code, message);
    this.name = 'TransportError';
    this.retryable = retryable;
    this.networkCode = networkCode;
  }
}

/**
 * HTTP on undici: one keep-alive pool per transport, gzip request bodies, TLS, static or
 * refreshed auth headers, and the pack's one response classification. Every error it produces
 * has its secrets redacted, and its credentials (headers, TLS key, the pool that holds them) sit
 * in private fields, out of reach of `JSON.stringify` and `util.inspect`.
 */
export class HttpTransport {
  readonly origin: string;
  private readonly basePath: string;
  private readonly baseQuery: string;
  readonly #pool: Pool;
  readonly #staticHeaders: HeaderMap;
  readonly #headerProvider?: () => HeaderMap | Promise<HeaderMap>;
  private readonly compression: 'gzip' | 'none';
  private readonly gzipOnCallingThreadMaxBytes: number;
  private readonly maxResponseBytes: number;
  /**
   * The URL's and static headers' credentials, and those from headerProvider and per-request
   * headers, remembered so that text made after the request, such as classify()'s reason for a
   * body that echoes a refreshed token, is scrubbed of them too.
   */
  readonly #secrets: KnownSecrets;

  constructor(options: HttpTransportOptions) {
    if (!options || typeof options !== 'object') {
      throw new InvalidConfigError('options', 'expected an object with at least url');
    }
    const url = urlOption('url', options.url);
    const d = HTTP_TRANSPORT_DEFAULTS;
    this.compression = enumOption(
      'compression',
      options.compression,
      ['gzip', 'none'],
      d.compression,
    );
    // The option, else the process-wide variable (every exporter's transport: they do not pass
    // the option through), else 256 KB.
    const fromEnvironment =
      options.gzipOnCallingThreadMaxBytes === undefined
        ? callingThreadMaxBytesFromEnvironment()
        : undefined;
    this.gzipOnCallingThreadMaxBytes =
      fromEnvironment !== undefined
        ? fromEnvironment
        : integerOption(
            'gzipOnCallingThreadMaxBytes',
            options.gzipOnCallingThreadMaxBytes,
            d.gzipOnCallingThreadMaxBytes,
            { min: 0 },
          );
    this.maxResponseBytes = integerOption(
      'maxResponseBytes',
      options.maxResponseBytes,
      d.maxResponseBytes,
      { min: 1 },
    );
    if (options.headerProvider !== undefined && typeof options.headerProvider !== 'function') {
      throw new InvalidConfigError('headerProvider', 'expected a function returning headers');
    }
    this.#headerProvider = options.headerProvider;

    const headers: HeaderMap = { 'user-agent': options.userAgent ?? d.userAgent };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (typeof value !== 'string') {
        throw new InvalidConfigError(`headers.${name}`, 'expected a string value');
      }
      setOwnField(headers, name.toLowerCase(), value);
    }
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const password = decodeURIComponent(url.password);
      headers.authorization ??= `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    }
    this.#staticHeaders = headers;
    this.#secrets = new KnownSecrets([...secretsInUrl(url), ...secretsInHeaders(headers)]);

    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.baseQuery = url.search.slice(1);
    const timeoutMs = integerOption('timeoutMs', options.timeoutMs, d.timeoutMs, { min: 1 });
    const tls = options.tls ?? {};
    this.#pool = new Pool(url.origin, {
      connections: integerOption('connections', options.connections, d.connections, { min: 1 }),
      keepAliveTimeout: integerOption(
        'keepAliveTimeoutMs',
        options.keepAliveTimeoutMs,
        d.keepAliveTimeoutMs,
        { min: 1 },
      ),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: {
        timeout: integerOption('connectTimeoutMs', options.connectTimeoutMs, d.connectTimeoutMs, {
          min: 1,
        }),
        ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
        ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
        ...(tls.key !== undefined ? { key: tls.key } : {}),
        ...(tls.servername !== undefined ? { servername: tls.servername } : {}),
        rejectUnauthorized: tls.rejectUnauthorized ?? true,
      },
    });
  }

  /** Scrubs this transport's secrets (and anything credential-shaped) from a text. */
  redact(text: string): string {
    return this.#secrets.redact(text);
  }

  /**
   * Sends one request and reads the whole answer. Throws a TransportError (redacted) when no
   * HTTP answer came; any status, 5xx included, is returned, not thrown.
   */
  async request(request: HttpRequest): Promise<HttpResponse> {
    let headers: HeaderMap = { ...this.#staticHeaders };
    let requestSecrets: string[] = [];
    if (this.#headerProvider) {
      let provided: HeaderMap;
      try {
        provided = await this.#headerProvider();
      } catch (error) {
        throw new TransportError(
          'OTELPACK_ERR_NETWORK',
          this.redact(`header provider failed: ${messageOf(error)}`),
          true,
        );
      }
      for (const [name, value] of Object.entries(provided ?? {}))
        setOwnField(headers, name.toLowerCase(), value);
      requestSecrets = secretsInHeaders(provided ?? {});
    }
    for (const [name, value] of Object.entries(request.headers ?? {}))
      setOwnField(headers, name.toLowerCase(), value);
    requestSecrets.push(...secretsInHeaders(request.headers ?? {}));
    this.#secrets.remember(requestSecrets);

    let body = request.body;
    if (body !== undefined && (request.compression ?? this.compression) === 'gzip') {
      body = await compressBody(body, { codec: 'gzip' }, this.gzipOnCallingThreadMaxBytes);
      headers = { ...headers, 'content-encoding': 'gzip' };
    }

    try {
      const response = await this.#pool.request({
        method: (request.method ?? 'POST') as 'POST',
        path: this.pathFor(request.path),
        headers,
        body: body as Buffer | string | undefined,
        signal: request.signal,
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > this.maxResponseBytes) {
          response.body.destroy();
          throw new TransportError(
            'OTELPACK_ERR_RESPONSE_TOO_LARGE',
            `response body exceeds maxResponseBytes (${this.maxResponseBytes})`,
            false,
          );
        }
        chunks.push(chunk as Buffer);
      }
      return {
        status: response.statusCode,
        headers: response.headers,
        body: Buffer.concat(chunks, size),
      };
    } catch (error) {
      if (error instanceof TransportError) throw error;
      throw this.toTransportError(error, request.signal, requestSecrets);
    }
  }

  /** `request()` and the pack's classification in one call; never throws. */
  async send(request: HttpRequest): Promise<SendResult> {
    try {
      const response = await this.request(request);
      return this.classify(response);
    } catch (error) {
      return this.classifyError(error);
    }
  }

  classify(response: HttpResponse): SendResult {
    const detail = response.status >= 300 ? this.redact(snippet(response.body)) : undefined;
    return classifyStatus(response.status, response.headers['retry-after'], detail);
  }

  classifyError(error: unknown): SendResult {
    const message = this.redact(messageOf(error));
    if (error instanceof TransportError && !error.retryable) {
      return { kind: 'permanent', reason: message };
    }
    const timedOut = error instanceof TransportError && error.code === 'OTELPACK_ERR_TIMEOUT';
    return { kind: 'retryable', reason: message, backpressure: timedOut };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  /**
   * The base URL's path, then the request's path (one slash between), then the base URL's query
   * and the request's query joined.
   */
  private pathFor(requestPath = ''): string {
    const mark = requestPath.indexOf('?');
    let path = mark >= 0 ? requestPath.slice(0, mark) : requestPath;
    const query = [this.baseQuery, mark >= 0 ? requestPath.slice(mark + 1) : '']
      .filter((part) => part !== '')
      .join('&');
    if (path !== '' && !path.startsWith('/')) path = `/${path}`;
    path = this.basePath + path || '/';
    return query ? `${path}?${query}` : path;
  }

  private toTransportError(
    error: unknown,
    signal: AbortSignal | undefined,
    extraSecrets: string[],
  ): TransportError {
    const code = errorCode(error);
    const text = redact(this.redact(messageOf(error)), extraSecrets);
    if (signal?.aborted) {
      const reason = signal.reason as { code?: string } | undefined;
      const timeout =
        reason?.code === 'OTELPACK_ERR_TIMEOUT' ||
        (reason as Error | undefined)?.name === 'TimeoutError';
      return new TransportError(
        timeout ? 'OTELPACK_ERR_TIMEOUT' : 'OTELPACK_ERR_ABORTED',
        `request to ${this.origin} ${timeout ? 'timed out' : 'aborted'}: ${redact(this.redact(messageOf(reason)), extraSecrets)}`,
        true,
        code,
      );
    }
    const timeout =
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT' ||
      code === 'ETIMEDOUT';
    return new TransportError(
      timeout ? 'OTELPACK_ERR_TIMEOUT' : 'OTELPACK_ERR_NETWORK',
      `request to ${this.origin} failed${code ? ` (${code})` : ''}: ${text}`,
      isRetryableNetworkError(error),
      code,
    );
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function snippet(body: Buffer): string {
  const text = body.subarray(0, 512).toString('utf8').replace(/\s+/g, ' ').trim();
  return body.length > 512 ? `${text}…` : text;
}

/** A variable's text as a number when it is one, else the text (for the error's message). */
function asInteger(text: string): number | string {
  const value = Number(text);
  return Number.isNaN(value) ? text : value;
}
