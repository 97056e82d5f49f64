import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentCoding, decompress, readBody } from '../http-util';
import { countItems, decodeProtobufRequest, encodeExportResponse } from '../../protocols/otlp';
import type { OtlpRequest, OtlpSignal } from '../../protocols/otlp';
import { LineError, parseLine } from './lines';
import type { Parsed } from './lines';

/*
 * THIS IS A FAKE, not Dynatrace: an in-memory stand-in for a Dynatrace environment's ingest APIs
 * and a OneAgent's local metric ingest, written from Dynatrace's documentation ("Metrics API -
 * POST ingest data points", "Metric ingestion protocol", the OpenTelemetry trace and log ingest
 * pages), answering with the documented bodies:
 *
 *   POST /api/v2/metrics/ingest            lines (./lines.ts), Authorization: Api-Token <token>
 *   POST /metrics/ingest                   the same without a token (the OneAgent's endpoint)
 *        202 {"linesOk":n,"linesInvalid":0,"error":null,"warnings":…}
 *        400 {"linesOk":n,"linesInvalid":m,"error":{"code":400,"message":"m invalid lines",
 *             "invalidLines":[{"line":<1-based>,"error":"…"}]},"warnings":…}
 *        401 no or another token; 413 over 1 MB; 415 not text/plain
 *   POST /api/v2/otlp/v1/traces|logs|metrics   OTLP protobuf only (JSON 415), with the token;
 *        413 over 8 MB (traces), 2 MB (logs), 4 MB (metrics); a log request with a record
 *        over 24 hours old 400 timestamps_out_of_range (the whole request)
 *   GET  /                                 {"fake": "otelpack Dynatrace ingest fake", …}
 *   GET  /_otelpack_fake/lines             accepted lines (parsed), with path and request number
 *   GET  /_otelpack_fake/requests          every metric request: path, headers, line counts
 *   GET  /_otelpack_fake/otlp?signal=…     decoded OTLP requests
 *   POST /_otelpack_fake/refuse            {"keyPrefix","error"}: lines of such keys are invalid
 *                                          with that error (as a limit or policy would refuse them)
 *   DELETE /_otelpack_fake/refuse          no more refusals
 */

export const FAKE_NAME = 'otelpack Dynatrace ingest fake';
/** The API token this fake's environment accepts. */
export const FAKE_TOKEN = 'dt0c01.OTELPACKFAKE.0123456789abcdef';

const METRIC_PATHS = new Set(['/api/v2/metrics/ingest', '/metrics/ingest']);
const OTLP_PATHS: Record<string, OtlpSignal> = {
  '/api/v2/otlp/v1/traces': 'traces',
  '/api/v2/otlp/v1/logs': 'logs',
  '/api/v2/otlp/v1/metrics': 'metrics',
};
const METRIC_PAYLOAD_LIMIT = 1_000_000;
const OTLP_LIMITS: Record<OtlpSignal, number> = {
  traces: 8 * 1024 * 1024,
  logs: 2 * 1024 * 1024,
  metrics: 4 * 1024 * 1024,
};

export interface StoredLine {
  path: string;
  request: number;
  text: string;
  parsed: Parsed;
}

export interface MetricRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  lines: number;
  linesOk: number;
  linesInvalid: number;
}

export interface StoredOtlp {
  signal: OtlpSignal;
  headers: http.IncomingHttpHeaders;
  items: number;
  request: OtlpRequest;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8' });
  res.end(JSON.stringify(body));
}

function apiError(res: http.ServerResponse, status: number, message: string): void {
  json(res, status, { error: { code: status, message } });
}

const LOG_MAX_AGE_MS = 24 * 3_600_000;

/** Whether a log record of the request is older than the log ingest takes (its time, else observed). */
function hasStaleLog(request: OtlpRequest, nowMs: number): boolean {
  const list = (value: unknown) =>
    Array.isArray(value) ? (value as Record<string, unknown>[]) : [];
  for (const resource of list(request.resourceLogs)) {
    for (const scope of list(resource.scopeLogs)) {
      for (const record of list(scope.logRecords)) {
        const nanos = Number(record.timeUnixNano ?? 0) || Number(record.observedTimeUnixNano ?? 0);
        if (nanos > 0 && nanos / 1e6 < nowMs - LOG_MAX_AGE_MS) return true;
      }
    }
  }
  return false;
}

