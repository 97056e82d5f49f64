/*
 * THIS IS A FAKE, not a Datadog trace Agent: otelpack's receiver fake for the Agent's trace intake
 * `/v0.4/traces`, written from what the Agent and dd-trace-js document and do:
 *
 * - `PUT` or `POST /v0.4/traces`, body msgpack (`Content-Type: application/msgpack`) or JSON: an
 *   array of traces, each an array of spans `{trace_id, span_id, parent_id, name, resource,
 *   service, type, error, start, duration, meta, metrics}` (ids uint64, times int64 ns);
 * - `X-Datadog-Trace-Count` must match the number of traces;
 * - answers `200 {"rate_by_service": {"service:,env:": 1, …}}` (the rates tracers sample with),
 *   `400` for a body it cannot decode, `413` past its size limit (the Agent's 50 MB by default),
 *   and whatever faults a test queues (`429`, `503`, …);
 * - `GET /info` lists the endpoints.
 *
 * It decodes msgpack with @msgpack/msgpack (ids as bigint) and keeps every span it took.
 *
 *   node --import tsx src/fakes/datadog-trace-agent-fake.ts --port 8126
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { decode } from '@msgpack/msgpack';
import { closeLocal, listenLocal, readBody } from './http-util';

export const FAKE_NAME = 'otelpack Datadog trace-agent fake';
export const AGENT_MAX_PAYLOAD_BYTES = 50 * 1024 * 1024;

export interface ReceivedSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  name: string;
  resource: string;
  service: string;
  type?: string;
  error: number;
  start: bigint;
  duration: bigint;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

export interface ReceivedPayload {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  traces: ReceivedSpan[][];
}

function asBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  throw new Error(`expected an integer, got ${typeof value}`);
}

/** Checks one decoded span as the Agent's decoder would; throws with why. */
export function checkSpan(raw: unknown): ReceivedSpan {
  if (!raw || typeof raw !== 'object') throw new Error('a span must be a map');
  const span = raw as Record<string, unknown>;
  for (const key of ['name', 'resource', 'service']) {
    if (typeof span[key] !== 'string') throw new Error(`span.${key} must be a string`);
  }
  const meta = (span.meta ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(meta)) {
    if (typeof v !== 'string') throw new Error(`meta.${k} must be a string`);
  }
  const metrics = (span.metrics ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number') throw new Error(`metrics.${k} must be a number`);
  }
  return {
    trace_id: asBigInt(span.trace_id),
    span_id: asBigInt(span.span_id),
    parent_id: asBigInt(span.parent_id ?? 0),
    name: span.name as string,
    resource: span.resource as string,
    service: span.service as string,
    ...(typeof span.type === 'string' ? { type: span.type } : {}),
    error: Number(span.error ?? 0),
    start: asBigInt(span.start),
    duration: asBigInt(span.duration),
    meta: meta as Record<string, string>,
    metrics: metrics as Record<string, number>,
  };
}

export class TraceAgentFake {
  readonly payloads: ReceivedPayload[] = [];
  readonly refused: { status: number; reason: string }[] = [];
  /** Statuses to answer to the next requests, in order, before decoding them. */
  readonly faults: number[] = [];
  maxPayloadBytes = AGENT_MAX_PAYLOAD_BYTES;
  rateByService: Record<string, number> = { 'service:,env:': 1 };
  private server: Server | undefined;

  spans(): ReceivedSpan[] {
    return this.payloads.flatMap((p) => p.traces.flat());
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return listenLocal(this.server, port);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeLocal(server);
  }

  private answer(res: ServerResponse, status: number, body: string, type = 'text/plain'): void {
    if (status >= 400) this.refused.push({ status, reason: body });
    res.writeHead(status, { 'content-type': type });
    res.end(body);
  }

  /** Answers one request (public, so that one server can front several fakes). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/info') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ version: 'fake', endpoints: ['/v0.4/traces'] }));
      return;
    }
    if (path !== '/v0.4/traces' || (req.method !== 'PUT' && req.method !== 'POST')) {
      await readBody(req);
      this.answer(res, 404, '404 page not found');
      return;
    }
    const { body, tooLarge } = await readBody(req, this.maxPayloadBytes);
    const fault = this.faults.shift();
    if (fault !== undefined) {
      this.answer(res, fault, `fault ${fault}`);
      return;
    }
    if (tooLarge) {
      this.answer(res, 413, 'payload too large');
      return;
    }
    let traces: ReceivedSpan[][];
    try {
      const type = String(req.headers['content-type'] ?? '');
      const decoded: unknown = type.includes('json')
        ? JSON.parse(body.toString('utf8'))
        : decode(body, { useBigInt64: true });
      if (!Array.isArray(decoded)) throw new Error('the payload must be an array of traces');
      traces = decoded.map((trace) => {
        if (!Array.isArray(trace)) throw new Error('a trace must be an array of spans');
        return trace.map(checkSpan);
      });
      const count = Number(req.headers['x-datadog-trace-count']);
      if (req.headers['x-datadog-trace-count'] !== undefined && count !== traces.length) {
        throw new Error(`X-Datadog-Trace-Count ${count} but ${traces.length} traces`);
      }
    } catch (error) {
      this.answer(res, 400, `decoding error: ${(error as Error).message}`);
      return;
    }
    this.payloads.push({ method: req.method, headers: req.headers, traces });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ rate_by_service: this.rateByService }));
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const fake = new TraceAgentFake();
  const url = await fake.listen(at >= 0 ? Number(process.argv[at + 1]) : 8126);
  process.stdout.write(`${url} (${FAKE_NAME})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
