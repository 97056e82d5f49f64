import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  AggregationTemporality,
  DataPointType,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import type { DataPoint, Histogram, MetricData } from '@opentelemetry/sdk-metrics';
import { Pipeline } from '../src';
import type { PipelineOptions, SendResult } from '../src';
import { assertLedgerBalances } from '../src/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SELF_TELEMETRY_SCOPE, SELF_TELEMETRY_SCOPE_VERSION } from '../src/telemetry';
import { ScriptedSender, range } from './helpers/scripted-sender';

/** A pull reader: collect() on demand, nothing exported anywhere. */
class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

type Attrs = Record<string, unknown>;

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  assert.deepEqual(errors, []);
  const byName = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) {
    assert.equal(scope.scope.name, SELF_TELEMETRY_SCOPE);
    for (const metric of scope.metrics) {
      assert.ok(
        !byName.has(metric.descriptor.name),
        `one stream per name: ${metric.descriptor.name}`,
      );
      byName.set(metric.descriptor.name, metric);
    }
  }
  return byName;
}

function pointsOf(metrics: Map<string, MetricData>, name: string) {
  return points(metrics.get(name));
}

/** Data points as [attributes, value], sorted for deepEqual. */
function points(metric: MetricData | undefined): { attributes: Attrs; value: unknown }[] {
  assert.ok(metric, 'metric exists');
  return (metric.dataPoints as DataPoint<unknown>[])
    .map((p) => ({ attributes: { ...p.attributes } as Attrs, value: p.value }))
    .sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes)));
}

const GAUGES = [
  'otelpack.exporter.queue.size',
  'otelpack.exporter.queue.bytes',
  'otelpack.exporter.queue.capacity',
  'otelpack.exporter.queue.capacity.bytes',
  'otelpack.exporter.requests.in_flight',
  'otelpack.exporter.concurrency.limit',
];
const ALL = [
  'otel.sdk.exporter.log.inflight',
  'otel.sdk.exporter.log.exported',
  'otel.sdk.exporter.operation.duration',
  'otelpack.exporter.retries',
  'otelpack.exporter.request.duration',
  ...GAUGES,
];

const IDENTITY = { type: 'test.TelExporter', name: 'test.TelExporter/0' };
const base = {
  'otel.component.type': 'test.TelExporter',
  'otel.component.name': 'test.TelExporter/0',
};

/**
 * Records 0..99 are delivered, 100..199 rejected, 200..299 fail once (retryable) then deliver,
 * 300.. wait on a gate, then deliver. Every send advances the fake clock by 250 ms, and with one
 * request at a time every request lasts exactly 0.25 s.
 */
function scenario() {
  let clockMs = 1_000;
  let openGate!: () => void;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  const sender = new ScriptedSender<number>(
    async (batch, context) => {
      clockMs += 250;
      const first = batch[0];
      if (first >= 300) {
        await gate;
        return { kind: 'delivered' };
      }
      if (first >= 200) {
        return context.attempt === 1
          ? ({ kind: 'retryable', reason: 'HTTP 503', backpressure: true } satisfies SendResult)
          : { kind: 'delivered' };
      }
      if (first >= 100) {
        return { kind: 'permanent', reason: 'HTTP 400: mapping error', httpStatus: 400 };
      }
      return { kind: 'delivered' };
    },
    () => 10,
  );
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const options: PipelineOptions<number> = {
    name: 'tel',
    signal: 'logs',
    sender,
    selfObsMeterProvider: meterProvider,
    maxQueueItems: 10,
    maxQueueBytes: 1_000,
    maxBatchItems: 5,
    maxBatchBytes: 500,
    flushIntervalMs: 60_000,
    maxConcurrency: 1,
    initialBackoffMs: 1,
    maxBackoffMs: 5,
    random: () => 0,
    now: () => clockMs,
  };
  const pipeline = new Pipeline<number>(options, { identity: IDENTITY });
  return { pipeline, sender, reader, meterProvider, openGate };
}

test("the meter's version is the package's", () => {
  const manifest = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  assert.equal(SELF_TELEMETRY_SCOPE_VERSION, manifest.version);
  assert.equal(SELF_TELEMETRY_SCOPE, manifest.name);
});

