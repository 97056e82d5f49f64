import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { decompress, contentCoding, readBody, sendJson as json } from '../http-util';
import {
  countItems,
  decodeJsonRequest,
  decodeProtobufRequest,
  encodeExportResponse,
  encodeStatus,
} from '../../protocols/otlp';
import type { OtlpRequest, OtlpSignal } from '../../protocols/otlp';
import { SCOPE_HEADER, selectStored, serveFaultControl, takeFault } from './faults';
import type { ScopeFaults } from './faults';

/*
 * THIS IS A FAKE, not an OpenTelemetry Collector: an OTLP/HTTP receiver that decodes every
 * request with the official definitions (integration/proto, through src/protocols/otlp.ts),
 * keeps what it decoded for the tests to read back, and answers as OTLP/HTTP specifies:
 * an Export…ServiceResponse (with a partial_success when told to) in the request's encoding, a
 * google.rpc.Status body on errors, 413 above a size limit, and the faults of ./faults.ts.
 *
 *   POST /v1/traces | /v1/logs | /v1/metrics       OTLP/HTTP, protobuf or JSON, gzip or not
 *   POST /traces/otlp/v0.9 | /metrics/otlp/v0.9    the same, at the Cloud Observability ingest's paths
 *   GET  /                                         {"fake": "otelpack OTLP receiver fake", …}
 *   GET  /_otelpack_fake/requests?signal=traces    the decoded requests (JSON), with their headers
 *   POST /_otelpack_fake/faults                    scripted faults for one scope (faults.ts)
 *   DELETE /_otelpack_fake/faults?scope=…          that scope's faults cleared
 */

export const FAKE_NAME = 'otelpack OTLP receiver fake';

const PATHS: Record<string, OtlpSignal> = {
  '/v1/traces': 'traces',
  '/v1/logs': 'logs',
  '/v1/metrics': 'metrics',
  // ServiceNow Cloud Observability's (Lightstep's) ingest paths, for the Lightstep preset.
  '/traces/otlp/v0.9': 'traces',
  '/metrics/otlp/v0.9': 'metrics',
};

/** The Collector's OTLP/HTTP receiver default (confighttp max_request_body_size: 20 MiB). */
const DEFAULT_MAX_REQUEST_BYTES = 20 * 1024 * 1024;

/** gRPC codes the receiver answers with. */
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNAVAILABLE = 14;

export interface StoredRequest {
  signal: OtlpSignal;
  encoding: 'protobuf' | 'json';
  headers: Record<string, string | string[] | undefined>;
  /** Bytes on the wire (compressed, when it was). */
  wireBytes: number;
  items: number;
  /** Items the fake's partial success said it rejected. */
  rejected: number;
  request: OtlpRequest;
}

export class OtlpFake {
  readonly requests: StoredRequest[] = [];
  private readonly faults = new Map<string, ScopeFaults>();
  private readonly server: http.Server;

  constructor() {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(`${FAKE_NAME}: ${String(error)}`);
        }
      });
    });
  }

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    return `http://${host}:${address.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const signal = PATHS[url.pathname];
    if (req.method === 'POST' && signal) return this.receive(signal, req, res);
    if (url.pathname === '/' && req.method === 'GET') {
      return json(res, 200, { fake: FAKE_NAME, paths: Object.keys(PATHS) });
    }
    if (url.pathname === '/_otelpack_fake/requests' && req.method === 'GET') {
      return json(res, 200, selectStored(this.requests, url));
    }
    if (await serveFaultControl(req, res, url, this.faults)) return;
    req.resume();
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found\n');
  }

  private async receive(
    signal: OtlpSignal,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const scope = header(req.headers[SCOPE_HEADER]);
    const faults = scope === undefined ? undefined : this.faults.get(scope);
    // Taken at arrival, so that the script follows the order requests come in.
    const fault = takeFault(faults);
    const contentType = (header(req.headers['content-type']) ?? '').split(';')[0].trim();
    const encoding =
      contentType === 'application/x-protobuf'
        ? 'protobuf'
        : contentType === 'application/json'
          ? 'json'
          : undefined;
    const asJson = encoding === 'json';
    const status = (
      code: number,
      rpcCode: number,
      message: string,
      extra: http.OutgoingHttpHeaders = {},
    ) => {
      res.writeHead(code, {
        'content-type': asJson ? 'application/json' : 'application/x-protobuf',
        ...extra,
      });
      res.end(encodeStatus(rpcCode, `${message} [${FAKE_NAME}]`, asJson));
    };

    if (fault?.kind === 'reset') {
      req.once('data', () => req.socket.destroy());
      return;
    }
    const { body: raw, bytes } = await readBody(req);
    if (fault?.kind === 'stall') return; // never answered: the client's timeout ends it
    if (fault?.kind === 'status') {
      return status(fault.status, UNAVAILABLE, `scripted status ${fault.status}`, {
        ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
      });
    }
    if (!encoding) {
      res.writeHead(415, { 'content-type': 'text/plain' });
      res.end(`415 unsupported content type ${contentType}`);
      return;
    }
    let body: Buffer;
    try {
      const coding = contentCoding(header(req.headers['content-encoding']));
      body = coding === '' ? raw : (decompress(raw, coding) ?? Buffer.alloc(0));
      if (coding !== '' && body.length === 0 && raw.length > 0) {
        return status(400, INVALID_ARGUMENT, `unsupported content-encoding ${coding}`);
      }
    } catch (error) {
      return status(400, INVALID_ARGUMENT, `body does not decompress: ${String(error)}`);
    }
    const limit = faults?.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES;
    if (body.length > limit) {
      return status(
        413,
        RESOURCE_EXHAUSTED,
        `request body of ${body.length} bytes is over ${limit}`,
      );
    }
    let request: OtlpRequest;
    try {
      request = asJson ? decodeJsonRequest(signal, body) : decodeProtobufRequest(signal, body);
    } catch (error) {
      return status(400, INVALID_ARGUMENT, `request does not decode: ${String(error)}`);
    }
    const items = countItems(signal, request);
    const partial = fault?.kind === 'partial_success' ? fault : undefined;
    const rejected = partial ? Math.min(partial.rejected, items) : 0;
    this.requests.push({
      signal,
      encoding,
      headers: req.headers,
      wireBytes: bytes,
      items,
      rejected,
      request,
    });
    const answer = () => {
      res.writeHead(200, {
        'content-type': asJson ? 'application/json' : 'application/x-protobuf',
      });
      res.end(
        encodeExportResponse(
          signal,
          asJson,
          partial ? { rejected, message: `${partial.message} [${FAKE_NAME}]` } : undefined,
        ),
      );
    };
    if (fault?.kind === 'slow') setTimeout(answer, fault.delayMs).unref();
    else answer();
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
