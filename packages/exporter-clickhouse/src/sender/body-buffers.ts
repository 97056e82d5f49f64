/*
 * Insert bodies written into memory kept from one insert to the next. A fresh megabyte for every
 * body cost more than the writing (about 2.5 µs per 1 KB row measured here: new pages, and the
 * garbage collector's reaction to external memory); a buffer is given back once nothing reads
 * it: after compression made its copy, or, sent uncompressed, after ClickHouse acknowledged the
 * insert (the server has read the whole body), so no request still reads what the next writes.
 */

/** At most this many buffers are kept (the default concurrency, and one being written). */
const MAX_KEPT_BUFFERS = 3;
/** Larger bodies are not kept: what stays allocated between inserts is bounded by both. */
const MAX_KEPT_BUFFER_BYTES = 4 * 1024 * 1024;
/** Sizes are rounded up to this, so that a slightly larger next body still fits. */
const SIZE_STEP_BYTES = 64 * 1024;

export class BodyBuffers {
  private readonly free: Buffer[] = [];

  /** A buffer of at least `bytes`; its contents are undefined. */
  take(bytes: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i].length >= bytes) return this.free.splice(i, 1)[0];
    }
    return Buffer.allocUnsafeSlow(Math.ceil(bytes / SIZE_STEP_BYTES) * SIZE_STEP_BYTES);
  }

  /** Gives back what `take` returned (whole), once nothing reads it any more. */
  give(buffer: Buffer): void {
    if (buffer.length > MAX_KEPT_BUFFER_BYTES) return;
    if (this.free.length >= MAX_KEPT_BUFFERS) return;
    this.free.push(buffer);
  }

  /** Bytes kept between inserts (for tests). */
  get keptBytes(): number {
    return this.free.reduce((sum, buffer) => sum + buffer.length, 0);
  }
}
