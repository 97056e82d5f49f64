import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike, ResourceMetricsLike } from '@otelpack/batching-core';
import { DEFAULT_MAPPING_OPTIONS as DEFAULT, DeltaToCumulative, mapResourceMetrics } from '../src';
import { descriptor, lines, resourceMetrics } from './helpers/fixtures';

const D = AggregationTemporality.DELTA;
const t = (s: number): HrTime => [1_700_000_000 + s, 0];

function deltaSum(
  points: [Record<string, string>, number][],
  from: number,
  to: number,
  monotonic = true,
): MetricDataLike {
  return {
    descriptor: descriptor('jobs.done'),
    aggregationTemporality: D,
    dataPointType: DataPointType.SUM,
    isMonotonic: monotonic,
    dataPoints: points.map(([attributes, value]) => ({
      attributes,
      value,
      startTime: t(from),
      endTime: t(to),
    })),
  };
}

function deltaHistogram(
  boundaries: number[],
  counts: number[],
  sum: number,
  from: number,
  to: number,
): MetricDataLike {
  return {
    descriptor: descriptor('lat', 's', 'HISTOGRAM'),
    aggregationTemporality: D,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes: {},
        startTime: t(from),
        endTime: t(to),
        value: { buckets: { boundaries, counts }, count: counts.reduce((a, b) => a + b, 0), sum },
      },
    ],
  };
}

const values = (rm: ResourceMetricsLike) =>
  rm.scopeMetrics[0].metrics.map((m) => m.dataPoints.map((p) => p.value));

describe('DeltaToCumulative', () => {
  it('adds up delta sums per series and keeps the first start time', () => {
    const d = new DeltaToCumulative({ maxSeries: 100, idleMs: 60_000 });
    const a = d.convert(
      resourceMetrics([
        deltaSum(
          [
            [{ k: 'a' }, 2],
            [{ k: 'b' }, 10],
          ],
          0,
          10,
        ),
      ]),
    );
    const b = d.convert(resourceMetrics([deltaSum([[{ k: 'a' }, 3]], 10, 20)]));
    const c = d.convert(
      resourceMetrics([
        deltaSum(
          [
            [{ k: 'a' }, 0],
            [{ k: 'b' }, 1],
          ],
          20,
          30,
        ),
      ]),
    );
    assert.deepEqual(values(a.resourceMetrics), [[2, 10]]);
    assert.deepEqual(values(b.resourceMetrics), [[5]]);
    assert.deepEqual(values(c.resourceMetrics), [[5, 11]]);
    const metric = c.resourceMetrics.scopeMetrics[0].metrics[0];
    assert.equal(metric.aggregationTemporality, AggregationTemporality.CUMULATIVE);
    assert.deepEqual(metric.dataPoints[0].startTime, t(0));
    assert.equal(d.size, 2);
    // and the mapping then makes counters of them
    assert.deepEqual(
      lines(mapResourceMetrics(c.resourceMetrics, { ...DEFAULT, targetInfo: false }).series),
      [
        'jobs_done_total{instance="pod-7",job="shop/checkout",k="a",otel_scope_name="shop-lib",otel_scope_version="2.1.0"} 5@1700000030000',
        'jobs_done_total{instance="pod-7",job="shop/checkout",k="b",otel_scope_name="shop-lib",otel_scope_version="2.1.0"} 11@1700000030000',
      ],
    );
  });

  it('adds up delta histograms; new boundaries start the series again', () => {
    const d = new DeltaToCumulative({ maxSeries: 100, idleMs: 60_000 });
    d.convert(resourceMetrics([deltaHistogram([1, 5], [1, 0, 2], 12, 0, 10)]));
    const second = d.convert(resourceMetrics([deltaHistogram([1, 5], [0, 4, 1], 20, 10, 20)]));
    const v = second.resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0].value as {
      buckets: { counts: number[] };
      count: number;
      sum: number;
    };
    assert.deepEqual(v.buckets.counts, [1, 4, 3]);
    assert.equal(v.count, 8);
    assert.equal(v.sum, 32);
    const third = d.convert(resourceMetrics([deltaHistogram([2], [1, 1], 3, 20, 30)]));
    const v3 = third.resourceMetrics.scopeMetrics[0].metrics[0].dataPoints[0].value as {
      buckets: { counts: number[] };
      count: number;
    };
    assert.deepEqual(v3.buckets.counts, [1, 1]);
    assert.equal(v3.count, 2);
  });

  it('drops, with a reason: non-monotonic delta sums, delta exponential histograms, out-of-order points, series past the limit', () => {
    const d = new DeltaToCumulative({ maxSeries: 2, idleMs: 60_000 });
    const exp: MetricDataLike = {
      descriptor: descriptor('e', '', 'HISTOGRAM'),
      aggregationTemporality: D,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [
        {
          attributes: {},
          startTime: t(0),
          endTime: t(10),
          value: {
            count: 1,
            scale: 0,
            zeroCount: 1,
            positive: { offset: 0, bucketCounts: [] },
            negative: { offset: 0, bucketCounts: [] },
          },
        },
      ],
    };
    const first = d.convert(
      resourceMetrics([
        deltaSum([[{}, 1]], 0, 10, false),
        exp,
        deltaSum(
          [
            [{ k: '1' }, 1],
            [{ k: '2' }, 1],
            [{ k: '3' }, 1],
          ],
          0,
          10,
        ),
      ]),
    );
    assert.deepEqual(first.dropped, {
      delta_non_monotonic_sum: 1,
      delta_exponential_histogram: 1,
      delta_series_limit: 1,
    });
    assert.deepEqual(values(first.resourceMetrics), [[1, 1]]);
    const late = d.convert(resourceMetrics([deltaSum([[{ k: '1' }, 5]], 5, 15)]));
    assert.deepEqual(late.dropped, { delta_out_of_order: 1 });
    assert.deepEqual(values(late.resourceMetrics), [[]]);
  });

  it('forgets idle series when it needs room', () => {
    let now = 0;
    const d = new DeltaToCumulative({ maxSeries: 1, idleMs: 1_000, now: () => now });
    d.convert(resourceMetrics([deltaSum([[{ k: 'old' }, 1]], 0, 10)]));
    now = 5_000;
    const next = d.convert(resourceMetrics([deltaSum([[{ k: 'new' }, 7]], 10, 20)]));
    assert.deepEqual(next.dropped, {});
    assert.deepEqual(values(next.resourceMetrics), [[7]]);
  });

  it('returns cumulative input untouched (no copy)', () => {
    const d = new DeltaToCumulative({ maxSeries: 1, idleMs: 1_000 });
    const rm = resourceMetrics([
      { ...deltaSum([[{}, 1]], 0, 1), aggregationTemporality: AggregationTemporality.CUMULATIVE },
    ]);
    assert.equal(d.convert(rm).resourceMetrics, rm);
  });
});
