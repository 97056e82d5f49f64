import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { ReadableSpanLike, ResourceMetricsLike } from '@otelpack/batching-core';
import { ProtobufCodec, spanMapping } from '@otelpack/exporter-otlp';
import { FaultSink, captureDiagWarnings } from '@otelpack/batching-core/testing';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { decodeProtobufRequest } from '../../../integration/src/protocols/otlp';
import type { OtlpSignal } from '../../../integration/src/protocols/otlp';
import {
  LIMITED_METRIC,
  LimitsReport,
  NewRelicLogRecordExporter,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
  TRUNCATION_MARKER,
  withNewRelicLimits,
} from '../src';
import type { LimitEvent } from '../src';

/*
 * The limits through the SDK, the preset and the official OTLP definitions: what leaves the
 * exporter is within New Relic's limits, says what was changed, and nothing is lost unseen.
 */

interface KeyValue {
  key: string;
  value: Record<string, unknown>;
}
type Decoded = Record<string, unknown>;

const sinks = new Map<OtlpSignal, FaultSink>();
before(async () => {
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    sinks.set(
      signal,
      await FaultSink.start({ decodeRecords: (body) => [decodeProtobufRequest(signal, body)] }),
    );
  }
});
after(async () => {
  for (const sink of sinks.values()) await sink.close();
});

function attributesOf(item: { attributes?: KeyValue[] }): Map<string, Record<string, unknown>> {
  return new Map((item.attributes ?? []).map((a) => [a.key, a.value]));
}

function items(signal: OtlpSignal, sink: FaultSink): Decoded[] {
  return itemsOf(signal, sink.records as Decoded[]);
}

/** The spans, log records or metrics of decoded requests, each with its resource. */
function itemsOf(signal: OtlpSignal, requests: Decoded[]): Decoded[] {
  const out: Decoded[] = [];
  for (const request of requests) {
    const field = signal === 'traces' ? 'Spans' : signal === 'logs' ? 'Logs' : 'Metrics';
    for (const resource of (request[`resource${field}`] ?? []) as Decoded[]) {
      for (const scope of (resource[`scope${field}`] ?? []) as Decoded[]) {
        const list = (scope.spans ?? scope.logRecords ?? scope.metrics ?? []) as Decoded[];
        out.push(...list.map((item) => ({ ...item, resource: resource.resource })));
      }
    }
  }
  return out;
}

const LONG = 'x'.repeat(5000);

