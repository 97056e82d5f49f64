import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { FaultSink, selfReferringValue } from '@otelpack/batching-core/testing';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import { LightstepSpanExporter } from '../src';

/*
 * Bad input (issue 11): span attributes that refer to themselves reach Lightstep with the
 * circular marker in place of the repeat (the core's boundedValue, through exporter-otlp's
 * protobuf writer) instead of recursing without end. The SDK's setAttribute keeps only
 * primitives and flat arrays, so the values are set on the span as an instrumentation library
 * that writes its attributes object directly would leave them. Values that double at every
 * level are covered by exporter-otlp's tests of the same writer: bounded at 32 levels, they
 * still nest deeper than the protobufjs decoder this test's sink uses accepts ("max depth
 * exceeded"; Go's protobuf, the Collector's and Lightstep's, allows 10,000).
 */

let sink: FaultSink;
before(async () => {
  sink = await FaultSink.start({
    decodeRecords: (body) => [decodeProtobufRequest('traces', body)],
  });
});
after(async () => sink.close());

it('a span whose attributes refer to themselves is delivered with the circular marker', async () => {
  const exporter = new LightstepSpanExporter({ url: sink.url, flushIntervalMs: 10 });
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
  const span = provider.getTracer('t').startSpan('s');
  const list: unknown[] = ['first'];
  list.push(list);
  Object.assign((span as unknown as { attributes: Record<string, unknown> }).attributes, {
    self: selfReferringValue(),
    list,
  });
  span.end();
  await provider.shutdown();
  assert.equal(exporter.stats().delivered, 1, JSON.stringify(exporter.stats().dropped));
  const text = JSON.stringify(sink.records);
  // Three repeats: self.a, self.b and the list's second item.
  assert.equal(text.split('[circular]').length - 1, 3, text);
  assert.ok(text.includes('"first"'));
});
