import { crc32 } from 'node:zlib';

/**
 * The spool's on-disk format. A segment file is a 16-byte header (magic, format version) and
 * then frames; an acknowledgement file is frames only. A frame is
 *
 *   u32 LE  body length
 *   u32 LE  CRC-32 of the body
 *   body
 *
 * A data frame's body is one accepted export's records:
 *
 *   f64 LE  id of the first record (ids are consecutive across frames and segments)
 *   u32 LE  record count n
 *   n × f64 LE  acceptance time, wall-clock ms
 *   n × u32 LE  wire bytes (the sender's `sizeOf`)
 *   codec bytes of the n records
 *
 * As in Vector's disk buffer (a record is an event array, ids advance by the event count) and
 * the Collector's persistent queue (an item is a request), the checksummed unit is an export,
 * not a single record: one serialisation per export is several times cheaper than one per
 * record, and the id gap before the next good frame says how many records a bad frame held.
 *
 * An acknowledgement file holds two kinds of frame. An acknowledgement's body is ranges of
 * acknowledged ids: repeated (f64 first id, u32 count). A sent batch's body is the tag
 * `SENT_BATCH_TAG` (u32), the number of ranges (u32), a sequence number (f64) and the ranges of
 * the ids sent together in one request, written
 * before the request leaves, so that a later process replays them as that same batch (a backend
 * that deduplicates by batch, as ClickHouse's insert token does, then drops the copy of a batch
 * stored before a crash). Its length is never a multiple of a range's 12 bytes: a reader that
 * knows only acknowledgements (an otelpack before sent batches) finds no ranges in it and skips it, where a
 * tag it read as a range would have acknowledged the batch's records, losing them.
 */

export const SEGMENT_MAGIC = Buffer.from('OTLPSPL1', 'latin1');
export const FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 16;
export const FRAME_HEADER_BYTES = 8;
const DATA_FIXED_BYTES = 12;
const PER_RECORD_BYTES = 12;
const RANGE_BYTES = 12;
/** 'SENT' as a little-endian u32: the first four bytes of a sent batch's body. */
export const SENT_BATCH_TAG = 0x544e4553;
/** Tag, range count, sequence: 16 bytes, so that the body's length is never a multiple of 12. */
const SENT_FIXED_BYTES = 16;
/** More records than one export could hold: a count above it is read as damage. */
export const MAX_FRAME_RECORDS = 16_777_216;

export function segmentHeader(): Buffer {
  const header = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(header, 0);
  header.writeUInt32LE(FORMAT_VERSION, 8);
  return header;
}

/** undefined when the header is whole and ours; else why not. */
export function checkSegmentHeader(file: Buffer): string | undefined {
  if (file.length < SEGMENT_HEADER_BYTES) return 'segment header cut short';
  if (!file.subarray(0, 8).equals(SEGMENT_MAGIC)) return 'not a spool segment (bad magic)';
  const version = file.readUInt32LE(8);
  if (version !== FORMAT_VERSION)
    return `segment format version ${version}, expected ${FORMAT_VERSION}`;
  return undefined;
}

export interface DataFrameRecords {
  acceptedAtWallMs: ArrayLike<number>;
  bytes: ArrayLike<number>;
  payload: Uint8Array;
}

/** One frame holding `count` records from `firstId`. */
export function encodeDataFrame(firstId: number, frame: DataFrameRecords): Buffer {
  const { head, payload } = encodeDataFrameParts(firstId, frame);
  return Buffer.concat([head, payload]);
}

/**
 * The same frame as its header and columns, and the codec's bytes apart: written together with
 * one `writev`, the payload (most of the frame) is never copied.
 */
export function encodeDataFrameParts(
  firstId: number,
  frame: DataFrameRecords,
): { head: Buffer; payload: Uint8Array; length: number } {
  const count = frame.bytes.length;
  const headBodyLength = DATA_FIXED_BYTES + count * PER_RECORD_BYTES;
  const head = Buffer.allocUnsafe(FRAME_HEADER_BYTES + headBodyLength);
  head.writeUInt32LE(headBodyLength + frame.payload.length, 0);
  let at = FRAME_HEADER_BYTES;
  at = head.writeDoubleLE(firstId, at);
  at = head.writeUInt32LE(count, at);
  // Typed arrays write the columns in one copy each (the frame's offsets are not aligned for a
  // view); little-endian like the rest, which is every platform Node runs on but s390x.
  const times = frame.acceptedAtWallMs;
  const bytes = frame.bytes;
  at = copyColumn(head, at, times instanceof Float64Array ? times : new Float64Array(times));
  copyColumn(head, at, bytes instanceof Uint32Array ? bytes : new Uint32Array(bytes));
  const crc = crc32(frame.payload, crc32(head.subarray(FRAME_HEADER_BYTES)));
  head.writeUInt32LE(crc, 4);
  return { head, payload: frame.payload, length: head.length + frame.payload.length };
}

