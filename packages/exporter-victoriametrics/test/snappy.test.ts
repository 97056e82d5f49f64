import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { seededRandom } from '@otelpack/batching-core/testing';
import { uncompress } from 'snappyjs';
import { encodeWriteRequest } from '../src';
import type { TimeSeries } from '../src';
import { SnappyBlockCompressor, maxCompressedLength } from '../src/snappy';

const SPEC = 'google/snappy format_description.txt';

function bytes(...parts: (number | string | Uint8Array)[]): Buffer {
  return Buffer.concat(
    parts.map((part) =>
      typeof part === 'number'
        ? Buffer.from([part])
        : typeof part === 'string'
          ? Buffer.from(part, 'latin1')
          : Buffer.from(part),
    ),
  );
}

function randomBytes(length: number, seed: number): Buffer {
  const random = seededRandom(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

/** A remote write request as the exporter sends them: the same labels with small changes. */
function remoteWriteRequest(seriesCount: number): Buffer {
  const routes = ['/api/orders', '/api/orders/:id', '/api/cart', '/health'];
  const series: TimeSeries[] = Array.from({ length: seriesCount }, (_, i) => ({
    labels: [
      { name: '__name__', value: i % 10 === 0 ? 'http_server_duration_bucket' : 'http_requests' },
      { name: 'http_request_method', value: i % 3 === 0 ? 'POST' : 'GET' },
      { name: 'http_route', value: `${routes[i % routes.length]}/${Math.floor(i / 4)}` },
      { name: 'instance', value: 'checkout-7d9f8-abcde' },
      { name: 'job', value: 'shop/checkout' },
    ],
    samples: [{ value: 1000 + i * 7, timestampMs: 1_700_000_000_123 }],
  }));
  return encodeWriteRequest(series);
}

function compressed(input: Uint8Array): Buffer {
  return new SnappyBlockCompressor().compress(input);
}

type Element =
  | { kind: 'literal'; at: number; length: number }
  | { kind: 'copy'; at: number; length: number; offset: number };

/**
 * A strict reading of a block by the format description, test-only: snappyjs's decoder does not
 * check that the output has the preamble's length (it zero-fills or drops the difference). This
 * one refuses a block that does not decode to exactly that length, a copy with offset 0 or
 * reaching before the start, an element past the block's end, and a literal length written in a
 * longer form than it needs. Returns the bytes and the elements (`at`: output position).
 */
function strictDecode(block: Uint8Array): { output: Buffer; elements: Element[] } {
  let ip = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    if (ip >= block.length || shift > 28) throw new Error('bad preamble');
    const byte = block[ip++];
    length += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) break;
  }
  const output = Buffer.alloc(length);
  const elements: Element[] = [];
  let op = 0;
  while (ip < block.length) {
    const tag = block[ip++];
    const type = tag & 0b11;
    if (type === 0b00) {
      let lengthMinusOne = tag >>> 2;
      if (lengthMinusOne >= 60) {
        const extra = lengthMinusOne - 59;
        if (ip + extra > block.length) throw new Error('literal length past the block');
        lengthMinusOne = 0;
        for (let i = 0; i < extra; i++) lengthMinusOne += block[ip + i] * 2 ** (8 * i);
        ip += extra;
        const shortest =
          lengthMinusOne < 60
            ? 0
            : lengthMinusOne < 0x100
              ? 1
              : lengthMinusOne < 0x1_0000
                ? 2
                : lengthMinusOne < 0x100_0000
                  ? 3
                  : 4;
        if (extra !== shortest)
          throw new Error(`literal length in ${extra} bytes, ${shortest} needed`);
      }
      const n = lengthMinusOne + 1;
      if (ip + n > block.length || op + n > length) throw new Error('literal past the end');
      elements.push({ kind: 'literal', at: op, length: n });
      output.set(block.subarray(ip, ip + n), op);
      ip += n;
      op += n;
      continue;
    }
    let n: number;
    let offset: number;
    if (type === 0b01) {
      if (ip + 1 > block.length) throw new Error('copy past the block');
      n = ((tag >>> 2) & 0b111) + 4;
      offset = ((tag >>> 5) << 8) | block[ip++];
    } else if (type === 0b10) {
      if (ip + 2 > block.length) throw new Error('copy past the block');
      n = (tag >>> 2) + 1;
      offset = block[ip] | (block[ip + 1] << 8);
      ip += 2;
    } else {
      if (ip + 4 > block.length) throw new Error('copy past the block');
      n = (tag >>> 2) + 1;
      offset =
        block[ip] + block[ip + 1] * 0x100 + block[ip + 2] * 0x1_0000 + block[ip + 3] * 0x100_0000;
      ip += 4;
    }
    if (offset === 0 || offset > op) throw new Error(`copy offset ${offset} at output ${op}`);
    if (op + n > length) throw new Error('copy past the end');
    elements.push({ kind: 'copy', at: op, length: n, offset });
    for (let i = 0; i < n; i++, op++) output[op] = output[op - offset];
  }
  if (op !== length) throw new Error(`decoded ${op} bytes, the preamble says ${length}`);
  return { output, elements };
}

