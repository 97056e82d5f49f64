/*
 * Request bodies are hundreds of kilobytes to a few megabytes each. A fresh Buffer per request is
 * new memory to the allocator every time: the kernel's page faults while the body is written, and
 * external memory that hurries V8's next garbage collection (about 2.5 µs per 1 KB ClickHouse row,
 * measured). A sender takes a buffer, writes its body into it, and gives it back only once nothing
 * can read it any more: the receiver answered with a 2xx (it read the whole body), or compression
 * made its own copy. After any other outcome the transport may still hold it (an early answer, an
 * aborted write): it is left to the garbage collector.
 */

/** Buffers are sized in these steps, so that one fits the next request of about the same size. */
const STEP_BYTES = 64 * 1024;

export class BodyBuffers {
  private readonly free: Buffer[] = [];

  /**
   * At most `keep` buffers wait for reuse (a sender's concurrency, and one being written), none
   * larger than `largestBytes`: what stays allocated between requests is bounded by both.
   */
  constructor(
    private readonly keep = 4,
    private readonly largestBytes = 8 * 1024 * 1024,
  ) {}

  /** A buffer of at least `bytes`, its contents undefined: a kept one if one is large enough. */
  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i];
      if (buffer.length >= bytes) {
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return buffer;
      }
    }
    return Buffer.allocUnsafeSlow(Math.ceil(bytes / STEP_BYTES) * STEP_BYTES || STEP_BYTES);
  }

  /** Gives back a buffer from `take()` (whole), once nothing reads it any more. */
  give(buffer: Buffer): void {
    if (this.free.length >= this.keep || buffer.length > this.largestBytes) return;
    this.free.push(buffer);
  }

  /**
   * Gives back the body of a request the receiver answered with `status`: a 2xx means it read
   * the whole body. After any other outcome the transport may still hold it (an early answer,
   * an aborted write): left to the garbage collector.
   */
  giveAfterAnswer(buffer: Buffer | undefined, status: number | undefined): void {
    if (buffer && typeof status === 'number' && status >= 200 && status < 300) this.give(buffer);
  }

  /** Buffers waiting for reuse (tests). */
  get kept(): number {
    return this.free.length;
  }
}
