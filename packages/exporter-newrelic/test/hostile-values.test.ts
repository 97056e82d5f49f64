import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { AnyValue } from '@otelpack/batching-core';
import { FaultSink, doublingValue, selfReferringValue } from '@otelpack/batching-core/testing';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import {
  INTRINSIC_ATTRIBUTES,
  MAX_EVENT_ATTRIBUTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  NewRelicLogRecordExporter,
  limitAttributes,
} from '../src';

/*
 * Bad input (issue 11): a log body or attribute that refers to itself, or that doubles at every
 * level, reaches New Relic bounded (the core's boundedValue, through exporter-otlp's protobuf
 * writer) instead of recursing without end or expanding exponentially.
 */

let sink: FaultSink;
before(async () => {
  sink = await FaultSink.start({ decodeRecords: (body) => [decodeProtobufRequest('logs', body)] });
});
after(async () => sink.close());

it('a log record whose body and attributes refer to themselves is delivered with the markers', async () => {
  const exporter = new NewRelicLogRecordExporter({ url: sink.url, flushIntervalMs: 10 });
  const provider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter })] });
  provider.getLogger('l').emit({
    body: selfReferringValue() as never,
    attributes: { self: selfReferringValue() as never, doubling: doublingValue() as never },
  });
  await provider.shutdown();
  assert.equal(exporter.stats().delivered, 1);
  const text = JSON.stringify(sink.records);
  assert.ok(text.includes('[circular]'));
  assert.ok(text.length < 50_000_000, `${text.length} characters`);
});

/*
 * The SDK drops a log attribute that refers to itself before an exporter sees it, but spans'
 * attributes, metric points' and hand-made records reach New Relic's limits as they are: the
 * limits walk every nested value and flatten maps into dotted names, so they bound the value
 * first, as exporter-otlp writes it.
 */
it('the attribute limits bound a value that refers to itself, in a map and in an array', () => {
  const self = selfReferringValue() as AnyValue;
  const limited = limitAttributes(
    { self, list: ['x', self], plain: 'kept' },
    NEW_RELIC_ATTRIBUTE_LIMITS,
    MAX_EVENT_ATTRIBUTES - INTRINSIC_ATTRIBUTES,
  );
  // Each bounded value counts as shortened: the record is marked, its maps sent flattened.
  assert.deepEqual(limited.attributes, {
    'self.a': '[circular]',
    'self.b': '[circular]',
    list: ['x', { a: '[circular]', b: '[circular]' }],
    plain: 'kept',
    'otelpack.truncated': 2,
  });
  assert.deepEqual([limited.shortened, limited.dropped], [2, 0]);
});

it('the attributes after a long string keep their place: only the long value is cut', () => {
  const limited = limitAttributes(
    { payload: 'x'.repeat(5 * 1024 * 1024), user: 'u', 'http.route': '/orders', tags: ['a', 'b'] },
    NEW_RELIC_ATTRIBUTE_LIMITS,
    MAX_EVENT_ATTRIBUTES - INTRINSIC_ATTRIBUTES,
  );
  assert.deepEqual(Object.keys(limited.attributes), [
    'payload',
    'user',
    'http.route',
    'tags',
    'otelpack.truncated',
  ]);
  assert.equal((limited.attributes.payload as string).length, 4095);
  assert.deepEqual([limited.shortened, limited.dropped], [1, 0]);
});

it('flat attributes within the limits come back as the same object (no copy, no walk)', () => {
  const attributes = { user: 'u', code: 200, ok: true, tags: ['a'] };
  const limited = limitAttributes(
    attributes,
    NEW_RELIC_ATTRIBUTE_LIMITS,
    MAX_EVENT_ATTRIBUTES - INTRINSIC_ATTRIBUTES,
  );
  assert.equal(limited.attributes, attributes);
});

it(
  'the attribute limits bound a map that shares one child at every level',
  { timeout: 30_000 },
  () => {
    const limited = limitAttributes(
      { doubling: doublingValue() as AnyValue },
      NEW_RELIC_ATTRIBUTE_LIMITS,
      MAX_EVENT_ATTRIBUTES - INTRINSIC_ATTRIBUTES,
    );
    const keys = Object.keys(limited.attributes);
    // Flattened, then cut to the event's attribute count with the marker last.
    assert.equal(keys.length, MAX_EVENT_ATTRIBUTES - INTRINSIC_ATTRIBUTES);
    assert.ok(keys[0].startsWith('doubling.'), keys[0]);
    assert.ok(limited.dropped > 0);
  },
);
