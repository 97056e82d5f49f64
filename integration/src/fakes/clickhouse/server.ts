/*
 * The HTTP server: health endpoints, then for `/` authenticate, read the request (request.ts),
 * run it in the engine under the concurrency limit, and answer with the result or with the
 * exception as ClickHouse prints it, under ClickHouse's status for its code. One log line per
 * query on stdout.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { authenticate } from './auth';
import type { Engine } from './engine';
import { CODES, httpStatusForCode, raise, toClickHouseException } from './errors';
import { Limiter } from './limiter';
import { parseRequest } from './request';
import type { ParsedRequest } from './request';
import { contentTypeFor, EMPTY_SUMMARY, OK, send } from './response';

export interface FrontOptions {
  /** The password of the one user, `default`. */
  password: string;
  /** How many queries may run in the engine at once; the rest wait. */
  maxConcurrent: number;
}

export function createFrontServer(engine: Engine, options: FrontOptions): http.Server {
  const { password } = options;
  const limiter = new Limiter(options.maxConcurrent);
  // Query ids in flight: ClickHouse refuses a second query under an id that is still running.
  const running = new Set<string>();
  const { version, timezone } = engine.defaults;
  const server = http.createServer((request, response) => {
    void handle(request, response);
  });
  // Node's default (5 s) is shorter than what clients keep idle sockets for; a socket the
  // server closes under a client's feet shows up as ECONNRESET in the tests.
  server.keepAliveTimeout = 30_000;
  return server;

  async function handle(
    request: http.IncomingMessage,
    response: http.ServerResponse,
  ): Promise<void> {
    const started = Date.now();
    const url = new URL(request.url ?? '/', 'http://front');
    const log = (status: number, detail: string): void => {
      process.stdout.write(
        `${new Date().toISOString()} ${request.method} ${url.pathname} ${status} ${Date.now() - started}ms ${detail}\n`,
      );
    };
    if (
      (url.pathname === '/ping' || url.pathname === '/replicas_status') &&
      (request.method === 'GET' || request.method === 'HEAD')
    ) {
      send(request, response, 200, { 'Content-Type': 'text/html; charset=UTF-8' }, OK);
      return;
    }
    if (url.pathname !== '/') {
      send(
        request,
        response,
        404,
        { 'Content-Type': 'text/plain; charset=UTF-8' },
        Buffer.from(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`),
      );
      log(404, 'no handler');
      return;
    }
    const hasBody =
      (request.headers['content-length'] !== undefined &&
        request.headers['content-length'] !== '0') ||
      request.headers['transfer-encoding'] !== undefined;
    if (
      (request.method === 'GET' || request.method === 'HEAD') &&
      !url.searchParams.has('query') &&
      !hasBody
    ) {
      send(request, response, 200, { 'Content-Type': 'text/html; charset=UTF-8' }, OK);
      return;
    }

    let parsed: ParsedRequest | undefined;
    let queryId = url.searchParams.get('query_id') || randomUUID();
    try {
      authenticate(request, url, password);
      parsed = await parseRequest(request, url, engine.defaults);
      queryId = parsed.queryId;
      if (running.has(queryId)) {
        raise(
          'QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING',
          `Query with id = ${queryId} is already running.`,
        );
      }
      running.add(queryId);
      const current = parsed;
      try {
        const outcome = await limiter.run(() => engine.run(current));
        send(
          request,
          response,
          200,
          {
            'Content-Type': contentTypeFor(outcome.format),
            'X-ClickHouse-Query-Id': queryId,
            'X-ClickHouse-Format': outcome.format,
            'X-ClickHouse-Timezone': timezone,
            'X-ClickHouse-Summary': JSON.stringify(outcome.summary),
          },
          outcome.body,
          current.compression,
        );
        const settings = current.settings.map(([k, v]) => `${k}=${v}`).join('&');
        log(
          200,
          `${queryId} ${outcome.statement.slice(0, 200).replace(/\s+/g, ' ')}${settings ? ` [${settings}]` : ''}`,
        );
      } finally {
        running.delete(queryId);
      }
    } catch (error) {
      // Drain what is left of the body so that the connection can be kept alive.
      request.resume();
      const exception = toClickHouseException(error);
      const status = httpStatusForCode(exception.code);
      const headers: Record<string, string> = {
        'Content-Type': 'text/plain; charset=UTF-8',
        'X-ClickHouse-Query-Id': queryId,
        'X-ClickHouse-Exception-Code': String(exception.code),
        'X-ClickHouse-Timezone': timezone,
        'X-ClickHouse-Summary': JSON.stringify(EMPTY_SUMMARY),
      };
      if (exception.code === CODES.REQUIRED_PASSWORD)
        headers['WWW-Authenticate'] = 'Basic realm="ClickHouse server HTTP API"';
      const text = `${exception.render(version)}\n`;
      send(request, response, status, headers, Buffer.from(text, 'utf8'), parsed?.compression);
      log(status, `${queryId} ${text.trim().slice(0, 300)}`);
    }
  }
}