describe('self-telemetry through a real MeterProvider', () => {
  test('every instrument, with exact values and attributes', async () => {
    const { pipeline, reader, meterProvider, openGate } = scenario();

    // Before anything: the gauges already report the configuration, counters have no points.
    let metrics = await collect(reader);
    assert.deepEqual(points(metrics.get('otelpack.exporter.queue.capacity')), [
      { attributes: base, value: 10 },
    ]);
    assert.deepEqual(points(metrics.get('otelpack.exporter.queue.size')), [
      { attributes: base, value: 0 },
    ]);

    await pipeline.submit(range(5, 0)); // delivered
    await pipeline.forceFlush();
    await pipeline.submit(range(5, 100)); // rejected
    await pipeline.forceFlush();
    await pipeline.submit(range(5, 200)); // one retry each, then delivered
    await pipeline.forceFlush();

    // 15 records, room for 10: 5 dropped as queue_full; one batch of 5 in flight, held at the gate.
    const result = await pipeline.submit(range(15, 300));
    assert.deepEqual(result.dropped, { queue_full: 5 });

    metrics = await collect(reader);
    const midGauges = Object.fromEntries(GAUGES.map((name) => [name, points(metrics.get(name))]));
    assert.deepEqual(midGauges, {
      'otelpack.exporter.queue.size': [{ attributes: base, value: 10 }],
      'otelpack.exporter.queue.bytes': [{ attributes: base, value: 100 }],
      'otelpack.exporter.queue.capacity': [{ attributes: base, value: 10 }],
      'otelpack.exporter.queue.capacity.bytes': [{ attributes: base, value: 1_000 }],
      'otelpack.exporter.requests.in_flight': [{ attributes: base, value: 1 }],
      'otelpack.exporter.concurrency.limit': [{ attributes: base, value: 1 }],
    });
    // In flight by the conventions: held records, whether queued, being sent or awaiting retry.
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.log.inflight')), [
      { attributes: base, value: 10 },
    ]);

    openGate();
    await pipeline.forceFlush();
    const stats = pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.accepted, 30);
    assert.equal(stats.delivered, 20);
    assert.equal(stats.dropped.rejected, 5);
    assert.equal(stats.dropped.queue_full, 5);
    assert.equal(stats.retries, 5);
    assert.equal(stats.requests, 6);

    metrics = await collect(reader);
    assert.deepEqual([...metrics.keys()].sort(), [...ALL].sort());

    // Exported: every record once, at its final outcome; a dropped one with error.type = reason.
    const exported = metrics.get('otel.sdk.exporter.log.exported')!;
    assert.equal(exported.dataPointType, DataPointType.SUM);
    assert.equal(exported.aggregationTemporality, AggregationTemporality.CUMULATIVE);
    assert.equal((exported as { isMonotonic?: boolean }).isMonotonic, true);
    assert.equal(exported.descriptor.unit, '{log_record}');
    assert.deepEqual(
      points(exported),
      [
        { attributes: base, value: 20 },
        { attributes: { ...base, 'error.type': 'queue_full' }, value: 5 },
        { attributes: { ...base, 'error.type': 'rejected' }, value: 5 },
      ].sort((a, b) => JSON.stringify(a.attributes).localeCompare(JSON.stringify(b.attributes))),
    );
    const inflight = metrics.get('otel.sdk.exporter.log.inflight')!;
    assert.equal(inflight.dataPointType, DataPointType.SUM);
    assert.equal((inflight as { isMonotonic?: boolean }).isMonotonic, false);
    assert.deepEqual(points(inflight), [{ attributes: base, value: 0 }]);

    const retries = metrics.get('otelpack.exporter.retries')!;
    assert.equal(retries.dataPointType, DataPointType.SUM);
    assert.deepEqual(points(retries), [{ attributes: base, value: 5 }]);

    const summarize = (name: string, boundaries: number[]) => {
      const metric = metrics.get(name)!;
      assert.equal(metric.dataPointType, DataPointType.HISTOGRAM);
      assert.equal(metric.descriptor.unit, 's');
      return points(metric).map(({ attributes, value }) => {
        const h = value as Histogram;
        assert.deepEqual(h.buckets.boundaries, boundaries);
        return { attributes, count: h.count, sum: h.sum, min: h.min, max: h.max };
      });
    };

    // Request duration: one observation per send, by what the send came to.
    const requestBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    const send = (result: string) => ({ ...base, 'otelpack.send.result': result });
    assert.deepEqual(summarize('otelpack.exporter.request.duration', requestBounds), [
      // Five deliveries: 0..4, the retry of 200..204, two batches of 300..
      { attributes: send('delivered'), count: 4, sum: 1, min: 0.25, max: 0.25 },
      { attributes: send('permanent'), count: 1, sum: 0.25, min: 0.25, max: 0.25 },
      { attributes: send('retryable'), count: 1, sum: 0.25, min: 0.25, max: 0.25 },
    ]);

    // Operation duration: one observation per batch from its first send to its final outcome.
    // 200..204 took two sends (0.5 s); the rejected batch has error.type and the HTTP status.
    const operationBounds = [...requestBounds, 60];
    assert.deepEqual(summarize('otel.sdk.exporter.operation.duration', operationBounds), [
      {
        attributes: { ...base, 'error.type': 'rejected', 'http.response.status_code': 400 },
        count: 1,
        sum: 0.25,
        min: 0.25,
        max: 0.25,
      },
      { attributes: base, count: 4, sum: 1.25, min: 0.25, max: 0.5 },
    ]);

    // Gauges once everything is settled.
    const endGauges = Object.fromEntries(GAUGES.map((name) => [name, points(metrics.get(name))]));
    assert.deepEqual(endGauges, {
      'otelpack.exporter.queue.size': [{ attributes: base, value: 0 }],
      'otelpack.exporter.queue.bytes': [{ attributes: base, value: 0 }],
      'otelpack.exporter.queue.capacity': [{ attributes: base, value: 10 }],
      'otelpack.exporter.queue.capacity.bytes': [{ attributes: base, value: 1_000 }],
      'otelpack.exporter.requests.in_flight': [{ attributes: base, value: 0 }],
      'otelpack.exporter.concurrency.limit': [{ attributes: base, value: 1 }],
    });
    for (const name of GAUGES) {
      assert.equal(metrics.get(name)!.dataPointType, DataPointType.GAUGE, name);
    }
    const units = Object.fromEntries(ALL.map((name) => [name, metrics.get(name)!.descriptor.unit]));
    assert.deepEqual(units, {
      'otel.sdk.exporter.log.inflight': '{log_record}',
      'otel.sdk.exporter.log.exported': '{log_record}',
      'otel.sdk.exporter.operation.duration': 's',
      'otelpack.exporter.retries': '{record}',
      'otelpack.exporter.request.duration': 's',
      'otelpack.exporter.queue.size': '{record}',
      'otelpack.exporter.queue.bytes': 'By',
      'otelpack.exporter.queue.capacity': '{record}',
      'otelpack.exporter.queue.capacity.bytes': 'By',
      'otelpack.exporter.requests.in_flight': '{request}',
      'otelpack.exporter.concurrency.limit': '{request}',
    });

    // Every data point of every instrument names the component.
    for (const [name, metric] of metrics) {
      assert.ok(metric.dataPoints.length > 0, `${name} has points`);
      for (const p of metric.dataPoints) {
        assert.equal(p.attributes['otel.component.type'], IDENTITY.type, name);
        assert.equal(p.attributes['otel.component.name'], IDENTITY.name, name);
      }
    }

    await pipeline.shutdown();
    await meterProvider.shutdown();
  });

  test('shutdown drops and expiry are counted with their reason', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    let clockMs = 0;
    const sender = new ScriptedSender<number>(async (batch) => {
      // 0..9 always fail, and each send moves the clock 1 s: they expire after maxElapsedMs.
      clockMs += 1_000;
      if (batch[0] < 10) return { kind: 'retryable', reason: 'HTTP 502' };
      // 10.. never answer: shutdown's deadline drops them.
      return new Promise<SendResult>(() => {});
    });
    const pipeline = new Pipeline<number>({
      name: 'exp',
      signal: 'metrics',
      sender,
      selfObsMeterProvider: meterProvider,
      maxBatchItems: 10,
      flushIntervalMs: 1,
      initialBackoffMs: 1,
      maxBackoffMs: 1,
      maxElapsedMs: 2_500,
      random: () => 0,
      now: () => clockMs,
    });
    await pipeline.submit(range(10));
    await pipeline.forceFlush(5_000);
    await pipeline.submit(range(3, 10));
    await pipeline.shutdown(50);
    const stats = pipeline.stats();
    assertLedgerBalances(stats);
    // Sends at clock 1 s, 2 s: two retries scheduled; the third failure (3 s > 2.5 s) expires.
    assert.equal(stats.retries, 20);
    assert.equal(stats.dropped.expired, 10);
    assert.equal(stats.dropped.shutdown, 3);

    const metrics = await collect(reader);
    const b = pointsOf(metrics, 'otel.sdk.exporter.metric_data_point.exported')[0].attributes;
    assert.equal(b['otel.component.type'], '@otelpack/batching-core.Pipeline');
    assert.match(String(b['otel.component.name']), /^@otelpack\/batching-core\.Pipeline\/\d+$/);
    const withoutError = { ...b };
    delete withoutError['error.type'];
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.metric_data_point.exported')), [
      { attributes: { ...withoutError, 'error.type': 'expired' }, value: 10 },
      { attributes: { ...withoutError, 'error.type': 'shutdown' }, value: 3 },
    ]);
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.metric_data_point.inflight')), [
      { attributes: withoutError, value: 0 },
    ]);
    assert.deepEqual(points(metrics.get('otelpack.exporter.retries')), [
      { attributes: withoutError, value: 20 },
    ]);
    // The expired batch's operation ends with its last attempt: 3 sends of 1 s each.
    const operations = points(metrics.get('otel.sdk.exporter.operation.duration'));
    assert.deepEqual(
      operations.map((p) => ({
        attributes: p.attributes,
        count: (p.value as Histogram).count,
        sum: (p.value as Histogram).sum,
      })),
      [
        { attributes: { ...withoutError, 'error.type': 'expired' }, count: 1, sum: 3 },
        // 10..12 were in flight when shutdown's deadline dropped them: that ended the operation.
        { attributes: { ...withoutError, 'error.type': 'shutdown' }, count: 1, sum: 1 },
      ],
    );
    await meterProvider.shutdown();
  });

  test('two pipelines on one provider are told apart by their attributes', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const a = new Pipeline<number>({
      name: 'alpha',
      signal: 'traces',
      sender: new ScriptedSender<number>(),
      selfObsMeterProvider: meterProvider,
      maxQueueItems: 7,
      maxConcurrency: 3,
      flushIntervalMs: 1,
    });
    const b = new Pipeline<number>({
      name: 'beta',
      signal: 'metrics',
      sender: new ScriptedSender<number>(),
      selfObsMeterProvider: meterProvider,
      maxQueueItems: 9,
      adaptiveConcurrency: { initialConcurrency: 2, maxConcurrency: 8 },
      flushIntervalMs: 1,
    });
    await a.submit(range(3));
    await b.submit(range(4));
    await a.forceFlush();
    await b.forceFlush();
    const metrics = await collect(reader);
    // Named by the conventions' rule: the type and a counter per type, from 0 in the process.
    const capacity = points(metrics.get('otelpack.exporter.queue.capacity'));
    const [alpha, beta] = capacity.map((p) => p.attributes);
    const instance = (attributes: Attrs) =>
      Number(/\/(\d+)$/.exec(String(attributes['otel.component.name']))![1]);
    assert.equal(alpha['otel.component.type'], '@otelpack/batching-core.Pipeline');
    assert.equal(instance(beta), instance(alpha) + 1);
    assert.deepEqual(capacity, [
      { attributes: alpha, value: 7 },
      { attributes: beta, value: 9 },
    ]);
    const limits = points(metrics.get('otelpack.exporter.concurrency.limit'));
    assert.deepEqual(limits[0], { attributes: alpha, value: 3 });
    assert.deepEqual(limits[1], { attributes: beta, value: b.stats().concurrencyLimit });
    // Each signal has its own exported instrument, in its own unit.
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.span.exported')), [
      { attributes: alpha, value: 3 },
    ]);
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.metric_data_point.exported')), [
      { attributes: beta, value: 4 },
    ]);
    assert.equal(metrics.get('otel.sdk.exporter.span.exported')!.descriptor.unit, '{span}');
    assert.equal(
      metrics.get('otel.sdk.exporter.metric_data_point.exported')!.descriptor.unit,
      '{data_point}',
    );
    await a.shutdown();
    await b.shutdown();
    await meterProvider.shutdown();
  });

  test(
    'a blocking submit sends while it waits, and in flight never runs behind the ledger',
    { timeout: 20_000 },
    async () => {
      const reader = new TestReader();
      const meterProvider = new MeterProvider({ readers: [reader] });
      const seen: { inflight: number; pending: number }[] = [];
      // The sender reads the pipeline it belongs to, made just below.
      const made: { pipeline?: Pipeline<number> } = {};
      const sender = new ScriptedSender<number>(async () => {
        const metrics = await collect(reader);
        const inflight = metrics.get('otel.sdk.exporter.log.inflight')?.dataPoints[0]?.value;
        seen.push({ inflight: Number(inflight ?? 0), pending: made.pipeline!.stats().pending });
        return { kind: 'delivered' };
      });
      const pipeline = (made.pipeline = new Pipeline<number>({
        name: 'block',
        signal: 'logs',
        sender,
        selfObsMeterProvider: meterProvider,
        maxQueueItems: 100,
        maxBatchItems: 100,
        overflow: 'block',
        // Were nothing sent while the submit waits, it would wait all of this and then drop 50.
        blockTimeoutMs: 60_000,
        flushIntervalMs: 60_000,
      }));
      const result = await pipeline.submit(range(150));
      assert.deepEqual(result.dropped, {});
      assert.equal(result.accepted, 150);
      await pipeline.forceFlush();
      assert.equal(sender.delivered.length, 150);
      assert.ok(seen.length >= 2, JSON.stringify(seen));
      // While the submit waited, every record it had added was already counted in flight.
      for (const at of seen) assert.equal(at.inflight, at.pending, JSON.stringify(seen));
      await pipeline.shutdown();
      await meterProvider.shutdown();
    },
  );

  test('an operation whose records were partly rejected is a failure, even when its retry delivers', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const sender = new ScriptedSender<number>((_batch, context) =>
      context.attempt === 1
        ? {
            kind: 'partial',
            failures: [
              { index: 0, retryable: false, reason: 'mapping error' },
              { index: 1, retryable: true, reason: 'busy' },
            ],
          }
        : { kind: 'delivered', httpStatus: 200 },
    );
    const pipeline = new Pipeline<number>(
      {
        name: 'partial',
        signal: 'logs',
        sender,
        selfObsMeterProvider: meterProvider,
        flushIntervalMs: 1,
        initialBackoffMs: 1,
        maxBackoffMs: 1,
      },
      { identity: IDENTITY },
    );
    await pipeline.submit(range(3));
    await pipeline.forceFlush();
    const metrics = await collect(reader);
    assert.deepEqual(points(metrics.get('otel.sdk.exporter.log.exported')), [
      { attributes: { ...base, 'error.type': 'rejected' }, value: 1 },
      { attributes: base, value: 2 },
    ]);
    const operations = points(metrics.get('otel.sdk.exporter.operation.duration'));
    assert.deepEqual(
      operations.map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count })),
      [
        {
          attributes: { ...base, 'error.type': 'rejected', 'http.response.status_code': 200 },
          count: 1,
        },
      ],
    );
    await pipeline.shutdown();
    await meterProvider.shutdown();
  });

  test('a shut-down pipeline takes its gauge callbacks back, so a shared provider does not keep it', async () => {
    const meterProvider = new MeterProvider({ readers: [new TestReader()] });
    // The real provider, with a count of the gauge callbacks registered and not yet removed.
    let live = 0;
    const counting = {
      getMeter: (name: string, version?: string) => {
        const meter = meterProvider.getMeter(name, version);
        return Object.assign(Object.create(meter) as typeof meter, {
          createObservableGauge: (...args: Parameters<typeof meter.createObservableGauge>) => {
            const gauge = meter.createObservableGauge(...args);
            const add = gauge.addCallback.bind(gauge);
            const remove = gauge.removeCallback.bind(gauge);
            gauge.addCallback = (callback) => (live++, add(callback));
            gauge.removeCallback = (callback) => (live--, remove(callback));
            return gauge;
          },
        });
      },
    };
    const pipeline = new Pipeline<number>(
      {
        name: 'gone',
        signal: 'logs',
        sender: new ScriptedSender<number>(),
        selfObsMeterProvider: counting,
      },
      { identity: IDENTITY },
    );
    assert.equal(live, 6);
    await pipeline.shutdown();
    assert.equal(live, 0);
    await meterProvider.shutdown();
  });
});
