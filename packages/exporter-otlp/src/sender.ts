import { diag } from '@opentelemetry/api';
import { BodyBuffers, Failover, HttpTransport, classifyStatus } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpResponse,
  HttpTransportOptions,
  ItemFailure,
  SendContext,
  SendResult,
  Signal,
  SpoolCodec,
} from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import type { OtlpRecord } from './records';
import { readErrorReason, readPartialSuccess } from './response';
import { otlpSpoolCodec } from './spool-codec';
import type { SpooledEncoding } from './spool-codec';

export interface OtlpEndpoint {
  /** The signal's full URL (`…/v1/traces`), credentials included. */
  url: URL;
  /** Without credentials, for logs. */
  display: string;
}

export interface OtlpSenderOptions {
  signal: Signal;
  codec: OtlpCodec;
  endpoints: OtlpEndpoint[];
  compression: 'gzip' | 'none';
  /** The exporter's name, in log lines. */
  name: string;
  transport?: Omit<HttpTransportOptions, 'url' | 'compression'>;
  /**
   * Told of every refused request (a status the core will not retry), for presets that explain
   * their backend's answers (Lightstep's 403). Never throws into the sender.
   */
  onRefused?: (status: number, reason: string) => void;
  /**
   * The HTTP statuses to retry, for a backend that documents more than OTLP's 429, 502, 503 and
   * 504 (New Relic: 408 and every 5xx).
   */
  isRetryable?: (status: number) => boolean;
  /** Test seam: how a transport is made. */
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
  /** How the records' bodies are encoded, for the disk spool; by default from the codec's content type. */
  encoding?: SpooledEncoding;
}

interface Target {
  endpoint: OtlpEndpoint;
  transport: HttpTransport;
}

/** The statuses OTLP/HTTP says to retry (the specification: 429, 502, 503, 504). */
const RETRYABLE = new Set([429, 502, 503, 504]);

/** OTLP/HTTP's retryable statuses. */
export function isOtlpRetryable(status: number): boolean {
  return RETRYABLE.has(status);
}

/**
 * The rejected records a partial success names. OTLP gives a count, not which ones: the last
 * `count` records of the request are named, so the ledger and self-metrics count exactly what
 * the receiver said, and a dead-letter handler receives that many records with the receiver's
 * message (which of them the receiver refused it cannot know).
 */
export function rejectedRecords(batchSize: number, count: number, reason: string): ItemFailure[] {
  const rejected = Math.min(Math.max(0, Math.floor(count)), batchSize);
  const failures: ItemFailure[] = [];
  for (let index = batchSize - rejected; index < batchSize; index++) {
    failures.push({ index, retryable: false, reason });
  }
  return failures;
}

/**
 * Reads an OTLP/HTTP answer as the specification defines it: 2xx success, with a partial
 * success counted as rejected records; 429, 502, 503 and 504 retryable (Retry-After honoured,
 * 429 and 503 also back-pressure); 413 too large (the core halves the batch); any other status
 * refused for good; a google.rpc.Status body's message in the reason.
 */
export function classifyOtlpResponse(
  response: HttpResponse,
  batchSize: number,
  redact: (text: string) => string,
  nowMs: number = Date.now(),
  isRetryable: (status: number) => boolean = isOtlpRetryable,
): SendResult {
  const status = response.status;
  const contentType = response.headers['content-type'];
  if (status >= 200 && status < 300) {
    const partial = readPartialSuccess(response.body, contentType);
    if (!partial || partial.rejected === 0) return { kind: 'delivered', httpStatus: status };
    const message = redact(partial.errorMessage) || 'no error_message given';
    const failures = rejectedRecords(
      batchSize,
      partial.rejected,
      `partial success: the receiver rejected ${partial.rejected} of ${batchSize}: ${message}`,
    );
    if (failures.length === 0) return { kind: 'delivered', httpStatus: status };
    return { kind: 'partial', failures, httpStatus: status };
  }
  const detail = redact(readErrorReason(response.body, contentType));
  // The core's reading of 413 and of the retryable statuses (Retry-After, back-pressure); OTLP
  // retries fewer statuses than it (not 408, 500 or 505), and refuses the rest for good.
  if (status === 413 || isRetryable(status)) {
    return classifyStatus(status, response.headers['retry-after'], detail, nowMs);
  }
  const reason = `HTTP ${status}${detail ? `: ${detail}` : ''}`;
  return { kind: 'permanent', reason, httpStatus: status };
}

