import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { ExportResultCode, InvalidConfigError } from '@otelpack/batching-core';
import type { DeadLetter } from '@otelpack/batching-core';
import type { FaultSink } from '@otelpack/batching-core/testing';
import { assertLedgerBalances, deliveryLetter } from '@otelpack/batching-core/testing';
import { VictoriaMetricsExporter } from '../src';
import type { TimeSeries, VictoriaMetricsExporterOptions } from '../src';
import { uncompress } from 'snappyjs';
import { decodeWriteRequest } from './helpers/proto';
import type { DecodedSeries } from './helpers/proto';
import { label, seriesName, startRemoteWriteSink } from './helpers/sink';

const sinks: FaultSink[] = [];
async function sink(): Promise<FaultSink> {
  const s = await startRemoteWriteSink();
  sinks.push(s);
  return s;
}
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.instance.id': 'pod-1',
  'deployment.environment.name': 'test',
});

function setup(
  exporter: PushMetricExporter,
  views: ConstructorParameters<typeof MeterProvider>[0] = {},
) {
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  const provider = new MeterProvider({ resource, readers: [reader], ...views });
  return { reader, provider, meter: provider.getMeter('checkout-lib', '1.0.0') };
}

const fast = { initialBackoffMs: 10, maxBackoffMs: 50, flushIntervalMs: 20 };

describe('VictoriaMetricsExporter with the SDK (fake receiver)', () => {
  it('asks the SDK for cumulative temporality for every instrument', () => {
    const exporter = new VictoriaMetricsExporter({ url: 'http://127.0.0.1:1' });
    for (const type of [
      'COUNTER',
      'HISTOGRAM',
      'UP_DOWN_COUNTER',
      'GAUGE',
      'OBSERVABLE_COUNTER',
      'OBSERVABLE_GAUGE',
      'OBSERVABLE_UP_DOWN_COUNTER',
    ] as const) {
      assert.equal(exporter.selectAggregationTemporality(type), AggregationTemporality.CUMULATIVE);
    }
    void exporter.shutdown();
  });

  it('exports every instrument kind as the expected series', async () => {
    const s = await sink();
    const exporter = new VictoriaMetricsExporter({ url: s.url, ...fast });
    const { reader, provider, meter } = setup(exporter, {
      views: [
        {
          instrumentName: 'payload.size',
          aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
        },
      ],
    });
    meter.createCounter('orders', { unit: '{order}' }).add(3, { 'payment.method': 'card' });
    meter.createUpDownCounter('carts.open').add(-2);
    meter.createGauge('cpu.utilization', { unit: '1' }).record(0.75);
    meter.createObservableGauge('queue.length').addCallback((r) => r.observe(9));
    meter
      .createHistogram('checkout.duration', {
        unit: 's',
        advice: { explicitBucketBoundaries: [0.1, 1] },
      })
      .record(0.5);
    meter.createHistogram('payload.size', { unit: 'By' }).record(100);
    await reader.forceFlush();
    const got = s.records as DecodedSeries[];
    const names = new Set(got.map(seriesName));
    for (const name of [
      'orders_total',
      'carts_open',
      'cpu_utilization_ratio',
      'queue_length',
      'checkout_duration_seconds_bucket',
      'checkout_duration_seconds_sum',
      'checkout_duration_seconds_count',
      'payload_size_bytes_bucket',
      'payload_size_bytes_count',
      'target_info',
    ]) {
      assert.ok(names.has(name), `${name} in ${[...names].join(', ')}`);
    }
    const orders = got.find((x) => seriesName(x) === 'orders_total')!;
    assert.equal(orders.samples[0].value, 3);
    assert.equal(label(orders, 'payment_method'), 'card');
    assert.equal(label(orders, 'job'), 'shop/checkout');
    assert.equal(label(orders, 'instance'), 'pod-1');
    assert.equal(label(orders, 'otel_scope_name'), 'checkout-lib');
    const info = got.find((x) => seriesName(x) === 'target_info')!;
    assert.equal(label(info, 'deployment_environment_name'), 'test');
    assert.equal(got.find((x) => seriesName(x) === 'carts_open')!.samples[0].value, -2);
    const stats = exporter.pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, got.length);
    assert.equal(exporter.mappingStats().series, got.length);
    await provider.shutdown();
  });

  it('rides out 503s and resets, delivers everything once the receiver recovers; the ledger balances', async () => {
    const s = await sink();
    s.setFaults(
      { fault: { kind: 'status', status: 503 }, times: 2 },
      { fault: { kind: 'reset' }, times: 1 },
      { fault: { kind: 'status', status: 429, retryAfter: '0' }, times: 1 },
    );
    const exporter = new VictoriaMetricsExporter({ url: s.url, ...fast });
    const { reader, provider, meter } = setup(exporter);
    const counter = meter.createCounter('jobs');
    for (let i = 0; i < 300; i++) counter.add(1, { worker: `w${i}` });
    await reader.forceFlush();
    const stats = exporter.pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.pending, 0);
    assert.equal(stats.droppedTotal, 0);
    assert.equal(stats.delivered, 301); // 300 series + target_info
    assert.ok(stats.retries > 0);
    const delivered = new Set(
      (s.records as DecodedSeries[]).map((r) => label(r, 'worker') ?? 'info'),
    );
    assert.equal(delivered.size, 301);
    await provider.shutdown();
  });

  it('a 400 drops the batch as rejected, with the backend message in the dead letter', async () => {
    const s = await sink();
    s.setFaults({ fault: { kind: 'status', status: 400, body: 'duplicate sample for timestamp' } });
    const letters: DeadLetter<TimeSeries>[] = [];
    const exporter = new VictoriaMetricsExporter({
      url: s.url,
      ...fast,
      deadLetter: (l) => void letters.push(deliveryLetter(l)),
    });
    const result = await new Promise<{ code: number }>((resolve) =>
      exporter.export(
        {
          resource: { attributes: { 'service.name': 'x' } },
          scopeMetrics: [
            {
              scope: { name: 's' },
              metrics: [
                {
                  descriptor: { name: 'g', unit: '', description: '', valueType: 1 },
                  aggregationTemporality: 1,
                  dataPointType: 2,
                  dataPoints: [
                    { attributes: {}, startTime: [1, 0], endTime: [1_700_000_000, 0], value: 1 },
                  ],
                },
              ],
            },
          ],
        },
        resolve,
      ),
    );
    assert.equal(result.code, ExportResultCode.SUCCESS); // queued delivery: accepted
    await exporter.forceFlush();
    const stats = exporter.pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.dropped.rejected, 1);
    assert.equal(letters.length, 1);
    assert.match(letters[0].items[0].detail, /HTTP 400: duplicate sample for timestamp/);
    await exporter.shutdown();
  });

  it('20,000 series in one export: split into requests of at most 2,000 series and 1 MiB', async () => {
    const s = await sink();
    const exporter = new VictoriaMetricsExporter({ url: s.url, ...fast, maxQueueItems: 50_000 });
    const { reader, provider, meter } = setup(exporter);
    // The SDK keeps at most 2,000 attribute sets per instrument: ten instruments of 2,000.
    const counters = Array.from({ length: 10 }, (_, i) => meter.createCounter(`hits.${i}`));
    for (let i = 0; i < 20_000; i++) {
      counters[i % 10].add(i, { path: `/item/${i}`, pad: 'x'.repeat(i % 300) });
    }
    await reader.forceFlush();
    const stats = exporter.pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 20_001);
    assert.equal(s.records.length, 20_001);
    assert.ok(s.requests.length >= 11);
    for (const request of s.requests) {
      const raw = uncompress(request.body);
      assert.ok(raw.length <= 1024 * 1024, `${raw.length} bytes uncompressed`);
      assert.ok(decodeWriteRequest(raw).length <= 2_000);
    }
    assert.ok(exporter.sender.uncompressedBytes > exporter.sender.compressedBytes);
    await provider.shutdown();
  });

  it('accumulates delta input that a reader forces, and drops delta up-down counters with a reason', async () => {
    const s = await sink();
    const exporter = new VictoriaMetricsExporter({ url: s.url, ...fast });
    const forcedDelta: PushMetricExporter = {
      export: (metrics, cb) => exporter.export(metrics, cb),
      forceFlush: () => exporter.forceFlush(),
      shutdown: () => exporter.shutdown(),
      selectAggregationTemporality: () => AggregationTemporality.DELTA,
    };
    const { reader, provider, meter } = setup(forcedDelta);
    const counter = meter.createCounter('deliveries');
    const updown = meter.createUpDownCounter('inflight');
    counter.add(2);
    updown.add(1);
    await reader.forceFlush();
    counter.add(5);
    await reader.forceFlush();
    const values = (s.records as DecodedSeries[])
      .filter((r) => seriesName(r) === 'deliveries_total')
      .map((r) => r.samples[0].value);
    assert.deepEqual(values, [2, 7]);
    assert.ok(!(s.records as DecodedSeries[]).some((r) => seriesName(r) === 'inflight'));
    const dropped = exporter.mappingStats().droppedPoints.delta_non_monotonic_sum;
    assert.ok(dropped >= 1);
    // The points the mapping left out are in the ledger too, as rejected, one per point.
    const stats = exporter.stats();
    assert.equal(stats.dropped.rejected, dropped);
    assertLedgerBalances(stats);
    await provider.shutdown();
  });

  it('never throws into the SDK on bad input', async () => {
    const exporter = new VictoriaMetricsExporter({ url: 'http://127.0.0.1:1', ...fast });
    const result = await new Promise<{ code: number }>((resolve) =>
      exporter.export(
        { resource: null, scopeMetrics: [{ scope: null, metrics: [null] }] } as never,
        resolve,
      ),
    );
    assert.equal(result.code, ExportResultCode.FAILED);
    assertLedgerBalances(exporter.pipeline.stats());
    await exporter.shutdown();
  });
});

