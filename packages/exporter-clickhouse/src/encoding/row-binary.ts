import { dateTimeSeconds } from '../mapping/time';
import type { Timestamp9 } from '../mapping/time';
import type { StringMap } from '../mapping/values';
import type { ColumnKind, InsertColumn } from '../schema/tables';
import { ROW_SLABS } from './row-slabs';
import type { Slab, SlabPool } from './row-slabs';

/*
 * RowBinary, per ClickHouse's format documentation: fixed-width numbers little-endian, strings
 * and arrays prefixed by an unsigned LEB128 length, Map as an array of key/value pairs,
 * LowCardinality(String) as String, DateTime64(9) as Int64 nanoseconds, Bool as one byte.
 */

const TWO_32 = 4_294_967_296;

/**
 * Rows written one after another into a slab: `take()` hands out a view of the row just written
 * and the next row starts after it, so a row costs no copy and no allocation of its own (a copy
 * into a fresh Buffer per row was a fifth of the row writer's time). A full slab is left to the
 * views that hold it and the row in progress moves to a new one; bytes a view covers are never
 * written again.
 */
export class ByteWriter {
  /** Private, so that nothing but the writer's own methods writes bytes a view may cover. */
  private buffer: Buffer;
  private offset = 0;
  /** Where the row in progress begins. */
  private start = 0;
  private readonly slabBytes: number;
  /** Where slabs come from and go back to, for a writer of rows (row-slabs.ts). */
  private readonly slabs: SlabPool | undefined;
  /** The pool's record of `buffer`, when it is one of the pool's slabs. */
  private slab: Slab | undefined;

  /** Slabs of `slabs` bytes of the writer's own, or a pool's (a writer of rows). */
  constructor(slabs: number | SlabPool = 64 * 1024) {
    if (typeof slabs === 'number') {
      this.slabBytes = slabs;
      this.buffer = Buffer.allocUnsafe(slabs);
    } else {
      this.slabs = slabs;
      this.slabBytes = slabs.slabBytes;
      this.slab = slabs.take();
      this.buffer = this.slab.buffer;
    }
  }

  /** Starts the row again, dropping what was written of it. */
  reset(): void {
    this.offset = this.start;
  }

  private ensure(extra: number): void {
    if (this.offset + extra <= this.buffer.length) return;
    const written = this.offset - this.start;
    let size = this.slabBytes;
    while (size < written + extra) size *= 2;
    // A row larger than a slab gets memory of its own, never reused.
    const pooled = size === this.slabBytes ? this.slabs?.take() : undefined;
    const next = pooled ? pooled.buffer : Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, this.start, this.offset);
    // Retired only once the row in progress is copied out: a retired slab may be written again.
    if (this.slab) this.slabs?.retire(this.slab);
    this.slab = pooled;
    this.buffer = next;
    this.start = 0;
    this.offset = written;
  }

  varUInt(value: number): void {
    this.ensure(10);
    let rest = value;
    while (rest >= 0x80) {
      this.buffer[this.offset++] = (rest & 0x7f) | 0x80;
      rest = Math.floor(rest / 128);
    }
    this.buffer[this.offset++] = rest;
  }

  string(value: string): void {
    // One byte per UTF-16 unit covers ASCII; at most three per unit covers the rest.
    const length = value.length;
    this.ensure(10 + length * 3);
    const start = this.offset;
    // ASCII shorter than 128 units (ids, names, most attribute values) is copied here, one byte
    // per unit: a call into Buffer#write cost more than the copy (about 165 ns a string). At the
    // first other unit the rest is left to Buffer#write, which writes over these bytes.
    if (length < 128) {
      const buffer = this.buffer;
      let i = 0;
      while (i < length) {
        const unit = value.charCodeAt(i);
        if (unit >= 0x80) break;
        buffer[start + 1 + i++] = unit;
      }
      if (i === length) {
        buffer[start] = length;
        this.offset = start + 1 + length;
        return;
      }
    }
    // Write after a worst-case varint gap only when the length prefix may exceed one byte.
    if (value.length < 43) {
      const written = this.buffer.write(value, start + 1, 'utf8');
      this.buffer[start] = written;
      this.offset = start + 1 + written;
      return;
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varUInt(bytes);
    this.offset += this.buffer.write(value, this.offset, 'utf8');
  }

  /** Bytes written before (a kept fragment of a row). */
  bytes(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.offset);
    this.offset += value.length;
  }

  uint8(value: number): void {
    this.ensure(1);
    this.buffer[this.offset++] = value;
  }

  uint32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value, this.offset);
    this.offset += 4;
  }

  int32(value: number): void {
    this.ensure(4);
    this.buffer.writeInt32LE(value, this.offset);
    this.offset += 4;
  }

  float64(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.offset);
    this.offset += 8;
  }

  uint64(value: number | bigint): void {
    this.ensure(8);
    if (typeof value === 'bigint') {
      this.buffer.writeBigUInt64LE(value, this.offset);
    } else {
      this.buffer.writeUInt32LE(value % TWO_32, this.offset);
      this.buffer.writeUInt32LE(Math.floor(value / TWO_32), this.offset + 4);
    }
    this.offset += 8;
  }

  /**
   * seconds × 1e9 + nanoseconds as an unsigned 64-bit integer, exactly, without BigInt: the
   * seconds are split so that every partial product stays below 2^53.
   */
  timestamp(value: Timestamp9): void {
    this.ensure(8);
    const [seconds, nanos] = value;
    const secondsHigh = Math.floor(seconds / 131_072); // seconds = high × 2^17 + low
    const secondsLow = seconds - secondsHigh * 131_072;
    const a = secondsHigh * 1_000_000_000; // < 2^47
    const b = secondsLow * 1_000_000_000 + nanos; // < 2^48
    // value = a × 2^17 + b = (a >> 15) × 2^32 + ((a mod 2^15) × 2^17 + b)
    const aHigh = Math.floor(a / 32_768);
    const c = (a - aHigh * 32_768) * 131_072 + b; // < 2^49
    const low = c % TWO_32;
    const high = aHigh + Math.floor(c / TWO_32);
    // Byte by byte: Buffer#writeUInt32LE's checks cost more than the write (it showed in profiles).
    const buffer = this.buffer;
    const at = this.offset;
    buffer[at] = low;
    buffer[at + 1] = low >>> 8;
    buffer[at + 2] = low >>> 16;
    buffer[at + 3] = low >>> 24;
    buffer[at + 4] = high;
    buffer[at + 5] = high >>> 8;
    buffer[at + 6] = high >>> 16;
    buffer[at + 7] = high >>> 24;
    this.offset = at + 8;
  }

  map(value: StringMap): void {
    this.varUInt(value.length);
    for (let i = 0; i < value.length; i++) {
      this.string(value[i][0]);
      this.string(value[i][1]);
    }
  }

  /** The row written since the last `take()`: a view the writer never writes into again. */
  take(): Buffer {
    const row = this.buffer.subarray(this.start, this.offset);
    this.start = this.offset;
    if (this.slab) this.slab.rows++;
    return row;
  }
}

