import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gunzip = promisify(zlib.gunzip);

/** One HTTP request as the sink saw it. */
export interface RecordedRequest {
  method: string;
  /** Path including the query string. */
  path: string;
  headers: http.IncomingHttpHeaders;
  /**
   * The body after content decoding (gunzipped when `content-encoding: gzip`). For a `reset`
   * fault it is only the part read before the connection was cut, and is left undecoded.
   */
  body: Buffer;
  /** `Date.now()` when the request headers arrived. */
  receivedAtMs: number;
}

export type SinkFault =
  /** Answer this status (with a Retry-After header if given); nothing stored. */
  | {
      kind: 'status';
      status: number;
      retryAfter?: string;
      body?: string;
      /** Extra response headers, e.g. a product header an official client insists on. */
      headers?: http.OutgoingHttpHeaders;
    }
  /** Read part of the request body, then reset the connection; nothing stored. */
  | { kind: 'reset' }
  /** Read the request and never answer, until the client gives up or the sink closes; nothing stored. */
  | { kind: 'stall' }
  /** Store the records, then answer 200 after `delayMs`. */
  | { kind: 'slow'; delayMs: number }
  /**
   * Store only the records decided 'ok' and answer 200 with
   * `{"errors": <any not ok>, "items": [{"status": 200|429|400, "error"?: string}, ...]}`,
   * one item per record in order (429 = retry, 400 = reject).
   */
  | { kind: 'partial'; decide: (record: unknown, index: number) => 'ok' | 'retry' | 'reject' }
  /**
   * A backend that gets faster with more parallel requests up to `optimalConcurrency`, then
   * sheds load: while fewer than `optimalConcurrency` requests are being handled, a new request
   * is stored and answered 200 after `latencyMs`; one that arrives while `optimalConcurrency`
   * are already being handled is answered 503 (no Retry-After) at once and not stored.
   */
  | { kind: 'scaling'; optimalConcurrency: number; latencyMs: number };

/**
 * Apply `fault` to the next `times` requests (default: until the script is changed), then fall
 * back to the next rule, or to normal behaviour once the script is used up.
 */
export interface FaultRule {
  fault: SinkFault;
  times?: number;
}

/** What the sink answers to a request whose records it accepted. */
export interface SinkResponse {
  /** Default 200. */
  status?: number;
  /** Merged over `content-type: application/json`. */
  headers?: http.OutgoingHttpHeaders;
  /** Default `{"errors":false}`. */
  body?: string | Buffer;
}

export interface FaultSinkOptions {
  /** Default 0: a free port on 127.0.0.1. */
  port?: number;
  /**
   * Turns a (content-decoded) body into records. Default: NDJSON, one `JSON.parse` per
   * non-blank line. Throwing marks the request malformed: it is answered 400
   * `{"error": "..."}` and counted in `malformedRequests`.
   */
  decodeRecords?: (body: Buffer, req: RecordedRequest) => unknown[];
  /**
   * Builds the success answer for accepted requests (no fault, `slow`, admitted `scaling`), for
   * fakes of backends whose acknowledgement is not `{"errors":false}`.
   */
  respond?: (records: unknown[], req: RecordedRequest) => SinkResponse;
}

interface ActiveRule {
  fault: SinkFault;
  remaining: number | undefined;
}

interface Waiter {
  count: number;
  resolve: () => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WAIT_MS = 10_000;
const OK_BODY = '{"errors":false}';

export function decodeNdjson(body: Buffer): unknown[] {
  const records: unknown[] = [];
  const lines = body.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    try {
      records.push(JSON.parse(line));
    } catch (err) {
      throw new Error(`NDJSON line ${i + 1} is not valid JSON: ${errorMessage(err)}`);
    }
  }
  return records;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function validateFault(fault: SinkFault): void {
  switch (fault.kind) {
    case 'status':
      // writeHead throws on an out-of-range status deep inside a request handler, where the
      // only visible symptom would be a hung client; fail at scripting time instead.
      if (!Number.isInteger(fault.status) || fault.status < 100 || fault.status > 999) {
        throw new RangeError(`FaultSink: status fault needs an HTTP status, got ${fault.status}`);
      }
      break;
    case 'slow':
      if (!(fault.delayMs >= 0)) {
        throw new RangeError(`FaultSink: slow fault needs delayMs >= 0, got ${fault.delayMs}`);
      }
      break;
    case 'scaling':
      if (!Number.isInteger(fault.optimalConcurrency) || fault.optimalConcurrency < 1) {
        throw new RangeError(
          `FaultSink: scaling fault needs an integer optimalConcurrency >= 1, got ${fault.optimalConcurrency}`,
        );
      }
      if (!(fault.latencyMs >= 0)) {
        throw new RangeError(
          `FaultSink: scaling fault needs latencyMs >= 0, got ${fault.latencyMs}`,
        );
      }
      break;
    case 'partial':
    case 'reset':
    case 'stall':
      break;
  }
}

/**
 * TEST FAKE — not for production use.
 *
 * A local HTTP sink with scriptable faults, shared by every exporter's fault tests. By default
 * a request body is NDJSON (optionally gzip-compressed); every non-GET request's records are
 * stored and answered 200 `{"errors":false}`. `setFaults` scripts what the next requests get
 * instead. GET and HEAD requests (health probes) are answered 200 `{}` and never consume a
 * scripted fault, so a client's readiness check cannot eat the fault a test aimed at its data.
 */
export class FaultSink {
  readonly url: string;
  /** Every request received, including faulted ones and GETs. */
  readonly requests: RecordedRequest[] = [];
  /** Every record stored (accepted), in arrival order. */
  readonly records: unknown[] = [];
  /** Peak number of requests handled at once (since start or the last `reset()`). */
  maxConcurrentSeen = 0;