/** Bytes of a data frame before its codec bytes: frame header, first id, count, the columns. */
export function dataFrameHeadBytes(count: number): number {
  return FRAME_HEADER_BYTES + DATA_FIXED_BYTES + count * PER_RECORD_BYTES;
}

/**
 * The same frame written in place: `frame` holds the codec bytes from
 * `dataFrameHeadBytes(count)` to its end, and the header and columns go before them. One
 * buffer, so one checksum pass over the body and one `write(2)`.
 */
export function completeDataFrame(
  frame: Buffer,
  firstId: number,
  acceptedAtWallMs: Float64Array,
  bytes: Uint32Array,
): Buffer {
  const count = bytes.length;
  frame.writeUInt32LE(frame.length - FRAME_HEADER_BYTES, 0);
  let at = FRAME_HEADER_BYTES;
  at = frame.writeDoubleLE(firstId, at);
  at = frame.writeUInt32LE(count, at);
  at = copyColumn(frame, at, acceptedAtWallMs);
  copyColumn(frame, at, bytes);
  frame.writeUInt32LE(crc32(frame.subarray(FRAME_HEADER_BYTES)), 4);
  return frame;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function copyColumn(out: Buffer, at: number, column: Float64Array | Uint32Array): number {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < column.length; i++) {
      at =
        column instanceof Float64Array
          ? out.writeDoubleLE(column[i], at)
          : out.writeUInt32LE(column[i], at);
    }
    return at;
  }
  out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), at);
  return at + column.byteLength;
}

export interface DataFrame {
  firstId: number;
  count: number;
  acceptedAtWallMs: number[];
  bytes: number[];
  payload: Buffer;
}

/** The fields of a body whose checksum held; undefined if they do not add up. */
export function decodeDataBody(body: Buffer): DataFrame | undefined {
  if (body.length < DATA_FIXED_BYTES) return undefined;
  const firstId = body.readDoubleLE(0);
  const count = body.readUInt32LE(8);
  if (!Number.isSafeInteger(firstId) || count > MAX_FRAME_RECORDS) return undefined;
  const payloadAt = DATA_FIXED_BYTES + count * PER_RECORD_BYTES;
  if (payloadAt > body.length) return undefined;
  const acceptedAtWallMs: number[] = new Array(count);
  const bytes: number[] = new Array(count);
  for (let i = 0; i < count; i++) {
    acceptedAtWallMs[i] = body.readDoubleLE(DATA_FIXED_BYTES + i * 8);
    bytes[i] = body.readUInt32LE(DATA_FIXED_BYTES + count * 8 + i * 4);
  }
  return { firstId, count, acceptedAtWallMs, bytes, payload: body.subarray(payloadAt) };
}

/**
 * The first id and count a data body claims, read without its checksum: only for a frame cut
 * short by a crash (the bytes that are there were written whole), to count what it held.
 */
export function peekDataHeader(
  body: Buffer,
  claimedBodyLength = body.length,
): { firstId: number; count: number } | undefined {
  if (body.length < DATA_FIXED_BYTES) return undefined;
  const firstId = body.readDoubleLE(0);
  const count = body.readUInt32LE(8);
  if (!Number.isSafeInteger(firstId) || count > MAX_FRAME_RECORDS) return undefined;
  // A count whose columns the frame could not hold is damage, not a count to believe.
  if (DATA_FIXED_BYTES + count * PER_RECORD_BYTES > claimedBodyLength) return undefined;
  return { firstId, count };
}

export interface IdRange {
  first: number;
  count: number;
}

export function encodeAckFrame(ranges: readonly IdRange[]): Buffer {
  const bodyLength = ranges.length * RANGE_BYTES;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  let at = FRAME_HEADER_BYTES;
  for (const range of ranges) {
    at = out.writeDoubleLE(range.first, at);
    at = out.writeUInt32LE(range.count, at);
  }
  out.writeUInt32LE(crc32(out.subarray(FRAME_HEADER_BYTES)), 4);
  return out;
}

