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
 * Tag, the records' byte lengths (u32 LE each), then their UTF-8 one after another. `undefined`
 * when the text holds a lone surrogate and `strict` is set: the caller then keeps it another
 * way. `prefixBytes` leaves room before the layout for a caller's own header, so that it needs
 * no second copy. The buffer is the caller's own.
 */
export function encodeStrings(
  records: readonly string[],
  strict = false,
  prefixBytes = 0,
): Buffer | undefined {
  const view = encodeStringsInScratch(records, strict, prefixBytes);
  return view && Buffer.from(view);
}

/**
 * The same layout in the module's scratch buffer (see `scratch`): valid only until the next
 * encode, for a caller that writes it out at once (the spool's frame).
 */
export function encodeStringsInScratch(
  records: readonly string[],
  strict: boolean,
  prefixBytes: number,
): Buffer | undefined {
  const count = records.length;
  const lengths = new Uint32Array(count);
  let chars = 0;
  let text = '';
  for (let i = 0; i < count; i++) {
    const record = records[i];
    lengths[i] = record.length;
    chars += record.length;
    // A rope of the records, not a join: V8 writes a rope straight into the buffer, where
    // Array.prototype.join costs ~30 ns a string before the copy (the spool's largest cost).
    text += record;
  }
  return writeStrings(() => records, lengths, text, chars, strict, prefixBytes);
}

/**
 * Writes the strings layout after `prefixBytes` of the scratch buffer. `lengths` holds the
 * records' UTF-16 lengths, `text` their concatenation (`chars` long). The text is written as
 * UTF-8 at once: when that takes `chars` bytes it was all ASCII (most telemetry), the lengths
 * are already byte lengths and nothing is scanned twice; otherwise each record is measured,
 * from `stringsOf()`: only then, so that a caller whose strings are fields of objects keeps no
 * array of them on the common path. `undefined` from it, or strings of other lengths than
 * `lengths`, mean they are not the text's: the answer is then `undefined` too.
 */
export function writeStrings(
  stringsOf: () => readonly string[] | undefined,
  lengths: Uint32Array,
  text: string,
  chars: number,
  strict: boolean,
  prefixBytes: number,
): Buffer | undefined {
  const tagAt = prefixBytes;
  const dataAt = tagAt + 1 + LENGTH_BYTES * lengths.length;
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair is 4 for 2 units).
  const out = scratch(dataAt + 3 * chars);
  const written = out.write(text, dataAt, 'utf8');
  if (written !== chars) {
    if (strict && !isWellFormed(text)) return undefined;
    const records = stringsOf();
    // Not the strings the text was made of (a getter that answered otherwise the second time):
    // measured, they would split the text in the wrong places.
    if (records === undefined || records.length !== lengths.length) return undefined;
    let sum = 0;
    for (let i = 0; i < lengths.length; i++) {
      if (records[i].length !== lengths[i]) return undefined;
      lengths[i] = Buffer.byteLength(records[i], 'utf8');
      sum += lengths[i];
    }
    // A lone high surrogate ending one record and a lone low one beginning the next make a
    // pair in the joined text: its UTF-8 is not the records' one after another.
    if (sum !== written) {
      if (strict) return undefined;
      let at = dataAt;
      for (const record of records) at += out.write(record, at, 'utf8');
    }
  }
  out[tagAt] = STRINGS_TAG;
  writeLengths(out, tagAt + 1, lengths);
  let end = dataAt;
  for (let i = 0; i < lengths.length; i++) end += lengths[i];
  return out.subarray(0, end);
}

/** Beyond this a scratch buffer is not kept: one huge export does not hold its memory for good. */
const SCRATCH_KEEP_BYTES = 8 * 1024 * 1024;
let scratchBuffer = Buffer.allocUnsafe(0);

/**
 * One buffer reused by every encode into a frame: an export's payload (~100 KB for 512 records)
 * is written to the file and forgotten at once, and a fresh buffer each time is an allocation
 * outside V8's heap that the garbage collector pays for later.
 */
export function scratch(bytes: number): Buffer {
  if (bytes <= scratchBuffer.length) return scratchBuffer;
  if (bytes > SCRATCH_KEEP_BYTES) return Buffer.allocUnsafe(bytes);
  scratchBuffer = Buffer.allocUnsafe(
    Math.max(bytes, Math.min(2 * scratchBuffer.length, SCRATCH_KEEP_BYTES)),
  );
  return scratchBuffer;
}

/** The lengths column after the tag: one copy where the platform is little-endian (all but s390x). */
function writeLengths(out: Buffer, at: number, lengths: Uint32Array): void {
  if (LITTLE_ENDIAN)
    out.set(new Uint8Array(lengths.buffer, lengths.byteOffset, lengths.byteLength), at);
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