export class DynatraceFake {
  readonly lines: StoredLine[] = [];
  readonly metricRequests: MetricRequest[] = [];
  readonly otlp: StoredOtlp[] = [];
  private refusals: { keyPrefix: string; error: string }[] = [];
  private readonly server = http.createServer((req, res) => {
    this.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) apiError(res, 500, `${FAKE_NAME}: ${String(error)}`);
    });
  });

  async listen(port: number, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, resolve);
    });
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private authorized(req: http.IncomingMessage): boolean {
    return req.headers.authorization === `Api-Token ${FAKE_TOKEN}`;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname;
    if (req.method === 'POST' && METRIC_PATHS.has(path)) return this.ingestLines(path, req, res);
    if (req.method === 'POST' && OTLP_PATHS[path])
      return this.ingestOtlp(OTLP_PATHS[path], req, res);
    if (req.method === 'GET' && path === '/') {
      return json(res, 200, {
        fake: FAKE_NAME,
        paths: [...METRIC_PATHS, ...Object.keys(OTLP_PATHS)],
      });
    }
    if (req.method === 'GET' && path === '/_otelpack_fake/lines') return json(res, 200, this.lines);
    if (req.method === 'GET' && path === '/_otelpack_fake/requests')
      return json(res, 200, this.metricRequests);
    if (req.method === 'GET' && path === '/_otelpack_fake/otlp') {
      const signal = url.searchParams.get('signal');
      return json(
        res,
        200,
        this.otlp.filter((r) => !signal || r.signal === signal),
      );
    }
    if (path === '/_otelpack_fake/refuse' && req.method === 'POST') {
      const { body } = await readBody(req, 64 * 1024);
      const rule = JSON.parse(body.toString('utf8')) as { keyPrefix: string; error: string };
      this.refusals.push(rule);
      return json(res, 200, { refusals: this.refusals.length });
    }
    if (path === '/_otelpack_fake/refuse' && req.method === 'DELETE') {
      this.refusals = [];
      return json(res, 200, { refusals: 0 });
    }
    req.resume();
    apiError(res, 404, `${path} not found`);
  }

  private async body(
    req: http.IncomingMessage,
    limit: number,
  ): Promise<Buffer | 'too large' | 'bad encoding'> {
    const { body: raw, tooLarge } = await readBody(req, limit * 20);
    if (tooLarge) return 'too large';
    const coding = contentCoding(req.headers['content-encoding']);
    let body: Buffer | undefined;
    try {
      body = coding === '' ? raw : decompress(raw, coding, { maxOutputLength: limit + 1 });
    } catch {
      return 'too large';
    }
    if (!body) return 'bad encoding';
    return body.length > limit ? 'too large' : body;
  }

  private async ingestLines(
    path: string,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    if (path.startsWith('/api/') && !this.authorized(req)) {
      req.resume();
      return apiError(res, 401, 'Token Authentication failed');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (type !== 'text/plain') {
      req.resume();
      return apiError(res, 415, `Unsupported content type ${type}`);
    }
    const body = await this.body(req, METRIC_PAYLOAD_LIMIT);
    if (body === 'too large') return apiError(res, 413, 'Payload too large');
    if (body === 'bad encoding') return apiError(res, 400, 'Unsupported content encoding');
    const texts = body.toString('utf8').split(/\r?\n/);
    const request = this.metricRequests.length + 1;
    const invalidLines: { line: number; error: string }[] = [];
    const warningLines: { line: number; warning: string }[] = [];
    let linesOk = 0;
    let lines = 0;
    texts.forEach((text, i) => {
      if (text.trim() === '') return;
      lines++;
      try {
        const parsed = parseLine(text);
        const refusal = this.refusals.find((r) => parsed.key.startsWith(r.keyPrefix));
        if (refusal) throw new LineError(refusal.error);
        if (parsed.kind === 'data' && parsed.warning)
          warningLines.push({ line: i + 1, warning: parsed.warning });
        this.lines.push({ path, request, text, parsed });
        linesOk++;
      } catch (error) {
        if (!(error instanceof LineError)) throw error;
        invalidLines.push({ line: i + 1, error: error.message });
      }
    });
    this.metricRequests.push({
      path,
      headers: req.headers,
      lines,
      linesOk,
      linesInvalid: invalidLines.length,
    });
    const warnings =
      warningLines.length > 0 ? { message: `${warningLines.length} warnings`, warningLines } : null;
    if (lines === 0) return apiError(res, 400, 'Empty payload');
    if (invalidLines.length === 0) {
      return json(res, 202, { linesOk, linesInvalid: 0, error: null, warnings });
    }
    return json(res, 400, {
      linesOk,
      linesInvalid: invalidLines.length,
      error: { code: 400, message: `${invalidLines.length} invalid lines`, invalidLines },
      warnings,
    });
  }

  private async ingestOtlp(
    signal: OtlpSignal,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    if (!this.authorized(req)) {
      req.resume();
      return apiError(res, 401, 'Token Authentication failed');
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim();
    if (type !== 'application/x-protobuf') {
      req.resume();
      return apiError(res, 415, `Unsupported content type ${type}: only application/x-protobuf`);
    }
    const body = await this.body(req, OTLP_LIMITS[signal]);
    if (body === 'too large') return apiError(res, 413, 'OTLP_MESSAGE_MAX_SIZE_EXCEEDED');
    if (body === 'bad encoding') return apiError(res, 400, 'Unsupported content encoding');
    let request: OtlpRequest;
    try {
      request = decodeProtobufRequest(signal, body);
    } catch (error) {
      return apiError(res, 400, `Invalid protobuf: ${String(error)}`);
    }
    if (signal === 'logs' && hasStaleLog(request, Date.now())) {
      // The log ingest refuses the whole request for one record over 24 hours old.
      return apiError(res, 400, 'timestamps_out_of_range');
    }
    this.otlp.push({ signal, headers: req.headers, items: countItems(signal, request), request });
    res.writeHead(200, { 'content-type': 'application/x-protobuf' });
    res.end(encodeExportResponse(signal, false));
  }
}