export function decodeAckBody(body: Buffer): IdRange[] | undefined {
  if (body.length % RANGE_BYTES !== 0) return undefined;
  return decodeRanges(body, 0);
}

/** One request's ids, as a sent batch frame holds them. */
export interface SentBatch {
  /**
   * Which batch was sent later, across processes (a recovered spool's next batch numbers on
   * from the highest it found): a record sent again in a smaller batch (a retry of the part of
   * a batch that failed, a split) is replayed in that one.
   */
  sequence: number;
  ranges: IdRange[];
}

/**
 * The frame that names the ids of one request, written in the acknowledgement file of each
 * segment they are in. Body: u32 tag, u32 range count, f64 sequence, the ranges: 16 + 12n bytes.
 */
export function encodeSentBatchFrame(sequence: number, ranges: readonly IdRange[]): Buffer {
  const bodyLength = SENT_FIXED_BYTES + ranges.length * RANGE_BYTES;
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + bodyLength);
  out.writeUInt32LE(bodyLength, 0);
  let at = out.writeUInt32LE(SENT_BATCH_TAG, FRAME_HEADER_BYTES);
  at = out.writeUInt32LE(ranges.length, at);
  at = out.writeDoubleLE(sequence, at);
  for (const range of ranges) {
    at = out.writeDoubleLE(range.first, at);
    at = out.writeUInt32LE(range.count, at);
  }
  out.writeUInt32LE(crc32(out.subarray(FRAME_HEADER_BYTES)), 4);
  return out;
}

/** A sent batch's fields; undefined for any other body. */
export function decodeSentBatchBody(body: Buffer): SentBatch | undefined {
  if (body.length < SENT_FIXED_BYTES + RANGE_BYTES) return undefined;
  if (body.readUInt32LE(0) !== SENT_BATCH_TAG) return undefined;
  const count = body.readUInt32LE(4);
  if (body.length !== SENT_FIXED_BYTES + count * RANGE_BYTES) return undefined;
  const sequence = body.readDoubleLE(8);
  if (!Number.isSafeInteger(sequence)) return undefined;
  const ranges = decodeRanges(body, SENT_FIXED_BYTES);
  return ranges && { sequence, ranges };
}

function decodeRanges(body: Buffer, from: number): IdRange[] | undefined {
  const ranges: IdRange[] = [];
  for (let at = from; at < body.length; at += RANGE_BYTES) {
    const first = body.readDoubleLE(at);
    if (!Number.isSafeInteger(first)) return undefined;
    ranges.push({ first, count: body.readUInt32LE(at + 8) });
  }
  return ranges;
}

/** Sorted, merged ranges of a set of ids (an export's records are mostly consecutive). */
export function rangesOf(ids: number[]): IdRange[] {
  if (ids.length === 0) return [];
  // Delivered batches are acknowledged in order nearly always: a pass instead of a sort.
  if (!isAscending(ids)) ids.sort((a, b) => a - b);
  const ranges: IdRange[] = [];
  let first = ids[0];
  let last = first;
  for (let i = 1; i < ids.length; i++) {
    const id = ids[i];
    if (id === last) continue;
    if (id === last + 1) {
      last = id;
      continue;
    }
    ranges.push({ first, count: last - first + 1 });
    first = last = id;
  }
  ranges.push({ first, count: last - first + 1 });
  return ranges;
}

function isAscending(ids: readonly number[]): boolean {
  for (let i = 1; i < ids.length; i++) if (ids[i] < ids[i - 1]) return false;
  return true;
}

/** What reading a file of frames found: whole frames, and where (and why) reading stopped. */
export interface FrameScan {
  /** Bodies of the frames whose checksum held, with their offsets. */
  frames: { offset: number; body: Buffer }[];
  /** Frames whose length was plausible but whose checksum failed (reading went on after them). */
  damaged: { offset: number; body: Buffer }[];
  /** Where the last good frame ends: the file is cut here when `stop` is set. */
  validEnd: number;
  /** Why reading stopped before the end of the file, with the bytes from `validEnd`. */
  stop: { reason: 'torn' | 'unreadable'; tail: Buffer } | undefined;
}

