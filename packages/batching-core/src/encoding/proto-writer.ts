/*
 * A one-pass protobuf writer, shared by the exporters' protobuf encoders (OTLP, remote write
 * 2.0). A length-delimited field is opened by reserving one byte for its length and closed by
 * writing the length there; a body of 128 bytes or more needs a longer varint, and is moved right
 * by the missing bytes (a memmove of the body, which is rare for the small messages an attribute
 * or a sample is, and cheap for the rest). That spares the second, measuring pass a two-pass
 * encoder makes over the whole input.
 *
 * It writes into slabs: each encoded message (`finish()`) is a view of the slab it was written
 * in, not a copy, and the next one is written after it. A message that outgrows its slab moves,
 * alone, to a new one; positions inside a message are relative to its start for that reason. A
 * slab is freed when the last message viewing it is.
 *
 * `buffer` and `pos` are plain public fields, so that an encoder's own fast paths (a subclass's
 * methods) write bytes directly after `ensure()`; the methods here are small and monomorphic in
 * the hope that V8 inlines them into the encoders' loops.
 */

import { writeShortAscii } from './short-ascii';
import { varintLength } from './wire-lengths';

const SLAB_BYTES = 64 * 1024;
const TWO_32 = 0x1_0000_0000;

/** Wire types of protobuf. */
export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, FIXED32: 5 } as const;

export class ProtoWriter {
  buffer: Buffer;
  pos = 0;
  /** Where the message being written starts in `buffer`. */
  protected base = 0;

  constructor(private readonly slabBytes = SLAB_BYTES) {
    this.buffer = Buffer.allocUnsafe(slabBytes);
  }

  /** Room for `bytes` more; a message that does not fit moves to a new slab. */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    const written = this.pos - this.base;
    const slab = Buffer.allocUnsafe(Math.max(this.slabBytes, (written + bytes) * 2));
    this.buffer.copy(slab, 0, this.base, this.pos);
    this.buffer = slab;
    this.base = 0;
    this.pos = written;
  }

  /** Drops what was written since the last `finish()` (an encoder threw midway). */
  abandon(): void {
    this.pos = this.base;
  }

  /**
   * The message written since the last `finish()`: a view of the slab, not a copy. A plain
   * Uint8Array: an encoder may make one per record, and a Buffer's subarray costs several times
   * as much to make.
   */
  finish(): Uint8Array {
    const slab = this.buffer;
    const message = new Uint8Array(slab.buffer, slab.byteOffset + this.base, this.pos - this.base);
    this.base = this.pos;
    return message;
  }

  tag(field: number, wireType: number): void {
    const tag = (field << 3) | wireType;
    if (tag < 0x80) {
      this.ensure(1);
      this.buffer[this.pos++] = tag;
      return;
    }
    this.uint32(tag);
  }

  /** A non-negative integer below 2^32. */
  uint32(value: number): void {
    this.ensure(5);
    const buffer = this.buffer;
    let pos = this.pos;
    while (value > 0x7f) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
    this.pos = pos;
  }

  /** A non-negative integer below 2^53 as a uint64 varint (a count). */
  uint64(value: number): void {
    if (value < TWO_32) {
      this.uint32(value);
      return;
    }
    this.varint64((value % TWO_32) >>> 0, Math.floor(value / TWO_32) >>> 0);
  }

  /**
   * An int64 varint from a JS number (an integer in ±2^63): negative values take ten bytes in
   * two's complement, as protobuf encodes a negative int64.
   */
  int64(value: number): void {
    if (value >= 0 && value < TWO_32) {
      this.uint32(value);
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = (value % TWO_32) >>> 0;
      high = Math.floor(value / TWO_32) >>> 0;
    } else {
      const magnitude = -value;
      low = (magnitude % TWO_32) >>> 0;
      high = Math.floor(magnitude / TWO_32) >>> 0;
      // Two's complement of the 64-bit magnitude.
      low = ~low >>> 0;
      high = ~high >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    this.varint64(low, high);
  }

  /** A 64-bit varint from its two 32-bit halves. */
  varint64(low: number, high: number): void {
    this.ensure(10);
    const buffer = this.buffer;
    let pos = this.pos;
    while (high !== 0 || low > 0x7f) {
      buffer[pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buffer[pos++] = low;
    this.pos = pos;
  }

  /** zigzag for sint32. */
  sint32(value: number): void {
    this.uint32(((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** zigzag for sint64, of an integer within ±2^52 (so that the zigzag stays below 2^53). */
  sint64(value: number): void {
    this.uint64(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  bool(value: boolean): void {
    this.ensure(1);
    this.buffer[this.pos++] = value ? 1 : 0;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  fixed64(low: number, high: number): void {
    this.ensure(8);
    this.buffer.writeUInt32LE(low >>> 0, this.pos);
    this.buffer.writeUInt32LE(high >>> 0, this.pos + 4);
    this.pos += 8;
  }

  /** A non-negative integer below 2^53 as fixed64 (counts). */
  fixed64Number(value: number): void {
    this.fixed64((value % TWO_32) >>> 0, Math.floor(value / TWO_32) >>> 0);
  }

  /** An integer in ±2^63 as sfixed64 (an int gauge or sum). */
  sfixed64(value: number): void {
    if (value >= 0) {
      this.fixed64Number(value);
      return;
    }
    this.ensure(8);
    this.buffer.writeBigInt64LE(BigInt(Math.trunc(value)), this.pos);
    this.pos += 8;
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  /** A string's UTF-8 bytes with their length (a lone surrogate becomes U+FFFD, as Buffer writes it). */
  string(text: string): void {
    const n = text.length;
    // ASCII, the common case, is copied byte by byte; anything else goes to Buffer.write.
    if (n < 128) {
      this.ensure(n + 1);
      const end = writeShortAscii(this.buffer, this.pos, text);
      if (end >= 0) {
        this.pos = end;
        return;
      }
    }
    const byteLength = Buffer.byteLength(text, 'utf8');
    this.uint32(byteLength);
    this.ensure(byteLength);
    this.buffer.write(text, this.pos, byteLength, 'utf8');
    this.pos += byteLength;
  }

  bytes(value: Uint8Array): void {
    this.uint32(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Raw bytes, already encoded (a pre-encoded message body or field). */
  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buffer.set(value, this.pos);
    this.pos += value.length;
  }

  /** Opens a length-delimited body: returns where it starts, relative to the message. */
  begin(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos - this.base;
  }

  /** Closes the body opened at `begin()`'s `opened`, writing its length before it. */
  end(opened: number): void {
    let start = this.base + opened;
    const length = this.pos - start;
    if (length < 0x80) {
      this.buffer[start - 1] = length;
      return;
    }
    const extra = varintLength(length) - 1;
    this.ensure(extra);
    start = this.base + opened; // the room may have been found by moving the message
    this.buffer.copyWithin(start + extra, start, this.pos);
    let pos = start - 1;
    let value = length;
    while (value > 0x7f) {
      this.buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[pos] = value;
    this.pos += extra;
  }
}
