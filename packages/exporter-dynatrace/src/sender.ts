import { diag } from '@opentelemetry/api';
import { HttpTransport, utf8Length } from '@otelpack/batching-core';
import type {
  BatchSender,
  HttpResponse,
  HttpTransportOptions,
  SendContext,
  SendResult,
} from '@otelpack/batching-core';
import { isUnnamedFailure, lineFailures, readIngestAnswer } from './response';
import type { IngestAnswer } from './response';
import type { MetadataMemory } from './metadata';

/** The distinct lines of the request the answer names as invalid. */
function namedCount(answer: IngestAnswer, batchSize: number): number {
  return new Set(answer.invalidLines.map((l) => l.line).filter((l) => l >= 1 && l <= batchSize))
    .size;
}

export const LINE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/plain; charset=utf-8',
});

export interface LineSenderOptions {
  /** The ingest URL, credentials kept out of it (the token is a header). */
  url: URL;
  /** The URL for logs. */
  display: string;
  /** The exporter's name, in log lines. */
  name: string;
  transport?: Omit<HttpTransportOptions, 'url' | 'compression'>;
  /** Told once of a refused token (401/403), to say what to check. */
  onRefused?: (status: number, reason: string) => void;
  /** Told which metadata lines the ingest settled, so that the mapping stops writing them. */
  metadata?: MetadataMemory;
  /** Test seam: how a transport is made. */
  createTransport?: (options: HttpTransportOptions) => HttpTransport;
}

/**
 * Posts a batch of lines as one request (the pipeline's maxBatchItems keeps it to the 1,000 lines
 * Dynatrace recommends, maxBatchBytes under the 1 MB payload limit). The answer settles each line:
 * 202 all taken; a 400 with `invalidLines` takes the others and refuses those, with the
 * ingest's error for each, so that a taken line is never sent again; 413 halves the batch;
 * 429 and 5xx retry; other statuses refuse the batch.
 */
export class LineSender implements BatchSender<string> {
  readonly #transport: HttpTransport;
  private readonly display: string;
  private readonly name: string;
  private readonly onRefused: ((status: number, reason: string) => void) | undefined;
  private readonly metadata: MetadataMemory | undefined;
  private warnedUncounted = false;

  constructor(options: LineSenderOptions) {
    const create = options.createTransport ?? ((o: HttpTransportOptions) => new HttpTransport(o));
    this.#transport = create({
      ...options.transport,
      url: options.url,
      compression: 'none',
      headers: { ...options.transport?.headers, ...LINE_HEADERS },
    });
    this.display = options.display;
    this.name = options.name;
    this.onRefused = options.onRefused;
    this.metadata = options.metadata;
  }

  /** The line and its newline. */
  sizeOf(line: string): number {
    return utf8Length(line) + 1;
  }

  async send(batch: readonly string[], context: SendContext): Promise<SendResult> {
    let response: HttpResponse;
    try {
      response = await this.#transport.request({
        body: batch.join('\n'),
        signal: context.signal,
      });
    } catch (error) {
      return this.#transport.classifyError(error);
    }
    const result = this.settle(response, batch.length);
    this.noteSettled(batch, result);
    return result;
  }

  /**
   * The metadata lines the ingest settled, which the mapping writes no more: those it took, and
   * those it named as invalid (refused for what they say, they would be refused again). A line of
   * a request refused or dropped as a whole, or counted invalid without being named, goes again
   * with the metric's next points.
   */
  private noteSettled(batch: readonly string[], result: SendResult): void {
    if (!this.metadata) return;
    if (result.kind === 'delivered') this.metadata.markSettled(batch);
    if (result.kind !== 'partial') return;
    const unsettled = new Set(result.failures.filter(isUnnamedFailure).map((f) => f.index));
    this.metadata.markSettled(batch.filter((_, i) => !unsettled.has(i)));
  }

  /** The answer to a request of `batchSize` lines, line by line where the ingest says which. */
  settle(response: HttpResponse, batchSize: number): SendResult {
    const status = response.status;
    const redact = (text: string) => this.#transport.redact(text);
    if (status === 400 || (status >= 200 && status < 300)) {
      const answer = readIngestAnswer(response.body);
      const counted = answer?.linesInvalid ?? 0;
      if (answer && (answer.invalidLines.length > 0 || counted > 0 || status === 400)) {
        const failures = lineFailures(answer, batchSize, redact);
        if (failures.length > 0) {
          this.warnUncounted(answer.linesInvalid, namedCount(answer, batchSize));
          return { kind: 'partial', failures, httpStatus: status };
        }
      }
    }
    const result = this.#transport.classify(response);
    if (result.kind === 'permanent') {
      const reason = `${this.display}: ${result.reason}`;
      if (status === 401 || status === 403) this.onRefused?.(status, result.reason);
      return { ...result, reason };
    }
    if (result.kind === 'retryable')
      return { ...result, reason: `${this.display}: ${result.reason}` };
    return result;
  }

  /** More invalid lines counted than named: which of the lines they were, nobody can tell. */
  private warnUncounted(linesInvalid: number | undefined, named: number): void {
    if (linesInvalid === undefined || linesInvalid <= named || this.warnedUncounted) return;
    this.warnedUncounted = true;
    diag.warn(
      `otelpack ${this.name}: the ingest counted ${linesInvalid} invalid lines but named ${named}; the others are counted as rejected, the last lines of the request it did not name`,
    );
  }

  close(): Promise<void> {
    return this.#transport.close();
  }
}
