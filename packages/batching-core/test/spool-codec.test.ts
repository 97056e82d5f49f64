import assert from 'node:assert/strict';
import v8 from 'node:v8';
import { describe, test } from 'node:test';
import {
  SpoolLayout,
  recordsWrittenByV8,
  bytesSpoolCodec,
  defaultSpoolCodec,
  stringSpoolCodec,
  textSpoolCodec,
  v8Codec,
} from '../src';
import type { SpoolCodec } from '../src';
import { inScratchEncoderOf } from '../src/spool/codec';
import {
  FRAME_HEADER_BYTES,
  completeDataFrame,
  dataFrameHeadBytes,
  decodeDataBody,
  encodeDataFrame,
} from '../src/spool/format';

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

  class Point {
    constructor(
      readonly x: number,
      readonly y: number,
    ) {}
  }
  // What comes back: a class instance as a plain object (V8's structured clone), all else as it was.
  const plain = (r: unknown) =>
    r instanceof Uint8Array ? [...r] : r instanceof Point ? { ...r } : r;
  const exports: { name: string; records: unknown[]; tag: number }[] = [
    { name: 'all strings: length-prefixed', records: strings, tag: 0x01 },
    { name: 'all bytes: length-prefixed', records: bytes, tag: 0x02 },
    {
      name: 'objects of one shape: columns',
      records: [
        { a: 1, b: 'x', c: true, d: null, e: undefined, f: 'é ✓ 𝄞' },
        { a: -0, b: '', c: false, d: 'now a string', e: 2.5, f: 'z'.repeat(70_000) },
        { a: NaN, b: 'y', c: Infinity, d: -Infinity, e: Number.MAX_SAFE_INTEGER + 2, f: '' },
      ],
      tag: 0x03,
    },
    { name: 'objects of different shapes: V8', records: [{ a: 1 }, { b: 1 }], tag: 0xff },
    {
      name: 'objects with the keys in another order: V8',
      records: [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      tag: 0xff,
    },
    { name: 'an object with a key more: V8', records: [{ a: 1 }, { a: 1, b: 2 }], tag: 0xff },
    { name: 'an object with a key fewer: V8', records: [{ a: 1, b: 2 }, { a: 1 }], tag: 0xff },
    {
      name: 'a later object with other keys: V8',
      records: [
        { a: 1, b: 2 },
        { a: 1, c: 2 },
      ],
      tag: 0xff,
    },
    { name: 'nested objects: V8', records: [{ a: { b: 1 } }], tag: 0xff },
    { name: 'a Buffer field: V8', records: [{ a: Buffer.from('x') }], tag: 0xff },
    { name: 'a BigInt field: V8', records: [{ a: 1n }], tag: 0xff },
    { name: 'class instances: V8', records: [new Point(1, 2)], tag: 0xff },
    { name: 'an own __proto__ key: V8', records: [JSON.parse('{"__proto__":1,"a":2}')], tag: 0xff },
    { name: 'empty objects: V8', records: [{}, {}], tag: 0xff },
    { name: 'a lone surrogate in an object: V8', records: [{ a: 'x\ud800y' }], tag: 0xff },
    { name: 'a lone surrogate in a string: V8', records: ['ok', 'x\udc00'], tag: 0xff },
    { name: 'strings and an object: V8', records: ['a', { a: 1 }], tag: 0xff },
    { name: 'strings and bytes: V8', records: ['a', Uint8Array.of(1)], tag: 0xff },
  ];
  for (const { name, records, tag } of exports) {
    test(`the default codec, ${name}`, () => {
      const payload = defaultSpoolCodec.encode(records);
      assert.equal(payload[0], tag);
      const back = defaultSpoolCodec.decode(payload, records.length);
      assert.deepEqual(back.map(plain), records.map(plain));
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
  // Tag 0x03, the keys ["n","s"], kinds (number, string) twice, two f64, then the strings.
  const columns = Buffer.from(
    defaultSpoolCodec.encode([
      { n: 1, s: 'ab' },
      { n: 2, s: 'c' },
    ]),
  );
  test('the columns layout: tag, keys, kinds, numbers, strings', () => {
    const keys = Buffer.from('["n","s"]');
    const numbers = Buffer.alloc(16);
    numbers.writeDoubleLE(1, 0);
    numbers.writeDoubleLE(2, 8);
    assert.deepEqual(
      [...columns],
      [
        ...[3, keys.length, 0, 0, 0],
        ...keys,
        ...[1, 0, 1, 0],
        ...numbers,
        ...[1, 2, 0, 0, 0, 1, 0, 0, 0, ...Buffer.from('abc')],
      ],
    );
  });
  const keysEnd = 5 + Buffer.from('["n","s"]').length;
  damaged.push(
    {
      name: 'columns cut inside the keys',
      bytes: columns.subarray(0, 7),
      count: 2,
      error: /keys run past/,
    },
    {
      name: 'columns whose keys are not names',
      bytes: Buffer.concat([Buffer.of(3, 3, 0, 0, 0), Buffer.from('[1]')]),
      count: 0,
      error: /not a list of names/,
    },
    {
      name: 'columns with an unknown value kind',
      bytes: Buffer.concat([
        columns.subarray(0, keysEnd),
        Buffer.of(9),
        columns.subarray(keysEnd + 1),
      ]),
      count: 2,
      error: /unknown value kind 9/,
    },
    {
      name: 'columns with more records than the kinds hold',
      bytes: columns.subarray(0, keysEnd + 3),
      count: 2,
      error: /too short for the kinds of 2/,
    },
    {
      name: 'columns cut inside a string',
      bytes: columns.subarray(0, columns.length - 1),
      count: 2,
      error: /record 2 of 2 runs past/,
    },
    {
      name: 'columns with fewer records than written',
      bytes: columns,
      count: 1,
      // The strings' layout is then looked for in the wrong place: its tag is not there.
      error: /payload tag 0x\w+, expected 0x1/,
    },
  );
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

describe('spool codecs: text the fast paths must not mangle', () => {
  // Joined, a lone high surrogate ending one record and a lone low one beginning the next are a
  // pair: 4 bytes of UTF-8 where the records alone are 3 + 3. Lengths taken record by record
  // then run past the bytes, and the whole export would be read back as corrupt.
  const split = ['a\ud83d', '\ude00b'];
  test('a pair split across two string records: U+FFFD each, the other records intact', () => {
    const records = ['before', ...split, 'after'];
    const back = stringSpoolCodec.decode(stringSpoolCodec.encode(records), records.length);
    assert.deepEqual(back, ['before', 'a\ufffd', '\ufffdb', 'after']);
  });
  test('the default codec keeps a split pair exactly (through V8)', () => {
    const payload = defaultSpoolCodec.encode(split);
    assert.equal(payload[0], 0xff);
    assert.deepEqual(defaultSpoolCodec.decode(payload, split.length), split);
    const objects = [{ a: 'x\ud83d', b: '\ude00y' }];
    const columns = defaultSpoolCodec.encode(objects);
    assert.equal(columns[0], 0xff);
    assert.deepEqual(defaultSpoolCodec.decode(columns, 1), objects);
  });
});

describe('spool codecs: records whose getters answer otherwise each time', () => {
  // The columns codec reads a record's values once, and a second time only for text that is
  // not ASCII (to measure each string): a getter may answer otherwise the second time.
  /** A record whose enumerable getters answer from `answers`, one after the other. */
  function shifting(answers: Record<string, unknown[]>): Record<string, unknown> {
    const record: Record<string, unknown> = {};
    for (const [key, values] of Object.entries(answers)) {
      let call = 0;
      Object.defineProperty(record, key, {
        enumerable: true,
        get: () => values[Math.min(call++, values.length - 1)],
      });
    }
    return record;
  }
  for (const encode of ['encode', 'in place'] as const) {
    const run = (records: unknown[]): unknown[] => {
      const inScratch = inScratchEncoderOf(defaultSpoolCodec);
      const payload =
        encode === 'encode'
          ? defaultSpoolCodec.encode(records)
          : (inScratch?.(records, 0) ?? defaultSpoolCodec.encode(records));
      return defaultSpoolCodec.decode(Buffer.from(payload), records.length);
    };
    test(`${encode}: the text is never split where the second answers would split it`, () => {
      // Lengths of the second answers (1 + 1) measure the first ones' bytes (2 + 1) wrongly:
      // the values came back as '\ufffd' and '\ufffda'.
      const [back] = run([shifting({ a: ['é', 'a'], b: ['a', 'é'] })]) as Record<string, unknown>[];
      assert.ok(['é', 'a'].includes(back.a as string), `a: ${JSON.stringify(back.a)}`);
      assert.ok(['é', 'a'].includes(back.b as string), `b: ${JSON.stringify(back.b)}`);
    });
    test(`${encode}: a getter that answers a number the second time does not fail the export`, () => {
      const [back] = run([shifting({ a: ['é', 7], b: ['x'] })]) as Record<string, unknown>[];
      assert.ok(back.a === 'é' || back.a === 7, `a: ${JSON.stringify(back.a)}`);
      assert.equal(back.b, 'x');
    });
  }
});

test('an enumerable key inherited from Object.prototype sends objects through V8', () => {
  const proto = Object.prototype as Record<string, unknown>;
  Object.defineProperty(proto, 'inherited', { value: 1, enumerable: true, configurable: true });
  try {
    const records = [{ a: 1 }, { a: 2 }];
    const payload = defaultSpoolCodec.encode(records);
    assert.equal(payload[0], 0xff);
    // V8 keeps own properties only: the objects come back as they were.
    assert.deepEqual(
      defaultSpoolCodec.decode(payload, 2).map((r) => ({ ...(r as object) })),
      [{ a: 1 }, { a: 2 }],
    );
  } finally {
    delete proto.inherited;
  }
});

describe('spool frames built in one buffer', () => {
  const text = textSpoolCodec(
    (r: { line: string }) => r.line,
    (line) => ({ line }),
  );
  const cases: { name: string; codec: SpoolCodec<unknown>; records: unknown[] }[] = [
    {
      name: 'the default codec, objects',
      codec: defaultSpoolCodec,
      records: Array.from({ length: 300 }, (_, i) => ({
        n: i,
        s: i % 7 === 0 ? `é ✓ 𝄞 ${i}` : `ascii ${i}`,
        b: i % 2 === 0,
      })),
    },
    {
      name: 'the default codec, strings',
      codec: defaultSpoolCodec,
      records: ['', 'a', 'é ✓ 𝄞', 'z'.repeat(70_000)],
    },
    {
      name: 'the strings codec',
      codec: stringSpoolCodec as SpoolCodec<unknown>,
      records: ['x', 'ÿ'],
    },
    {
      name: 'a text codec',
      codec: text as SpoolCodec<unknown>,
      records: [{ line: 'a=1' }, { line: 'b=ü' }],
    },
  ];
  for (const { name, codec, records } of cases) {
    test(`${name}: the same bytes as header and payload apart`, () => {
      const times = Float64Array.from(records, (_, i) => 1_700_000_000_000 + i);
      const sizes = Uint32Array.from(records, (_, i) => 10 + i);
      const encoder = inScratchEncoderOf(codec);
      assert.ok(encoder, 'a built-in codec writes in place');
      const payload = Buffer.from(codec.encode(records));
      const apart = encodeDataFrame(41, { acceptedAtWallMs: times, bytes: sizes, payload });
      const whole = completeDataFrame(
        encoder(records, dataFrameHeadBytes(records.length)) as Buffer,
        41,
        times,
        sizes,
      );
      assert.deepEqual(whole, apart);
      assert.deepEqual(decodeDataBody(whole.subarray(FRAME_HEADER_BYTES))?.payload, payload);
    });
  }
  test("encode's buffer is the caller's: a later in-place encode does not change it", () => {
    const payload = stringSpoolCodec.encode(['first export']);
    const copy = Buffer.from(payload);
    inScratchEncoderOf(stringSpoolCodec)?.(['second, longer export'], 0);
    assert.deepEqual(Buffer.from(payload), copy);
  });
  test('bytes and V8 exports are encoded apart (undefined: use encode)', () => {
    const encoder = inScratchEncoderOf(defaultSpoolCodec) as NonNullable<
      ReturnType<typeof inScratchEncoderOf>
    >;
    assert.equal(encoder([Uint8Array.of(1)], 0), undefined);
    assert.equal(encoder([{ a: { nested: 1 } }], 0), undefined);
    assert.equal(inScratchEncoderOf(bytesSpoolCodec), undefined);
  });
});

describe('recordsWrittenByV8: what an exporter codec reads of the spool from before it', () => {
  test('V8 payloads give their records, each checked; any other layout gives undefined', () => {
    const records = [{ span: { id: 1n, meta: { a: 'b' } } }, { span: { id: 2n, meta: {} } }];
    const seen: unknown[] = [];
    const back = recordsWrittenByV8(v8Codec.encode(records), 2, (r) => seen.push(r));
    assert.deepEqual(back, records);
    assert.deepEqual(seen, records);
    for (const payload of [
      defaultSpoolCodec.encode(['text']),
      defaultSpoolCodec.encode([{ flat: 'object' }]),
      Buffer.from([0x4f, 1]),
    ]) {
      assert.equal(
        recordsWrittenByV8(payload, 1, () => assert.fail('not V8')),
        undefined,
      );
    }
    assert.throws(
      () =>
        recordsWrittenByV8(v8Codec.encode(records), 2, () => {
          throw new Error('another exporter’s record');
        }),
      /another exporter’s record/,
    );
  });
});

test("an exporter codec's layout: its tag and version open each payload, another is refused by name", () => {
  const layout = new SpoolLayout('OTLP', 0x4f, 3);
  const out = layout.writer();
  out.u8(7);
  out.text('after the header');
  const payload = Buffer.from(out.finish());
  assert.deepEqual([...payload.subarray(0, 3)], [0x4f, 3, 7]);
  assert.equal(layout.owns(payload), true);
  const input = layout.reader(payload, 1);
  assert.equal(input.byteAt(2), 7);
  assert.equal(input.text(), 'after the header');
  input.end();
  const later = Buffer.from(payload);
  later[1] = 4;
  assert.equal(layout.owns(later), true, 'its own layout, of another version');
  assert.throws(
    () => layout.reader(later),
    /^Error: OTLP spool payload of format 4, this exporter reads 3$/,
  );
  const other = Buffer.from(payload);
  other[0] = 0x56;
  assert.equal(layout.owns(other), false);
  assert.throws(() => layout.reader(other), /^Error: not an OTLP spool payload$/);
  assert.throws(() => new SpoolLayout('remote-write', 0x56).reader(payload), /not a remote-write/);
});
