import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { ProtoWriter, WIRE } from '../src';

/*
 * The shared protobuf writer against two references: bytes worked out by hand from the protobuf
 * encoding rules (a varint is 7 bits a byte, low group first, the high bit set on all but the
 * last), and protobufjs's Writer for the same values.
 */

/** The bytes `write` puts into a fresh writer. */
function written(write: (writer: ProtoWriter) => void, slabBytes?: number): number[] {
  const writer = new ProtoWriter(slabBytes);
  write(writer);
  return [...writer.finish()];
}

/** The bytes protobufjs writes for the same. */
function reference(write: (writer: protobuf.Writer) => void): number[] {
  const writer = protobuf.Writer.create();
  write(writer);
  return [...writer.finish()];
}

/** That `write` writes `expected` into a fresh writer. */
function assertWrites(
  write: (writer: ProtoWriter) => void,
  expected: number[],
  message?: string,
): void {
  assert.deepEqual(written(write), expected, message);
}

const hex = (text: string): number[] => [...Buffer.from(text.replace(/ /g, ''), 'hex')];

describe('ProtoWriter', () => {
  it('varints at every length boundary, one to eight bytes', () => {
    // By hand: 2^(7k) - 1 is k bytes, all 0xff but a last 0x7f; 2^(7k) is k + 1 bytes, all 0x80
    // but a last 0x01.
    for (let k = 1; k <= 7; k++) {
      const last = 2 ** (7 * k) - 1;
      assertWrites(
        (w) => w.uint64(last),
        [...Array<number>(k - 1).fill(0xff), 0x7f],
        `2^${7 * k} - 1`,
      );
      assertWrites((w) => w.uint64(last + 1), [...Array<number>(k).fill(0x80), 0x01], `2^${7 * k}`);
    }
    assertWrites((w) => w.uint64(2 ** 53 - 1), hex('ff ff ff ff ff ff ff 0f'));
    assertWrites((w) => w.uint32(2 ** 32 - 1), hex('ff ff ff ff 0f'));
    assertWrites((w) => w.uint32(0), [0]);

    const values = [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 1_700_000_000_123];
    for (let k = 1; k <= 7; k++) values.push(2 ** (7 * k) - 1, 2 ** (7 * k));
    for (const value of values) {
      const expected = reference((w) => w.uint64(value));
      assertWrites((w) => w.uint64(value), expected, `uint64 ${value}`);
      assertWrites((w) => w.int64(value), expected, `int64 ${value}`);
      if (value < 2 ** 32) {
        assertWrites((w) => w.uint32(value), expected, `uint32 ${value}`);
      }
    }
  });

  it('a negative int64 is ten bytes of two’s complement', () => {
    // -1 is 64 one bits: nine groups of seven (0xff) and the last bit (0x01).
    assertWrites((w) => w.int64(-1), hex('ff ff ff ff ff ff ff ff ff 01'));
    // -2^63 is one bit, the 64th: nine empty groups, then 0x01.
    assertWrites((w) => w.int64(-(2 ** 63)), hex('80 80 80 80 80 80 80 80 80 01'));
    // -128 is ...1111 1000 0000: the low group 0, then groups of ones (0xff, continued).
    assertWrites((w) => w.int64(-128), hex('80 ff ff ff ff ff ff ff ff 01'));
    for (const value of [
      -1,
      -2,
      -127,
      -128,
      -(2 ** 31),
      -(2 ** 32),
      -(2 ** 32) - 1,
      -(2 ** 53) + 1,
    ]) {
      const bytes = written((w) => w.int64(value));
      assert.equal(bytes.length, 10, String(value));
      assert.deepEqual(
        bytes,
        reference((w) => w.int64(value)),
        String(value),
      );
    }
  });

  it('a 64-bit varint from its halves, and zigzag', () => {
    assertWrites((w) => w.varint64(0, 1), hex('80 80 80 80 10')); // 2^32
    assertWrites((w) => w.varint64(0xffff_ffff, 0xffff_ffff), hex('ff ff ff ff ff ff ff ff ff 01'));
    // zigzag: 0 → 0, -1 → 1, 1 → 2, -64 → 127, 64 → 128 (two bytes).
    const zigzag: [number, number[]][] = [
      [0, [0]],
      [-1, [1]],
      [1, [2]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [-(2 ** 31), hex('ff ff ff ff 0f')],
      [2 ** 31 - 1, hex('fe ff ff ff 0f')],
    ];
    for (const [value, bytes] of zigzag) {
      assertWrites((w) => w.sint32(value), bytes, `sint32 ${value}`);
      assertWrites((w) => w.sint64(value), bytes, `sint64 ${value}`);
    }
    for (const value of [0, -1, 2 ** 40, -(2 ** 40), 2 ** 52, -(2 ** 52), 2 ** 52 - 1]) {
      assertWrites(
        (w) => w.sint64(value),
        reference((w) => w.sint64(value)),
        `sint64 ${value}`,
      );
    }
  });

  it('fixed-width values, little-endian', () => {
    assertWrites((w) => w.fixed32(0x0102_0304), [4, 3, 2, 1]);
    assertWrites((w) => w.fixed64(0x0102_0304, 0x0506_0708), [4, 3, 2, 1, 8, 7, 6, 5]);
    assertWrites((w) => w.fixed64Number(2 ** 32 + 2), [2, 0, 0, 0, 1, 0, 0, 0]);
    assertWrites((w) => w.sfixed64(-1), Array<number>(8).fill(0xff));
    for (const value of [0, 1, 2 ** 53 - 1, -1, -(2 ** 40), -(2 ** 53 - 1)]) {
      assertWrites(
        (w) => w.sfixed64(value),
        reference((w) => w.sfixed64(value)),
        `sfixed64 ${value}`,
      );
    }
    assert.deepEqual(
      written((w) => {
        w.bool(true);
        w.bool(false);
      }),
      [1, 0],
    );
  });

  it('doubles, -0 and NaN included', () => {
    // IEEE 754 binary64, little-endian: sign bit in the last byte's top bit.
    const cases: [number, number[]][] = [
      [0, hex('00 00 00 00 00 00 00 00')],
      [-0, hex('00 00 00 00 00 00 00 80')],
      [1, hex('00 00 00 00 00 00 f0 3f')],
      [-2, hex('00 00 00 00 00 00 00 c0')],
      [Infinity, hex('00 00 00 00 00 00 f0 7f')],
      [-Infinity, hex('00 00 00 00 00 00 f0 ff')],
    ];
    for (const [value, bytes] of cases) {
      assertWrites((w) => w.double(value), bytes, String(value));
      assertWrites(
        (w) => w.double(value),
        reference((w) => w.double(value)),
        String(value),
      );
    }
    // NaN: any exponent of all ones with a non-zero fraction; it must read back as NaN.
    const nan = Buffer.from(written((w) => w.double(NaN)));
    assert.equal(nan.length, 8);
    assert.ok(Number.isNaN(nan.readDoubleLE(0)));
    assert.ok(Object.is(Buffer.from(written((w) => w.double(-0))).readDoubleLE(0), -0));
  });

  it('strings: ASCII, non-ASCII, a lone surrogate, long', () => {
    const cases: [string, number[]][] = [
      ['', [0]],
      ['job', [3, 0x6a, 0x6f, 0x62]],
      ['é', [2, 0xc3, 0xa9]],
      ['a€', [4, 0x61, 0xe2, 0x82, 0xac]],
      ['🚀', [4, 0xf0, 0x9f, 0x9a, 0x80]],
      // A lone surrogate is U+FFFD, as Buffer writes it (protobufjs would not).
      ['\ud800', [3, 0xef, 0xbf, 0xbd]],
      ['x\udc00y', [5, 0x78, 0xef, 0xbf, 0xbd, 0x79]],
    ];
    for (const [text, bytes] of cases) {
      assertWrites((w) => w.string(text), bytes, JSON.stringify(text));
    }
    // 127 ASCII units is a one-byte length; 128 a two-byte one (0x80 0x01).
    assertWrites((w) => w.string('x'.repeat(127)), [0x7f, ...Array<number>(127).fill(0x78)]);
    assertWrites((w) => w.string('x'.repeat(128)), [0x80, 0x01, ...Array<number>(128).fill(0x78)]);
    for (const text of [
      'x'.repeat(127),
      'x'.repeat(128),
      'é'.repeat(64), // 64 units, 128 bytes: ASCII's fast path cannot take it
      'abcé'.repeat(50),
      'a'.repeat(20_000),
      'ü🚀'.repeat(5_000),
    ]) {
      assertWrites(
        (w) => w.string(text),
        reference((w) => w.string(text)),
        `${text.slice(0, 8)}… (${text.length})`,
      );
    }
  });

  it('tags, bytes and raw bytes', () => {
    assertWrites((w) => w.tag(1, WIRE.LENGTH), [0x0a]);
    assertWrites((w) => w.tag(15, WIRE.VARINT), [0x78]);
    assertWrites((w) => w.tag(16, WIRE.VARINT), [0x80, 0x01]); // 128
    assertWrites((w) => w.tag(2, WIRE.FIXED32), [0x15]);
    assertWrites((w) => w.tag(3, WIRE.FIXED64), [0x19]);
    assertWrites((w) => w.bytes(new Uint8Array([1, 2, 3])), [3, 1, 2, 3]);
    assertWrites((w) => w.raw(new Uint8Array([1, 2, 3])), [1, 2, 3]);
    const long = new Uint8Array(300).fill(9);
    assertWrites(
      (w) => w.bytes(long),
      reference((w) => w.bytes(long)),
    );
  });

  it('begin()/end(): bodies of 127, 128, 16383 and 16384 bytes get 1, 2, 2 and 3 length bytes', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [16_383, [0xff, 0x7f]],
      [16_384, [0x80, 0x80, 0x01]],
    ];
    for (const [length, lengthBytes] of cases) {
      const body = new Uint8Array(length).map((_, i) => i & 0xff);
      const expected = [0x0a, ...lengthBytes, ...body, 0x10, 0x01];
      for (const slabBytes of [64 * 1024, 16]) {
        assert.deepEqual(
          written((w) => {
            w.tag(1, WIRE.LENGTH);
            const at = w.begin();
            w.raw(body);
            w.end(at);
            w.tag(2, WIRE.VARINT);
            w.uint32(1);
          }, slabBytes),
          expected,
          `${length} bytes, slab ${slabBytes}`,
        );
      }
    }
  });

  it('nested bodies whose lengths grow a byte: the same bytes as protobufjs', () => {
    for (const inner of [126, 127, 128, 16_381, 16_382, 16_383, 16_384]) {
      const text = 'z'.repeat(inner);
      const ours = written((w) => {
        w.tag(5, WIRE.LENGTH);
        const outer = w.begin();
        w.tag(1, WIRE.LENGTH);
        const middle = w.begin();
        w.tag(2, WIRE.LENGTH);
        w.string(text);
        w.end(middle);
        w.tag(3, WIRE.VARINT);
        w.int64(-1);
        w.end(outer);
      }, 16);
      const theirs = reference((w) => {
        w.uint32((5 << 3) | 2).fork();
        w.uint32((1 << 3) | 2).fork();
        w.uint32((2 << 3) | 2).string(text);
        w.ldelim();
        w.uint32(3 << 3).int64(-1);
        w.ldelim();
      });
      assert.deepEqual(ours, theirs, `${inner}`);
    }
  });

  it('growth: a message moves whole to a new slab; earlier messages stay intact', () => {
    const writer = new ProtoWriter(64);
    const messages: Uint8Array[] = [];
    const expected: number[][] = [];
    for (let i = 0; i < 40; i++) {
      const text = 'm'.repeat(i * 7);
      writer.tag(1, WIRE.LENGTH);
      const at = writer.begin();
      writer.string(text);
      writer.uint64(2 ** 40 + i);
      writer.end(at);
      messages.push(writer.finish());
      expected.push(
        reference((w) => {
          w.uint32(0x0a)
            .fork()
            .string(text)
            .uint64(2 ** 40 + i);
          w.ldelim();
        }),
      );
    }
    for (let i = 0; i < messages.length; i++)
      assert.deepEqual([...messages[i]], expected[i], `${i}`);
  });

  it('end() that needs room past the slab moves the message and writes its length right', () => {
    const writer = new ProtoWriter(256);
    writer.tag(1, WIRE.LENGTH);
    writer.string('x'.repeat(100));
    const first = writer.finish(); // the next message starts at 102
    writer.tag(1, WIRE.LENGTH);
    const at = writer.begin();
    writer.raw(new Uint8Array(256 - 104).fill(7)); // the body ends at the slab's last byte
    writer.end(at); // 152 bytes: a second length byte, which only a new slab has room for
    assert.deepEqual([...writer.finish()], [0x0a, 0x98, 0x01, ...Array<number>(152).fill(7)]);
    assert.deepEqual([...first], [0x0a, 100, ...Array<number>(100).fill(0x78)]);
  });

  it('abandon() drops a half-written message; the next starts clean', () => {
    const writer = new ProtoWriter(64);
    writer.tag(1, WIRE.LENGTH);
    writer.string('kept');
    const kept = [...writer.finish()];
    writer.tag(2, WIRE.LENGTH);
    writer.begin();
    writer.string('x'.repeat(300)); // outgrows the slab first
    writer.abandon();
    writer.tag(1, WIRE.LENGTH);
    writer.string('kept');
    assert.deepEqual([...writer.finish()], kept);
    assert.deepEqual(kept, [0x0a, 4, 0x6b, 0x65, 0x70, 0x74]);
  });
});
