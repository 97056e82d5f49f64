/*
 * The HTTP side of the fake: read and decode the body, enforce the size limits, check media
 * types, route, and turn what a handler throws into Elasticsearch's error responses. Also logs
 * and counts each request for the admin API.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { contentCoding, decompress, isTooLarge, readBody } from '../http-util';
import { admin } from './admin';
import { EsError, illegalArgument, StringError } from './errors';
import { overFaultLimit } from './faults';
import { checkMediaTypes, responseContentType } from './media-types';
import { Reply } from './reply';
import { matchRoute, ROUTES } from './routes';
import { createState, REQUEST_LOG_SIZE } from './state';
import type { ElasticsearchFakeOptions, FakeState } from './state';

export type { ElasticsearchFakeOptions } from './state';

/** The admin API takes small JSON bodies; this only keeps a runaway client from filling memory. */
const ADMIN_BODY_LIMIT = 10 * 1024 * 1024;

/**
 * `gzip` and `deflate` (with or without the zlib wrapper) are decoded; any other coding passes
 * through undecoded, as in Elasticsearch's HTTP layer, and the parser then fails on it. Going past
 * `limit` once decoded is 'too_large'.
 */
function decodeBody(
  raw: Buffer,
  encoding: string | undefined,
  limit: number,
): Buffer | 'too_large' {
  const coding = contentCoding(encoding);
  if (raw.length === 0 || coding === '' || coding === 'identity') return raw;
  if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== 'deflate') return raw;
  try {
    return decompress(raw, coding, { maxOutputLength: limit, rawDeflateFallback: true }) ?? raw;
  } catch (error) {
    if (isTooLarge(error)) return 'too_large';
    throw illegalArgument(
      `otelpack fake: the request body is not valid ${coding} (${(error as Error).message})`,
    );
  }
}

export class ElasticsearchFake {
  readonly version: string;
  readonly major: number;
  private readonly state: FakeState;

  constructor(options: ElasticsearchFakeOptions = {}) {
    this.state = createState(options);
    this.version = this.state.version;
    this.major = this.state.major;
  }

  /** The request listener, for `http.createServer`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.handle(req, res);
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const state = this.state;
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const uri = req.url ?? '/';
    const url = new URL(uri, 'http://fake.invalid');
    const reply = new Reply(
      res,
      method,
      url.searchParams,
      responseContentType(req.headers, state.major),
    );
    let bodyBytes = 0;
    let decodedBytes = 0;
    state.stats.requests.total++;
    try {
      const segments = url.pathname
        .split('/')
        .filter((s) => s !== '')
        .map((s) => decodeURIComponent(s));
      if (segments[0] === '_otelpack_fake') {
        const read = await readBody(req, ADMIN_BODY_LIMIT);
        bodyBytes = read.bytes;
        if (read.tooLarge) throw illegalArgument('otelpack fake: admin request body too large');
        admin(state, method, segments.slice(1), read.body, reply);
        return;
      }
      const read = await readBody(req, state.maxContentLength);
      bodyBytes = read.bytes;
      state.stats.bytesReceived += read.bytes;
      const body = read.tooLarge
        ? 'too_large'
        : decodeBody(read.body, req.headers['content-encoding'], state.maxContentLength);
      if (body === 'too_large' || overFaultLimit(state.faults, segments, body)) {
        state.stats.tooLarge++;
        // Elasticsearch's HTTP layer answers this before any handler, with no body at all.
        reply.empty(413);
        return;
      }
      decodedBytes = body.length;
      state.stats.bytesDecoded += body.length;
      checkMediaTypes(req.headers, body.length > 0, state.major);
      await this.dispatch(method, segments, url, body, reply, started);
    } catch (error) {
      replyError(reply, error);
    } finally {
      state.requestLog.push({
        at: new Date().toISOString(),
        method,
        uri,
        headers: req.headers,
        bodyBytes,
        decodedBytes,
        status: reply.status,
        durationMs: Math.round(performance.now() - started),
      });
      if (state.requestLog.length > REQUEST_LOG_SIZE) state.requestLog.shift();
    }
  }

  /** A path with no route is 400 and a route without the method 405, as Elasticsearch answers. */
  private async dispatch(
    method: string,
    segments: string[],
    url: URL,
    body: Buffer,
    reply: Reply,
    started: number,
  ): Promise<void> {
    for (const route of ROUTES) {
      const params = matchRoute(route.pattern, segments);
      if (!params) continue;
      const handler = route.methods[method];
      if (!handler) {
        const allowed = Object.keys(route.methods).join(', ');
        throw new StringError(
          405,
          `Incorrect HTTP method for uri [${url.pathname}${url.search}] and method [${method}], allowed: [${allowed}]`,
          { allow: allowed },
        );
      }
      const byEndpoint = this.state.stats.requests.byEndpoint;
      byEndpoint[route.endpoint] = (byEndpoint[route.endpoint] ?? 0) + 1;
      const state = this.state;
      await handler({ state, method, params, query: url.searchParams, body, reply, started });
      return;
    }
    throw new StringError(
      400,
      `no handler found for uri [${url.pathname}${url.search}] and method [${method}]`,
    );
  }
}

/** What a handler threw, as a response; anything unexpected is a 500 and a line on stderr. */
function replyError(reply: Reply, error: unknown): void {
  if (error instanceof EsError) {
    reply.json(error.status, error.responseBody());
  } else if (error instanceof StringError) {
    reply.json(error.status, { error: error.message, status: error.status }, error.headers);
  } else if (error instanceof URIError) {
    reply.json(
      400,
      illegalArgument(`otelpack fake: cannot decode path (${error.message})`).responseBody(),
    );
  } else {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`otelpack elasticsearch fake: internal error: ${message}\n`);
    reply.json(
      500,
      new EsError(
        500,
        'exception',
        `otelpack fake internal error: ${String(error)}`,
      ).responseBody(),
    );
  }
}

export interface StartedFake {
  url: string;
  server: http.Server;
  fake: ElasticsearchFake;
  close(): Promise<void>;
}

export function startElasticsearchFake(
  options: ElasticsearchFakeOptions & { port?: number; host?: string } = {},
): Promise<StartedFake> {
  const fake = new ElasticsearchFake(options);
  const server = http.createServer(fake.listener);
  // Clients keep connections alive for seconds; closing ours first would race their reuse
  // and show up in tests as random ECONNRESETs.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      resolve({
        url: `http://${address.address}:${address.port}`,
        server,
        fake,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
