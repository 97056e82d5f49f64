import { IdleRelease } from '@otelpack/batching-core';

/*
 * RowBinary rows are views of 64 KiB slabs (ByteWriter), held until their batch is delivered:
 * 10,000 rows of a log record's ~650 bytes fill a hundred slabs a batch. A slab left to the
 * garbage collector is freed only by a mark-compact collection, as the slab outlived a young
 * one with its rows, and V8 counts its memory as external memory allocated since the last
 * mark-compact, which brings the next one on: at 20,000 records a second that was 13 MB a
 * second of new external memory and a mark-compact every second or so (bench/HISTORY.md, 7
 * December). So a slab whose rows have all been delivered is written again.
 *
 * Only delivery gives a slab back. A row that was dropped (and may be held by a dead-letter
 * sink), or made for something other than a record (a send's re-encoding for a table of other
 * column types), is never released: its slab is never written again and goes to the garbage
 * collector like any other Buffer. A slab is never given back while a writer still writes in it.
 */

/** What the pool knows of a slab it handed out. */
export class Slab {
  readonly buffer: Buffer;
  /** Rows taken from the slab and not yet released. */
  rows = 0;
  /** The writer has moved to another slab: nothing more is written in this one. */
  retired = false;

  constructor(buffer: Buffer) {
    this.buffer = buffer;
  }
}

export interface SlabPoolOptions {
  /** Every slab's size (64 KiB). */
  slabBytes?: number;
  /**
   * Free slabs kept at most (160: 10 MiB, a 10,000-row batch of ~1 KB rows). Beyond, a slab
   * given back goes to the garbage collector.
   */
  keep?: number;
  /** Free slabs are let go after between one and two of these with none taken (30 s). */
  idleReleaseMs?: number;
}

export class SlabPool {
  readonly slabBytes: number;
  private readonly keep: number;
  private readonly free: Slab[] = [];
  /** By their memory, as a row's view names it (`row.buffer`); a slab no row holds is forgotten. */
  private readonly byMemory = new WeakMap<ArrayBufferLike, Slab>();
  private readonly idle: IdleRelease;

  constructor(options: SlabPoolOptions = {}) {
    this.slabBytes = options.slabBytes ?? 64 * 1024;
    this.keep = options.keep ?? 160;
    this.idle = new IdleRelease(
      () => (this.free.length = 0),
      () => this.free.length > 0,
      options.idleReleaseMs,
    );
  }

  /** Free slabs waiting to be written again. */
  get freeSlabs(): number {
    return this.free.length;
  }

  /** A slab to write rows in: a free one, or new memory. */
  take(): Slab {
    this.idle.used();
    const reused = this.free.pop();
    if (reused) {
      reused.rows = 0;
      reused.retired = false;
      return reused;
    }
    // Memory of its own (allocUnsafeSlow: never a part of Node's shared pool), so that a row's
    // view names its slab by its ArrayBuffer.
    const slab = new Slab(Buffer.allocUnsafeSlow(this.slabBytes));
    this.byMemory.set(slab.buffer.buffer, slab);
    return slab;
  }

  /** The writer is done with `slab`: it is free once its rows are released. */
  retire(slab: Slab): void {
    slab.retired = true;
    if (slab.rows === 0) this.giveBack(slab);
  }

  /**
   * A row that will not be read again (delivered), released once. A row of other memory
   * (replayed from a spool) is passed over.
   */
  release(row: Buffer): void {
    const slab = this.byMemory.get(row.buffer);
    if (slab === undefined || slab.rows === 0) return;
    slab.rows--;
    if (slab.rows === 0 && slab.retired) this.giveBack(slab);
  }

  private giveBack(slab: Slab): void {
    if (this.free.length >= this.keep) return;
    this.free.push(slab);
    this.idle.kept();
  }
}

/** The slabs of every RowBinary row writer in the process. */
export const ROW_SLABS = new SlabPool();
