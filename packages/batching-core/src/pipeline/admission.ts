import type { KeepAlive } from './keep-alive';
import type { OverflowPolicy } from './options';

/**
 * Room in the queue: what is held (every record from acceptance to its outcome, wherever it is)
 * against `maxQueueItems` and `maxQueueBytes`, and the exports that wait for room under
 * `overflow: 'block'`. Which records `drop_oldest` evicts is the pipeline's choice (it knows
 * where they are); this part only says whether a record fits.
 */
export class Admission {
  /** Records held, counted on admit and release (checked against the ledger's pending). */
  heldItems = 0;
  /** Their held bytes (`QueuedRecord.heldBytes`). */
  heldBytes = 0;
  private waiters: (() => void)[] = [];

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
    readonly overflow: OverflowPolicy,
    private readonly keepAlive: KeepAlive,
    private readonly now: () => number,
  ) {}

  hasRoom(heldBytes: number): boolean {
    return this.heldItems < this.maxItems && this.heldBytes + heldBytes <= this.maxBytes;
  }

  admit(heldBytes: number): void {
    this.heldItems++;
    this.heldBytes += heldBytes;
  }

  release(heldBytes: number): void {
    this.heldItems--;
    this.heldBytes -= heldBytes;
  }

  releaseMany(count: number, heldBytes: number): void {
    this.heldItems -= count;
    this.heldBytes -= heldBytes;
  }

  isHalfFull(): boolean {
    return this.heldItems * 2 >= this.maxItems || this.heldBytes * 2 >= this.maxBytes;
  }

  describeFull(): string {
    return `queue full (${this.heldItems}/${this.maxItems} records, ${this.heldBytes}/${this.maxBytes} bytes)`;
  }

  /** Resolves when room may have been made, or at the deadline; the caller checks again. */
  waitForRoom(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => {
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.keepAlive.release();
        resolve();
      };
      this.keepAlive.hold();
      const timer = setTimeout(done, Math.max(1, deadlineMs - this.now()));
      this.waiters.push(done);
    });
  }

  /** Records left (or the pipeline is closing): every waiter looks again. */
  wakeWaiters(): void {
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
