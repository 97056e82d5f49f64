import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import type { ResourceMetricsLike } from '@otelpack/batching-core';
import { VictoriaMetricsExporter, exponentialBound } from '@otelpack/exporter-victoriametrics';
import type { ExponentialHistogramForm } from '@otelpack/exporter-victoriametrics';
import { backendUrl } from '../../src/env';
import { sleep } from '../../src/launcher';
import { eventually, forceFlushVm, query, single } from './helpers';

/*
 * REAL backends: VictoriaMetrics single-node and Prometheus (with the remote-write receiver), as
 * the harness started them (Debian packages natively, or the compose services).
 *
 * The OpenTelemetry SDK (MeterProvider + PeriodicExportingMetricReader) records known values on
 * every instrument kind; @otelpack/exporter-victoriametrics writes them with remote write; the
 * test reads them back with PromQL (/api/v1/query) and compares exact values.
 */

const EXPLICIT_VALUES = [0.05, 0.2, 0.3, 0.4, 0.7, 2, 3, 4, 4.5, 6];
const EXPLICIT_BOUNDARIES = [0.1, 0.5, 1, 5];
const EXPONENTIAL_VALUES = [3, 7, 12, 25, 60, 100, 250, 600, 1000, 5000];

interface Scenario {
  backend: 'victoriametrics' | 'prometheus';
  form: ExponentialHistogramForm;
}

const scenarios: Scenario[] = [
  { backend: 'victoriametrics', form: 'vmrange' },
  { backend: 'victoriametrics', form: 'le' },
  { backend: 'prometheus', form: 'le' },
];

/** The explicit bucket (lower, upper] holding the rank-th smallest value, as histogram_quantile picks it. */
function explicitBucket(q: number): [number, number] {
  const value = [...EXPLICIT_VALUES].sort((a, b) => a - b)[
    Math.ceil(q * EXPLICIT_VALUES.length) - 1
  ];
  const bounds = [0, ...EXPLICIT_BOUNDARIES, Infinity];
  for (let i = 1; i < bounds.length; i++) if (value <= bounds[i]) return [bounds[i - 1], bounds[i]];
  throw new Error('unreachable');
}

/** The exponential bucket (lower, upper] at `scale` holding the rank-th smallest value. */
function exponentialBucket(q: number, scale: number): [number, number] {
  const value = [...EXPONENTIAL_VALUES].sort((a, b) => a - b)[
    Math.ceil(q * EXPONENTIAL_VALUES.length) - 1
  ];
  let index = Math.ceil(Math.log2(value) * 2 ** scale) - 1;
  while (exponentialBound(scale, index + 1) < value) index++;
  while (exponentialBound(scale, index) >= value) index--;
  return [exponentialBound(scale, index), exponentialBound(scale, index + 1)];
}

function within(value: number, [lower, upper]: [number, number], what: string): void {
  const slack = 1e-9 * Math.max(1, Math.abs(upper));
  assert.ok(
    value >= lower - slack && value <= upper + slack,
    `${what}: ${value} is not within the bucket [${lower}, ${upper}]`,
  );
}

