import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { context, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  SplunkHecLogRecordExporter,
  SplunkHecMetricExporter,
  SplunkHecSpanExporter,
} from '@otelpack/exporter-splunk-hec';
import { FAST, assertAllDelivered, hecTarget, storedEvents } from './helpers';

/*
 * The three signals through the OpenTelemetry JS SDK (2.x) and this exporter, into HEC. Against
 * the fake the stored events are read back; against a real Splunk, what the exporter delivered.
 */
const RESOURCE = { 'service.name': 'checkout', 'host.name': 'web-1', 'com.splunk.index': 'main' };

describe('SDK → exporter-splunk-hec → HEC', () => {
  it('logs: body as event, severity and trace context in fields, attributes flattened', async (t) => {
    const target = await hecTarget(t, {}, false);
    if (!target) return;
    const exporter = new SplunkHecLogRecordExporter({
      url: target.url,
      auth: { token: target.token },
      ...FAST,
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes(RESOURCE),
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('it-hec');
    // Emitted inside a span: the SDK copies its ids onto each record, the exporter into fields.
    const span = trace.wrapSpanContext({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    });
    // Passed as the logs API takes it (this test registers no context manager).
    const inSpan = trace.setSpan(context.active(), span);
    for (let i = 0; i < 50; i++) {
      logger.emit({
        body: `order ${i} paid`,
        severityNumber: SeverityNumber.INFO,
        severityText: 'INFO',
        attributes: { 'order.id': i, http: { method: 'POST' } },
        context: inSpan,
      });
    }
    await provider.forceFlush();
    await provider.shutdown();
    assertAllDelivered(exporter.stats(), 50);
    if (!target.fake) return;
    const events = await storedEvents(target);
    assert.equal(events.length, 50);
    assert.deepEqual(events[7], {
      time: events[7].time,
      host: 'web-1',
      index: 'main',
      event: 'order 7 paid',
      fields: {
        'otel.log.severity.text': 'INFO',
        'otel.log.severity.number': 9,
        'service.name': 'checkout',
        'order.id': 7,
        'http.method': 'POST',
        trace_id: '0af7651916cd43dd8448eb211c80319c',
        span_id: 'b7ad6b7169203331',
      },
    });
    assert.ok(Math.abs((events[7].time ?? 0) - Date.now() / 1000) < 60);
  });

  it('traces: one event per span, nanosecond times, parent ids', async (t) => {
    const target = await hecTarget(t, {}, false);
    if (!target) return;
    const exporter = new SplunkHecSpanExporter({
      url: target.url,
      auth: { token: target.token },
      sourcetype: 'otel:traces',
      ...FAST,
    });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes(RESOURCE),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('it-hec');
    const parent = tracer.startSpan('parent');
    const child = tracer.startSpan(
      'child',
      { attributes: { 'db.system': 'postgresql' } },
      trace.setSpan(context.active(), parent),
    );
    child.end();
    parent.end();
    await provider.forceFlush();
    await provider.shutdown();
    assertAllDelivered(exporter.stats(), 2);
    if (!target.fake) return;
    const events = await storedEvents(target);
    const byName = new Map(events.map((e) => [(e.event as { name: string }).name, e]));
    const childSpan = byName.get('child')!.event as Record<string, unknown>;
    const parentSpan = byName.get('parent')!.event as Record<string, unknown>;
    assert.equal(childSpan.parent_span_id, parentSpan.span_id);
    assert.equal(childSpan.trace_id, parentSpan.trace_id);
    assert.equal(parentSpan.parent_span_id, '');
    assert.deepEqual(childSpan.attributes, { 'db.system': 'postgresql' });
    assert.equal(byName.get('child')!.sourcetype, 'otel:traces');
    assert.deepEqual(byName.get('child')!.fields, { 'service.name': 'checkout' });
    assert.ok((childSpan.end_time as number) >= (childSpan.start_time as number));
  });

  it('metrics: metric events with metric_name: fields, histogram buckets cumulative', async (t) => {
    const target = await hecTarget(t, {}, false);
    if (!target) return;
    const exporter = new SplunkHecMetricExporter({
      url: target.url,
      auth: { token: target.token },
      ...FAST,
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes(RESOURCE),
      readers: [reader],
    });
    const meter = provider.getMeter('it-hec');
    meter.createCounter('orders').add(3, { region: 'eu' });
    const latency = meter.createHistogram('latency', {
      advice: { explicitBucketBoundaries: [10, 100] },
    });
    for (const v of [5, 50, 500]) latency.record(v);
    // One collection: shutdown's (a forceFlush before it would export the cumulative points twice).
    await provider.shutdown();
    // counter: 1 event; histogram: sum, count, 3 buckets
    assertAllDelivered(exporter.stats(), 6);
    if (!target.fake) return;
    const fields = (await storedEvents(target)).map((e) => e.fields!);
    const counter = fields.find((f) => 'metric_name:orders' in f)!;
    assert.deepEqual(
      [counter['metric_name:orders'], counter.region, counter.metric_type, counter['service.name']],
      [3, 'eu', 'Sum', 'checkout'],
    );
    const buckets = fields
      .filter((f) => 'metric_name:latency_bucket' in f)
      .map((f) => [f.le, f['metric_name:latency_bucket']]);
    assert.deepEqual(buckets, [
      ['10', 1],
      ['100', 2],
      ['+Inf', 3],
    ]);
    assert.equal(
      fields.find((f) => 'metric_name:latency_sum' in f)!['metric_name:latency_sum'],
      555,
    );
  });
});
