import { Deque } from '../deque';
import type { Batch, Entry, ExportOperation } from './entry';
import { liveEntries } from './entry';

interface RetryWait<R> {
  batch: Batch<R>;
  timer: NodeJS.Timeout;
}

/**
 * Batches between a failed send and their next one: waiting out their delay (one unref'd timer
 * each), then ready, ahead of anything new in the queue (their records are the oldest).
 */
export class RetryWaits<R> {
  /** Records awaiting a retry, waiting or ready. */
  items = 0;
  private readonly waiting = new Set<RetryWait<R>>();
  private readonly ready = new Deque<Batch<R>>(16);

  constructor(private readonly onReady: () => void) {}

  /**
   * Whether a batch with records still held is waiting out its delay (ordered delivery holds
   * newer ones back). A wait whose records were all settled meanwhile (evicted by drop_oldest)
   * is ended here: kept, it held every newer batch back until its timer, for nothing.
   */
  get hasWaiting(): boolean {
    for (const wait of this.waiting) {
      if (wait.batch.entries.some((entry) => entry.state !== 'done')) return true;
      clearTimeout(wait.timer);
      this.waiting.delete(wait);
    }
    return false;
  }

  /** Retry `entries` after `delayMs`, in the export operation they began. */
  schedule(
    entries: Entry<R>[],
    attempt: number,
    delayMs: number,
    operation: ExportOperation | undefined,
  ): void {
    this.enter(entries);
    const wait: RetryWait<R> = {
      batch: { entries, attempt, operation },
      timer: setTimeout(() => {
        this.waiting.delete(wait);
        this.ready.push(wait.batch);
        this.onReady();
      }, delayMs),
    };
    wait.timer.unref();
    this.waiting.add(wait);
  }

  /** Sends these next, before anything else (the halves of a batch that was too large). */
  sendNext(entries: Entry<R>[], attempt: number, operation: ExportOperation | undefined): void {
    this.enter(entries);
    this.ready.unshift({ entries, attempt, operation });
  }

  /** The next ready batch with records still held; they leave this part. */
  takeReady(): Batch<R> | undefined {
    while (this.ready.length > 0) {
      const batch = this.ready.shift() as Batch<R>;
      const live = liveEntries(batch.entries);
      if (live.length > 0) {
        this.items -= live.length;
        return { entries: live, attempt: batch.attempt, operation: batch.operation };
      }
    }
    return undefined;
  }

  /** A record here was settled (evicted, or dropped at shutdown). */
  leave(count: number): void {
    this.items -= count;
  }

  /** Records of ready batches (counted as awaiting their send in stats). */
  readyItems(): number {
    let count = 0;
    for (const batch of this.ready) {
      for (const entry of batch.entries) if (entry.state === 'awaiting_retry') count++;
    }
    return count;
  }

  /**
   * The oldest batch with records still held, whole (only its live records): a part of a retried
   * batch resent alone would be a different request, which defeats the backend's deduplication
   * of retried requests (e.g. ClickHouse's tokens). Ready batches are older than waiting ones.
   */
  oldestLive(): Batch<R> | undefined {
    for (const batch of this.ready) {
      const live = liveEntries(batch.entries);
      if (live.length > 0) return { ...batch, entries: live };
    }
    for (const wait of this.waiting) {
      const live = liveEntries(wait.batch.entries);
      if (live.length > 0) return { ...wait.batch, entries: live };
    }
    return undefined;
  }

  /** Cancels every wait; returns every batch with records still here (shutdown), live ones only. */
  drain(): Batch<R>[] {
    const left: Batch<R>[] = [];
    const keep = (batch: Batch<R>) => {
      const live = liveEntries(batch.entries);
      if (live.length > 0) left.push({ ...batch, entries: live });
    };
    for (const wait of this.waiting) {
      clearTimeout(wait.timer);
      keep(wait.batch);
    }
    this.waiting.clear();
    while (this.ready.length > 0) keep(this.ready.shift() as Batch<R>);
    return left;
  }

  private enter(entries: Entry<R>[]): void {
    for (const entry of entries) entry.state = 'awaiting_retry';
    this.items += entries.length;
  }
}
