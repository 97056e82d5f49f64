import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import {
  OutsideTimeWindowError,
  ProtobufCodec,
  decorateCodec,
  spanMapping,
  withTimeWindow,
} from '../src';
import { sdkLogs, sdkMetrics, sdkSpans } from './helpers/sdk-data';

const MINUTE_MS = 60_000;
const WINDOW = { maxAgeMs: 60 * MINUTE_MS, maxAheadMs: 10 * MINUTE_MS };

function epochMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

/** The codec with every kind windowed, its clock `offsetMs` away from `itemMs`. */
function windowed(itemMs: number, offsetMs: number) {
  return withTimeWindow(new ProtobufCodec(), {
    spans: WINDOW,
    logs: WINDOW,
    points: WINDOW,
    backend: 'Testbackend',
    clock: () => itemMs + offsetMs,
  });
}

// Clock offsets from the item's timestamp: positive = the item is that old, negative = ahead.
const CASES: { clockOffsetMs: number; accepted: boolean; message?: RegExp }[] = [
  { clockOffsetMs: 0, accepted: true },
  { clockOffsetMs: 60 * MINUTE_MS, accepted: true },
  {
    clockOffsetMs: 60 * MINUTE_MS + 1,
    accepted: false,
    message: /60 min ago; Testbackend drops anything older than 60 min/,
  },
  { clockOffsetMs: 49 * 60 * MINUTE_MS, accepted: false, message: /49 h ago/ },
  { clockOffsetMs: -10 * MINUTE_MS, accepted: true },
  {
    clockOffsetMs: -10 * MINUTE_MS - 1,
    accepted: false,
    message: /10 min ahead of this host's clock; Testbackend drops anything more than 10 min ahead/,
  },
];

describe('withTimeWindow', () => {
  const bare = new ProtobufCodec();
  const [span] = sdkSpans(1);
  const [log] = sdkLogs();

  for (const { clockOffsetMs, accepted, message } of CASES) {
    it(`spans, logs and points with the clock ${clockOffsetMs} ms from their time: ${accepted ? 'encoded as without the window' : 'refused'}`, async () => {
      const spanCodec = windowed(epochMs(span.endTime), clockOffsetMs);
      const logCodec = windowed(epochMs(log.hrTime), clockOffsetMs);
      const collection = await sdkMetrics();
      const metric = collection.scopeMetrics[0].metrics[0];
      const point = metric.dataPoints[0];
      const pointCodec = windowed(epochMs(point.endTime), clockOffsetMs);
      const encode = [
        () => [spanCodec.span(span), bare.span(span)],
        () => [logCodec.log(log), bare.log(log)],
        () => [pointCodec.point(metric, point), bare.point(metric, point)],
      ];
      for (const run of encode) {
        if (accepted) {
          const [ours, plain] = run();
          assert.deepEqual(ours, plain);
        } else {
          assert.throws(run, (error: unknown) => {
            assert.ok(error instanceof OutsideTimeWindowError);
            assert.match(error.message, message!);
            return true;
          });
        }
      }
    });
  }

  it('leaves a kind without a window unchecked', () => {
    const codec = withTimeWindow(bare, { logs: WINDOW, backend: 'Testbackend', clock: () => 0 });
    assert.deepEqual(codec.span(span), bare.span(span));
    assert.throws(() => codec.log(log), OutsideTimeWindowError);
  });

  it('makes an out-of-window span an unmapped item with the reason, the others records', () => {
    const spans = sdkSpans(3);
    const late = { ...spans[1], endTime: [1, 0], spanContext: () => spans[1].spanContext() };
    const codec = withTimeWindow(bare, {
      spans: WINDOW,
      backend: 'Testbackend',
      clock: () => epochMs(spans[0].endTime),
    });
    const { records, unmapped } = spanMapping(codec).map([
      spans[0],
      late as unknown as ReadableSpanLike,
      spans[2],
    ]);
    assert.equal(records.length, 2);
    assert.equal(unmapped.length, 1);
    assert.equal(unmapped[0].item, late);
    assert.match(unmapped[0].detail, /^the span ended \d+ h ago; Testbackend drops/);
  });
});

describe('decorateCodec', () => {
  it('replaces only what it is given and keeps the rest of the codec', () => {
    const bare = new ProtobufCodec();
    const marker = Buffer.from('replaced');
    const codec = decorateCodec(bare, { scope: () => marker });
    const [span] = sdkSpans(1);
    assert.equal(codec.scope(span.instrumentationScope), marker);
    assert.deepEqual(codec.span(span), bare.span(span));
    assert.deepEqual(codec.resource(span.resource), bare.resource(span.resource));
    assert.equal(codec.contentType, bare.contentType);
  });
});
