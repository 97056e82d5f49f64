/*
 * The bytes of an exporter's own spool codec (an OTLP export's groups and bodies, remote-write
 * series): a growing writer and a reader that checks every read against the payload's end, so
 * that a payload the codec did not write throws (the spool counts its records `corrupt`) instead
 * of giving records made of garbage. Counts, indexes and lengths are varints (most take one
 * byte), numbers f64 little-endian.
 */

import { ProtoWriter } from '../encoding/proto-writer';

const FIRST_BYTES = 4 * 1024;
const MAX_U64 = 2n ** 64n - 1n;
const MIN_I64 = -(2n ** 63n);
const MAX_I64 = 2n ** 63n - 1n;

/**
 * The core's protobuf writer (its varints, its UTF-8 fast path, its growth), under the names the
 * spool's codecs read well with and with the checks a payload needs: one payload per writer.
 */
export class SpoolPayloadWriter extends ProtoWriter {
  constructor(expectedBytes = FIRST_BYTES) {
    super(Math.max(16, expectedBytes));
  }

  u8(value: number): void {
    this.ensure(1);
    this.buffer[this.pos++] = value;
  }

  /** An unsigned integer below 2^32, as a varint. */
  uv(value: number): void {
    if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) {
      throw new RangeError(`a spool payload varint holds integers 0 to 2^32-1, not ${value}`);
    }
    this.uint32(value);
  }

  f64(value: number): void {
    this.double(value);
  }

  /** An unsigned 64-bit integer, little-endian (a RangeError outside 0 to 2^64-1). */
  u64(value: bigint): void {
    if (value < 0n || value > MAX_U64) {
      throw new RangeError(`a spool payload u64 holds 0 to 2^64-1, not ${value}`);
    }
    this.ensure(8);
    this.view().setBigUint64(this.pos, value, true);
    this.pos += 8;
  }

  /** A signed 64-bit integer, little-endian (a RangeError outside ±2^63). */
  i64(value: bigint): void {
    if (value < MIN_I64 || value > MAX_I64) {
      throw new RangeError(`a spool payload i64 holds -2^63 to 2^63-1, not ${value}`);
    }
    this.ensure(8);
    this.view().setBigInt64(this.pos, value, true);
    this.pos += 8;
  }

  /**
   * A DataView of the current buffer: its BigInt setters are one native call, where Buffer's
   * writeBig*Int64LE split the value with BigInt arithmetic (a third of a span's encoding).
   */
  private view(): DataView {
    if (this.viewed !== this.buffer) {
      this.viewed = this.buffer;
      this.dataView = new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.length);
    }
    return this.dataView as DataView;
  }

  private viewed: Buffer | undefined;
  private dataView: DataView | undefined;

  /** Length, then the UTF-8 (a lone surrogate becomes U+FFFD, as on the wire). */
  text(value: string): void {
    this.string(value);
  }

  /**
   * Everything written so far, a view of the writer's memory (no copy). One payload per writer:
   * nothing ends a message here, so the payload starts at 0 however the buffer grew.
   */
  override finish(): Buffer {
    return this.pos === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.pos);
  }
}

export class SpoolPayloadReader {
  private readonly bytes: Buffer;
  private pos: number;

  /**
   * Reads a copy of `payload` from `start`: byte fields are views of that copy, so that what a
   * codec makes of them keeps neither the segment file read at recovery nor more than one copy.
   */
  constructor(payload: Uint8Array, start = 0) {
    this.bytes = Buffer.from(payload);
    this.pos = start;
  }

  /** Where the next read starts. */
  get position(): number {
    return this.pos;
  }

  byteAt(index: number): number | undefined {
    return this.bytes[index];
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  uv(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1);
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new Error('spool payload holds a varint past 2^32');
  }

  f64(): number {
    this.need(8);
    const value = this.bytes.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  u64(): bigint {
    this.need(8);
    const value = this.bytes.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  i64(): bigint {
    this.need(8);
    const value = this.bytes.readBigInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  bytesView(): Buffer {
    const length = this.uv();
    this.need(length);
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  text(): string {
    const length = this.uv();
    this.need(length);
    const text = this.bytes.toString('utf8', this.pos, this.pos + length);
    this.pos += length;
    return text;
  }

  /** A varint that indexes a table of `count` entries (`what`, for the error). */
  index(count: number, what: string): number {
    const index = this.uv();
    if (index >= count) throw new Error(`spool payload names ${what} ${index} of ${count}`);
    return index;
  }

  /** Throws unless every byte was read: a payload longer than its records is not this codec's. */
  end(): void {
    if (this.pos !== this.bytes.length) {
      throw new Error(`spool payload has ${this.bytes.length - this.pos} bytes after its records`);
    }
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.bytes.length) throw new Error('spool payload ends early');
  }
}

/**
 * An exporter codec's own layout: each of its payloads starts with the layout's tag byte and
 * version, so that another codec's payload, or one a later release wrote, is refused by name
 * instead of misread (the spool counts it `corrupt`).
 */
export class SpoolLayout {
  /** `name` as the errors say it: "not an OTLP spool payload", "ClickHouse spool payload of". */
  constructor(
    readonly name: string,
    readonly tag: number,
    readonly version = 1,
  ) {}

  /** Whether the payload is in this layout, of whichever version. */
  owns(payload: Uint8Array): boolean {
    return payload[0] === this.tag;
  }

  /** A writer with the tag and version already written. */
  writer(expectedBytes?: number): SpoolPayloadWriter {
    const out = new SpoolPayloadWriter(expectedBytes);
    out.u8(this.tag);
    out.u8(this.version);
    return out;
  }

  /**
   * A reader after the tag and version, and `moreHeaderBytes` the codec reads with `byteAt`;
   * throws for another tag or another version.
   */
  reader(payload: Uint8Array, moreHeaderBytes = 0): SpoolPayloadReader {
    if (!this.owns(payload)) {
      throw new Error(`not ${/^[AEIOU]/.test(this.name) ? 'an' : 'a'} ${this.name} spool payload`);
    }
    if (payload[1] !== this.version) {
      throw new Error(
        `${this.name} spool payload of format ${payload[1]}, this exporter reads ${this.version}`,
      );
    }
    return new SpoolPayloadReader(payload, 2 + moreHeaderBytes);
  }
}

/**
 * The distinct values a payload writes once (an export's resources, its label strings), each
 * with its index in the order first met: objects by identity, strings by value.
 */
export class SpoolTable<T> {
  readonly items: T[] = [];
  private readonly indexes = new Map<T, number>();
  private last: T | undefined;
  private lastIndex = -1;

  indexOf(item: T): number {
    // Values come in runs (the records of one scope, the labels of one series): one comparison.
    if (item === this.last) return this.lastIndex;
    let index = this.indexes.get(item);
    if (index === undefined) {
      index = this.items.length;
      this.items.push(item);
      this.indexes.set(item, index);
    }
    this.last = item;
    this.lastIndex = index;
    return index;
  }
}