for (const { backend, form } of scenarios) {
  describe(`${backend} (real), exponential histograms as ${form}`, () => {
    it('every instrument kind reads back exactly with PromQL', async (t) => {
      const url = backendUrl(t, backend);
      if (!url) return;
      const job = `otelpack_it_${backend}_${form}_${Date.now()}`;
      const J = `job="it/${job}"`;
      const exporter = new VictoriaMetricsExporter({
        url,
        exponentialHistograms: form,
        flushIntervalMs: 100,
        initialBackoffMs: 100,
        maxBackoffMs: 1_000,
      });
      let lastExport: ResourceMetricsLike | undefined;
      const exportOriginal = exporter.export.bind(exporter);
      exporter.export = (metrics, callback) => {
        lastExport = metrics;
        exportOriginal(metrics, callback);
      };
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({
          'service.name': job,
          'service.namespace': 'it',
          'service.instance.id': 'it-instance-1',
          'host.name': 'it-host',
        }),
        readers: [reader],
        views: [
          {
            instrumentName: 'it.payload',
            aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
          },
        ],
      });
      try {
        const meter = provider.getMeter('otelpack-it', '1.0.0');
        const requests = meter.createCounter('it.requests', { unit: '{request}' });
        const inflight = meter.createUpDownCounter('it.inflight');
        const temperature = meter.createGauge('it.temperature', { unit: 'Cel' });
        meter
          .createObservableGauge('it.queue.length')
          .addCallback((r) => r.observe(17, { queue: 'main' }));
        const latency = meter.createHistogram('it.latency', {
          unit: 's',
          advice: { explicitBucketBoundaries: EXPLICIT_BOUNDARIES },
        });
        const payload = meter.createHistogram('it.payload', { unit: 'By' });
        const odd = meter.createGauge('it.odd');

        // Three exports, with known values in each.
        requests.add(5, { route: '/pay' });
        inflight.add(10);
        temperature.record(19);
        await reader.forceFlush();
        await sleep(30);
        requests.add(7, { route: '/pay' });
        inflight.add(-3);
        for (const v of EXPLICIT_VALUES) latency.record(v);
        for (const v of EXPONENTIAL_VALUES) payload.record(v);
        await reader.forceFlush();
        await sleep(30);
        requests.add(30, { route: '/pay' });
        temperature.record(21.5);
        odd.record(NaN, { kind: 'nan' });
        odd.record(Infinity, { kind: 'pinf' });
        odd.record(-Infinity, { kind: 'ninf' });
        await reader.forceFlush();

        const stats = exporter.pipeline.stats();
        assertLedgerBalances(stats);
        assert.equal(stats.pending, 0);
        assert.equal(stats.droppedTotal, 0, JSON.stringify(stats.dropped));
        assert.equal(stats.delivered, stats.accepted);
        assert.equal(exporter.mappingStats().droppedPointsTotal, 0);
        if (backend === 'victoriametrics') await forceFlushVm(url);

        // Counter: the total, its raw samples, and an exact increase between the first and last.
        assert.equal(
          await eventually(() =>
            single(url, `it_requests_total{${J},route="/pay"}`).then(expectEqual(42)),
          ),
          42,
        );
        const raw = await eventually(async () => {
          const data = await query(url, `it_requests_total{${J}}[10m]`);
          assert.equal(data.resultType, 'matrix');
          assert.equal(data.result.length, 1);
          assert.equal(data.result[0].values.length, 3);
          return data.result[0].values.map(
            ([ts, v]) => [Math.round(ts * 1000), Number(v)] as const,
          );
        });
        assert.deepEqual(
          raw.map(([, v]) => v),
          [5, 12, 42],
        );
        const [firstMs] = raw[0];
        const [lastMs] = raw[2];
        // Evaluated at the last sample over exactly the span of the samples: Prometheus then does
        // not extrapolate, and VictoriaMetrics takes the sample just before the window: both 42 - 5.
        const increase = await single(
          url,
          `increase(it_requests_total{${J}}[${lastMs - firstMs}ms])`,
          lastMs,
        );
        assert.equal(increase, 37);

        // Up-down counter and gauges.
        assert.equal(await single(url, `it_inflight{${J}}`), 7);
        assert.equal(await single(url, `it_temperature_celsius{${J}}`), 21.5);
        assert.equal(await single(url, `it_queue_length{${J},queue="main"}`), 17);
        assert.equal(await single(url, `it_odd{${J},kind="pinf"}`), Infinity);
        assert.equal(await single(url, `it_odd{${J},kind="ninf"}`), -Infinity);
        const nan = await query(url, `it_odd{${J},kind="nan"}`);
        if (backend === 'prometheus') {
          assert.equal(nan.resultType === 'vector' && nan.result[0]?.value[1], 'NaN'); // stored
        } else {
          assert.deepEqual(nan.resultType === 'vector' && nan.result, []); // VictoriaMetrics drops NaN samples
        }

        // Explicit-bucket histogram: count and sum exact, quantiles within the right bucket.
        assert.equal(await single(url, `it_latency_seconds_count{${J}}`), EXPLICIT_VALUES.length);
        assert.equal(
          await single(url, `it_latency_seconds_sum{${J}}`),
          EXPLICIT_VALUES.reduce((a, b) => a + b, 0),
        );
        assert.equal(await single(url, `it_latency_seconds_bucket{${J},le="+Inf"}`), 10);
        assert.equal(await single(url, `it_latency_seconds_bucket{${J},le="0.5"}`), 4);
        for (const q of [0.5, 0.9]) {
          within(
            await single(url, `histogram_quantile(${q}, it_latency_seconds_bucket{${J}})`),
            explicitBucket(q),
            `explicit histogram_quantile(${q})`,
          );
        }

        // Exponential histogram, as `form` buckets.
        const point = lastExport!.scopeMetrics[0].metrics.find(
          (m) => m.descriptor.name === 'it.payload',
        )!.dataPoints[0].value as { scale: number };
        assert.equal(await single(url, `it_payload_bytes_count{${J}}`), EXPONENTIAL_VALUES.length);
        assert.equal(
          await single(url, `it_payload_bytes_sum{${J}}`),
          EXPONENTIAL_VALUES.reduce((a, b) => a + b, 0),
        );
        for (const q of [0.5, 0.9]) {
          within(
            await single(url, `histogram_quantile(${q}, it_payload_bytes_bucket{${J}})`),
            exponentialBucket(q, point.scale),
            `exponential histogram_quantile(${q}) at scale ${point.scale}`,
          );
        }

        // target_info joins to the series on job and instance, bringing the resource attributes.
        const joined = await query(
          url,
          `it_requests_total{${J}} * on(job, instance) group_left(host_name) target_info{${J}}`,
        );
        assert.equal(joined.resultType, 'vector');
        assert.equal(joined.result.length, 1);
        assert.equal(joined.result[0].metric.host_name, 'it-host');
        assert.equal(joined.result[0].metric.instance, 'it-instance-1');
        assert.equal(Number(joined.result[0].value[1]), 42);
      } finally {
        await provider.shutdown();
      }
    });
  });
}

function expectEqual(expected: number) {
  return (value: number): number => {
    assert.equal(value, expected);
    return value;
  };
}
