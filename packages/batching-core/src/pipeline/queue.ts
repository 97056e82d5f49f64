import { Deque } from '../deque';
import type { QueuedRecord } from './entry';

/**
 * Where accepted records wait for their first send, oldest first. The pipeline pushes at the
 * tail, cuts batches from the head, and acknowledges each record once its outcome is final, so
 * that a persistent implementation can forget it. The in-memory queue is one implementation; a
 * disk spool is another (the same conformance suite, `recordQueueConformance` in
 * `@otelpack/batching-core/testing`, runs against both).
 */
export interface RecordQueue<T extends QueuedRecord<unknown>> {
  /** Records waiting. */
  readonly length: number;
  /** Their wire bytes (`QueuedRecord.bytes`), which decide when a full batch is due. */
  readonly bytes: number;
  push(record: T): void;
  /** The oldest record, left in place. */
  peek(): T | undefined;
  /** Takes the oldest record. */
  shift(): T | undefined;
  /** Takes every waiting record, oldest first (shutdown). */
  drain(): T[];
  /** These records, taken earlier, reached their final outcome (delivered or dropped). */
  acknowledge(records: readonly T[]): void;
  /** Releases what the queue holds open (files, handles); called once, at shutdown. */
  close(): Promise<void>;
  /**
   * A persistent queue keeps what shutdown could not send for the next process, instead of the
   * pipeline dropping it (the ledger counts it as `leftInSpool`).
   */
  readonly persistent?: boolean;
  /**
   * Persistent queues: makes what was pushed since the last call durable before the export
   * counts as accepted. Records it could not write are taken back out of the queue and returned
   * with why; the pipeline drops them, counted.
   */
  commit?(): QueueCommitFailure<T> | undefined;
  /**
   * Persistent queues: these records (taken earlier) go out in one request, now. Written down
   * before it leaves, so that a later process replays them as one batch again (`sentBatch`): a
   * backend that deduplicates a batch by its records (ClickHouse's insert token) then drops the
   * copy of a batch it stored before a crash.
   */
  willSend?(records: readonly T[]): void;
}

/** Records a persistent queue could not write, and why (`spool full …`, `spool write failed: ENOSPC …`). */
export interface QueueCommitFailure<T> {
  records: T[];
  /** Why, with its figures (bytes on disk, the error): the drop's detail. */
  reason: string;
  /**
   * The reason without its figures (`spool full`, `spool write failed: EIO`): the pipeline warns
   * about refusals by period (refusal-watch.ts), once for each cause in it, not for each refused
   * export. Without it, every refusal has one cause: `the queue refused the export`.
   */
  cause?: string;
}

/** The default queue: an array-backed ring buffer; nothing survives the process. */
export class MemoryRecordQueue<T extends QueuedRecord<unknown>> implements RecordQueue<T> {
  private readonly items = new Deque<T>();
  private waitingBytes = 0;

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.waitingBytes;
  }

  push(record: T): void {
    this.items.push(record);
    this.waitingBytes += record.bytes;
  }

  peek(): T | undefined {
    return this.items.peek();
  }

  shift(): T | undefined {
    const record = this.items.shift();
    if (record) this.waitingBytes -= record.bytes;
    return record;
  }

  drain(): T[] {
    const all: T[] = [];
    while (this.items.length > 0) all.push(this.items.shift() as T);
    this.waitingBytes = 0;
    return all;
  }

  acknowledge(): void {
    // Nothing to forget: a record in memory is gone once nothing references it.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
