import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { contentCoding, decompress, isTooLarge, readBody } from '../http-util';
import { checkEvent, parseEvents } from './events';
import type { HecStoredEvent } from './events';

/*
 * THIS IS A FAKE, not Splunk: an HTTP Event Collector written from Splunk's documentation
 * ("Format events for HTTP Event Collector", "Troubleshoot HTTP Event Collector" and its status
 * code table, "About HTTP Event Collector Indexer Acknowledgment"), over plain HTTP (Splunk's
 * HEC uses HTTPS with a self-signed certificate by default). Tests provision tokens, script
 * faults and read back what was "indexed" through /_otelpack_fake/.
 *
 *   POST /services/collector[/event[/1.0]]   events; `Authorization: Splunk <token>`; gzip or not
 *   POST /services/collector/ack             {"acks":[ids]} → {"acks":{"<id>":true|false}}
 *   GET  /services/collector/health          {"text":"HEC is healthy","code":17}
 *   GET  /                                   {"fake":"otelpack HEC fake"}
 *   POST /_otelpack_fake/tokens              a HecTokenConfig
 *   POST /_otelpack_fake/faults              {token, faults: HecFault[]}
 *   POST /_otelpack_fake/health              {code: 17 | 18 | 19 | 20}: what the health endpoint says
 *   GET  /_otelpack_fake/events?token=…      the events stored for the token
 *   GET  /_otelpack_fake/stats?token=…       requests, refusals, ack queries for the token
 *
 * What it enforces: the token (codes 1-4, 16 for a token in the query string), the request size
 * on the wire bytes (413, Splunk's `max_content_length`, checked on the Content-Length it gets),
 * no data (5), each event in order (6, 7, 12, 13, 15 with `invalid-event-number`; the events
 * before the refused one are stored), channels for tokens with acknowledgement (10, 11, 14), and
 * acknowledgements after `ackDelayMs`, or never for requests a `lose` fault swallowed.
 */

export const FAKE_NAME = 'otelpack HEC fake';

/** Splunk Enterprise's current `max_content_length` default (limits.conf [http_input]). */
export const DEFAULT_MAX_CONTENT_LENGTH = 838_860_800;
/** A generous per-event bound (the research notes' 5 MB). */
export const DEFAULT_MAX_EVENT_BYTES = 5 * 1024 * 1024;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HecTokenConfig {
  token: string;
  disabled?: boolean;
  /** Where events without an index go. Default `main`. */
  defaultIndex?: string;
  /** Indexes the token may write to; unset: any. */
  allowedIndexes?: string[];
  /** Indexer acknowledgement on for this token (needs a channel on every request). */
  ack?: boolean;
  /** How long after the request an ackId turns true. Default 0. */
  ackDelayMs?: number;
  /**
   * FAKE-ONLY: Splunk's `max_content_length` (limits.conf, [http_input]) for this token's
   * requests. In Splunk it is one setting for the whole server; here a token can have its own so
   * that tests sharing one fake can meet a 413 without lowering it for the others.
   */
  maxContentLength?: number;
}

/**
 * A scripted answer for the next `times` event requests of a token (default 1): `status`, with
 * HEC's `code` and text; `lose: true` answers 200 with an ackId that never turns true and
 * stores nothing (an indexer that died before indexing).
 */
export interface HecFault {
  status?: number;
  code?: number;
  text?: string;
  retryAfter?: string;
  lose?: boolean;
  times?: number;
  /**
   * Take the first `takeFirst` events, then answer `status`/`code` with `invalid-event-number`
   * at that position: a busy HEC that stopped midway, as open-telemetry/opentelemetry-collector-
   * contrib#36113 quotes it (`{"text":"Server is busy","code":9,"invalid-event-number":10}`).
   */
  takeFirst?: number;
}

