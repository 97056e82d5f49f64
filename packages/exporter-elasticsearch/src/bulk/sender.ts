import type { Client } from '@elastic/elasticsearch';
import { BodyBuffers, KnownSecrets } from '@otelpack/batching-core';
import type { BatchSender, HeaderProvider, SendContext, SendResult } from '@otelpack/batching-core';
import type { IndexSetup } from '../setup/runner';
import { classifyClientError, mayHaveBeenApplied } from './client-errors';
import { copyDocument, detachDocument, sharedTailOf } from './record';
import type { BulkRecord } from './record';
import type { SharedJsonTail } from '../mapping/types';
import { bulkRecordSpoolCodec } from './spool-codec';
import { BULK_FILTER_PATH, interpretBulkResponse } from './response';

export interface BulkSenderOptions {
  client: Client;
  /** Close the client on shutdown (false for a client the user passed in). */
  ownsClient: boolean;
  /** One request's deadline, for the client (the exporter's `timeoutMs`). */
  requestTimeoutMs: number;
  /** Called before every request; its headers go with it. */
  headerProvider?: HeaderProvider;
  /** Credentials to scrub from every reason. */
  secrets: readonly string[];
  setup?: IndexSetup;
  /**
   * The signal's documents may go to time series data streams (metrics): then, on a spool, the
   * records an earlier process had sent without a final answer are told to the sender on replay.
   */
  timeSeries?: boolean;
}

const NEWLINE = 0x0a;
const NEWLINE_BYTES = Buffer.from('\n');

function bulkLines(record: BulkRecord): Uint8Array[] {
  return [Buffer.from(record.action), NEWLINE_BYTES, record.documentBytes, NEWLINE_BYTES];
}

/**
 * The body of one `_bulk` request, each record's action and document lines, as one Buffer of
 * the size the records already know (`bytes`). Not a string: the client takes a string body's
 * `Buffer.byteLength` for its content-length, which flattens the concatenation of every line
 * into one large string first, and then encodes it again to write it; that was a third of the
 * exporter's CPU per record in the end-to-end profile. The documents are UTF-8 already (see
 * record.ts): copied, not encoded.
 */
export function buildBulkBody(
  batch: readonly BulkRecord[],
  memoryFor: (bytes: number) => Buffer = Buffer.allocUnsafe,
): Buffer {
  let size = 0;
  for (const record of batch) size += record.bytes;
  const memory = memoryFor(size);
  const body = memory.length === size ? memory : memory.subarray(0, size);
  let offset = 0;
  // A batch's records mostly share one action line: its bytes are copied from where it was
  // last written, which costs less than encoding the string again for each record.
  let action: string | undefined;
  let actionStart = 0;
  let actionEnd = 0;
  try {
    for (const record of batch) {
      if (record.action === action) {
        body.copyWithin(offset, actionStart, actionEnd);
        offset += actionEnd - actionStart;
      } else {
        action = record.action;
        actionStart = offset;
        offset += body.write(action, offset);
        body[offset++] = NEWLINE;
        actionEnd = offset;
      }
      offset = copyDocument(record, body, offset);
      body[offset++] = NEWLINE;
    }
  } catch {
    offset = -1;
  }
  // `bytes` counts both lines (encodeDocument); were it ever wrong, the lines after that record
  // would be cut or shifted: join them whole instead.
  if (offset !== size) return Buffer.concat(batch.flatMap(bulkLines));
  return body;
}

/**
 * Sends one batch as one `_bulk` request and says what became of each document. It never
 * retries, waits or queues: the core does.
 */
export class ElasticsearchBulkSender implements BatchSender<BulkRecord> {
  /** The client and the options hold credentials: private, out of JSON and inspect. */
  readonly #client: Client;
  readonly #options: BulkSenderOptions;
  readonly #secrets: KnownSecrets;
  private readonly scrub: (text: string) => string;
  /**
   * Time series records that an earlier attempt may have stored (its answer was lost, cut off or
   * unreadable: `mayHaveBeenApplied`): a 409 on a resend is then our own earlier write. Not a
   * record whose attempt Elasticsearch refused whole (429, 503) or that never connected: a 409
   * after that is another writer's document. Only time series records: a 409 means nothing of
   * the kind for any other record, and a WeakSet entry per record cost GC time at every
   * collection. A record replayed from the disk spool by a later process is a new object: it is
   * here when the earlier process had sent it without hearing a final answer (`sentBeforeRestart`),
   * else its 409 counts as rejected (a drop counted with its reason, never a silent one).
   */
  readonly #maybeStored = new WeakSet<BulkRecord>();
  /**
   * Request bodies are written into memory kept from one request to the next: a fresh 2–3 MB
   * Buffer per request was its page faults and external memory that hurried the next collection
   * (issue 11's spans: 0.92× the CPU per span of fresh bodies, paired runs of cpu-vs-otlp.ts).
   */
  readonly #bodies = new BodyBuffers();

  /**
   * With the disk spool, for time series documents only: what an earlier process sent and never
   * heard a final answer for (killed while the request was out, or while its retry waited) may be
   * stored, so a 409 to its resend is our own write. Undefined for the other signals, whose
   * senders need not have the spool write down each request's records.
   */
  readonly sentBeforeRestart?: (records: readonly BulkRecord[]) => void;

