/*
 * Request bodies are a few hundred kilobytes each (512 spans). A fresh Buffer per request is new
 * memory to the allocator every time: the kernel's page faults while the body is written, and
 * external memory that hurries V8's next garbage collection. The sender hands a body's buffer
 * back once the receiver has answered it (then nothing reads it any more: the transport has
 * written it, or gzip has read it) and the next request is written into it.
 */

/** Buffers are sized in these steps, so that one fits the next request of about the same size. */
const STEP_BYTES = 64 * 1024;

export class BodyBuffers {
  private readonly free: Buffer[] = [];

  /** At most `keep` buffers wait for reuse, none larger than `largestBytes`. */
  constructor(
    private readonly keep = 4,
    private readonly largestBytes = 8 * 1024 * 1024,
  ) {}

  /** A buffer of at least `bytes`: a kept one if one is large enough, else a new one. */
  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      const buffer = this.free[i];
      if (buffer.length >= bytes) {
        this.free[i] = this.free[this.free.length - 1];
        this.free.pop();
        return buffer;
      }
    }
    return Buffer.allocUnsafe(Math.ceil(bytes / STEP_BYTES) * STEP_BYTES || STEP_BYTES);
  }

  /** A buffer from `take()` that nothing reads any more. */
  give(buffer: Buffer): void {
    if (this.free.length >= this.keep || buffer.length > this.largestBytes) return;
    this.free.push(buffer);
  }

  /** Buffers waiting for reuse (tests). */
  get kept(): number {
    return this.free.length;
  }
}
