import { IdleRelease } from '../idle-release';

/*
 * Request bodies are hundreds of kilobytes to a few megabytes each. A fresh Buffer per request is
 * new memory to the allocator every time: the kernel's page faults while the body is written, and
 * external memory that hurries V8's next garbage collection (about 2.5 µs per 1 KB ClickHouse row,
 * measured). A sender takes a buffer, writes its body into it, and gives it back only once nothing
 * can read it any more: the receiver answered with a 2xx (it read the whole body), or compression
 * made its own copy. After any other outcome the transport may still hold it (an early answer, an
 * aborted write): it is left to the garbage collector.
 *
 * What is kept is for the load of the moment, not for the largest burst ever seen: a service
 * whose exporter once sent a few full requests (Elasticsearch's are 5 MB) and then went quiet, or
 * back to small requests, would otherwise hold that memory for the life of the process. So a
 * kept buffer more than twice the largest body of the recent requests is let go, and so is every
 * kept buffer once no body has been taken for a while.
 */

/** Buffers are sized in these steps, so that one fits the next request of about the same size. */
const STEP_BYTES = 64 * 1024;

/**
 * Requests per window of the recent demand: the largest body of the last 16 to 31 requests (this
 * window's and the one before) is what kept buffers are measured against (at a flush a second,
 * half a minute or so).
 */
const DEMAND_WINDOW_TAKES = 16;

/** A kept buffer more than this many times the recent demand (in 64 KiB steps) is let go. */
const OVERSIZE_FACTOR = 2;

function stepped(bytes: number): number {
  return Math.ceil(bytes / STEP_BYTES) * STEP_BYTES || STEP_BYTES;
}

export interface BodyBuffersOptions {
  /** Buffers kept for reuse at most: a sender's concurrency, and one being written (4). */
  keep?: number;
  /** No buffer over this size is kept (8 MiB). */
  largestBytes?: number;
  /** Kept buffers are let go after between one and two of these with no body taken (30 s). */
  idleReleaseMs?: number;
}

export class BodyBuffers {
  private readonly free: Buffer[] = [];
  private readonly keep: number;
  private readonly largestBytes: number;
  /** The largest body asked for in this window of takes, and in the window before. */
  private windowLargestBytes = 0;
  private previousWindowLargestBytes = 0;
  private windowTakes = 0;
  private readonly idle: IdleRelease;
  /** After close(): what a request still in flight gives back is not kept. */
  private closed = false;

  /**
   * At most `keep` buffers wait for reuse, none larger than `largestBytes`: what stays allocated
   * between requests is bounded by both, and by the recent demand and the idle release above.
   */
  constructor(options: BodyBuffersOptions = {}) {
    this.keep = options.keep ?? 4;
    this.largestBytes = options.largestBytes ?? 8 * 1024 * 1024;
    this.idle = new IdleRelease(
      () => (this.free.length = 0),
      () => this.free.length > 0,
      options.idleReleaseMs,
    );
  }

  /**
   * A buffer of at least `bytes`, its contents undefined: the smallest kept one that is large
   * enough, or a new one.
   */
  take(bytes: number): Buffer {
    this.idle.used();
    this.noteDemand(bytes);
    let chosen = -1;
    for (let i = 0; i < this.free.length; i++) {
      const length = this.free[i].length;
      if (length >= bytes && (chosen < 0 || length < this.free[chosen].length)) chosen = i;
    }
    if (chosen < 0) return Buffer.allocUnsafeSlow(stepped(bytes));
    return this.removeAt(chosen);
  }

  /**
   * Gives back a buffer from `take()` (whole), once nothing reads it any more. When `keep` are
   * kept already, it takes the place of the smallest if it is larger: small bodies that came
   * back together (retries after an outage) must not shut the large ones out for good.
   */
  give(buffer: Buffer): void {
    if (this.closed || buffer.length > this.largestBytes || this.oversized(buffer)) return;
    if (this.free.length >= this.keep) {
      let smallest = 0;
      for (let i = 1; i < this.free.length; i++) {
        if (this.free[i].length < this.free[smallest].length) smallest = i;
      }
      if (this.free[smallest].length >= buffer.length) return;
      this.removeAt(smallest);
    }
    this.free.push(buffer);
    this.idle.kept();
  }

  /**
   * Gives back the body of a request the receiver answered with `status`: a 2xx means it read
   * the whole body. After any other outcome the transport may still hold it (an early answer,
   * an aborted write): left to the garbage collector.
   */
  giveAfterAnswer(buffer: Buffer | undefined, status: number | undefined): void {
    if (buffer && typeof status === 'number' && status >= 200 && status < 300) this.give(buffer);
  }

  /** Lets every kept buffer go, and keeps none given back after (a sender closing). */
  close(): void {
    this.closed = true;
    this.free.length = 0;
    this.idle.stop();
  }

  /** Buffers waiting for reuse (tests). */
  get kept(): number {
    return this.free.length;
  }

  /** Their sizes in bytes (tests). */
  get keptBytes(): number[] {
    return this.free.map((buffer) => buffer.length);
  }

  private noteDemand(bytes: number): void {
    if (bytes > this.windowLargestBytes) this.windowLargestBytes = bytes;
    if (++this.windowTakes < DEMAND_WINDOW_TAKES) return;
    this.previousWindowLargestBytes = this.windowLargestBytes;
    this.windowLargestBytes = 0;
    this.windowTakes = 0;
    // Buffers nobody has needed for a window's worth of requests go now, not when next given.
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.oversized(this.free[i])) this.removeAt(i);
    }
  }

  /** Takes the kept buffer at `index` out (the last takes its place). */
  private removeAt(index: number): Buffer {
    const buffer = this.free[index];
    this.free[index] = this.free[this.free.length - 1];
    this.free.pop();
    return buffer;
  }

  private oversized(buffer: Buffer): boolean {
    const recentBytes = Math.max(this.windowLargestBytes, this.previousWindowLargestBytes);
    return buffer.length > OVERSIZE_FACTOR * stepped(recentBytes);
  }
}