/** Writes one column's value. */
export type FieldWriter = (writer: ByteWriter, value: unknown) => void;

function arrayOf<T>(write: (writer: ByteWriter, item: T) => void): FieldWriter {
  return (writer, value) => {
    const items = value as readonly T[];
    writer.varUInt(items.length);
    for (let i = 0; i < items.length; i++) write(writer, items[i]);
  };
}

/** How each kind of column's value is written in RowBinary. */
export const ROW_BINARY_WRITERS: Readonly<Record<ColumnKind, FieldWriter>> = {
  string: (w, v) => w.string(v as string),
  datetime64: (w, v) => w.timestamp(v as Timestamp9),
  // DateTime is a UInt32 of seconds.
  datetime: (w, v) => w.uint32(dateTimeSeconds(v as Timestamp9)),
  uint8: (w, v) => w.uint8(v as number),
  uint32: (w, v) => w.uint32(v as number),
  int32: (w, v) => w.int32(v as number),
  uint64: (w, v) => w.uint64(v as number | bigint),
  float64: (w, v) => w.float64(v as number),
  bool: (w, v) => w.uint8(v ? 1 : 0),
  map: (w, v) => w.map(v as StringMap),
  'string[]': arrayOf<string>((w, item) => w.string(item)),
  'datetime64[]': arrayOf<Timestamp9>((w, item) => w.timestamp(item)),
  'datetime[]': arrayOf<Timestamp9>((w, item) => w.uint32(dateTimeSeconds(item))),
  'map[]': arrayOf<StringMap>((w, item) => w.map(item)),
  'uint64[]': arrayOf<number | bigint>((w, item) => w.uint64(item)),
  'float64[]': arrayOf<number>((w, item) => w.float64(item)),
};

/** A function from a row object to its RowBinary bytes. */
export function rowBinaryWriter(columns: readonly InsertColumn[]): (row: object) => Buffer {
  const names = columns.map((column) => column.name);
  const writers = columns.map((column) => ROW_BINARY_WRITERS[column.kind]);
  const writer = new ByteWriter(ROW_SLABS);
  return (row) => {
    const values = row as Record<string, unknown>;
    writer.reset();
    for (let i = 0; i < writers.length; i++) writers[i](writer, values[names[i]]);
    return writer.take();
  };
}

/**
 * The header of RowBinaryWithNamesAndTypes: the column names, then their types. With it,
 * ClickHouse checks every column's type against the table and refuses the insert on a
 * difference (INCORRECT_DATA) instead of reading misaligned bytes from a table of another shape.
 */
export function rowBinaryHeader(columns: readonly InsertColumn[]): Buffer {
  const writer = new ByteWriter(1024);
  writer.varUInt(columns.length);
  for (const column of columns) writer.string(column.name);
  for (const column of columns) writer.string(column.type);
  return writer.take();
}
