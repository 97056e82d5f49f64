/**
 * The built-in codecs' length-prefixed layouts. A payload's first byte says how it was written:
 * V8's serialisation always begins with its version tag 0xFF, so spools written by `v8Codec`
 * (the default before) read back unchanged.
 */
export const V8_TAG = 0xff;
export const STRINGS_TAG = 0x01;
export const BYTES_TAG = 0x02;
export const OBJECTS_TAG = 0x03;
export const LENGTH_BYTES = 4;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Whether UTF-8 gives this text back as it is: a lone surrogate (which V8 keeps and UTF-8
 * cannot) would come back as U+FFFD. Native, and immediate for one-byte strings.
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

/**
 * Tag, the records' byte lengths (u32 LE each), then their UTF-8 one after another. The strings
 * are joined and encoded with one write: V8's one-pass encoder over the whole export is several
 * times cheaper than a write per record. ASCII text (most telemetry) has its byte lengths from
 * the string lengths and is copied as Latin-1 (the same bytes, without UTF-8's scan); other text
 * is measured record by record. `undefined` when the text holds a lone surrogate and `strict` is
 * set: the caller then keeps it another way. `prefixBytes` leaves room before the layout for a
 * caller's own header, so that it needs no second copy.
 */
export function encodeStrings(
  records: readonly string[],
  strict = false,
  prefixBytes = 0,
): Buffer | undefined {
  const joined = records.join('');
  const byteLength = Buffer.byteLength(joined, 'utf8');
  const ascii = byteLength === joined.length;
  if (strict && !ascii && !isWellFormed(joined)) return undefined;
  const tagAt = prefixBytes;
  const dataAt = tagAt + 1 + LENGTH_BYTES * records.length;
  const out = Buffer.allocUnsafe(dataAt + byteLength);
  out[tagAt] = STRINGS_TAG;
  const lengths = new Uint32Array(records.length);
  for (let i = 0; i < records.length; i++) {
    lengths[i] = ascii ? records[i].length : Buffer.byteLength(records[i], 'utf8');
  }
  writeLengths(out, tagAt + 1, lengths);
  out.write(joined, dataAt, ascii ? 'latin1' : 'utf8');
  return out;
}

/** The lengths column after the tag: one copy where the platform is little-endian (all but s390x). */
function writeLengths(out: Buffer, at: number, lengths: Uint32Array): void {
  if (LITTLE_ENDIAN) out.set(new Uint8Array(lengths.buffer, 0, lengths.byteLength), at);
  else
    for (let i = 0; i < lengths.length; i++) out.writeUInt32LE(lengths[i], at + LENGTH_BYTES * i);
}

/** The same layout with bytes: one copy of each record into the payload. */
export function encodeBytes(records: readonly Uint8Array[]): Buffer {
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

export function decodeTagged(payload: Uint8Array, count: number, tag: number): (string | Buffer)[] {
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