  private readonly server: http.Server;
  private readonly decode: (body: Buffer, req: RecordedRequest) => unknown[];
  private readonly respond: FaultSinkOptions['respond'];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<Waiter>();
  private rules: ActiveRule[] = [];
  private active = 0;
  // Requests already sentenced to a `scaling` 503 are still in flight while their body drains,
  // but they hold no backend capacity, so they must not push admitted ones over the limit.
  private shedding = 0;
  private malformed = 0;
  private closed = false;
  private closing: Promise<void> | undefined;

  private constructor(server: http.Server, url: string, options: FaultSinkOptions) {
    this.server = server;
    this.url = url;
    this.decode = options.decodeRecords ?? ((body) => decodeNdjson(body));
    this.respond = options.respond;
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      if (this.closed) socket.destroy();
    });
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) =>
      this.handle(req, res),
    );
  }

  static async start(options: FaultSinkOptions = {}): Promise<FaultSink> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen(options.port ?? 0, '127.0.0.1', () => {
        server.off('error', onError);
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    return new FaultSink(server, `http://127.0.0.1:${port}`, options);
  }

  /** Requests currently being handled. */
  get inFlight(): number {
    return this.active;
  }

  /** Requests answered 400 because their body could not be decoded. */
  get malformedRequests(): number {
    return this.malformed;
  }

  /** Replaces the fault script. Rules are used first to last, each for `times` requests. */
  setFaults(...rules: FaultRule[]): void {
    for (const rule of rules) {
      if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
        throw new RangeError(`FaultSink: times must be an integer >= 1, got ${rule.times}`);
      }
      validateFault(rule.fault);
    }
    this.rules = rules.map((rule) => ({ fault: rule.fault, remaining: rule.times }));
  }

  clearFaults(): void {
    this.rules = [];
  }

  /** Resolves once at least `count` records are stored; rejects after `timeoutMs`. */
  waitForRecords(count: number, timeoutMs: number = DEFAULT_WAIT_MS): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    if (this.closed) {
      return Promise.reject(
        new Error(
          `FaultSink.waitForRecords: sink is closed with ${this.records.length} of ${count} records`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        count,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new Error(
              `FaultSink.waitForRecords: timed out after ${timeoutMs}ms waiting for ${count} records; ` +
                `have ${this.records.length} from ${this.requests.length} requests ` +
                `(${this.malformed} malformed, ${this.active} in flight)`,
            ),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Forgets requests, records and counters; the fault script is kept. */
  reset(): void {
    this.requests.length = 0;
    this.records.length = 0;
    this.malformed = 0;
    // Requests still in flight are real load, so the new peak starts from them rather than 0.
    this.maxConcurrentSeen = this.active;
  }

  /** Closes the server and destroys every open connection, stalled ones included. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(
        new Error(
          `FaultSink.waitForRecords: sink closed with ${this.records.length} of ${waiter.count} records`,
        ),
      );
    }
    this.waiters.clear();
    this.closing = new Promise<void>((resolve) => {
      // server.close() alone waits for keep-alive and stalled connections to end by themselves.
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const receivedAtMs = Date.now();
    const othersInFlight = this.active - this.shedding;
    this.active++;
    if (this.active > this.maxConcurrentSeen) this.maxConcurrentSeen = this.active;

    let shed = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      this.active--;
      if (shed) this.shedding--;
    };
    // 'finish' comes first on a normal answer; 'close' covers a client that went away.
    res.once('finish', finish);
    res.once('close', finish);

    const method = req.method ?? 'GET';
    const recorded: RecordedRequest = {
      method,
      path: req.url ?? '/',
      headers: req.headers,
      body: Buffer.alloc(0),
      receivedAtMs,
    };

    if (method === 'GET' || method === 'HEAD') {
      req.resume();
      req.once('end', () => {
        this.requests.push(recorded);
        this.reply(res, 200, '{}');
      });
      return;
    }

    // Taken at arrival, not after the body, so the script follows request order.
    const fault = this.takeFault();
    if (fault?.kind === 'reset') {
      this.cutMidBody(req, recorded);
      return;
    }
    if (fault?.kind === 'scaling' && othersInFlight >= fault.optimalConcurrency) {
      shed = true;
      this.shedding++;
    }

    readBody(req)
      .then((raw) => this.process(raw, recorded, fault, shed, res))
      .catch((err: unknown) => {
        // A client that vanished mid-body leaves nobody to tell; anything else is a fake bug
        // (e.g. a throwing `decide`) that the test should see rather than hang on.
        this.reply(res, 500, JSON.stringify({ error: `FaultSink: ${errorMessage(err)}` }));
      });
  }

  private async process(
    raw: Buffer,
    recorded: RecordedRequest,
    fault: SinkFault | undefined,
    shed: boolean,
    res: http.ServerResponse,
  ): Promise<void> {
    let gzipError: string | undefined;
    recorded.body = raw;
    if (isGzip(recorded.headers)) {
      try {
        recorded.body = await gunzip(raw);
      } catch (err) {
        gzipError = `body is not valid gzip: ${errorMessage(err)}`;
      }
    }
    this.requests.push(recorded);

    if (fault?.kind === 'status') {
      const headers: http.OutgoingHttpHeaders = { ...fault.headers };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      const body = fault.body ?? JSON.stringify({ error: `injected status ${fault.status}` });
      this.reply(res, fault.status, body, headers);
      return;
    }
    if (fault?.kind === 'stall') return;
    if (shed) {
      this.reply(res, 503, JSON.stringify({ error: 'overloaded' }));
      return;
    }

    let records: unknown[];
    try {
      if (gzipError !== undefined) throw new Error(gzipError);
      const decoded = this.decode(recorded.body, recorded);
      if (!Array.isArray(decoded)) throw new Error('decodeRecords did not return an array');
      records = decoded;
    } catch (err) {
      this.malformed++;
      this.reply(res, 400, JSON.stringify({ error: errorMessage(err) }));
      return;
    }

    switch (fault?.kind) {
      case 'partial': {
        const items: Array<{ status: number; error?: string }> = [];
        const accepted: unknown[] = [];
        records.forEach((record, index) => {
          const verdict = fault.decide(record, index);
          if (verdict === 'ok') {
            accepted.push(record);
            items.push({ status: 200 });
          } else if (verdict === 'retry') {
            items.push({ status: 429, error: 'injected retryable item failure' });
          } else {
            items.push({ status: 400, error: 'injected item rejection' });
          }
        });
        this.store(accepted);
        const errors = items.some((item) => item.status !== 200);
        this.reply(res, 200, JSON.stringify({ errors, items }));
        return;
      }
      case 'slow':
        this.store(records);
        this.later(fault.delayMs, () => this.replySuccess(res, records, recorded));
        return;
      case 'scaling':
        this.store(records);
        this.later(fault.latencyMs, () => this.replySuccess(res, records, recorded));
        return;
      default:
        this.store(records);
        this.replySuccess(res, records, recorded);
    }
  }

  private cutMidBody(req: http.IncomingMessage, recorded: RecordedRequest): void {
    let cut = false;
    const cutNow = (chunk?: Buffer): void => {
      if (cut) return;
      cut = true;
      if (chunk) recorded.body = chunk;
      this.requests.push(recorded);
      req.pause();
      // An RST, not a FIN, so the client sees ECONNRESET as a real backend crash would cause.
      const socket = req.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
    };
    req.once('data', (chunk: Buffer) => cutNow(chunk));
    // An empty body never produces 'data'.
    req.once('end', () => cutNow());
    req.once('error', () => cutNow());
  }

  private takeFault(): SinkFault | undefined {
    const head = this.rules[0];
    if (!head) return undefined;
    if (head.remaining !== undefined) {
      head.remaining--;
      if (head.remaining <= 0) this.rules.shift();
    }
    return head.fault;
  }

  private store(records: unknown[]): void {
    // One synchronous push per request keeps each request's records contiguous under concurrency.
    this.records.push(...records);
    for (const waiter of this.waiters) {
      if (this.records.length >= waiter.count) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  private later(delayMs: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, delayMs);
    this.timers.add(timer);
  }

  private replySuccess(res: http.ServerResponse, records: unknown[], req: RecordedRequest): void {
    if (!this.respond) {
      this.reply(res, 200, OK_BODY);
      return;
    }
    let answer: SinkResponse;
    try {
      answer = this.respond(records, req);
    } catch (err) {
      this.reply(res, 500, JSON.stringify({ error: `FaultSink respond: ${errorMessage(err)}` }));
      return;
    }
    this.reply(res, answer.status ?? 200, answer.body ?? OK_BODY, answer.headers);
  }

  private reply(
    res: http.ServerResponse,
    status: number,
    body: string | Buffer,
    headers: http.OutgoingHttpHeaders = {},
  ): void {
    if (this.closed || res.headersSent || res.writableEnded || res.destroyed) return;
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, {
      'content-type': 'application/json',
      ...headers,
      'content-length': payload.length,
    });
    res.end(payload);
  }
}

function isGzip(headers: http.IncomingHttpHeaders): boolean {
  const encoding = headers['content-encoding'];
  if (encoding === undefined) return false;
  const value = encoding.trim().toLowerCase();
  return value === 'gzip' || value === 'x-gzip';
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    req.once('error', reject);
    req.once('close', () => {
      if (!ended) reject(new Error('client closed the connection before the body ended'));
    });
  });
}