/**
 * Reads frames from `start`. A frame that runs past the end is a torn write (the crash came
 * during it); a frame whose checksum fails is skipped when the bytes after it lead, by their
 * lengths, to a good frame or to the end of the file (its length is then to be believed). Where
 * neither holds (a damaged length field, or zeros where a power cut left the file's size but not
 * its data), reading goes on at the next offset where a frame verifies and `plausible` accepts
 * its body, so that one damaged field does not hide every good frame after it; with none, it
 * stops there. An empty body is never a frame: zeros checksum as one.
 */
export function scanFrames(
  file: Buffer,
  start: number,
  plausible: (body: Buffer) => boolean = () => true,
): FrameScan {
  const scan: FrameScan = { frames: [], damaged: [], validEnd: start, stop: undefined };
  let at = start;
  while (at < file.length) {
    const length = at + FRAME_HEADER_BYTES <= file.length ? file.readUInt32LE(at) : -1;
    const end = at + FRAME_HEADER_BYTES + length;
    if (length > 0 && end <= file.length) {
      const body = file.subarray(at + FRAME_HEADER_BYTES, end);
      if (crc32(body) === file.readUInt32LE(at + 4)) {
        scan.frames.push({ offset: at, body });
        at = end;
        scan.validEnd = at;
        continue;
      }
      if (lengthsChainFrom(file, end)) {
        scan.damaged.push({ offset: at, body });
        at = end;
        scan.validEnd = at;
        continue;
      }
    }
    const next = nextFrameAt(file, at + 1, plausible);
    if (next !== undefined) {
      scan.damaged.push({ offset: at, body: file.subarray(at + FRAME_HEADER_BYTES, next) });
      at = next;
      continue;
    }
    // Cut inside a frame's header or its body: what a crash leaves while the frame is written.
    const torn = length < 0 || end > file.length;
    scan.stop = { reason: torn ? 'torn' : 'unreadable', tail: file.subarray(at) };
    break;
  }
  return scan;
}

/** The first offset from `from` where a whole frame verifies and its body is plausible. */
function nextFrameAt(
  file: Buffer,
  from: number,
  plausible: (body: Buffer) => boolean,
): number | undefined {
  for (let at = from; at + FRAME_HEADER_BYTES < file.length; at++) {
    const length = file.readUInt32LE(at);
    if (length === 0) continue;
    const end = at + FRAME_HEADER_BYTES + length;
    if (end > file.length) continue;
    const body = file.subarray(at + FRAME_HEADER_BYTES, end);
    if (plausible(body) && crc32(body) === file.readUInt32LE(at + 4)) return at;
  }
  return undefined;
}

/** A data body whose fields add up (checked before its checksum, when searching for one). */
export function plausibleDataBody(body: Buffer): boolean {
  const header = peekDataHeader(body);
  return header !== undefined && header.firstId > 0 && header.count > 0;
}

/** An acknowledgement file's body: whole ranges of safe ids, acknowledged or sent together. */
export function plausibleAckBody(body: Buffer): boolean {
  return (
    body.length > 0 &&
    (decodeAckBody(body) !== undefined || decodeSentBatchBody(body) !== undefined)
  );
}

/**
 * Whether a frame's length field is to be believed: following the lengths from its end lands
 * on a frame whose checksum holds or on the end of the file, or its end is where a torn last
 * frame begins (the crash cut the frame after it).
 */
function lengthsChainFrom(file: Buffer, from: number): boolean {
  let at = from;
  while (at < file.length) {
    if (frameVerifiesAt(file, at)) return true;
    if (at + FRAME_HEADER_BYTES > file.length) break;
    at += FRAME_HEADER_BYTES + file.readUInt32LE(at);
  }
  return at === file.length || tornFrameAt(file, from);
}

/** A frame that runs past the end of the file, whose first id reads as an id. */
function tornFrameAt(file: Buffer, at: number): boolean {
  if (at + FRAME_HEADER_BYTES + 8 > file.length) return false;
  if (at + FRAME_HEADER_BYTES + file.readUInt32LE(at) <= file.length) return false;
  const firstId = file.readDoubleLE(at + FRAME_HEADER_BYTES);
  return Number.isSafeInteger(firstId) && firstId > 0;
}

function frameVerifiesAt(file: Buffer, at: number): boolean {
  if (at + FRAME_HEADER_BYTES > file.length) return false;
  const end = at + FRAME_HEADER_BYTES + file.readUInt32LE(at);
  if (end > file.length) return false;
  return crc32(file.subarray(at + FRAME_HEADER_BYTES, end)) === file.readUInt32LE(at + 4);
}