interface TokenState {
  config: HecTokenConfig;
  events: HecStoredEvent[];
  faults: HecFault[];
  /** Per channel: the next ackId, and each id's time of truth (Infinity: never). */
  channels: Map<string, { next: number; due: Map<number, number> }>;
  stats: {
    requests: number;
    refused: number;
    ackQueries: number;
    eventsReceived: number;
    /** Refusals by HEC code (HTTP status for answers without one). */
    refusedByCode: Record<string, number>;
    /** The largest request, on the wire and decompressed. */
    largestWireBytes: number;
    largestBodyBytes: number;
  };
}

export interface HecFakeOptions {
  tokens?: HecTokenConfig[];
  maxContentLength?: number;
  maxEventBytes?: number;
}

export class HecFake {
  private readonly server = http.createServer((req, res) => void this.handle(req, res));
  private readonly tokens = new Map<string, TokenState>();
  private readonly maxContentLength: number;
  private readonly maxEventBytes: number;
  /** HEC's health: 17 healthy, 18-20 unhealthy (queues full, ack service unavailable). */
  healthCode = 17;

  constructor(options: HecFakeOptions = {}) {
    this.maxContentLength = options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH;
    this.maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    for (const token of options.tokens ?? []) this.addToken(token);
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve));
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  addToken(config: HecTokenConfig): void {
    this.tokens.set(config.token, {
      config,
      events: [],
      faults: [],
      channels: new Map(),
      stats: {
        requests: 0,
        refused: 0,
        ackQueries: 0,
        eventsReceived: 0,
        refusedByCode: {},
        largestWireBytes: 0,
        largestBodyBytes: 0,
      },
    });
  }

  /** Changes a token's configuration (disables it, say) and keeps its events and channels. */
  updateToken(token: string, patch: Partial<Omit<HecTokenConfig, 'token'>>): void {
    const state = this.state(token);
    state.config = { ...state.config, ...patch };
  }

  addFaults(token: string, faults: HecFault[]): void {
    this.state(token).faults.push(...faults.map((f) => ({ times: 1, ...f })));
  }

  events(token: string): HecStoredEvent[] {
    return this.state(token).events;
  }

  stats(token: string): TokenState['stats'] {
    return this.state(token).stats;
  }

  private state(token: string): TokenState {
    const state = this.tokens.get(token);
    if (!state) throw new Error(`no such token in the fake: ${token}`);
    return state;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = url.pathname.replace(/\/+$/, '');
    try {
      if (path.startsWith('/_otelpack_fake')) return await this.admin(req, res, path, url);
      if (req.method === 'GET' && path === '') {
        return send(res, 200, { fake: FAKE_NAME, paths: ['/services/collector/event'] });
      }
      if (path === '/services/collector/health' || path === '/services/collector/health/1.0') {
        const health = HEALTH[this.healthCode] ?? HEALTH[17];
        return send(res, this.healthCode === 17 ? 200 : 503, {
          text: health,
          code: this.healthCode,
        });
      }
      if (req.method !== 'POST') return send(res, 404, { text: 'Not found', code: 404 });
      if (path === '/services/collector/ack') return await this.ack(req, res, url);
      if (
        [
          '/services/collector',
          '/services/collector/event',
          '/services/collector/event/1.0',
        ].includes(path)
      ) {
        return await this.ingest(req, res, url);
      }
      return send(res, 404, { text: 'The requested URL was not found on this server.', code: 404 });
    } catch (error) {
      send(res, 500, { text: `Internal server error: ${String(error)}`, code: 8 });
    }
  }

  /** The token check every HEC endpoint makes, first. */
  private authorize(
    req: http.IncomingMessage,
    url: URL,
  ): TokenState | { status: number; code: number; text: string } {
    if (url.searchParams.has('token')) {
      return { status: 400, code: 16, text: 'Query string authorization is not enabled' };
    }
    const header = req.headers.authorization;
    if (!header) return { status: 401, code: 2, text: 'Token is required' };
    const match = /^Splunk\s+(\S+)$/.exec(header);
    if (!match) return { status: 401, code: 3, text: 'Invalid authorization' };
    const state = this.tokens.get(match[1]);
    if (!state) return { status: 403, code: 4, text: 'Invalid token' };
    if (state.config.disabled) return { status: 403, code: 1, text: 'Token disabled' };
    return state;
  }

  /** The channel of a request for a token with acknowledgement, or HEC's refusal. */
  private channelOf(
    req: http.IncomingMessage,
    url: URL,
  ): string | { status: number; code: number; text: string } {
    const channel =
      (req.headers['x-splunk-request-channel'] as string | undefined) ??
      url.searchParams.get('channel');
    if (!channel) return { status: 400, code: 10, text: 'Data channel is missing' };
    if (!GUID.test(channel)) return { status: 400, code: 11, text: 'Invalid data channel' };
    return channel;
  }

  private async ingest(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
  ): Promise<void> {
    const raw = await readBody(req, this.maxContentLength);
    const auth = this.authorize(req, url);
    if (!('config' in auth)) return send(res, auth.status, { text: auth.text, code: auth.code });
    const state = auth;
    state.stats.requests++;
    let channel: string | undefined;
    if (state.config.ack) {
      const found = this.channelOf(req, url);
      if (typeof found !== 'string')
        return this.refuse(state, res, found.status, { text: found.text, code: found.code });
      channel = found;
    }
    const maxContentLength = state.config.maxContentLength ?? this.maxContentLength;
    if (raw.tooLarge || raw.bytes > maxContentLength) {
      return this.refuse(state, res, 413, {
        text: `Content-Length of ${raw.bytes} too large (maximum is ${maxContentLength})`,
        code: 413,
      });
    }
    const fault = takeFault(state);
    if (fault && !fault.lose && fault.takeFirst === undefined) {
      if (fault.retryAfter) res.setHeader('retry-after', fault.retryAfter);
      return this.refuse(state, res, fault.status ?? 503, {
        text: fault.text ?? 'Server is busy',
        code: fault.code ?? 9,
      });
    }
    let text: string;
    try {
      const coding = contentCoding(req.headers['content-encoding'] as string | undefined);
      text = (
        coding
          ? (decompress(raw.body, coding, { maxOutputLength: maxContentLength }) ?? raw.body)
          : raw.body
      ).toString('utf8');
    } catch (error) {
      const status = isTooLarge(error) ? 413 : 400;
      return this.refuse(state, res, status, { text: 'Invalid data format', code: 6 });
    }
    state.stats.largestWireBytes = Math.max(state.stats.largestWireBytes, raw.bytes);
    state.stats.largestBodyBytes = Math.max(state.stats.largestBodyBytes, Buffer.byteLength(text));
    if (text.trim() === '') return this.refuse(state, res, 400, { text: 'No data', code: 5 });
    const parsed = parseEvents(text);
    let refusal = parsed.refusal;
    const taken: HecStoredEvent[] = [];
    for (let i = 0; i < parsed.events.length; i++) {
      const problem = checkEvent(
        parsed.events[i],
        state.config.allowedIndexes,
        this.maxEventBytes,
        parsed.sizes[i],
      );
      if (problem) {
        refusal = { ...problem, index: i };
        break;
      }
      if (fault?.takeFirst !== undefined && i >= fault.takeFirst) {
        refusal = { text: fault.text ?? 'Server is busy', code: fault.code ?? 9, index: i };
        break;
      }
      taken.push(stored(parsed.events[i], state.config.defaultIndex ?? 'main'));
    }
    state.stats.eventsReceived += taken.length;
    if (!fault?.lose) state.events.push(...taken);
    if (refusal && fault?.takeFirst !== undefined && refusal.index === fault.takeFirst) {
      if (fault.retryAfter) res.setHeader('retry-after', fault.retryAfter);
      return this.refuse(state, res, fault.status ?? 503, {
        text: refusal.text,
        code: refusal.code,
        'invalid-event-number': refusal.index,
      });
    }
    if (refusal) {
      return this.refuse(state, res, 400, {
        text: refusal.text,
        code: refusal.code,
        'invalid-event-number': refusal.index,
      });
    }
    const body: Record<string, unknown> = { text: 'Success', code: 0 };
    if (channel !== undefined) {
      const ch = state.channels.get(channel) ?? { next: 0, due: new Map<number, number>() };
      state.channels.set(channel, ch);
      const id = ch.next++;
      ch.due.set(id, fault?.lose ? Infinity : Date.now() + (state.config.ackDelayMs ?? 0));
      body.ackId = id;
    }
    send(res, 200, body);
  }

  private async ack(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const raw = await readBody(req, 1024 * 1024);
    const auth = this.authorize(req, url);
    if (!('config' in auth)) return send(res, auth.status, { text: auth.text, code: auth.code });
    if (!auth.config.ack) return send(res, 400, { text: 'ACK is disabled', code: 14 });
    const channel = this.channelOf(req, url);
    if (typeof channel !== 'string')
      return send(res, channel.status, { text: channel.text, code: channel.code });
    auth.stats.ackQueries++;
    let ids: unknown;
    try {
      ids = (JSON.parse(raw.body.toString('utf8')) as { acks?: unknown }).acks;
    } catch {
      ids = undefined;
    }
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id))) {
      return send(res, 400, { text: 'Invalid data format', code: 6 });
    }
    const due = auth.channels.get(channel)?.due;
    const acks: Record<string, boolean> = {};
    const now = Date.now();
    for (const id of ids as number[]) {
      const at = due?.get(id);
      acks[String(id)] = at !== undefined && at <= now;
      // An id reported true is forgotten: asking again says false.
      if (acks[String(id)]) due!.delete(id);
    }
    send(res, 200, { acks });
  }

  private refuse(
    state: TokenState,
    res: http.ServerResponse,
    status: number,
    body: Record<string, unknown>,
  ): void {
    state.stats.refused++;
    const code = String(body.code ?? status);
    state.stats.refusedByCode[code] = (state.stats.refusedByCode[code] ?? 0) + 1;
    send(res, status, body);
  }

  private async admin(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    url: URL,
  ): Promise<void> {
    const token = url.searchParams.get('token') ?? '';
    if (req.method === 'GET' && path === '/_otelpack_fake/events')
      return send(res, 200, this.events(token));
    if (req.method === 'GET' && path === '/_otelpack_fake/stats')
      return send(res, 200, this.stats(token));
    const body = JSON.parse((await readBody(req)).body.toString('utf8') || '{}') as Record<
      string,
      unknown
    >;
    if (req.method === 'POST' && path === '/_otelpack_fake/tokens') {
      this.addToken(body as unknown as HecTokenConfig);
      return send(res, 201, { ok: true });
    }
    if (req.method === 'POST' && path === '/_otelpack_fake/health') {
      this.healthCode = Number(body.code);
      return send(res, 201, { ok: true });
    }
    if (req.method === 'POST' && path === '/_otelpack_fake/faults') {
      this.addFaults(String(body.token), body.faults as HecFault[]);
      return send(res, 201, { ok: true });
    }
    send(res, 404, { error: 'unknown fake endpoint' });
  }
}

const HEALTH: Record<number, string> = {
  17: 'HEC is healthy',
  18: 'HEC is unhealthy, queues are full',
  19: 'HEC is unhealthy, ack service unavailable',
  20: 'HEC is unhealthy, queues are full, ack service unavailable',
};

function takeFault(state: TokenState): HecFault | undefined {
  const fault = state.faults[0];
  if (!fault) return undefined;
  fault.times = (fault.times ?? 1) - 1;
  if (fault.times <= 0) state.faults.shift();
  return fault;
}

function stored(event: Record<string, unknown>, defaultIndex: string): HecStoredEvent {
  return {
    ...(typeof event.time === 'number' ? { time: event.time } : {}),
    ...(typeof event.host === 'string' ? { host: event.host } : {}),
    ...(typeof event.source === 'string' ? { source: event.source } : {}),
    ...(typeof event.sourcetype === 'string' ? { sourcetype: event.sourcetype } : {}),
    index: typeof event.index === 'string' ? event.index : defaultIndex,
    event: event.event,
    ...(event.fields ? { fields: event.fields as Record<string, unknown> } : {}),
  };
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}