describe('New Relic limits through the SDK and the exporter', () => {
  it('a span: long values cut to 4,095, arrays to 64, attributes to the budget, events too; counted', async () => {
    const sink = sinks.get('traces') as FaultSink;
    const exporter = new NewRelicSpanExporter({ url: sink.url, flushIntervalMs: 10 });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'limits', 'resource.long': LONG }),
      spanLimits: { attributeCountLimit: 1000 },
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const span = provider.getTracer('t').startSpan('limited');
    span.setAttribute('db.statement', LONG);
    span.setAttribute('k'.repeat(300), 'long name');
    span.setAttribute(
      'ids',
      Array.from({ length: 100 }, (_, i) => i),
    );
    for (let i = 0; i < 300; i++) span.setAttribute(`extra.${String(i).padStart(3, '0')}`, i);
    span.addEvent('exception', { 'exception.stacktrace': LONG });
    span.end();
    provider
      .getTracer('t')
      .startSpan('untouched', { attributes: { ok: 'yes' } })
      .end();
    await provider.shutdown();

    assert.equal(exporter.stats().delivered, 2, JSON.stringify(exporter.stats()));
    const [limited, untouched] = items('traces', sink);
    const attributes = attributesOf(limited as { attributes: KeyValue[] });
    const resource = attributesOf((limited.resource ?? {}) as { attributes: KeyValue[] });
    // 255 per event, less New Relic's own 16, less the resource's 3 (two and its marker).
    assert.equal(attributes.size, 255 - 16 - 3);
    assert.equal((attributes.get('db.statement')?.stringValue as string).length, 4095);
    assert.equal(attributes.get('k'.repeat(255))?.stringValue, 'long name');
    const ids = attributes.get('ids')?.arrayValue as { values: unknown[] };
    assert.equal(ids.values.length, 64);
    const marker = Number(attributes.get(TRUNCATION_MARKER)?.intValue);
    const dropped = Number(limited.droppedAttributesCount);
    // 3 shortened, and of the 303 attributes 235 kept: the rest left out, each counted.
    assert.equal(dropped, 303 - (attributes.size - 1));
    assert.equal(marker, 3 + dropped);
    assert.equal((resource.get('resource.long')?.stringValue as string).length, 4095);
    assert.equal(Number(resource.get(TRUNCATION_MARKER)?.intValue), 1);
    const [event] = limited.events as { attributes: KeyValue[] }[];
    const eventAttributes = attributesOf(event);
    assert.equal((eventAttributes.get('exception.stacktrace')?.stringValue as string).length, 4095);
    assert.equal(Number(eventAttributes.get(TRUNCATION_MARKER)?.intValue), 1);
    const plain = attributesOf(untouched as { attributes: KeyValue[] });
    assert.deepEqual([...plain.keys()], ['ok'], 'a span within the limits is sent as it is');
  });

  it('a log record: a long attribute cut and marked; the body is kept whole', async () => {
    const sink = sinks.get('logs') as FaultSink;
    const exporter = new NewRelicLogRecordExporter({ url: sink.url, flushIntervalMs: 10 });
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    provider
      .getLogger('l')
      .emit({ body: LONG, attributes: { payload: LONG, nested: { deep: LONG } } });
    await provider.shutdown();
    assert.equal(exporter.stats().delivered, 1);
    const [log] = items('logs', sink);
    const attributes = attributesOf(log as { attributes: KeyValue[] });
    assert.equal((attributes.get('payload')?.stringValue as string).length, 4095);
    // Sent flattened, as New Relic stores it, since the record had to change.
    assert.equal(attributes.has('nested'), false);
    assert.equal((attributes.get('nested.deep')?.stringValue as string).length, 4095);
    assert.equal(Number(attributes.get(TRUNCATION_MARKER)?.intValue), 2);
    assert.equal((log.body as { stringValue: string }).stringValue.length, 5000);
  });

  it('what the limits changed is counted on the self-metric, by reason', async () => {
    class PullReader extends MetricReader {
      protected async onShutdown(): Promise<void> {}
      protected async onForceFlush(): Promise<void> {}
    }
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const sink = sinks.get('logs') as FaultSink;
    const exporter = new NewRelicLogRecordExporter({
      url: sink.url,
      flushIntervalMs: 10,
      selfObsMeterProvider: meterProvider,
    });
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    const logger = provider.getLogger('l');
    // Two records: one value shortened and the user's own marker left out; then 3 long values.
    logger.emit({ body: 'a', attributes: { payload: LONG, [TRUNCATION_MARKER]: 'mine' } });
    logger.emit({ body: 'b', attributes: { a: LONG, b: LONG, c: LONG } });
    logger.emit({ body: 'c', attributes: { ok: 'within the limits' } });
    await provider.shutdown();
    const { resourceMetrics, errors } = await reader.collect();
    assert.deepEqual(errors, []);
    const metric = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === LIMITED_METRIC);
    assert.ok(metric, 'the counter is there');
    const byReason = Object.fromEntries(
      metric.dataPoints.map((point) => [String(point.attributes.reason), point.value]),
    );
    assert.deepEqual(byReason, { shortened: 4, dropped: 1 });
    await meterProvider.shutdown();
  });
});

describe('New Relic limits: the report', () => {
  it('tallies items, shortened and dropped, readable without a meter provider', () => {
    const report = new LimitsReport('t');
    const log = captureDiagWarnings();
    try {
      report.record({ item: 'log record', shortened: 2, dropped: 0 });
      report.record({ item: 'span', shortened: 1, dropped: 3 });
    } finally {
      log.stop();
    }
    assert.deepEqual(report.tally(), { items: 2, shortened: 3, dropped: 3 });
    assert.equal(log.lines.length, 1, 'said once');
  });
});

/** One collection of hand-made metrics, as the SDK's reader hands them over. */
function collection(
  metrics: ResourceMetricsLike['scopeMetrics'][number]['metrics'],
  resource = { attributes: { 'service.name': 'm' } },
): ResourceMetricsLike {
  return { resource, scopeMetrics: [{ scope: { name: 'm' }, metrics }] };
}

