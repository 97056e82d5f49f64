/*
 * A one-pass protobuf writer. A length-delimited field is opened by reserving one byte for its
 * length and closed by writing the length there; a body of 128 bytes or more needs a longer
 * varint, and is moved right by the missing bytes (a memmove of the body, which is rare for the
 * small messages an attribute or an event is, and cheap for the rest). That spares the second,
 * measuring pass a two-pass encoder makes over the whole input.
 *
 * It writes into slabs: each encoded message (`finish()`) is a view of the slab it was written
 * in, not a copy, and the next one is written after it. A message that outgrows its slab moves,
 * alone, to a new one; positions inside a message are relative to its start for that reason. A
 * slab is freed when the last message viewing it is.
 */

import { varintLength, writeShortAscii } from '@otelpack/batching-core';

const SLAB_BYTES = 64 * 1024;

/** Each ASCII code's value as a hex digit (0 for anything else). */
const HEX_VALUES = new Uint8Array(128);
for (let digit = 0; digit < 16; digit++) {
  HEX_VALUES['0123456789abcdef'.charCodeAt(digit)] = digit;
  HEX_VALUES['0123456789ABCDEF'.charCodeAt(digit)] = digit;
}
const TWO_32 = 0x1_0000_0000;

/** KeyValue.value (field 2), AnyValue.string_value (1) and AnyValue.int_value (3) tags. */
const TAG_KEY_VALUE_VALUE = 0x12;
const TAG_STRING_VALUE = 0x0a;
const TAG_INT_VALUE = 0x18;

/** Wire types of protobuf. */
export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, FIXED32: 5 } as const;

export class ProtoWriter {
  buffer: Buffer;
  pos = 0;
  /** Where the message being written starts in `buffer`. */
  private base = 0;

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
   * Uint8Array: one per record, and a Buffer's subarray costs several times as much to make.
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

  /** The last whole second written by hrTime, as nanoseconds in two 32-bit words. */
  private lastSeconds = -1;
  private lastSecondsLow = 0;
  private lastSecondsHigh = 0;

  /** An HrTime `[seconds, nanoseconds]` as fixed64 nanoseconds since the epoch, exactly. */
  hrTime(time: readonly [number, number]): void {
    const seconds = time[0];
    if (seconds !== this.lastSeconds) {
      // seconds * 1e9 exceeds 2^53: split seconds into its low 16 bits and the rest, so every
      // product stays exact, then carry into the high word. A span's start, end and events
      // mostly share their second, so this runs about once per span.
      const fromLow = (seconds & 0xffff) * 1e9; // < 2^46
      const fromHigh = Math.floor(seconds / 0x10000) * 1e9; // times 2^16 below
      const lowSum = (fromLow % TWO_32) + (fromHigh % 0x10000) * 0x10000;
      this.lastSecondsLow = lowSum % TWO_32;
      this.lastSecondsHigh =
        Math.floor(fromLow / TWO_32) + Math.floor(fromHigh / 0x10000) + Math.floor(lowSum / TWO_32);
      this.lastSeconds = seconds;
    }
    let low = this.lastSecondsLow + time[1]; // nanos < 1e9 < 2^30: at most one carry
    let high = this.lastSecondsHigh;
    if (low >= TWO_32) {
      low -= TWO_32;
      high += 1;
    }
    this.fixed64(low, high);
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

  /**
   * A trace or span id given as hex (the API's form) written as bytes with its length, without
   * an intermediate Buffer (16 or 32 digits: a loop here beats a call into Buffer's decoder). An
   * invalid digit counts as 0.
   */
  hexBytes(hex: string): void {
    const length = hex.length >>> 1;
    this.ensure(length + 1);
    const buffer = this.buffer;
    let pos = this.pos;
    buffer[pos++] = length;
    for (let i = 0; i < hex.length - 1; i += 2) {
      buffer[pos++] =
        (HEX_VALUES[hex.charCodeAt(i) & 0x7f] << 4) | HEX_VALUES[hex.charCodeAt(i + 1) & 0x7f];
    }
    this.pos = pos;
  }

  /**
   * A whole KeyValue field of a short ASCII string value under an encoded key (`keyField`: the
   * key's tag, length and bytes, see common.ts), written in one pass with its lengths in place:
   * the common attribute, written without the begin/end and per-part room checks of the general
   * path. Returns false, having written nothing, when the value is not ASCII or the KeyValue would
   * not fit a one-byte length; the caller then takes the general path.
   */
  shortStringKeyValue(tag: number, keyField: Uint8Array, text: string): boolean {
    const keyLength = keyField.length;
    const n = text.length;
    // KeyValue = key field + value tag, its length, string tag, its length, the bytes.
    const keyValueLength = keyLength + 4 + n;
    if (keyValueLength >= 0x80) return false;
    this.ensure(keyValueLength + 2);
    const buffer = this.buffer;
    let pos = this.pos + 2;
    for (let i = 0; i < keyLength; i++) buffer[pos + i] = keyField[i];
    pos += keyLength;
    buffer[pos] = TAG_KEY_VALUE_VALUE;
    buffer[pos + 1] = n + 2;
    buffer[pos + 2] = TAG_STRING_VALUE;
    buffer[pos + 3] = n;
    pos += 4;
    for (let i = 0; i < n; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80) return false;
      buffer[pos + i] = code;
    }
    buffer[this.pos] = tag;
    buffer[this.pos + 1] = keyValueLength;
    this.pos = pos + n;
    return true;
  }

  /** A whole KeyValue field of an integer value in [0, 2^28) under an encoded key, as above. */
  smallIntKeyValue(tag: number, keyField: Uint8Array, value: number): boolean {
    const keyLength = keyField.length;
    const varintBytes = value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x20_0000 ? 3 : 4;
    const keyValueLength = keyLength + 3 + varintBytes;
    if (keyValueLength >= 0x80) return false;
    this.ensure(keyValueLength + 2);
    const buffer = this.buffer;
    let pos = this.pos;
    buffer[pos++] = tag;
    buffer[pos++] = keyValueLength;
    for (let i = 0; i < keyLength; i++) buffer[pos + i] = keyField[i];
    pos += keyLength;
    buffer[pos++] = TAG_KEY_VALUE_VALUE;
    buffer[pos++] = varintBytes + 1;
    buffer[pos++] = TAG_INT_VALUE;
    while (value > 0x7f) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
    this.pos = pos;
    return true;
  }

  /** Opens a length-delimited body: returns where it starts, relative to the message. */
  begin(): number {
    this.ensure(1);
    this.pos += 1;
    return this.pos - this.base;
  }

  /** Closes the body opened at `begin()`'s `opened`, writing its length before it. */
  end(opened: number): void {
    const start = this.base + opened;
    const length = this.pos - start;
    if (length < 0x80) {
      this.buffer[start - 1] = length;
      return;
    }
    const extra = varintLength(length) - 1;
    this.ensure(extra);
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
