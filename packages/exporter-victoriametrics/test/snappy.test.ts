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
      assert.deepEqual(uncompress(row.block), row.input);
    });
  }

  // Literal lengths past the tag: the header's bytes are exact, the rest is the input as is.
  const literalForms: { length: number; header: number[]; source: string }[] = [
    { length: 61, header: [60 << 2, 60], source: `${SPEC} §2.1 (tag value 60: 1 length byte)` },
    {
      length: 300,
      header: [61 << 2, 299 & 0xff, 299 >>> 8],
      source: `${SPEC} §2.1 (tag value 61: 2 length bytes)`,
    },
    {
      length: 70_000,
      header: [62 << 2, 69_999 & 0xff, (69_999 >>> 8) & 0xff, 69_999 >>> 16],
      source: `${SPEC} §2.1 (tag value 62: 3 length bytes)`,
    },
  ];
  for (const { length, header, source } of literalForms) {
    it(`an incompressible input of ${length} bytes is one literal (${source})`, () => {
      const input = randomBytes(length, length);
      const block = compressed(input);
      const preamble = Buffer.from([...varint(length), ...header]);
      assert.deepEqual(block.subarray(0, preamble.length), preamble);
      assert.deepEqual(block.subarray(preamble.length), input);
      assert.ok(block.length <= maxCompressedLength(length));
    });
  }

  it('never refers back more than 65,535 bytes (a 2-byte offset): a farther repeat is a literal', () => {
    const stretch = randomBytes(70_000, 1);
    const far = Buffer.concat([stretch, stretch]);
    const near = Buffer.concat([stretch.subarray(0, 30_000), stretch.subarray(0, 30_000)]);
    assert.deepEqual(uncompress(compressed(far)), far);
    assert.ok(compressed(far).length > 139_000, 'the repeat 70,000 bytes back is not copied');
    assert.deepEqual(uncompress(compressed(near)), near);
    // The search steps over random bytes ever further apart (by 40-odd bytes after 30,000), so
    // the repeat is found some way into it; from there on it is copies.
    assert.ok(compressed(near).length < 33_000, 'the repeat 30,000 bytes back is copied');
  });

  it('reads back (snappyjs decoder) what it writes, for inputs of every kind, within the bound', () => {
    const random = seededRandom(9);
    const inputs: Buffer[] = [remoteWriteRequest(2_000), Buffer.alloc(1 << 20)];
    for (let length = 0; length < 40; length++) inputs.push(randomBytes(length, length + 100));
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
    for (const [i, input] of inputs.entries()) {
      const block = compressed(input);
      assert.ok(block.length <= maxCompressedLength(input.length), `input ${i}: over the bound`);
      assert.deepEqual(uncompress(block), input, `input ${i} (${input.length} bytes)`);
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
