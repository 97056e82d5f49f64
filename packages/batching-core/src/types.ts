import type { SpoolCodec } from './spool/codec';

/**
 * Why a record left the pipeline without being delivered. `corrupt`: a spool held it and a later
 * process could not read it back; `filtered`: a `drop` statement of the exporter's `transform` (or
 * its function returning undefined) left it out on purpose; `transform_error`: a statement failed
 * on it under `errorMode: 'propagate'`.
 */
export type DropReason =
  | 'queue_full'
  | 'shutdown'
  | 'expired'
  | 'too_large'
  | 'rejected'
  | 'corrupt'
  | 'filtered'
  | 'transform_error';

export const DROP_REASONS: readonly DropReason[] = [
  'queue_full',
  'shutdown',
  'expired',
  'too_large',
  'rejected',
  /** Records a spool held that a later process could not read back (damaged on disk). */
  'corrupt',
  'filtered',
  'transform_error',
];

export type Signal = 'traces' | 'logs' | 'metrics';

/** One record of a batch that the backend did not take. */
export interface ItemFailure {
  /** Position of the record in the batch that was sent. */
  index: number;
  retryable: boolean;
  /** Backend's words for the failure, e.g. `mapper_parsing_exception: failed to parse [x]`. */
  reason: string;
  retryAfterMs?: number;
}

/**
 * What one send of one batch came to. A sender reports; it never sleeps, loops or queues:
 * the core decides what happens next.
 */
export type SendResult = SendResultKinds & {
  /** The status of the last HTTP response, where there was one (self-telemetry reports it). */
  httpStatus?: number;
};

type SendResultKinds =
  | { kind: 'delivered' }
  | {
      kind: 'retryable';
      reason: string;
      /** From a Retry-After header or an equivalent backend hint. */
      retryAfterMs?: number;
      /** The backend said it is overloaded (429, 503): the adaptive limiter backs off. */
      backpressure?: boolean;
    }
  | { kind: 'permanent'; reason: string }
  /**
   * The backend refused the request for its size (e.g. HTTP 413). The core splits the batch in
   * two and sends the halves at once; a single record that is still too large is dropped as
   * `too_large`.
   */
  | { kind: 'too_large'; reason: string }
  /**
   * Records not named in `failures` were delivered. `backpressure`: the backend shed some
   * items for load (e.g. per-item 429), which the adaptive limiter should hear.
   */
  | { kind: 'partial'; failures: ItemFailure[]; backpressure?: boolean };

export interface SendContext {
  /** Aborted when the request exceeds `requestTimeoutMs` or shutdown's deadline passes. */
  signal: AbortSignal;
  /** 1 for the first send of these records, 2 for the first retry, ... */
  attempt: number;
}

/** Memory that records share (`BatchSender.sharedPartOf`): one object for all that share it. */
export interface SharedPart {
  /** Of each sharing record's wire bytes (`sizeOf`), how many are this part's. */
  readonly wireBytes: number;
  /** What the part holds in memory, counted once while any held record refers to it. */
  readonly heldBytes: number;
}

