import { writeVarint } from './varint';

/*
 * Snappy block compression (the "raw" format of google/snappy's format_description.txt, which
 * remote write bodies are), written for remote write's requests: a label set repeated with small
 * changes from series to series, so most of a request is long copies of what came a few hundred
 * bytes before.
 *
 * It is the usual greedy scheme (hash the 4 bytes at a position, look up where they were last
 * seen, extend a match as far as it goes, skip ahead faster the longer nothing matches), with
 * what made snappyjs's compressor the largest function of the exporter's profile done otherwise:
 * - the hash multiplies with Math.imul (an integer multiply) where snappyjs multiplies doubles;
 * - 4 bytes are read and compared as one 32-bit load (DataView), a match extended 4 bytes a step;
 * - one table for the whole input, positions in an Int32Array, copies allowed back 65,535 bytes:
 *   no 64 KiB blocks whose table is cleared each time, and matches that reach across them.
 * The format lets a copy refer to anything already decompressed, so the blocks are a choice of
 * the reference compressor, not of the format; any Snappy decoder (VictoriaMetrics', Prometheus',
 * snappyjs') reads what this writes, which the tests check with snappyjs's decoder and a stricter
 * one of their own (test/snappy.test.ts).
 */

/**
 * The hash table has at most 2^14 entries; a smaller input gets the smallest power of two at
 * least its length, so that clearing the table costs no more than the input (a 100-byte body
 * would otherwise clear 64 KiB).
 */
const MAX_HASH_BITS = 14;
const MIN_HASH_BITS = 8;
/** Odd multiplier of the reference's hash; any good one would do, the output stays valid. */
const HASH_MULTIPLIER = 0x1e35a7bd;
/** The longest back-reference a 2-byte offset holds. */
const MAX_OFFSET = 0xffff;
/**
 * No match starts in the last bytes: the 4-byte loads of the search and of the extension stay
 * inside the input without a bounds check per byte, and what is left goes out as a literal.
 */
const INPUT_MARGIN = 16;
/** A copy element carries at most 64 bytes. */
const MAX_COPY_LENGTH = 64;
/** Literals up to this length are copied by a loop; longer ones by `set` (a native copy). */
const SHORT_LITERAL = 16;

/** At most this many bytes for an input of `length` bytes (the format's bound, 32 + n + n/6). */
export function maxCompressedLength(length: number): number {
  return 32 + length + Math.floor(length / 6);
}

/**
 * One per sender: its hash table and scratch buffer are kept from request to request, so that a
 * request allocates only the buffer its compressed bytes are returned in.
 */
export class SnappyBlockCompressor {
  private readonly table = new Int32Array(1 << MAX_HASH_BITS);
  private scratch: Buffer = Buffer.allocUnsafe(0);

  /**
   * The snappy block of `raw`, in a buffer of its own size: a request in flight keeps only that,
   * and `raw` (the encoder's reused buffer) may be written again as soon as this returns.
   */
  compress(raw: Uint8Array): Buffer {
    const maxLength = maxCompressedLength(raw.length);
    if (this.scratch.length < maxLength) this.scratch = Buffer.allocUnsafe(maxLength);
    const length = this.compressInto(raw, this.scratch);
    const out = Buffer.allocUnsafe(length);
    this.scratch.copy(out, 0, 0, length);
    return out;
  }

