import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { cachedKeyCount } from '../src/protobuf/common';
import { encodeWithOurs } from './helpers/encode';

/*
 * The attribute writer has a one-pass path for the common attribute (a cached key with a short
 * ASCII string or a small non-negative integer) and the general path for the rest. Each edge
 * between the two, through the official serializer and ours, must decode to the same spans.
 */

const ascii = (n: number) => 'x'.repeat(n);

const EDGES: Record<string, Attributes> = {
  'short strings': { a: '', b: 'GET', c: ascii(60) },
  // A KeyValue of 127 bytes still has a one-byte length; 128 does not.
  'strings at the one-byte length limit': { k: ascii(121), kk: ascii(121), kkk: ascii(121) },
  'long strings': { long: ascii(200), longer: ascii(20_000) },
  'non-ASCII after ASCII (the fast path gives up midway)': {
    mixed: 'abc déf',
    emoji: 'ok 😀',
    lone: 'x\ud800y',
  },
  'integers at varint boundaries': {
    i0: 0,
    i1: 0x7f,
    i2: 0x80,
    i3: 0x3fff,
    i4: 0x4000,
    i5: 0x1f_ffff,
    i6: 0x20_0000,
    i7: 0x0fff_ffff,
    i8: 0x1000_0000,
    i9: 2 ** 32,
    neg: -1,
    frac: 1.5,
    negZero: -0,
  },
  'a long key': { [ascii(119)]: 'v', [ascii(120)]: 'v', [ascii(300)]: 7 },
  'a non-ASCII key': { clé: 'valeur', ключ: 3 },
  'other types beside the fast ones': { t: true, f: false, arr: ['a', 'b'], ints: [1, 2], d: 2.5 },
};

function spansWith(attributes: Attributes) {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(memory)],
    spanLimits: { attributeValueLengthLimit: Infinity, attributeCountLimit: 10_000 },
  });
  const span = provider.getTracer('edges').startSpan('edge', { attributes });
  span.addEvent('event', attributes);
  span.end();
  return memory.getFinishedSpans();
}

describe('attribute encoding: the fast and the general path agree with the official serializer', () => {
  for (const [title, attributes] of Object.entries(EDGES)) {
    it(title, () => {
      const spans = spansWith(attributes);
      const theirs = decodeProtobufRequest(
        'traces',
        ProtobufTraceSerializer.serializeRequest(spans as never) as Uint8Array,
      );
      const ours = decodeProtobufRequest('traces', encodeWithOurs('traces', spans, 'protobuf'));
      assert.deepEqual(ours, theirs);
    });
  }

  it('keys past the cache limit take the general path and still encode the same', () => {
    const many: Attributes = {};
    for (let i = 0; i < 5000; i++) many[`key.${i}`] = i % 2 === 0 ? `v${i}` : i;
    const spans = spansWith(many);
    const theirs = decodeProtobufRequest(
      'traces',
      ProtobufTraceSerializer.serializeRequest(spans as never) as Uint8Array,
    );
    assert.deepEqual(
      decodeProtobufRequest('traces', encodeWithOurs('traces', spans, 'protobuf')),
      theirs,
    );
    assert.equal(cachedKeyCount(), 4096, 'the cache stops at its limit');
  });
});