/** Compresses, checks the bound, and reads back with both decoders. */
function roundTrip(input: Buffer, snappy = new SnappyBlockCompressor()): Buffer {
  const block = snappy.compress(input);
  assert.ok(
    block.length <= maxCompressedLength(input.length),
    `${input.length} bytes: over the bound`,
  );
  assert.deepEqual(strictDecode(block).output, input, `${input.length} bytes: strict decoder`);
  assert.deepEqual(uncompress(block), input, `${input.length} bytes: snappyjs`);
  return block;
}

/** Fast deterministic bytes for the large cases (seededRandom per byte is slow at 16 MiB). */
function noise(length: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = state & 0xff;
  }
  return out;
}

describe('snappy block compression', () => {
  // Exact bytes, each worked out by hand from the format description: the varint preamble, then
  // literal elements (tag 00: length - 1 in the tag's upper 6 bits below 60; 60–63 say that 1–4
  // little-endian bytes of length - 1 follow) and copies (tag 01: length 4–11 and an 11-bit
  // offset; tag 10: length 1–64 and a 2-byte offset). Our decoder is not the judge here.
  const exact: { name: string; source: string; input: Buffer; block: Buffer }[] = [
    {
      name: 'empty input: the preamble alone',
      source: `${SPEC} §1 (preamble)`,
      input: bytes(),
      block: bytes(0x00),
    },
    {
      name: 'short input: one literal, length in the tag',
      source: `${SPEC} §2.1 (literal, length - 1 < 60)`,
      input: bytes('abc'),
      block: bytes(0x03, 0x08, 'abc'),
    },
    {
      name: 'a repeat 8 bytes back: a copy with a 1-byte offset',
      source: `${SPEC} §2.2.1 (copy with 1-byte offset, tag 01)`,
      input: bytes('abcdefghabcdefgh12345678'),
      block: bytes(0x18, 0x1c, 'abcdefgh', 0x11, 0x08, 0x1c, '12345678'),
    },
    {
      name: 'a run of one byte: an overlapping copy 1 byte back, with a 2-byte offset',
      source: `${SPEC} §2.2.2 (copy with 2-byte offset, tag 10; the copy may overlap its output)`,
      input: bytes('a'.repeat(20)),
      block: bytes(0x14, 0x00, 'a', 0x4a, 0x01, 0x00),
    },
    {
      name: 'a match longer than 64 bytes: elements of 64 and 60, the last at least 4 long',
      source: `${SPEC} §2.2 (a copy element holds at most 64 bytes)`,
      input: bytes('a'.repeat(132)),
      block: bytes(0x84, 0x01, 0x00, 'a', 0xfe, 0x01, 0x00, 0xee, 0x01, 0x00, 0x0d, 0x01),
    },
  ];
  for (const row of exact) {
    it(`${row.name} (${row.source})`, () => {
      assert.deepEqual(compressed(row.input), row.block);
      assert.deepEqual(strictDecode(row.block).output, row.input);
      assert.deepEqual(uncompress(row.block), row.input);
    });
  }

  // Literal lengths past the tag: the header's bytes are exact, the rest is the input as is.
  const literalForms: { length: number; header: number[]; source: string }[] = [
    {
      length: 60,
      header: [59 << 2],
      source: `${SPEC} §2.1 (length - 1 in the tag, the last such)`,
    },
    { length: 61, header: [60 << 2, 60], source: `${SPEC} §2.1 (tag value 60: 1 length byte)` },
    { length: 256, header: [60 << 2, 255], source: `${SPEC} §2.1 (tag value 60, the last such)` },
    { length: 257, header: [61 << 2, 0, 1], source: `${SPEC} §2.1 (tag value 61: 2 length bytes)` },
    {
      length: 65_536,
      header: [61 << 2, 0xff, 0xff],
      source: `${SPEC} §2.1 (tag value 61, the last such)`,
    },
    {
      length: 65_537,
      header: [62 << 2, 0, 0, 1],
      source: `${SPEC} §2.1 (tag value 62: 3 length bytes)`,
    },
    {
      length: 0x100_0001,
      header: [63 << 2, 0, 0, 0, 1],
      source: `${SPEC} §2.1 (tag value 63: 4 length bytes)`,
    },
  ];
  for (const { length, header, source } of literalForms) {
    it(`an incompressible input of ${length} bytes is one literal (${source})`, () => {
      const input = noise(length, length);
      const block = compressed(input);
      const preamble = Buffer.from([...varint(length), ...header]);
      assert.deepEqual(block.subarray(0, preamble.length), preamble);
      assert.deepEqual(block.subarray(preamble.length), input);
      assert.ok(block.length <= maxCompressedLength(length));
    });
  }

  it("copies from exactly 65,535 bytes back, the 2-byte offset's reach, and not from 65,536", () => {
    // The marker at position 0 is in the table from the start; the zeros between are one long
    // copy, after which the search starts right at the marker's repeat.
    const marker = noise(16, 7);
    const tail = noise(32, 8);
    const at = (distance: number) =>
      Buffer.concat([marker, Buffer.alloc(distance - marker.length), marker, tail]);
    const reach = strictDecode(roundTrip(at(65_535))).elements;
    assert.ok(
      reach.some((e) => e.kind === 'copy' && e.at === 65_535 && e.offset === 65_535),
      'the repeat 65,535 bytes back is a copy from there',
    );
    const beyond = strictDecode(roundTrip(at(65_536))).elements;
    const covering = beyond.find((e) => e.at <= 65_536 && 65_536 < e.at + e.length);
    assert.equal(covering?.kind, 'literal', 'the repeat 65,536 bytes back is a literal');
  });

  it('never refers back more than 65,535 bytes (a 2-byte offset): a farther repeat is a literal', () => {
    const stretch = randomBytes(70_000, 1);
    const far = Buffer.concat([stretch, stretch]);
    const near = Buffer.concat([stretch.subarray(0, 30_000), stretch.subarray(0, 30_000)]);
    assert.ok(roundTrip(far).length > 139_000, 'the repeat 70,000 bytes back is not copied');
    // The search steps over random bytes ever further apart (by 40-odd bytes after 30,000), so
    // the repeat is found some way into it; from there on it is copies.
    assert.ok(roundTrip(near).length < 33_000, 'the repeat 30,000 bytes back is copied');
  });

  it('reads back what it writes (both decoders), for inputs of every kind, within the bound', () => {
    const random = seededRandom(9);
    const inputs: Buffer[] = [remoteWriteRequest(2_000), Buffer.alloc(1 << 20)];
    for (let length = 0; length < 40; length++) inputs.push(randomBytes(length, length + 100));
    // Preamble lengths at the varint's boundaries, random and repetitive.
    for (const length of [127, 128, 129, 16_383, 16_384, 16_385]) {
      inputs.push(randomBytes(length, length), Buffer.alloc(length, 0x61));
    }
    // Random stretches mixed with repeats of what came before, at every distance up to past
    // the 2-byte offset's reach, of lengths across the 64-byte element boundary.
    for (let n = 0; n < 200; n++) {
      const target = Math.floor(random() * 150_000);
      const parts: number[] = [];
      while (parts.length < target) {
        if (parts.length > 4 && random() < 0.6) {
          const distance = 1 + Math.floor(random() * Math.min(parts.length, 80_000));
          const length = 1 + Math.floor(random() * 300);
          const from = parts.length - distance;
          for (let i = 0; i < length; i++) parts.push(parts[from + i]);
        } else {
          const length = 1 + Math.floor(random() * 40);
          for (let i = 0; i < length; i++) parts.push(Math.floor(random() * 256));
        }
      }
      inputs.push(Buffer.from(parts));
    }
    // One compressor for all of them, as a sender keeps one: what one input left in its hash
    // table must not leak into the next one's block.
    const reused = new SnappyBlockCompressor();
    for (const input of inputs) {
      const block = roundTrip(input, reused);
      assert.deepEqual(block, compressed(input), `${input.length} bytes: as a fresh compressor`);
    }
  });

  it('compresses a remote write request well (most of it is copies of the previous series)', () => {
    const request = remoteWriteRequest(2_000);
    const block = compressed(request);
    assert.ok(
      block.length * 8 < request.length,
      `${request.length} bytes compressed to ${block.length}: under an eighth expected`,
    );
  });

  it('returns a buffer of its own: a later call, larger or smaller, leaves it as it was', () => {
    const snappy = new SnappyBlockCompressor();
    const first = randomBytes(5_000, 2);
    const body = snappy.compress(first);
    const copy = Buffer.from(body);
    snappy.compress(randomBytes(300_000, 3));
    snappy.compress(bytes('short'));
    assert.deepEqual(body, copy);
    assert.deepEqual(uncompress(body), first);
  });

  it('refuses an output buffer under the bound, before writing anything', () => {
    const input = randomBytes(1_000, 4);
    const output = Buffer.alloc(maxCompressedLength(1_000) - 1);
    assert.throws(
      () => new SnappyBlockCompressor().compressInto(input, output),
      (error: Error) => error instanceof RangeError && /under the 1198 bytes/.test(error.message),
    );
    assert.ok(output.every((byte) => byte === 0));
  });
});

function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  out.push(value);
  return out;
}