  /**
   * Writes the snappy block of `input` into `output` (at least maxCompressedLength(input.length)
   * bytes) from its start; returns the block's length.
   */
  compressInto(input: Uint8Array, output: Uint8Array): number {
    const length = input.length;
    if (output.length < maxCompressedLength(length)) {
      throw new RangeError(
        `snappy output of ${output.length} bytes is under the ${maxCompressedLength(length)} bytes an input of ${length} may need`,
      );
    }
    let op = writeVarint(output, 0, length);
    if (length < INPUT_MARGIN) return writeLiteral(input, 0, length, output, op);

    const view = new DataView(input.buffer, input.byteOffset, length);
    // Entries are a position + 1, so that the cleared table's 0 means "nothing seen".
    const table = this.table;
    let hashBits = MIN_HASH_BITS;
    while (hashBits < MAX_HASH_BITS && 1 << hashBits < length) hashBits++;
    const hashShift = 32 - hashBits;
    table.fill(0, 0, 1 << hashBits);
    const lastMatchStart = length - INPUT_MARGIN;
    let nextLiteral = 0;
    table[Math.imul(view.getInt32(0, true), HASH_MULTIPLIER) >>> hashShift] = 1;
    let ip = 1;

    search: while (ip <= lastMatchStart) {
      // Find a position whose 4 bytes were seen within reach; step further apart the longer
      // nothing is found (1 byte for the first 32 tries, then 2, ...), which keeps the cost of
      // incompressible stretches low.
      let skip = 32;
      let candidate: number;
      let word: number;
      for (;;) {
        word = view.getInt32(ip, true);
        const hash = Math.imul(word, HASH_MULTIPLIER) >>> hashShift;
        candidate = table[hash] - 1;
        table[hash] = ip + 1;
        if (
          candidate >= 0 &&
          ip - candidate <= MAX_OFFSET &&
          view.getInt32(candidate, true) === word
        ) {
          break;
        }
        ip += skip >>> 5;
        skip++;
        if (ip > lastMatchStart) break search;
      }

      if (ip > nextLiteral) op = writeLiteral(input, nextLiteral, ip, output, op);

      // Extend: 4 bytes a step while both loads stay in the input, then byte by byte.
      let end = ip + 4;
      let from = candidate + 4;
      const wordEnd = length - 4;
      while (end <= wordEnd && view.getInt32(end, true) === view.getInt32(from, true)) {
        end += 4;
        from += 4;
      }
      while (end < length && input[end] === input[from]) {
        end++;
        from++;
      }
      op = writeCopy(output, op, ip - candidate, end - ip);
      // The position before the match's end is remembered too: the next series' copy of a label
      // often starts right there.
      if (end - 1 <= lastMatchStart) {
        table[Math.imul(view.getInt32(end - 1, true), HASH_MULTIPLIER) >>> hashShift] = end;
      }
      ip = end;
      nextLiteral = end;
    }

    if (nextLiteral < length) op = writeLiteral(input, nextLiteral, length, output, op);
    return op;
  }
}

/** A literal element: input[start, end) as is, after a tag holding its length minus one. */
function writeLiteral(
  input: Uint8Array,
  start: number,
  end: number,
  output: Uint8Array,
  op: number,
): number {
  const length = end - start;
  if (length === 0) return op;
  const lengthMinusOne = length - 1;
  if (lengthMinusOne < 60) {
    output[op++] = lengthMinusOne << 2;
  } else if (lengthMinusOne < 0x100) {
    output[op++] = 60 << 2;
    output[op++] = lengthMinusOne;
  } else if (lengthMinusOne < 0x1_0000) {
    output[op++] = 61 << 2;
    output[op++] = lengthMinusOne & 0xff;
    output[op++] = lengthMinusOne >>> 8;
  } else if (lengthMinusOne < 0x100_0000) {
    output[op++] = 62 << 2;
    output[op++] = lengthMinusOne & 0xff;
    output[op++] = (lengthMinusOne >>> 8) & 0xff;
    output[op++] = lengthMinusOne >>> 16;
  } else {
    output[op++] = 63 << 2;
    output[op++] = lengthMinusOne & 0xff;
    output[op++] = (lengthMinusOne >>> 8) & 0xff;
    output[op++] = (lengthMinusOne >>> 16) & 0xff;
    output[op++] = lengthMinusOne >>> 24;
  }
  if (length <= SHORT_LITERAL) {
    for (let i = start; i < end; i++) output[op++] = input[i];
    return op;
  }
  output.set(input.subarray(start, end), op);
  return op + length;
}

/**
 * Copy elements for a match of `length` (≥ 4) bytes `offset` (1–65,535) bytes back: 64-byte
 * elements while more than 67 are left, so that the last one is at least 4 bytes long and may
 * take the 2-byte form (lengths 4–11 with an offset under 2,048).
 */
function writeCopy(output: Uint8Array, op: number, offset: number, length: number): number {
  while (length >= MAX_COPY_LENGTH + 4) {
    op = writeCopyElement(output, op, offset, MAX_COPY_LENGTH);
    length -= MAX_COPY_LENGTH;
  }
  if (length > MAX_COPY_LENGTH) {
    op = writeCopyElement(output, op, offset, MAX_COPY_LENGTH - 4);
    length -= MAX_COPY_LENGTH - 4;
  }
  return writeCopyElement(output, op, offset, length);
}

function writeCopyElement(output: Uint8Array, op: number, offset: number, length: number): number {
  if (length < 12 && offset < 2048) {
    // Tag 01: length - 4 in bits 2–4, the offset's high 3 bits in 5–7, its low byte next.
    output[op++] = 0b01 | ((length - 4) << 2) | ((offset >>> 8) << 5);
    output[op++] = offset & 0xff;
    return op;
  }
  // Tag 10: length - 1 in bits 2–7, then the offset as 2 little-endian bytes.
  output[op++] = 0b10 | ((length - 1) << 2);
  output[op++] = offset & 0xff;
  output[op++] = offset >>> 8;
  return op;
}