  constructor(options: BulkSenderOptions) {
    this.#options = options;
    if (options.timeSeries) this.sentBeforeRestart = (records) => this.#markMaybeStored(records);
    this.#client = options.client;
    this.#secrets = new KnownSecrets(options.secrets);
    this.scrub = (text) => this.#secrets.redact(text);
  }

  sizeOf(record: BulkRecord): number {
    return record.bytes;
  }

  /**
   * How records go to the disk spool: the documents' bytes, each distinct action line and shared
   * tail once per export.
   */
  readonly spoolCodec = bulkRecordSpoolCodec;

  /**
   * What a held BulkRecord costs in memory, for the core's maxQueueBytes: its document's UTF-8
   * in a slab (with the slab's unused end), the record object, its index string and the core's
   * entry (and, when it was fitted, a view of the document that record.ts no longer keeps).
   * Fitted by bench/memory-fit.ts (heap + external growth after GC per held record, backend
   * down, 64 MiB cap; spans and logs of three sizes each): least squares
   * 181 + 1.059 x sizeOf, within 2.5% of all six (spans: 1,286 B held at 1,047 wire B, 1,361 at
   * 1,127, 2,062 at 1,727; logs: 1,284 at 1,057, 1,466 at 1,217, 3,357 at 3,017); rounded up,
   * which stays above every point but 1,727 (1.5% under). That fit was of whole documents, which
   * `ecs`, `raw` and metric records still are; an `otel`-mode span or log record keeps its tail
   * by reference (record.ts): the model is applied to its own bytes, and the tail is counted
   * apart (sharedPartOf).
   */
  readonly memoryModel = { perRecordBytes: 200, perWireByte: 1.06 };

  /**
   * An `otel`-mode span, span event or log record refers to the tail it shares with the other
   * documents of its target, resource and scope (record.ts): the queue counts the record's own
   * bytes by the model above and the tail once while any record that refers to it is held.
   */
  sharedPartOf(record: BulkRecord): SharedJsonTail | undefined {
    return sharedTailOf(record);
  }

  async send(batch: readonly BulkRecord[], { signal }: SendContext): Promise<SendResult> {
    if (this.#options.setup) {
      const setupFailure = await this.#options.setup.ensure(signal);
      if (setupFailure) return setupFailure;
    }
    let taken: Buffer | undefined;
    // Only through the client the exporter made: a client passed in may have diagnostics
    // listeners or a connection class of the user's that keep the body after the answer.
    const body = this.#options.ownsClient
      ? buildBulkBody(batch, (bytes) => (taken = this.#bodies.take(bytes)))
      : buildBulkBody(batch);
    // The lines were joined elsewhere (a record's size was off): the memory taken holds nothing.
    if (taken && body.buffer !== taken.buffer) {
      this.#bodies.give(taken);
      taken = undefined;
    }
    const resent = this.#maybeStoredPositions(batch);
    try {
      const headers = this.#options.headerProvider
        ? await this.#options.headerProvider()
        : undefined;
      this.#secrets.rememberHeaders(headers);
      // The core runs every send with tracing suppressed, so this request makes no spans.
      const response = await this.#client.transport.request(
        {
          method: 'POST',
          path: '/_bulk',
          querystring: { filter_path: BULK_FILTER_PATH },
          bulkBody: body,
        },
        {
          signal,
          maxRetries: 0,
          requestTimeout: this.#options.requestTimeoutMs,
          meta: true,
          // The client's default ('replace') copies every error's metadata key by key to redact
          // it, the request body among it: a Buffer is copied index by index, ~480 ms of CPU
          // for each failed 600 KB request (a backend down or throttling whole requests stalled
          // the service's event loop). Nothing here keeps or shows the client's errors: the
          // sender reads their name, status, headers and body, and its reasons are scrubbed of
          // the credentials it knows.
          redaction: { type: 'off' },
          ...(headers ? { headers } : {}),
        },
      );
      // A 2xx from Elasticsearch for the _bulk request itself: the body's memory is free again.
      this.#bodies.giveAfterAnswer(taken, response.statusCode);
      const result = interpretBulkResponse(
        response.body,
        batch,
        this.scrub,
        (index) => resent?.has(index) === true,
      );
      // An answer whose items cannot be read against the batch: Elasticsearch ran the request.
      if (result.kind === 'retryable') this.#markMaybeStored(batch);
      // Failed items are retried alone or go to the dead-letter hook, while the rest of their
      // batch is freed: each moves out of the slab it shares with them.
      if (result.kind === 'partial') {
        for (const failure of result.failures) detachDocument(batch[failure.index]);
      }
      // The status goes to self-telemetry (http.response.status_code of the operation).
      return typeof response.statusCode === 'number'
        ? { ...result, httpStatus: response.statusCode }
        : result;
    } catch (error) {
      if (mayHaveBeenApplied(error)) this.#markMaybeStored(batch);
      return classifyClientError(error, this.scrub);
    }
  }

  #markMaybeStored(batch: readonly BulkRecord[]): void {
    for (const record of batch) if (record.timeSeries) this.#maybeStored.add(record);
  }

  /** Positions of the batch's time series records an earlier attempt may have stored. */
  #maybeStoredPositions(batch: readonly BulkRecord[]): Set<number> | undefined {
    let positions: Set<number> | undefined;
    batch.forEach((record, index) => {
      if (record.timeSeries && this.#maybeStored.has(record)) (positions ??= new Set()).add(index);
    });
    return positions;
  }

  async close(): Promise<void> {
    this.#bodies.close();
    if (this.#options.ownsClient) await this.#client.close();
  }
}