function exportMetrics(exporter: NewRelicMetricExporter, metrics: ResourceMetricsLike) {
  return new Promise<number>((resolve) =>
    exporter.export(metrics, (result) => resolve(result.code)),
  );
}

const HOUR_S = 3600;
function point(value: number, ageS: number, attributes: Record<string, unknown> = {}) {
  const end = Math.floor(Date.now() / 1000) - ageS;
  return { startTime: [end - 60, 0], endTime: [end, 0], attributes, value } as never;
}

describe('New Relic: data points', () => {
  it('attributes within 150 less the resource; old and future points and delta up-down sums rejected with why', async () => {
    const sink = sinks.get('metrics') as FaultSink;
    const dead: string[] = [];
    const exporter = new NewRelicMetricExporter({
      url: sink.url,
      flushIntervalMs: 10,
      deadLetter: (letter) => {
        if (letter.stage === 'mapping') dead.push(...letter.items.map((item) => item.detail));
      },
    });
    const many = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`a${i}`, LONG]));
    const descriptor = (name: string) => ({ name, description: '', unit: '', valueType: 1 });
    await exportMetrics(
      exporter,
      collection([
        {
          descriptor: descriptor('orders'),
          aggregationTemporality: AggregationTemporality.DELTA,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: [
            point(1, 0, many),
            point(2, 49 * HOUR_S),
            point(3, -25 * HOUR_S),
            point(4, 47 * HOUR_S),
          ],
        },
        {
          descriptor: descriptor('queue.depth'),
          aggregationTemporality: AggregationTemporality.DELTA,
          dataPointType: DataPointType.SUM,
          isMonotonic: false,
          dataPoints: [point(5, 0)],
        },
      ]),
    );
    await exporter.forceFlush();
    const stats = exporter.stats();
    assert.equal(stats.accepted, 5, JSON.stringify(stats));
    assert.equal(stats.delivered, 2);
    assert.equal(stats.dropped.rejected, 3);
    assert.equal(dead.length, 3);
    assert.ok(
      dead.some((d) => /older than 48 h/.test(d)),
      dead.join('\n'),
    );
    assert.ok(
      dead.some((d) => /more than 24 h ahead/.test(d)),
      dead.join('\n'),
    );
    assert.ok(
      dead.some((d) => /queue\.depth is a non-monotonic delta sum/.test(d)),
      dead.join('\n'),
    );
    const [metric] = items('metrics', sink) as {
      sum: { dataPoints: { attributes: KeyValue[] }[] };
    }[];
    const [limited, kept] = metric.sum.dataPoints;
    const attributes = attributesOf(limited);
    assert.equal(attributes.size, 150 - 16 - 1);
    assert.ok(
      [...attributes.values()].every(
        (v) => v.stringValue === undefined || (v.stringValue as string).length <= 4095,
      ),
    );
    assert.equal(Number(attributes.get(TRUNCATION_MARKER)?.intValue), 200);
    assert.equal(kept.attributes, undefined, 'the 47-hour-old point is sent as it is');
    await exporter.shutdown();
  });
});

