/**
 * `npm run bench` for @otelpack/exporter-dynatrace: lines per second of this package's line
 * encoder (LineMapping: SDK metrics → normalised, escaped lines) against @dynatrace/metric-utils
 * (the anchor: MetricFactory.create…(…).serialize() per point, as Dynatrace's archived exporter
 * called it) serialising the same points, in the same process, alternating rounds. The figure
 * that matters is the ratio; absolute figures say more about the machine than about the code.
 *
 * The anchor does not install from the registry: point DT_METRIC_UTILS at a build of
 * dynatrace-oss/dynatrace-metric-utils-js (see test/helpers/record-oracle.ts).
 */
import type { Attributes } from '@opentelemetry/api';
import type { MetricDataLike } from '@otelpack/batching-core';
import { LineMapping } from '../src';
import { loadMetricUtils } from '../test/helpers/metric-utils';
import { gauge, histogram, point, resourceMetrics, sum } from '../test/helpers/metrics';
import { median } from '../../batching-core/bench/lib/stats';

const POINTS_PER_KIND = 1_000; // 3,000 lines: three requests' worth
const ROUNDS = 7;
const ROUND_MS = 400;

const utils = loadMetricUtils();
if (!utils) {
  console.error(
    'the anchor, @dynatrace/metric-utils, is not there: set DT_METRIC_UTILS to a build of it',
  );
  process.exit(1);
}

/** Typical attributes: a few short values, one in ten with characters to escape. */
function attributes(i: number): Attributes {
  return {
    'http.request.method': ['GET', 'POST', 'PUT'][i % 3],
    'http.response.status_code': [200, 404, 500][i % 3],
    'http.route': i % 10 === 0 ? `/orders/{id} with space=${i}` : `/orders/${i % 50}`,
    'server.address': 'shop.example.com',
  };
}

const points = Array.from({ length: POINTS_PER_KIND }, (_, i) => i);
const metrics: MetricDataLike[] = [
  sum(
    'http.server.requests',
    points.map((i) => point(i, attributes(i))),
  ),
  gauge(
    'process.memory.usage',
    points.map((i) => point(i * 1024.5, attributes(i))),
  ),
  histogram(
    'http.server.request.duration',
    points.map((i) => ({
      boundaries: [5, 10, 50],
      counts: [1, 2, 3, 1],
      sum: 120 + i,
      min: 1,
      max: 80 + i,
      attributes: attributes(i),
    })),
  ),
];
const exportBatch = [resourceMetrics(metrics, {})];

function ours(): number {
  const mapping = new LineMapping({
    defaultDimensions: [],
    staticDimensions: [],
    resourceAttributes: [],
    metadataLines: false,
  });
  return mapping.map(exportBatch).records.length;
}

function anchor(): number {
  const factory = new utils!.MetricFactory();
  let count = 0;
  for (const metric of metrics) {
    for (const p of metric.dataPoints) {
      // The archived exporter's step: attributes to the utilities' dimension list.
      const dims = Object.entries(p.attributes).map(([key, value]) => ({
        key,
        value: String(value),
      }));
      const time = new Date(p.endTime[0] * 1000 + p.endTime[1] / 1e6);
      let line: string | null | undefined;
      if (metric.dataPointType === 3)
        line = factory
          .createCounterDelta(`${metric.descriptor.name}.count`, dims, p.value as number, time)
          ?.serialize();
      else if (metric.dataPointType === 2)
        line = factory
          .createGauge(metric.descriptor.name, dims, p.value as number, time)
          ?.serialize();
      else {
        const v = p.value as { sum: number; count: number; min: number; max: number };
        line = factory
          .createSummary(
            metric.descriptor.name,
            dims,
            { min: v.min, max: v.max, sum: v.sum, count: v.count },
            time,
          )
          ?.serialize();
      }
      if (line) count++;
    }
  }
  return count;
}

function rate(run: () => number): number {
  const start = process.hrtime.bigint();
  let lines = 0;
  let elapsedMs = 0;
  do {
    lines += run();
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  } while (elapsedMs < ROUND_MS);
  return (lines / elapsedMs) * 1000;
}

if (ours() !== anchor()) throw new Error('the two make different numbers of lines');
for (let i = 0; i < 3; i++) {
  ours();
  anchor();
} // warm-up
const oursRates: number[] = [];
const anchorRates: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  oursRates.push(rate(ours));
  anchorRates.push(rate(anchor));
}
const o = median(oursRates);
const a = median(anchorRates);
console.log(
  `line encoding, ${3 * POINTS_PER_KIND} points (counters, gauges, histograms), median of ${ROUNDS} rounds`,
);
console.log(
  `  @otelpack/exporter-dynatrace LineMapping  ${Math.round(o).toLocaleString('en-US')} lines/s`,
);
console.log(
  `  @dynatrace/metric-utils 0.2.0 (anchor)    ${Math.round(a).toLocaleString('en-US')} lines/s`,
);
console.log(`  ratio                                     ${(o / a).toFixed(2)}×`);
