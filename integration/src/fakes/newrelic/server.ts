import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentCoding, decompress, readBody, sendJson as json } from '../http-util';
import { SCOPE_HEADER, selectStored, serveFaultControl, takeFault } from '../otlp/faults';
import type { ScopeFaults } from '../otlp/faults';
import {
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeExportResponse,
} from '../../protocols/otlp';
import type { OtlpSignal } from '../../protocols/otlp';
import { FAKE_LICENSE_KEY } from './account';
import { checkRequest } from './limits';
import type { NrIntegrationError } from './limits';

/*
 * THIS IS A FAKE, not New Relic: an imitation of New Relic's OTLP/HTTP endpoint
 * (otlp.nr-data.net), written from New Relic's documentation, for tests that cannot reach the
 * real one. It decodes with the official .proto files and answers as New Relic documents:
 *
 *   POST /v1/traces | /v1/logs | /v1/metrics   OTLP/HTTP, protobuf or JSON, gzip or not
 *     no `api-key` header                      401
 *     a key this account does not have         403 (also an EU key, eu01x…, at a US endpoint)
 *     a body over 10^6 bytes as sent           413 (the limit per POST, compressed)
 *     a body that does not decode              400
 *     scripted: 429 with Retry-After, 503, …   (../otlp/faults.ts, per x-otelpack-fault-scope)
 *     otherwise                                200 with an empty Export…ServiceResponse (OTLP's
 *                                              success; New Relic's native APIs answer 202,
 *                                              which the preset counts delivered as well); the
 *                                              items New Relic would drop later (./limits.ts)
 *                                              are recorded as NrIntegrationError events, as
 *                                              New Relic does after answering 2xx
 *   any other path                             404
 *   GET  /                                     {"fake": "otelpack New Relic OTLP fake", …}
 *   GET  /_otelpack_fake/requests?signal=&scope=             what was decoded, with headers
 *   GET  /_otelpack_fake/nrintegrationerrors?scope=          the NrIntegrationError events
 *   GET  /_otelpack_fake/answers?scope=                      the status of every answer
 *   POST|DELETE /_otelpack_fake/faults                        as the OTLP fake's
 */

export const FAKE_NAME = 'otelpack New Relic OTLP fake';
export { FAKE_LICENSE_KEY };

/** New Relic's limit per POST: 1 MB (10^6 bytes), compressed. */
export const MAX_PAYLOAD_BYTES = 1_000_000;

const PATHS: Record<string, OtlpSignal> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
};

export interface StoredNewRelicRequest {
  signal: OtlpSignal;
  headers: Record<string, string | string[] | undefined>;
  /** Bytes as sent (compressed when it was). */
  wireBytes: number;
  items: number;
  /** Items New Relic would drop after the 2xx (an NrIntegrationError each). */
  dropped: number;
  request: Record<string, unknown>;
}

export interface NewRelicFakeOptions {
  /** The account's license keys. Default: FAKE_LICENSE_KEY. */
  keys?: string[];
  /** The data center the fake stands for: an EU key is refused at a US endpoint. */
  region?: 'us' | 'eu';
  clock?: () => number;
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function text(res: http.ServerResponse, code: number, message: string, extra = {}): void {
  res.writeHead(code, { 'content-type': 'text/plain', ...extra });
  res.end(`${message} [${FAKE_NAME}]`);
}

export class NewRelicFake {
  readonly requests: StoredNewRelicRequest[] = [];
  readonly integrationErrors: (NrIntegrationError & { scope: string | undefined })[] = [];
  /** The status of every answer to a POST, for tests that count refusals (413, 429, …). */
  readonly answers: { scope: string | undefined; status: number }[] = [];
  private readonly faults = new Map<string, ScopeFaults>();
  private readonly server: http.Server;
  private readonly keys: Set<string>;
  private readonly region: 'us' | 'eu';
  private readonly clock: () => number;

  constructor(options: NewRelicFakeOptions = {}) {
    this.keys = new Set(options.keys ?? [FAKE_LICENSE_KEY]);
    this.region = options.region ?? 'us';
    this.clock = options.clock ?? Date.now;
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) text(res, 500, String(error));
      });
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const signal = PATHS[url.pathname];
    const scope = url.searchParams.get('scope');
    if (req.method === 'POST' && signal) return this.receive(signal, req, res);
    if (req.method === 'GET' && url.pathname === '/') {
      return json(res, 200, { fake: FAKE_NAME, region: this.region, paths: Object.keys(PATHS) });
    }
    if (req.method === 'GET' && url.pathname === '/_otelpack_fake/requests') {
      return json(res, 200, selectStored(this.requests, url));
    }
    if (req.method === 'GET' && url.pathname === '/_otelpack_fake/answers') {
      return json(
        res,
        200,
        this.answers.filter((a) => !scope || a.scope === scope),
      );
    }
    if (req.method === 'GET' && url.pathname === '/_otelpack_fake/nrintegrationerrors') {
      return json(
        res,
        200,
        this.integrationErrors.filter((e) => !scope || e.scope === scope),
      );
    }
    if (await serveFaultControl(req, res, url, this.faults)) return;
    req.resume();
    text(res, 404, '404 Not Found');
  }

  private async receive(
    signal: OtlpSignal,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const scope = header(req.headers[SCOPE_HEADER]);
    res.once('finish', () => this.answers.push({ scope, status: res.statusCode }));
    const fault = takeFault(scope === undefined ? undefined : this.faults.get(scope));
    if (fault?.kind === 'reset') {
      req.once('data', () => req.socket.destroy());
      return;
    }
    const { body: raw, bytes, tooLarge } = await readBody(req, MAX_PAYLOAD_BYTES);
    if (fault?.kind === 'stall') return;
    const key = header(req.headers['api-key']);
    if (!key) return text(res, 401, 'missing api-key header');
    if (!this.keys.has(key) || (this.region === 'us' && /^eu\d\dx/i.test(key))) {
      return text(res, 403, 'invalid license key');
    }
    if (fault?.kind === 'status') {
      const extra = fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {};
      return text(res, fault.status, `scripted status ${fault.status}`, extra);
    }
    if (tooLarge) {
      return text(res, 413, `payload of ${bytes} bytes is over ${MAX_PAYLOAD_BYTES}`);
    }
    const contentType = (header(req.headers['content-type']) ?? '').split(';')[0].trim();
    const asJson = contentType === 'application/json';
    if (!asJson && contentType !== 'application/x-protobuf') {
      return text(res, 400, `unsupported content type ${contentType}`);
    }
    let request: Record<string, unknown>;
    try {
      const coding = contentCoding(header(req.headers['content-encoding']));
      const body = coding === '' ? raw : decompress(raw, coding);
      if (!body) return text(res, 400, `unsupported content-encoding ${coding}`);
      request = asJson ? decodeJsonRequest(signal, body) : decodeProtobufRequest(signal, body);
    } catch (error) {
      return text(res, 400, `request does not decode: ${String(error)}`);
    }
    const checked = checkRequest(signal, request, this.clock());
    for (const error of checked.errors) this.integrationErrors.push({ ...error, scope });
    this.requests.push({
      signal,
      headers: req.headers,
      wireBytes: bytes,
      items: checked.items,
      dropped: checked.errors.length,
      request,
    });
    res.writeHead(200, { 'content-type': asJson ? 'application/json' : 'application/x-protobuf' });
    res.end(encodeExportResponse(signal, asJson));
  }
}