describe('New Relic limits: the decorator alone', () => {
  function spansOf(make: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void) {
    const spans: ReadableSpanLike[] = [];
    const provider = new BasicTracerProvider({
      spanProcessors: [
        new SimpleSpanProcessor({
          export: (batch, done) => {
            spans.push(...(batch as unknown as ReadableSpanLike[]));
            done({ code: 0 });
          },
          shutdown: async () => undefined,
        }),
      ],
    });
    make(provider.getTracer('t'));
    return spans;
  }

  it('a span within the limits (an event without attributes, a link) encodes byte for byte as without the decorator', () => {
    const [span] = spansOf((tracer) => {
      const linked = tracer.startSpan('linked');
      const s = tracer.startSpan('s', {
        attributes: { a: 'x'.repeat(4095), b: Array.from({ length: 64 }, () => 1) },
        links: [{ context: linked.spanContext(), attributes: { why: 'retry' } }],
      });
      s.addEvent('plain');
      s.end();
    });
    const plain = new ProtobufCodec();
    const limited = withNewRelicLimits(new ProtobufCodec(), { records: 'events' });
    assert.deepEqual(Buffer.from(limited.span(span)), Buffer.from(plain.span(span)));
  });

  it('a link attribute over the limit is cut and marked; the report is told', () => {
    const events: LimitEvent[] = [];
    const [span] = spansOf((tracer) => {
      const linked = tracer.startSpan('linked');
      tracer
        .startSpan('s', {
          links: [{ context: linked.spanContext(), attributes: { why: 'w'.repeat(5000) } }],
        })
        .end();
    });
    const codec = withNewRelicLimits(new ProtobufCodec(), {
      records: 'events',
      onLimited: (e) => events.push(e),
    });
    const plainSize = new ProtobufCodec().span(span).length;
    const size = codec.span(span).length;
    assert.ok(size < plainSize - 850, `${size} vs ${plainSize}`);
    assert.deepEqual(events, [{ item: 'span link', shortened: 1, dropped: 0 }]);
  });

  // The README: names are among the limited values, and every change marks its record
  // (otelpack.truncated) and is counted by the self-metric.
  it('a cut span or event name marks its record and is counted, alone or with attributes', () => {
    const long = (c: string) => c.repeat(5000);
    const [alone, both, event] = spansOf((tracer) => {
      tracer.startSpan(long('n')).end();
      tracer.startSpan(long('n'), { attributes: { a: long('x') } }).end();
      const s = tracer.startSpan('s');
      s.addEvent(long('e'));
      s.end();
    });
    const told: LimitEvent[][] = [[], [], []];
    const codecs = told.map((events) =>
      withNewRelicLimits(new ProtobufCodec(), {
        records: 'events',
        onLimited: (e) => events.push(e),
      }),
    );
    const decoded = [alone, both, event].map((span, i) => {
      const records = spanMapping(codecs[i]).map([span]).records;
      const request = decodeProtobufRequest(
        'traces',
        codecs[i].request(records, 'traces'),
      ) as Decoded;
      return itemsOf('traces', [request])[0];
    });
    const marker = (item: Decoded) =>
      attributesOf(item as { attributes?: KeyValue[] }).get(TRUNCATION_MARKER)?.intValue;
    assert.equal(String(decoded[0].name).length, 4095);
    assert.equal(String(marker(decoded[0])), '1', 'the cut name alone marks the span');
    assert.deepEqual(told[0], [{ item: 'span', shortened: 1, dropped: 0 }]);
    assert.equal(String(marker(decoded[1])), '2', 'the name and the attribute');
    assert.deepEqual(told[1], [{ item: 'span', shortened: 2, dropped: 0 }]);
    const sentEvent = (decoded[2].events as Decoded[])[0];
    assert.equal(String(sentEvent.name).length, 4095);
    assert.equal(String(marker(sentEvent)), '1', 'the cut event name marks the event');
    assert.deepEqual(told[2], [{ item: 'span event', shortened: 1, dropped: 0 }]);
  });

  it('an attribute named __proto__ is kept when the span has to be limited', () => {
    const [sdkSpan] = spansOf((tracer) => tracer.startSpan('s').end());
    // JSON.parse makes `__proto__` an own key, as a span may hold it (the SDK's setAttribute
    // assigns, so this span is made by hand on top of an SDK one).
    const attributes = JSON.parse(
      `{"long":"${'x'.repeat(5000)}","__proto__":"kept","map":{"__proto__":"nested"}}`,
    ) as ReadableSpanLike['attributes'];
    const span = Object.create(sdkSpan, { attributes: { value: attributes } }) as ReadableSpanLike;
    const sent = Buffer.from(
      withNewRelicLimits(new ProtobufCodec(), { records: 'events' }).span(span),
    );
    // KeyValue { key: "__proto__" (field 1), value: { string_value (field 1): "kept" } }
    const keyValue = (key: string, value: string) =>
      Buffer.from([
        0x0a,
        key.length,
        ...Buffer.from(key),
        0x12,
        value.length + 2,
        0x0a,
        value.length,
        ...Buffer.from(value),
      ]);
    assert.ok(sent.includes(keyValue('__proto__', 'kept')), 'the attribute __proto__ is sent');
    assert.ok(sent.includes(keyValue('map.__proto__', 'nested')), 'the nested key, flattened');
  });
});
