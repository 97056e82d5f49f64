import { decodeTagged, OBJECTS_TAG, STRINGS_TAG, writeStrings } from './length-prefixed';

/*
 * Plain-data records of one shape (a mapping's output: the same keys, in the same order, with
 * string, number, boolean, null or undefined values), written as columns instead of through `v8.serialize`:
 *
 *   u8      tag 0x03
 *   u32 LE  byte length of the keys' JSON
 *   keys    JSON array of the shape's keys, once per export
 *   n × k   u8 value kinds, record by record
 *   f64 LE  the number values, in order
 *   strings the string values in the strings layout (tag 0x01, lengths, UTF-8)
 *
 * The strings go through one join and one UTF-8 encode for the whole export, as string records
 * do: V8's serialiser writes each value with its own tag and length, and reads them back one by
 * one. Anything else (nested objects, undefined, Buffers, a class instance, a lone surrogate)
 * is left to V8: `encodeObjectColumns` answers undefined.
 */

const STRING = 0;
const NUMBER = 1;
const TRUE = 2;
const FALSE = 3;
const NULL = 4;
const UNDEFINED = 5;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  );
}

export function encodeObjectColumns(records: readonly unknown[]): Buffer | undefined {
  const view = encodeObjectColumnsInScratch(records, 0);
  return view && Buffer.from(view);
}

/**
 * The columns after `prefixBytes` of the length-prefixed module's scratch buffer, valid until
 * the next encode (for the spool's frame, written out at once).
 */
export function encodeObjectColumnsInScratch(
  records: readonly unknown[],
  prefixBytes: number,
): Buffer | undefined {
  const first = records[0];
  if (!isPlainObject(first)) return undefined;
  const keys = Object.keys(first);
  const width = keys.length;
  // `__proto__` as an own key (JSON.parse makes one) would set the prototype when read back.
  if (width === 0 || keys.includes('__proto__')) return undefined;
  const kinds = new Uint8Array(records.length * width);
  // The strings' UTF-16 lengths and their rope, made in the same pass (see writeStrings). No
  // array of the strings themselves: only text that is not ASCII needs them, and then gets
  // them from a second walk (stringValues), where an array filled for every export cost ~8 ns
  // a record of six strings (106 against 97 ns a record to encode).
  const lengths = new Uint32Array(kinds.length);
  let text = '';
  let chars = 0;
  let stringCount = 0;
  let numbers: Float64Array | undefined;
  let numberCount = 0;
  let at = 0;
  for (const record of records) {
    if (!isPlainObject(record)) return undefined;
    // for-in rather than Object.keys: optimised code walks the object's enum cache without
    // allocating an array of its keys, and reads each value by its cached index. It also
    // yields inherited enumerable keys (none, unless something adds one to Object.prototype):
    // those make a mismatch, and the export goes through V8.
    let j = 0;
    for (const key in record) {
      if (j === width || key !== keys[j]) return undefined;
      j++;
      const value = record[key];
      if (typeof value === 'string') {
        kinds[at++] = STRING;
        lengths[stringCount++] = value.length;
        chars += value.length;
        text += value;
      } else if (typeof value === 'number') {
        kinds[at++] = NUMBER;
        (numbers ??= new Float64Array(kinds.length))[numberCount++] = value;
      } else if (value === true) kinds[at++] = TRUE;
      else if (value === false) kinds[at++] = FALSE;
      else if (value === null) kinds[at++] = NULL;
      else if (value === undefined) kinds[at++] = UNDEFINED;
      else return undefined;
    }
    if (j !== width) return undefined;
  }
  const keysJson = Buffer.from(JSON.stringify(keys), 'utf8');
  const start = prefixBytes;
  const numbersAt = start + 5 + keysJson.length + kinds.length;
  // The strings' layout is written after room for everything before it: one buffer, no copy.
  const out = writeStrings(
    () => stringValues(records, stringCount, text),
    lengths.subarray(0, stringCount),
    text,
    chars,
    true,
    numbersAt + numberCount * 8,
  );
  if (!out) return undefined;
  out[start] = OBJECTS_TAG;
  out.writeUInt32LE(keysJson.length, start + 1);
  keysJson.copy(out, start + 5);
  out.set(kinds, start + 5 + keysJson.length);
  for (let i = 0, numberAt = numbersAt; i < numberCount; i++, numberAt += 8) {
    out.writeDoubleLE((numbers as Float64Array)[i], numberAt);
  }
  return out;
}

/**
 * The string values of records the first walk accepted, in the order it met them; undefined
 * when they are not the ones it met (a getter, a Proxy that answers otherwise each time): the
 * export then goes through V8, as it would have had the first walk seen it.
 */
function stringValues(
  records: readonly unknown[],
  count: number,
  text: string,
): string[] | undefined {
  const strings: string[] = [];
  for (const record of records as readonly Record<string, unknown>[]) {
    for (const key in record) {
      const value = record[key];
      if (typeof value === 'string') strings.push(value);
    }
  }
  return strings.length === count && strings.join('') === text ? strings : undefined;
}

export function decodeObjectColumns(payload: Uint8Array, count: number): Record<string, unknown>[] {
  const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  if (bytes[0] !== OBJECTS_TAG)
    throw new Error(`payload tag 0x${bytes[0]?.toString(16)}, expected 0x3`);
  if (bytes.length < 5) throw new Error('payload too short for the keys');
  const keysEnd = 5 + bytes.readUInt32LE(1);
  if (keysEnd > bytes.length) throw new Error('the keys run past the payload');
  const keys = JSON.parse(bytes.toString('utf8', 5, keysEnd)) as unknown;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    !keys.every((k) => typeof k === 'string' && k !== '__proto__')
  )
    throw new Error('the keys are not a list of names');
  const width = keys.length;
  const kindsEnd = keysEnd + count * width;
  if (kindsEnd > bytes.length)
    throw new Error(`payload too short for the kinds of ${count} records`);
  let numberCount = 0;
  let stringCount = 0;
  for (let at = keysEnd; at < kindsEnd; at++) {
    const kind = bytes[at];
    if (kind === NUMBER) numberCount++;
    else if (kind === STRING) stringCount++;
    else if (kind > UNDEFINED) throw new Error(`unknown value kind ${kind}`);
  }
  const stringsAt = kindsEnd + numberCount * 8;
  if (stringsAt > bytes.length) throw new Error('payload too short for its numbers');
  const strings = decodeTagged(bytes.subarray(stringsAt), stringCount, STRINGS_TAG) as string[];
  const records: Record<string, unknown>[] = new Array(count);
  let kindAt = keysEnd;
  let numberAt = kindsEnd;
  let stringAt = 0;
  for (let i = 0; i < count; i++) {
    const record: Record<string, unknown> = {};
    for (let j = 0; j < width; j++) {
      const kind = bytes[kindAt++];
      let value: unknown;
      if (kind === STRING) value = strings[stringAt++];
      else if (kind === NUMBER) {
        value = bytes.readDoubleLE(numberAt);
        numberAt += 8;
      } else if (kind === TRUE) value = true;
      else if (kind === FALSE) value = false;
      else if (kind === NULL) value = null;
      else value = undefined;
      record[keys[j] as string] = value;
    }
    records[i] = record;
  }
  return records;
}
