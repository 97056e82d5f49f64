/*
 * THIS IS A FAKE, not Datadog: otelpack's fake of the Datadog HTTP logs intake, written from its
 * documentation (https://docs.datadoghq.com/api/latest/logs/send-logs/):
 *
 * - `POST /api/v2/logs`, `DD-API-KEY` header, JSON body (one entry or an array of them),
 *   `Content-Encoding` gzip, deflate or none;
 * - limits: 5 MB uncompressed per request (413), 1,000 entries per array (400), 1 MB per log
 *   (a larger one is accepted and truncated); a log whose timestamp (`@timestamp`, `timestamp`:
 *   ISO text or epoch ms) is more than 18 h in the past is accepted with the request and not kept;
 * - answers 202 `{}` on success; 400 for a body it cannot read; 403 for a missing or wrong key;
 *   and whatever faults a test queues (429, 500, …).
 *
 *   node --import tsx src/fakes/datadog-logs-fake.ts --port 8090 [--api-key <key>]
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  contentCoding,
  decompress,
  isTooLarge,
  closeLocal,
  listenLocal,
  readBody,
} from './http-util';

export const FAKE_NAME = 'otelpack Datadog logs intake fake';
export const INTAKE_MAX_BYTES = 5 * 1_000 * 1_000;
export const INTAKE_MAX_ENTRIES = 1_000;
export const INTAKE_MAX_LOG_BYTES = 1_000 * 1_000;
export const INTAKE_MAX_AGE_MS = 18 * 60 * 60 * 1_000;

/** An entry's time in epoch ms, from the reserved attributes the intake reads; undefined: none. */
function entryTimeMs(entry: IntakeEntry): number | undefined {
  for (const key of ['@timestamp', 'timestamp']) {
    const value = entry[key];
    const ms =
      typeof value === 'number' ? value : typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isFinite(ms)) return ms;
  }
  return undefined;
}

export type IntakeEntry = Record<string, unknown>;

export class LogsIntakeFake {
  readonly entries: IntakeEntry[] = [];
  readonly requests: { headers: Record<string, string | string[] | undefined>; entries: number }[] =
    [];
  readonly refused: { status: number; reason: string }[] = [];
  readonly faults: number[] = [];
  /** Entries cut to 1 MB, as the intake does. */
  truncated = 0;
  /** Entries older than the 18 h window: answered 202 with the rest, then not kept. */
  tooOld = 0;
  /** The intake's clock, in epoch ms (a test can move it). */
  now: () => number = Date.now;
  private server: Server | undefined;

  /** `apiKey` undefined: any non-empty key is taken (for a setup that cannot know it). */
  constructor(readonly apiKey: string | undefined) {}

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return listenLocal(this.server, port);
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await closeLocal(server);
  }

  private answer(res: ServerResponse, status: number, body: object): void {
    if (status >= 400) this.refused.push({ status, reason: JSON.stringify(body) });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  /** Answers one request (public, so that one server can front several fakes). */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').split('?')[0];
    const raw = await readBody(req, 64 * 1024 * 1024);
    if (req.method !== 'POST' || path !== '/api/v2/logs') {
      this.answer(res, 404, { errors: ['Not found'] });
      return;
    }
    const fault = this.faults.shift();
    if (fault !== undefined) {
      this.answer(res, fault, { errors: [`fault ${fault}`] });
      return;
    }
    const key = req.headers['dd-api-key'];
    if (
      typeof key !== 'string' ||
      key === '' ||
      (this.apiKey !== undefined && key !== this.apiKey)
    ) {
      this.answer(res, 403, { errors: ['Forbidden'] });
      return;
    }
    let body: Buffer;
    try {
      const coding = contentCoding(req.headers['content-encoding'] as string | undefined);
      body =
        coding === '' || coding === 'identity'
          ? raw.body
          : (decompress(raw.body, coding, { maxOutputLength: INTAKE_MAX_BYTES + 1 }) ??
            Buffer.alloc(0));
    } catch (error) {
      if (isTooLarge(error)) this.answer(res, 413, { errors: ['Payload too large'] });
      else this.answer(res, 400, { errors: ['Bad content encoding'] });
      return;
    }
    if (body.length > INTAKE_MAX_BYTES) {
      this.answer(res, 413, { errors: ['Payload too large'] });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      this.answer(res, 400, { errors: ['Malformed JSON'] });
      return;
    }
    const entries = Array.isArray(parsed) ? parsed : [parsed];
    if (entries.length > INTAKE_MAX_ENTRIES) {
      this.answer(res, 400, {
        errors: [`Too many entries: ${entries.length} > ${INTAKE_MAX_ENTRIES}`],
      });
      return;
    }
    for (const entry of entries) {
      if (!entry || typeof entry !== 'object') {
        this.answer(res, 400, { errors: ['An entry must be an object'] });
        return;
      }
    }
    for (const entry of entries as IntakeEntry[]) {
      const timeMs = entryTimeMs(entry);
      if (timeMs !== undefined && this.now() - timeMs > INTAKE_MAX_AGE_MS) {
        this.tooOld++;
        continue;
      }
      if (
        Buffer.byteLength(JSON.stringify(entry)) > INTAKE_MAX_LOG_BYTES &&
        typeof entry.message === 'string'
      ) {
        entry.message = entry.message.slice(0, INTAKE_MAX_LOG_BYTES / 2);
        this.truncated++;
      }
      this.entries.push(entry);
    }
    this.requests.push({ headers: req.headers, entries: entries.length });
    this.answer(res, 202, {});
  }
}

async function main(): Promise<void> {
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const fake = new LogsIntakeFake(arg('--api-key'));
  const url = await fake.listen(Number(arg('--port') ?? 8090));
  process.stdout.write(`${url} (${FAKE_NAME})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
