import type { Entry, SentTogether } from './entry';
import type { RecordQueue } from './queue';

/**
 * Cuts batches from the head of the queue: a batch is due when it is full by items or bytes,
 * when its oldest record has waited `flushIntervalMs`, or when someone is waiting (a flush, a
 * shutdown, a direct-mode export). One timer wakes the pipeline when the oldest record comes of
 * age; it is unref'd, so it never holds the process open.
 */
export class Batcher<R> {
  private timer: NodeJS.Timeout | undefined;
  private timerDueMs = Infinity;

  constructor(
    private readonly queue: RecordQueue<Entry<R>>,
    private readonly maxItems: number,
    private readonly maxBytes: number,
    private readonly flushIntervalMs: number,
    private readonly now: () => number,
    private readonly onDue: () => void,
  ) {}

  /** The next batch if one is due; `urgent` sends whatever is waiting. */
  next(urgent: boolean): Entry<R>[] | undefined {
    const head = this.queue.peek();
    if (!head) return undefined;
    if (head.sentBatch) return this.replayed(head.sentBatch);
    const due =
      urgent ||
      this.queue.length >= this.maxItems ||
      this.queue.bytes >= this.maxBytes ||
      this.now() - head.acceptedAtMs >= this.flushIntervalMs;
    if (!due) return undefined;
    const entries: Entry<R>[] = [];
    let bytes = 0;
    while (entries.length < this.maxItems) {
      const next = this.queue.peek();
      // A batch an earlier process sent goes out on its own (replayed).
      if (!next || next.sentBatch) break;
      if (entries.length > 0 && bytes + next.bytes > this.maxBytes) break;
      this.queue.shift();
      bytes += next.bytes;
      entries.push(next);
    }
    return entries;
  }

  /**
   * Records an earlier process sent in one request (a persistent queue replays them next to each
   * other), cut as they were: due at once, their wait is long over. A batch larger than this
   * process's limits is cut by them (its dedup is then lost, its records are not).
   */
  private replayed(batch: SentTogether): Entry<R>[] {
    const entries: Entry<R>[] = [];
    let bytes = 0;
    while (entries.length < this.maxItems) {
      const next = this.queue.peek();
      if (next?.sentBatch !== batch) break;
      if (entries.length > 0 && bytes + next.bytes > this.maxBytes) break;
      this.queue.shift();
      bytes += next.bytes;
      entries.push(next);
    }
    return entries;
  }

  /** Arms the timer for the oldest waiting record, unless an earlier one is armed. */
  arm(): void {
    const head = this.queue.peek();
    if (!head) return;
    const dueMs = head.acceptedAtMs + this.flushIntervalMs;
    if (this.timer && this.timerDueMs <= dueMs) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDueMs = dueMs;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.timerDueMs = Infinity;
        this.onDue();
      },
      Math.max(0, dueMs - this.now()),
    );
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDueMs = Infinity;
  }
}
