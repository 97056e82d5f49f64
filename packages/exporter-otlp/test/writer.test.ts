import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import protobuf from 'protobufjs';
import { OtlpProtoWriter } from '../src';
import { writeSpan } from '../src/protobuf/signals';
import { sdkSpans } from './helpers/sdk-data';

/*
 * The OTLP writer's own promises (the core's ProtoWriter has its tests in batching-core): HrTime
 * nanoseconds exact, hex ids, spans that outgrow their slab moved whole.
 */

describe('OtlpProtoWriter', () => {
  it('HrTime nanoseconds read back exactly', () => {
    const times: [number, number][] = [
      [0, 0],
      [1, 1],
      [1_700_000_000, 123_456_789],
      [4_102_444_800, 999_999_999],
      [65_535, 999_999_999],
      [65_536, 0],
      // The same second again (the writer keeps the last second's words): with a carry into the
      // high word and without.
      [65_536, 999_999_999],
      [4_294_967_295, 1],
      [4_294_967_295, 999_999_999],
      [4_294_967_295, 0],
    ];
    // Pseudo-random times, runs of them in one second, as a span's start, end and events are.
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const seconds = i % 3 === 0 ? next() * 2 : times[times.length - 1][0];
      times.push([seconds, next() % 1_000_000_000]);
    }
    const writer = new OtlpProtoWriter();
    for (const time of times) writer.hrTime(time);
    const reader = protobuf.Reader.create(writer.finish());
    for (const [seconds, nanos] of times) {
      assert.equal(
        BigInt(reader.fixed64().toString()),
        BigInt(seconds) * 1_000_000_000n + BigInt(nanos),
        `${seconds}, ${nanos}`,
      );
    }
  });

  it('a message that outgrows its slab moves whole: the same bytes as with room to spare', () => {
    const spans = sdkSpans();
    const roomy = new OtlpProtoWriter(1 << 20);
    const cramped = new OtlpProtoWriter(16);
    for (const span of spans) {
      writeSpan(roomy, span);
      writeSpan(cramped, span);
      assert.deepEqual(cramped.finish(), roomy.finish(), span.name);
    }
  });

  it('hex ids: digits in either case, and an invalid digit counts as 0', () => {
    const writer = new OtlpProtoWriter();
    writer.hexBytes('00ff7AbC');
    writer.hexBytes('zz10');
    assert.deepEqual([...writer.finish()], [4, 0x00, 0xff, 0x7a, 0xbc, 2, 0x00, 0x10]);
  });
});
