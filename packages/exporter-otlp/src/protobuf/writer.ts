/*
 * The OTLP encoder's writer: the core's one-pass protobuf writer (slabs, begin()/end(), the
 * primitives) and the fast paths of what OTLP writes most: HrTime nanoseconds, hex ids, and
 * whole KeyValues of short attributes.
 */

import { ProtoWriter } from '@otelpack/batching-core';

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

export class OtlpProtoWriter extends ProtoWriter {
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
}
