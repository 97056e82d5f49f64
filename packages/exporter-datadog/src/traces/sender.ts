import { Encoder } from '@msgpack/msgpack';
import { HttpTransport } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpTransportOptions,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import type { DdSpan, TraceRecord } from './mapping';
import { traceRecordSpoolCodec } from './spool-codec';

/*
 * One batch of spans → one `PUT /v0.4/traces` to the trace Agent: a msgpack array of traces, each
 * the array of that batch's spans of one trace id (a trace split over batches arrives as several
 * chunks, as tracers' partial flushes do). msgpack by @msgpack/msgpack: the msgpack project's own
 * TypeScript implementation, no dependencies, and 64-bit unsigned integers from bigint, which the
 * v0.4 ids need (a JavaScript number cannot hold them).
 */

export const TRACE_PATH = '/v0.4/traces';

export interface TraceSenderOptions {
  url: URL;
  name: string;
  transport?: Omit<HttpTransportOptions, 'url' | 'compression'>;
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
  /** For `Datadog-Meta-Tracer-Version`. */
  version?: string;
}

/** Spans grouped by trace id, in order of first appearance; `_dd.p.tid` on each chunk's first span. */
export function chunksOf(batch: readonly TraceRecord[]): DdSpan[][] {
  const chunks = new Map<bigint, DdSpan[]>();
  for (const { span } of batch) {
    let chunk = chunks.get(span.trace_id);
    if (!chunk) {
      chunk = [];
      chunks.set(span.trace_id, chunk);
    }
    chunk.push(span);
  }
  return [...chunks.values()].map((chunk) =>
    chunk.map((span, i) => {
      const high = (span.meta['otel.trace_id'] ?? '').slice(0, 16);
      if (i !== 0 || !/[^0]/.test(high)) return span;
      return { ...span, meta: { ...span.meta, '_dd.p.tid': high } };
    }),
  );
}

export class TraceAgentSender implements BatchSender<TraceRecord> {
  readonly #transport: HttpTransport;
  private readonly encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
  #rateByService: Record<string, number> = {};
  readonly display: string;
  readonly spoolCodec = traceRecordSpoolCodec;

  constructor(options: TraceSenderOptions) {
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    const url = new URL(options.url.href);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}${TRACE_PATH}`;
    this.display = `${url.protocol}//${url.host}${url.pathname}`;
    this.#transport = create({
      ...options.transport,
      url,
      compression: 'none',
      headers: {
        ...options.transport?.headers,
        'content-type': 'application/msgpack',
        'datadog-meta-lang': 'nodejs',
        'datadog-meta-lang-version': process.version,
        'datadog-meta-lang-interpreter': 'v8',
        'datadog-meta-tracer-version': `otelpack-${options.version ?? '0'}`,
        // The exporter marks top-level spans by span kind (_top_level): the Agent keeps them.
        'datadog-client-computed-top-level': 'yes',
      },
    });
  }

  /** The Agent's last `rate_by_service` answer (what tracers feed their priority sampler). */
  rateByService(): Record<string, number> {
    return { ...this.#rateByService };
  }

  sizeOf(record: TraceRecord): number {
    return record.bytes;
  }

  encode(batch: readonly TraceRecord[]): { body: Uint8Array; traces: number } {
    const chunks = chunksOf(batch);
    return { body: this.encoder.encode(chunks), traces: chunks.length };
  }

  async send(batch: readonly TraceRecord[], context: SendContext): Promise<SendResult> {
    let encoded: { body: Uint8Array; traces: number };
    try {
      encoded = this.encode(batch);
    } catch (error) {
      return { kind: 'permanent', reason: `could not encode the traces: ${String(error)}` };
    }
    try {
      const response = await this.#transport.request({
        method: 'PUT',
        body: encoded.body,
        headers: { 'x-datadog-trace-count': String(encoded.traces) },
        signal: context.signal,
      });
      const result = this.#transport.classify(response);
      if (result.kind === 'delivered') this.readRates(response.body);
      return result.kind === 'delivered'
        ? result
        : ({
            ...result,
            reason: `${this.display}: ${'reason' in result ? result.reason : ''}`,
          } as SendResult);
    } catch (error) {
      return this.#transport.classifyError(error);
    }
  }

  private readRates(body: Buffer): void {
    try {
      const parsed = JSON.parse(body.toString('utf8')) as {
        rate_by_service?: Record<string, number>;
      };
      if (parsed && typeof parsed.rate_by_service === 'object')
        this.#rateByService = { ...parsed.rate_by_service };
    } catch {
      // An Agent older than 6.x answers "OK": there are no rates to keep.
    }
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
