import v8 from 'node:v8';

/**
 * How an exporter's records become the bytes of one spool frame and back. A frame holds the
 * records of one accepted export, so a codec sees them together: one serialisation per export.
 */
export interface SpoolCodec<R> {
  encode(records: readonly R[]): Uint8Array;
  /** Throws (or returns the wrong number of records) when the bytes are not its own: counted `corrupt`. */
  decode(payload: Uint8Array, count: number): R[];
}

/**
 * V8's structured serialisation, which keeps strings, numbers, Buffers, arrays, Maps and plain
 * objects as they were, so it serves every exporter whose records are plain data (class
 * instances come back as plain objects). One `v8.serialize` of an export's array costs about a
 * tenth of one call per record, but still about 1 µs a record of ~200 B (bench/spool.ts).
 */
export const v8Codec: SpoolCodec<unknown> = {
  encode: (records) => v8.serialize(records),
  decode: (payload) => v8.deserialize(payload) as unknown[],
};

// A payload's first byte says how it was written. V8's serialisation always begins with its
// version tag 0xFF, so spools written by `v8Codec` (the default before) read back unchanged.
const V8_TAG = 0xff;
const STRINGS_TAG = 0x01;
const BYTES_TAG = 0x02;
const LENGTH_BYTES = 4;

/**
 * Records that are already text (Dynatrace metric lines, a bulk body's lines): a tag byte, the
 * records' UTF-8 byte lengths, and their UTF-8, without `v8.serialize`'s walk and tags.
 */
export const stringSpoolCodec: SpoolCodec<string> = {
  encode: encodeStrings,
  decode: (payload, count) => decodeTagged(payload, count, STRINGS_TAG) as string[],
};

/** Records that are already bytes (encoded protobuf, a serialised row): length-prefixed. */
export const bytesSpoolCodec: SpoolCodec<Uint8Array> = {
  encode: encodeBytes,
  decode: (payload, count) => decodeTagged(payload, count, BYTES_TAG) as Uint8Array[],
};

/**
 * The default when neither the options nor the sender give a codec: an export whose records are
 * all strings, or all bytes, is written length-prefixed; any other through `v8Codec`. Decoding
 * reads the tag, so one spool may hold both.
 */
export const defaultSpoolCodec: SpoolCodec<unknown> = {
  encode(records) {
    if (records.length > 0) {
      if (records.every((r) => typeof r === 'string')) return encodeStrings(records as string[]);
      if (records.every((r) => r instanceof Uint8Array))
        return encodeBytes(records as Uint8Array[]);
    }
    return v8Codec.encode(records);
  },
  decode(payload, count) {
    if (payload.length === 0) throw new Error('empty spool payload');
    if (payload[0] === V8_TAG) return v8Codec.decode(payload, count);
    return decodeTagged(payload, count, payload[0]);
  },
};

/**
 * Tag, the records' byte lengths (u32 LE each), then their UTF-8 one after another. The strings
 * are joined and encoded with one write: V8's one-pass encoder over the whole export is several
 * times cheaper than a write per record. ASCII text (most telemetry) has its byte lengths from
 * the string lengths; other text is measured record by record.
 */
function encodeStrings(records: readonly string[]): Uint8Array {
  const joined = records.join('');
  const byteLength = Buffer.byteLength(joined, 'utf8');
  const dataAt = 1 + LENGTH_BYTES * records.length;
  const out = Buffer.allocUnsafe(dataAt + byteLength);
  out[0] = STRINGS_TAG;
  const ascii = byteLength === joined.length;
  const lengths = new Uint32Array(records.length);
  for (let i = 0; i < records.length; i++) {
    lengths[i] = ascii ? records[i].length : Buffer.byteLength(records[i], 'utf8');
  }
  writeLengths(out, lengths);
  out.write(joined, dataAt, 'utf8');
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The lengths column after the tag: one copy where the platform is little-endian (all but s390x). */
function writeLengths(out: Buffer, lengths: Uint32Array): void {
  if (LITTLE_ENDIAN) out.set(new Uint8Array(lengths.buffer, 0, lengths.byteLength), 1);
  else for (let i = 0; i < lengths.length; i++) out.writeUInt32LE(lengths[i], 1 + LENGTH_BYTES * i);
}

/** The same layout with bytes: one copy of each record into the payload. */
function encodeBytes(records: readonly Uint8Array[]): Uint8Array {
  const dataAt = 1 + LENGTH_BYTES * records.length;
  let total = dataAt;
  for (const record of records) total += record.byteLength;
  const out = Buffer.allocUnsafe(total);
  out[0] = BYTES_TAG;
  let at = dataAt;
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    out.writeUInt32LE(record.byteLength, 1 + LENGTH_BYTES * i);
    out.set(record, at);
    at += record.byteLength;
  }
  return out;
}

function decodeTagged(payload: Uint8Array, count: number, tag: number): (string | Buffer)[] {
  if (tag !== STRINGS_TAG && tag !== BYTES_TAG)
    throw new Error(`unknown spool payload tag 0x${tag.toString(16)}`);
  if (payload[0] !== tag)
    throw new Error(`payload tag 0x${payload[0]?.toString(16)}, expected 0x${tag.toString(16)}`);
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  const dataAt = 1 + LENGTH_BYTES * count;
  if (dataAt > bytes.length)
    throw new Error(`payload too short for the lengths of ${count} records`);
  const records: (string | Buffer)[] = new Array(count);
  let at = dataAt;
  for (let i = 0; i < count; i++) {
    const end = at + bytes.readUInt32LE(1 + LENGTH_BYTES * i);
    if (end > bytes.length) throw new Error(`record ${i + 1} of ${count} runs past the payload`);
    // Bytes are copied out: a view would keep the whole segment file read at recovery alive.
    records[i] =
      tag === STRINGS_TAG ? bytes.toString('utf8', at, end) : Buffer.from(bytes.subarray(at, end));
    at = end;
  }
  if (at !== bytes.length)
    throw new Error(`${bytes.length - at} bytes after the last of ${count} records`);
  return records;
}
