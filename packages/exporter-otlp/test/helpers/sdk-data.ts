import { SpanStatusCode, ValueType, context, trace } from '@opentelemetry/api';
import type { Attributes, Link, SpanKind } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  AggregationTemporality,
} from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';

/*
 * Real SDK data with everything OTLP carries: attributes of every type (arrays, and for logs
 * nested maps and bytes), events, links, every status, dropped counts, trace state, a remote
 * parent, log bodies of every kind and event names, and every point kind the JS SDK makes.
 */

export const EVERY_ATTRIBUTE: Attributes = {
  'a.string': 'text ünïcødé 😀',
  'a.empty': '',
  'a.int': 42,
  'a.negative': -7,
  'a.big': 2 ** 53 - 1,
  'a.double': 3.25,
  'a.true': true,
  'a.false': false,
  'a.strings': ['x', 'y', ''],
  'a.ints': [1, -2, 3],
  'a.doubles': [0.5, 1.5],
  'a.bools': [true, false],
  'a.sparse': ['x', null, undefined] as unknown as string[],
};

/**
 * NaN, which the official JSON serializer writes as `null` (JSON.stringify's way), an AnyValue
 * with no value, where OTLP's JSON (protobuf's JSON mapping) writes the string "NaN": only the
 * protobuf comparisons and this package's own JSON test carry it.
 */
export const NAN_ATTRIBUTE: Attributes = { 'a.nan': Number.NaN };

let resource = resourceFromAttributes({});

/** The resource of the next data made: with NaN among its attributes, or without. */
function useResource(withNaN: boolean): void {
  resource = resourceFromAttributes({
    'service.name': 'conformance',
    'service.version': '1.2.3',
    ...EVERY_ATTRIBUTE,
    ...(withNaN ? NAN_ATTRIBUTE : {}),
  });
}
const otherResource = resourceFromAttributes({ 'service.name': 'second' });

/** Spans of two resources and three scopes, in every shape. */
export function sdkSpans(count = 6, withNaN = true): ReadableSpan[] {
  useResource(withNaN);
  const exporter = new InMemorySpanExporter();
  const spans: ReadableSpan[] = [];
  for (const [res, n] of [
    [resource, count],
    [otherResource, 2],
  ] as const) {
    const provider = new BasicTracerProvider({
      resource: res,
      spanProcessors: [new SimpleSpanProcessor(exporter)],
      spanLimits: { attributeCountLimit: 20, eventCountLimit: 3, linkCountLimit: 2 },
    });
    const tracers = [
      provider.getTracer('scope-a', '1.0.0', {
        schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
      }),
      provider.getTracer('scope-b'),
    ];
    const remoteParent = trace.setSpanContext(context.active(), {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
      traceState: new TraceState('vendor=value,other=x'),
    });
    for (let i = 0; i < n; i++) {
      const tracer = tracers[i % tracers.length];
      const links: Link[] = [
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b7',
            traceFlags: 0,
            isRemote: true,
            traceState: new TraceState('k=v'),
          },
          attributes: { 'link.attr': i },
        },
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b8',
            traceFlags: 1,
          },
        },
        {
          context: {
            traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
            spanId: '00f067aa0ba902b9',
            traceFlags: 1,
          },
        },
      ];
      const span = tracer.startSpan(
        `span ${i}`,
        { kind: (i % 5) as SpanKind, attributes: i === 0 ? EVERY_ATTRIBUTE : { index: i }, links },
        i % 2 === 0 ? remoteParent : context.active(),
      );
      if (i === 1) {
        for (let a = 0; a < 25; a++) span.setAttribute(`extra.${a}`, a);
      }
      span.addEvent('event one', { 'event.attr': 'x', 'event.list': [1, 2] });
      span.addEvent('event two', [1_700_000_000, 123_456_789]);
      if (i === 2) {
        for (let e = 0; e < 5; e++) span.addEvent(`more ${e}`);
      }
      if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed' });
      if (i % 3 === 1) span.setStatus({ code: SpanStatusCode.OK });
      span.end([1_700_000_001, 987_654_321 + i]);
    }
    spans.push(...exporter.getFinishedSpans());
    exporter.reset();
  }
  return spans;
}

/** Log records with every kind of body, attributes of every type, trace context, event names. */
export function sdkLogs(withNaN = true): ReadableLogRecord[] {
  useResource(withNaN);
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('logs-scope', '2.0.0', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
  });
  const other = provider.getLogger('other-scope');
  const traced = trace.setSpanContext(context.active(), {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  });
  const bodies: unknown[] = [
    'plain text',
    42,
    1.5,
    true,
    new Uint8Array([0, 1, 2, 255]),
    ['a', 1, { nested: ['deep', { deeper: true }] }],
    { key: 'value', map: { inner: 1 }, bytes: new Uint8Array([9, 8]) },
    undefined,
  ];
  bodies.forEach((body, i) => {
    (i % 2 === 0 ? logger : other).emit({
      body: body as string,
      severityNumber: i === 7 ? undefined : ((i * 3) % 24) + 1,
      severityText: i === 7 ? undefined : 'LEVEL',
      attributes: {
        ...EVERY_ATTRIBUTE,
        'log.map': { k: 'v', n: [1, 2] },
        'log.bytes': new Uint8Array([1]),
      } as never,
      timestamp: [1_700_000_000, i],
      ...(i % 3 === 0 ? { context: traced } : {}),
      ...(i === 2 ? { eventName: 'checkout.completed' } : {}),
    });
  });
  return exporter.getFinishedLogRecords();
}

/** One collection with every point kind the JS SDK makes: gauges, sums, histograms (explicit and exponential). */
export async function sdkMetrics(
  temporality = AggregationTemporality.CUMULATIVE,
  withNaN = true,
): Promise<ResourceMetrics> {
  useResource(withNaN);
  const exporter = new InMemoryMetricExporter(temporality);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource,
    readers: [reader],
    views: [
      {
        instrumentName: 'exp.histogram',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM, options: { maxSize: 20 } },
      },
    ],
  });
  const meter = provider.getMeter('metrics-scope', '3.0.0', {
    schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
  });
  const counter = meter.createCounter('requests', {
    description: 'requests served',
    unit: '{request}',
  });
  const intCounter = meter.createCounter('int.counter', { valueType: ValueType.INT });
  const upDown = meter.createUpDownCounter('queue.depth', { valueType: ValueType.INT });
  const histogram = meter.createHistogram('latency', { unit: 'ms' });
  const expHistogram = meter.createHistogram('exp.histogram');
  const gauge = meter.createGauge('temperature', { unit: 'Cel' });
  meter
    .createObservableGauge('observed.int', { valueType: ValueType.INT })
    .addCallback((result) => result.observe(-5, { host: 'a' }));
  for (let i = 0; i < 5; i++) {
    counter.add(i + 0.5, { route: `/r${i % 2}`, ...EVERY_ATTRIBUTE });
    intCounter.add(i);
    upDown.add(i % 2 === 0 ? 3 : -1, { queue: 'q' });
    histogram.record(i * 12.5, { route: '/x' });
    expHistogram.record(i === 0 ? 0 : i % 2 ? i * 3.7 : -i);
    gauge.record(20 + i, { room: `r${i % 2}` });
  }
  await reader.forceFlush();
  const collected = exporter.getMetrics();
  await provider.shutdown();
  return collected[collected.length - 1];
}
