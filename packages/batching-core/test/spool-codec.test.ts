import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { describe, test } from 'node:test';
import { bytesSpoolCodec, defaultSpoolCodec, stringSpoolCodec, v8Codec } from '../src';

describe('spool codecs', () => {
  const strings = ['', 'a', 'x=1 gauge,2', 'é ✓ 𝄞 non-ASCII', 'z'.repeat(70_000)];
  const bytes = [new Uint8Array(0), Uint8Array.of(0, 255, 1), Buffer.from('protobuf\n')];

  test('strings come back as written, non-ASCII and empty ones included', () => {
    assert.deepEqual(
      stringSpoolCodec.decode(stringSpoolCodec.encode(strings), strings.length),
      strings,
    );
  });

  test('bytes come back as written, as copies rather than views of the payload', () => {
    const payload = bytesSpoolCodec.encode(bytes);
    const back = bytesSpoolCodec.decode(payload, bytes.length);
    assert.deepEqual(
      back.map((b) => [...b]),
      bytes.map((b) => [...b]),
    );
    // Small buffers share Node's pool, so compare contents: the payload is overwritten after.
    payload.fill(0);
    assert.equal(Buffer.from(back[2]).toString(), 'protobuf\n');
  });

  const exports: { name: string; records: unknown[]; v8: boolean }[] = [
    { name: 'all strings: length-prefixed', records: strings, v8: false },
    { name: 'all bytes: length-prefixed', records: bytes, v8: false },
    {
      name: 'objects: V8',
      records: [
        { a: 1, b: 'x' },
        { a: 2, b: 'y' },
      ],
      v8: true,
    },
    { name: 'strings and an object: V8', records: ['a', { a: 1 }], v8: true },
    { name: 'strings and bytes: V8', records: ['a', Uint8Array.of(1)], v8: true },
  ];
  for (const { name, records, v8: viaV8 } of exports) {
    test(`the default codec, ${name}`, () => {
      const payload = defaultSpoolCodec.encode(records);
      assert.equal(payload[0] === 0xff, viaV8);
      const back = defaultSpoolCodec.decode(payload, records.length);
      assert.deepEqual(
        back.map((r) => (r instanceof Uint8Array ? [...r] : r)),
        records.map((r) => (r instanceof Uint8Array ? [...r] : r)),
      );
    });
  }

  test('the default codec reads what v8Codec wrote (spools from before the fast paths)', () => {
    const payload = v8Codec.encode(strings);
    assert.deepEqual(defaultSpoolCodec.decode(payload, strings.length), strings);
    assert.equal(Buffer.from(v8.serialize([]))[0], 0xff);
  });

  // Tag 0x01, lengths 3 and 2 (u32 LE), then 'abcde'.
  const payload = Buffer.from(stringSpoolCodec.encode(['abc', 'de']));
  test('the strings layout: tag, lengths, bytes', () => {
    assert.deepEqual([...payload], [1, 3, 0, 0, 0, 2, 0, 0, 0, ...Buffer.from('abcde')]);
  });
  const damaged: { name: string; bytes: Uint8Array; count: number; error: RegExp }[] = [
    { name: 'no bytes at all', bytes: new Uint8Array(0), count: 0, error: /empty spool payload/ },
    {
      name: 'an unknown tag',
      bytes: Buffer.concat([Buffer.of(0x07), payload.subarray(1)]),
      count: 2,
      error: /tag 0x7/,
    },
    {
      name: 'cut inside the lengths',
      bytes: payload.subarray(0, 6),
      count: 2,
      error: /too short for the lengths of 2/,
    },
    {
      name: 'cut inside a record',
      bytes: payload.subarray(0, payload.length - 1),
      count: 2,
      error: /record 2 of 2 runs past/,
    },
    {
      name: 'more records than the payload holds',
      bytes: payload,
      count: 3,
      error: /record 1 of 3 runs past/,
    },
    {
      name: 'fewer records than the payload holds',
      bytes: payload,
      count: 1,
      error: /bytes after the last of 1/,
    },
    {
      name: 'a length past the end',
      bytes: Buffer.concat([
        payload.subarray(0, 1),
        Buffer.of(0xff, 0xff, 0, 0),
        payload.subarray(5),
      ]),
      count: 2,
      error: /record 1 of 2 runs past/,
    },
  ];
  for (const { name, bytes: b, count, error } of damaged) {
    test(`a payload with ${name} throws (counted corrupt by recovery), never returns wrong records`, () => {
      assert.throws(() => defaultSpoolCodec.decode(b, count), error);
    });
  }

  test('a bytes codec refuses a strings payload and the other way round', () => {
    assert.throws(() => bytesSpoolCodec.decode(payload, 2), /expected 0x2/);
    assert.throws(() => stringSpoolCodec.decode(bytesSpoolCodec.encode(bytes), 3), /expected 0x1/);
  });
});
