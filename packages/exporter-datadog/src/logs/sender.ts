import { HttpTransport } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpTransportOptions,
  ItemFailure,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import { LOGS_MAX_AGE_MS, logRecordSpoolCodec } from './mapping';
import type { LogRecord } from './mapping';

/*
 * One batch of log entries → one `POST /api/v2/logs`: a JSON array, gzip by default, the API key
 * in `DD-API-KEY`. The intake's limits (https://docs.datadoghq.com/api/latest/logs/send-logs/):
 * at most 1,000 entries and 5 MB uncompressed per request, which the exporter's batch defaults
 * keep; a 413 still makes the core split the batch. 202 is success; 400 and 403 are permanent;
 * 408, 429 and 5xx are retried.
 */

export const LOGS_PATH = '/api/v2/logs';
/** The intake's limits per request. */
export const LOGS_MAX_ENTRIES = 1_000;
export const LOGS_MAX_BYTES = 5 * 1_000 * 1_000;

export interface LogsSenderOptions {
  url: URL;
  /** Undefined: every send is refused, unless `keyless` (a proxy of the user's adds the key). */
  apiKey: string | undefined;
  keyless?: boolean;
  compression: 'gzip' | 'none';
  transport?: Omit<HttpTransportOptions, 'url' | 'compression'>;
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
  /** The clock the age limit is measured against, in ms since the epoch. Default `Date.now`. */
  now?: () => number;
}

export function logsUrl(base: URL): URL {
  const url = new URL(base.href);
  if (!url.pathname.endsWith(LOGS_PATH))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${LOGS_PATH}`;
  return url;
}

/**
 * What a request of the `fresh` records (their positions in the batch) came to, for the whole
 * batch, with the `stale` ones refused.
 */
function withStale(result: SendResult, fresh: number[], stale: ItemFailure[]): SendResult {
  switch (result.kind) {
    case 'delivered':
      return { kind: 'partial', failures: stale };
    case 'too_large':
      // The core splits the batch: the stale records are refused again in their half.
      return result;
    case 'partial':
      return {
        kind: 'partial',
        failures: [...stale, ...result.failures.map((f) => ({ ...f, index: fresh[f.index] }))],
        ...(result.backpressure ? { backpressure: true } : {}),
      };
    case 'retryable':
      // The backend is not reachable or busy: the request's own answer, whole, so that the
      // failure watch and the request telemetry see an outage as one. The stale records are
      // refused, without a request, at the next attempt.
      return result;
    case 'permanent': {
      // Each fresh record refused as the request was, the stale ones with their own reason.
      const failures = fresh.map((index) => ({ index, retryable: false, reason: result.reason }));
      return { kind: 'partial', failures: [...stale, ...failures] };
    }
  }
}

export class LogsIntakeSender implements BatchSender<LogRecord> {
  readonly spoolCodec = logRecordSpoolCodec;
  readonly #transport: HttpTransport;
  readonly #refuse: boolean;
  readonly #now: () => number;

  constructor(options: LogsSenderOptions) {
    this.#now = options.now ?? Date.now;
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    this.#refuse = options.apiKey === undefined && !options.keyless;
    this.#transport = create({
      ...options.transport,
      url: logsUrl(options.url),
      compression: options.compression,
      headers: {
        ...options.transport?.headers,
        'content-type': 'application/json',
        ...(options.apiKey !== undefined ? { 'dd-api-key': options.apiKey } : {}),
      },
    });
  }

  sizeOf(record: LogRecord): number {
    return record.bytes;
  }

  encode(batch: readonly LogRecord[]): string {
    return `[${batch.map((r) => r.text).join(',')}]`;
  }

  async send(batch: readonly LogRecord[], context: SendContext): Promise<SendResult> {
    if (this.#refuse) return { kind: 'permanent', reason: 'no API key (DD_API_KEY, auth.apiKey)' };
    // The mapping refused records past the intake's 18 h; one may have grown past it since,
    // waiting out retries or a restart in the spool. The intake would answer 202 and drop it:
    // it is refused here, counted, and not sent.
    const oldestMs = this.#now() - LOGS_MAX_AGE_MS;
    const stale: ItemFailure[] = [];
    const fresh: number[] = [];
    batch.forEach((record, index) => {
      if (record.timeMs < oldestMs) {
        const when = new Date(record.timeMs).toISOString();
        stale.push({
          index,
          retryable: false,
          reason: `the log record is from ${when}, more than 18 h ago by the time it was sent: Datadog's logs intake drops it`,
        });
      } else {
        fresh.push(index);
      }
    });
    if (stale.length === 0) return this.#post(batch, context);
    if (fresh.length === 0) return { kind: 'partial', failures: stale };
    const result = await this.#post(
      fresh.map((index) => batch[index]),
      context,
    );
    return withStale(result, fresh, stale);
  }

  #post(records: readonly LogRecord[], context: SendContext): Promise<SendResult> {
    return this.#transport.send({
      method: 'POST',
      body: this.encode(records),
      signal: context.signal,
    });
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