describe("the core's options, at the top level", () => {
  it('reach the pipeline over the exporter defaults, which hold otherwise', async () => {
    const tuned = new VictoriaMetricsExporter({
      url: 'http://127.0.0.1:1',
      maxQueueItems: 1_234,
      maxConcurrency: 3,
    });
    assert.equal(tuned.pipeline.stats().maxQueueItems, 1_234);
    assert.equal(tuned.pipeline.stats().concurrencyLimit, 3);
    const plain = new VictoriaMetricsExporter({ url: 'http://127.0.0.1:1' });
    assert.equal(plain.pipeline.stats().concurrencyLimit, 1, "the exporter's default");
    await Promise.all([tuned.shutdown(), plain.shutdown()]);
  });

  it('a misspelt option throws at construction, naming it and the closest known one', () => {
    for (const [name, suggestion] of [
      ['maxBatchItem', 'maxBatchItems'],
      ['extrnalLabels', 'externalLabels'],
    ]) {
      assert.throws(
        () =>
          new VictoriaMetricsExporter({
            url: 'http://127.0.0.1:1',
            [name]: 5,
          } as VictoriaMetricsExporterOptions),
        (error: unknown) =>
          error instanceof InvalidConfigError &&
          error.option === name &&
          error.message === `${name}: unknown option (did you mean '${suggestion}'?)`,
      );
    }
  });
});