/** The exporter's side of the contract: how big a record is, and how to send a batch of them. */
export interface BatchSender<R> {
  /** Estimated uncompressed wire bytes of one record; drives the byte limits of queue and batch. */
  sizeOf(record: R): number;
  /**
   * Optional: what a held record costs in memory, as `perRecordBytes + perWireByte * sizeOf()`,
   * measured for the exporter's record type (see its memory benchmark). The queue's byte bound
   * (`maxQueueBytes`) counts this, so that it bounds the process's growth; batches are still cut
   * by wire bytes. Without it, a record is counted at its wire size.
   */
  readonly memoryModel?: { perRecordBytes: number; perWireByte: number };
  /**
   * Optional: the part of a record that it shares with other records rather than holds (an
   * Elasticsearch document's resource and scope members, written once for all the documents of
   * one resource and scope). The queue counts a record's own bytes (its wire bytes less the
   * part's, by `memoryModel` where there is one) and each part once, for as long as any record
   * it holds refers to it: parts are told apart by identity, and their sizes must be whole
   * numbers that do not change. A record whose answer is not such a part is counted whole;
   * without this method, every record is.
   */
  sharedPartOf?(record: R): SharedPart | undefined;
  send(batch: readonly R[], context: SendContext): Promise<SendResult>;
  /**
   * Optional: split a record larger than `maxBatchBytes` into pieces that fit. Returning
   * undefined (or not implementing it) drops the record with reason `too_large`.
   */
  split?(record: R, maxBatchBytes: number): R[] | undefined;
  /** Optional: release connections; called once by the pipeline's shutdown, after the last send. */
  close?(): Promise<void>;
  /**
   * Optional: how records are written to a spool (the `spool` option) and read back. Default:
   * `defaultSpoolCodec` (strings, bytes and flat plain objects in their own layouts, any other
   * through V8 serialisation, which gives class instances back as plain objects). Records that
   * are one text each: `textSpoolCodec`.
   */
  readonly spoolCodec?: SpoolCodec<R>;
  /**
   * Optional: the backend deduplicates a request by the records it carries (ClickHouse's
   * `insert_deduplication_token` names a batch's rows). With a spool, each request's records are
   * then written down before it leaves, and a batch sent before a crash is replayed cut exactly
   * as it was, so the copy of a batch stored just before the crash is dropped by the backend.
   * Without it, replayed records are cut afresh (fewer, fuller requests), which is all a backend
   * that keeps every request (OTLP) or deduplicates each record (Elasticsearch's ids) needs.
   */
  readonly deduplicatesBatches?: boolean;
  /**
   * Optional: with a spool, told (once, before anything is sent) which of the records an earlier
   * process left a request had carried: that process sent them at least once and heard no final
   * answer (none at all, or one to retry after: a refused connection, a throttle). What it heard
   * is not kept, so the backend may hold them, or certainly not. Its presence, like
   * `deduplicatesBatches`, has the spool write down each request's records before it leaves.
   * Elasticsearch's sender uses it for time series documents, where a 409 to a resend is its own
   * earlier write and to a first send another writer's document. Anything it throws is logged,
   * never the pipeline's failure.
   */
  sentBeforeRestart?(records: readonly R[]): void;
  /**
   * Optional: told of records once they are counted delivered, each record once, after which
   * the pipeline never reads them or hands them to the sender again. The sender's own part: a
   * send reads its records neither after it has answered (or thrown) nor after its signal is
   * aborted (the pipeline gave up on it at `requestTimeoutMs`, and may be delivering the same
   * records in a retry meanwhile).
   * A sender may then reuse memory the records hold: exporter-clickhouse writes new rows into
   * the slabs delivered rows were views of. Records dropped (a dead-letter sink may keep them)
   * are never passed. Anything it throws is logged, never the pipeline's failure.
   */
  afterDelivered?(records: readonly R[]): void;
}

/** Records given up on, with why: what a dead-letter handler receives for dropped records. */
export interface DeadLetter<R> {
  /** `delivery`: records the pipeline held and gave up on. */
  stage: 'delivery';
  exporter: string;
  signal: Signal;
  reason: DropReason;
  /** Each record with the backend's or the core's explanation for it (secrets redacted). */
  items: { record: R; detail: string }[];
}

/**
 * SDK items the exporter's mapping could not turn into records (counted as `rejected`), each as
 * a plain JSON-safe object (names, ids, times, attributes), with why.
 */
export interface UnmappedLetter {
  /** `mapping`: items that never became records. */
  stage: 'mapping';
  exporter: string;
  signal: Signal;
  reason: 'rejected';
  items: { item: Record<string, unknown>; detail: string }[];
}

export type DeadLetterHandler<R> = (letter: DeadLetter<R> | UnmappedLetter) => void | Promise<void>;