/**
 * Sends one batch as one OTLP/HTTP request over the core's HttpTransport (keep-alive, gzip,
 * TLS, redaction), and reports what the receiver said. With several endpoints, a retryable
 * failure moves the next sends to the next one (the core's Failover).
 */
export class OtlpSender implements BatchSender<OtlpRecord> {
  readonly #failover: Failover<Target>;
  private readonly codec: OtlpCodec;
  private readonly signal: Signal;
  private readonly compression: 'gzip' | 'none';
  private readonly name: string;
  private readonly onRefused: OtlpSenderOptions['onRefused'];
  readonly #isRetryable: (status: number) => boolean;
  private warnedMessages = 0;
  private readonly bodyBuffers = new BodyBuffers();
  /** Request bodies before compression, for the stats and the benchmark. */
  uncompressedBytes = 0;
  /** How the disk spool keeps this sender's records (spool-codec.ts). */
  readonly spoolCodec: SpoolCodec<OtlpRecord>;

  constructor(options: OtlpSenderOptions) {
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    this.codec = options.codec;
    this.signal = options.signal;
    this.compression = options.compression;
    this.name = options.name;
    this.onRefused = options.onRefused;
    this.#isRetryable = options.isRetryable ?? isOtlpRetryable;
    this.spoolCodec = otlpSpoolCodec(
      options.encoding ?? (/\bjson\b/i.test(options.codec.contentType) ? 'json' : 'protobuf'),
    );
    const targets = options.endpoints.map((endpoint) => ({
      endpoint,
      transport: create({
        ...options.transport,
        url: endpoint.url,
        compression: options.compression,
        headers: { ...options.transport?.headers, 'content-type': options.codec.contentType },
      }),
    }));
    this.#failover = new Failover(targets, (target) => target.endpoint.display, options.name);
  }

  /** The endpoint the next send goes to. */
  get currentEndpoint(): string {
    return this.#failover.currentLabel;
  }

  sizeOf(record: OtlpRecord): number {
    return this.codec.recordSize(record);
  }

  /** The request body of a batch, before compression. */
  encode(batch: readonly OtlpRecord[]): Buffer {
    const body = this.codec.request(batch, this.signal);
    this.uncompressedBytes += body.length;
    return body;
  }

  async send(batch: readonly OtlpRecord[], context: SendContext): Promise<SendResult> {
    const target = this.#failover.current;
    let body: Buffer;
    let reused: Buffer | undefined;
    try {
      body = this.codec.request(batch, this.signal, (bytes) => {
        reused = this.bodyBuffers.take(bytes);
        return reused.subarray(0, bytes);
      });
      this.uncompressedBytes += body.length;
    } catch (error) {
      if (reused) this.bodyBuffers.give(reused);
      return { kind: 'permanent', reason: `could not encode the request: ${String(error)}` };
    }
    let result: SendResult;
    try {
      const response = await target.transport.request({ body, signal: context.signal });
      this.bodyBuffers.giveAfterAnswer(reused, response.status);
      result = classifyOtlpResponse(
        response,
        batch.length,
        (text) => target.transport.redact(text),
        Date.now(),
        this.#isRetryable,
      );
      if (result.kind === 'delivered') this.warnOfMessage(response);
    } catch (error) {
      result = target.transport.classifyError(error);
    }
    const where = target.endpoint.display;
    switch (result.kind) {
      case 'retryable':
        this.#failover.moveOn(target, result.reason);
        return { ...result, reason: `${where}: ${result.reason}` };
      case 'permanent':
      case 'too_large':
        if (result.kind === 'permanent' && result.httpStatus !== undefined) {
          this.tell(result.httpStatus, result.reason);
        }
        return { ...result, reason: `${where}: ${result.reason}` };
      default:
        return result;
    }
  }

  /**
   * A partial success with nothing rejected but an error_message is a warning from the
   * receiver (the specification's words): logged, a few times, not counted.
   */
  private warnOfMessage(response: HttpResponse): void {
    if (this.warnedMessages >= 3) return;
    const partial = readPartialSuccess(response.body, response.headers['content-type']);
    if (!partial?.errorMessage) return;
    this.warnedMessages++;
    diag.warn(`otelpack ${this.name}: the OTLP receiver warns: ${partial.errorMessage}`);
  }

  private tell(status: number, reason: string): void {
    try {
      this.onRefused?.(status, reason);
    } catch {
      // A preset's hook must not turn a report into a failure of the send.
    }
  }

  async close(): Promise<void> {
    this.bodyBuffers.close();
    await Promise.all(this.#failover.all().map((t) => t.transport.close().catch(() => undefined)));
  }
}
