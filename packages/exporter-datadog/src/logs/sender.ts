import { HttpTransport } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpTransportOptions,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import { logRecordSpoolCodec } from './mapping';
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
}

export function logsUrl(base: URL): URL {
  const url = new URL(base.href);
  if (!url.pathname.endsWith(LOGS_PATH))
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${LOGS_PATH}`;
  return url;
}

export class LogsIntakeSender implements BatchSender<LogRecord> {
  readonly spoolCodec = logRecordSpoolCodec;
  readonly #transport: HttpTransport;
  readonly #refuse: boolean;

  constructor(options: LogsSenderOptions) {
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

  send(batch: readonly LogRecord[], context: SendContext): Promise<SendResult> {
    if (this.#refuse) {
      return Promise.resolve({ kind: 'permanent', reason: 'no API key (DD_API_KEY, auth.apiKey)' });
    }
    return this.#transport.send({
      method: 'POST',
      body: this.encode(batch),
      signal: context.signal,
    });
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
