import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpoolPayloadReader, SpoolPayloadWriter, SpoolTable } from '../src';

describe('SpoolPayloadWriter and SpoolPayloadReader', () => {
  it('write varints at every length boundary, as protobuf writes them', () => {
    const cases: [number, number[]][] = [
      [0, [0x00]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]], // protobuf's own example (encoding guide)
      [16_383, [0xff, 0x7f]],
      [16_384, [0x80, 0x80, 0x01]],
      [2 ** 32 - 1, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      const out = new SpoolPayloadWriter(1);
      out.uv(value);
      assert.deepEqual([...out.finish()], bytes, String(value));
      assert.equal(new SpoolPayloadReader(out.finish()).uv(), value);
    }
  });

  it('refuse to write what a varint cannot hold', () => {
    for (const value of [-1, 2 ** 32, 1.5, NaN]) {
      assert.throws(() => new SpoolPayloadWriter().uv(value), RangeError, String(value));
    }
  });

  it('give back what was written, growing from a one-byte start', () => {
    const out = new SpoolPayloadWriter(1);
    const texts = ['', 'job', 'Zürich — 東京 🚀', 'x'.repeat(10_000)];
    const numbers = [0, -0, NaN, Infinity, -Infinity, 0.1 + 0.2, Number.MAX_VALUE, 5e-324];
    const bytes = Uint8Array.from([0, 255, 7]);
    out.u8(0xab);
    for (const text of texts) out.text(text);
    for (const n of numbers) out.f64(n);
    out.bytes(bytes);
    out.bytes(new Uint8Array(0));
    const input = new SpoolPayloadReader(out.finish());
    assert.equal(input.u8(), 0xab);
    for (const text of texts) assert.equal(input.text(), text);
    for (const n of numbers) assert.ok(Object.is(input.f64(), n), String(n));
    assert.deepEqual([...input.bytesView()], [...bytes]);
    assert.equal(input.bytesView().length, 0);
    input.end();
  });

  it('write a lone surrogate as U+FFFD, as it goes on the wire', () => {
    const out = new SpoolPayloadWriter();
    out.text('a\ud800b');
    assert.equal(new SpoolPayloadReader(out.finish()).text(), 'a\ufffdb');
  });

  it('throw on a payload that ends early, a varint past 2^32, an index out of range, trailing bytes', () => {
    const out = new SpoolPayloadWriter();
    out.text('hello');
    const payload = out.finish();
    for (let end = 0; end < payload.length; end++) {
      assert.throws(() => new SpoolPayloadReader(payload.subarray(0, end)).text(), /ends early/);
    }
    assert.throws(
      () => new SpoolPayloadReader(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x1f])).uv(),
      /past 2\^32/,
    );
    assert.throws(
      () => new SpoolPayloadReader(Uint8Array.from([3])).index(3, 'label'),
      /names label 3 of 3/,
    );
    const trailing = new SpoolPayloadReader(Uint8Array.from([1, 2]));
    trailing.u8();
    assert.throws(() => trailing.end(), /1 bytes after its records/);
  });

  it('read from a copy: the payload may be reused once read', () => {
    const payload = Buffer.from([3, 0x61, 0x62, 0x63]);
    const input = new SpoolPayloadReader(payload);
    payload.fill(0);
    assert.equal(input.bytesView().toString(), 'abc');
  });
});

describe('SpoolTable', () => {
  it('numbers distinct values in the order first met: objects by identity, strings by value', () => {
    const a = { name: 'a' };
    const sameContent = { name: 'a' };
    const objects = new SpoolTable<object>();
    assert.deepEqual(
      [a, a, sameContent, a].map((o) => objects.indexOf(o)),
      [0, 0, 1, 0],
    );
    assert.deepEqual(objects.items, [a, sameContent]);
    const strings = new SpoolTable<string>();
    assert.deepEqual(
      ['x', 'y', 'x', 'x'.slice(0)].map((s) => strings.indexOf(s)),
      [0, 1, 0, 0],
    );
  });
});
