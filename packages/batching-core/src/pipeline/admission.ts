import type { SharedPart } from '../types';
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
  /** Their held bytes (RecordSizing.heldBytes), and each part they share counted once. */
  heldBytes = 0;
  /** Parts that held records share (`BatchSender.sharedPartOf`), with how many refer to each. */
  private readonly parts = new Map<SharedPart, { holders: number }>();
  /**
   * The part last looked up, and its count: records come in runs of one part (the documents of
   * one resource and scope), and a Map lookup per admit and release cost ~100 ns a record.
   */
  private lastPart: SharedPart | undefined;
  private lastCount: { holders: number } | undefined;
  private waiters: (() => void)[] = [];

  constructor(
    readonly maxItems: number,
    readonly maxBytes: number,
    readonly overflow: OverflowPolicy,
    private readonly keepAlive: KeepAlive,
    private readonly now: () => number,
  ) {}

  /**
   * What a record of `heldBytes` own bytes adds to the count: its part too when no held record
   * refers to that part yet.
   */
  needed(heldBytes: number, part: SharedPart | undefined): number {
    return part === undefined || this.countOf(part) !== undefined
      ? heldBytes
      : heldBytes + part.heldBytes;
  }

  hasRoom(heldBytes: number, part?: SharedPart): boolean {
    return (
      this.heldItems < this.maxItems &&
      this.heldBytes + this.needed(heldBytes, part) <= this.maxBytes
    );
  }

  admit(heldBytes: number, part?: SharedPart): void {
    this.heldItems++;
    this.heldBytes += heldBytes;
    if (part === undefined) return;
    let count = this.countOf(part);
    if (count === undefined) {
      count = { holders: 0 };
      this.parts.set(part, count);
      this.heldBytes += part.heldBytes;
      this.lastPart = part;
      this.lastCount = count;
    }
    count.holders++;
  }

  release(heldBytes: number, part?: SharedPart): void {
    this.heldItems--;
    this.heldBytes -= heldBytes;
    if (part !== undefined) this.releasePart(part);
  }

  /** `count` records of `heldBytes` own bytes in all; their parts go by releasePart. */
  releaseMany(count: number, heldBytes: number): void {
    this.heldItems -= count;
    this.heldBytes -= heldBytes;
  }

  /** One record that referred to `part` is no longer held: the last one takes the part's bytes. */
  releasePart(part: SharedPart): void {
    const count = this.countOf(part);
    if (count === undefined || --count.holders > 0) return;
    this.parts.delete(part);
    this.heldBytes -= part.heldBytes;
    if (this.lastPart === part) {
      this.lastPart = undefined;
      this.lastCount = undefined;
    }
  }

  private countOf(part: SharedPart): { holders: number } | undefined {
    if (part === this.lastPart) return this.lastCount;
    const count = this.parts.get(part);
    if (count !== undefined) {
      this.lastPart = part;
      this.lastCount = count;
    }
    return count;
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
