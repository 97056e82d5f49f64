import type { DropReason, SharedPart } from '../types';

/** What a queue holds of one accepted record: enough to send it, and to age it. */
export interface QueuedRecord<R> {
  record: R;
  /** Estimated wire bytes (the sender's `sizeOf`): batches are cut by these. */
  bytes: number;
  /** Acceptance order, for flush barriers. */
  seq: number;
  /**
   * Acceptance time, in wall-clock milliseconds since the pipeline's `clockOriginMs` (negative
   * for a record replayed from before this process).
   */
  acceptedAtMs: number;
  /**
   * The request that last carried the record, as a persistent queue wrote it down (`willSend`):
   * records sharing one were sent together, by this process or (replayed) an earlier one, and a
   * replayed batch is cut again as it was sent. `undefined` until a persistent queue sets it.
   */
  sentBatch?: SentTogether;
}

/** One request's records, as a persistent queue wrote them down: shared by all of them. */
export interface SentTogether {
  /** How many records the request carried. */
  readonly records: number;
}

/** Where a held record is; `done` once it is delivered or dropped. */
export type EntryState = 'awaiting_send' | 'in_flight' | 'awaiting_retry' | 'done';

/** A held record as the pipeline tracks it, from acceptance to its outcome. */
export interface Entry<R> extends QueuedRecord<R> {
  state: EntryState;
  /** What the record shares with others (`BatchSender.sharedPartOf`), counted once for all. */
  shared: SharedPart | undefined;
  /**
   * The submit call waiting for this record's outcome (direct delivery only); also set on a
   * queued-mode record evicted while its own submit is still being accepted.
   */
  ticket: Ticket | undefined;
  /**
   * Where the disk spool wrote the record (its record id, set by the spool); `undefined` until
   * then, and always in memory. Part of every entry from its creation so that all entries have
   * one shape: a field added later makes a second hidden class (two shapes at every property
   * read in the pipeline) and an out-of-object property store per record.
   */
  spoolId: number | undefined;
  sentBatch: SentTogether | undefined;
}

/**
 * A new entry, awaiting its first send. Made by a constructor rather than an object literal: V8
 * gives each literal an allocation site and, once most of a site's objects outlive a young
 * collection (as held records do while a batch of up to `maxBatchItems` fills), allocates all
 * of that site's later objects straight in the old generation. Delivered entries are then old
 * garbage, and at ClickHouse's 10,000-record batches that garbage brought on a mark-compact
 * every second or so (exporter-clickhouse's bench/HISTORY.md, 7 December). Objects made by a
 * constructor are not pretenured: those delivered before two young collections die young.
 */
export class HeldEntry<R> implements Entry<R> {
  record: R;
  bytes: number;
  seq: number;
  acceptedAtMs: number;
  state: EntryState = 'awaiting_send';
  shared: SharedPart | undefined;
  ticket: Ticket | undefined;
  spoolId: number | undefined;
  sentBatch: SentTogether | undefined = undefined;

  constructor(
    record: R,
    bytes: number,
    seq: number,
    acceptedAtMs: number,
    shared: SharedPart | undefined,
    ticket: Ticket | undefined,
    spoolId: number | undefined,
  ) {
    this.record = record;
    this.bytes = bytes;
    this.seq = seq;
    this.acceptedAtMs = acceptedAtMs;
    this.shared = shared;
    this.ticket = ticket;
    this.spoolId = spoolId;
  }
}

/** Records sent together, and how many sends they have had. */
export interface Batch<R> {
  entries: Entry<R>[];
  /** Sends these records have had before this one. */
  attempt: number;
  /** The export operation these records belong to, from their first send (then shared by retries). */
  operation: ExportOperation | undefined;
}

/**
 * One export operation in self-telemetry's sense: a batch from its first send, through its
 * retries and backoff, to the final outcome of its records.
 */
export interface ExportOperation {
  /** When the first send began (the dispatcher's monotonic clock). */
  startedAtMs: number;
  /** The latest reason records of the operation were dropped: the operation then failed. */
  errorType: string | undefined;
}

/** What became of the records of one `submit` call, as far as known when it resolves. */
export interface SubmitResult {
  accepted: number;
  delivered: number;
  dropped: Partial<Record<DropReason, number>>;
  /** Records still held (always 0 when the submit waited for settlement). */
  pending: number;
  /** The first reason a record was dropped, for the SDK's error message. */
  firstDropDetail?: string;
}

/** One submit call's account. */
export interface Ticket {
  /**
   * Records of this submit still held. Entries point back at the ticket only in direct mode (and
   * an entry its own submit evicts: Pipeline's acceptingSubmit).
   */
  remaining: number;
  tracked: boolean;
  /** One clock read per submit: the records of one export share their acceptance time. */
  acceptedAtMs: number;
  /** Accepted records self-telemetry has heard of (all of them once the submit ends). */
  reportedAccepted: number;
  /** Dropped before they were held, tallied so self-telemetry is updated once per submit. */
  doorDrops: Partial<Record<DropReason, number>>;
  result: SubmitResult;
  resolve?: (result: SubmitResult) => void;
}

/** The records of a batch still held (shutdown or eviction may have settled some meanwhile). */
export function liveEntries<R>(entries: readonly Entry<R>[]): Entry<R>[] {
  return entries.filter((e) => e.state !== 'done');
}

/**
 * Appends every item of `source` to `target`. `push(...source)` passes each item as an argument
 * and overflows the stack past about 120,000 of them: a queue or a metrics collection is larger.
 */
export function appendAll<T>(target: T[], source: readonly T[]): void {
  for (let i = 0; i < source.length; i++) target.push(source[i]);
}
