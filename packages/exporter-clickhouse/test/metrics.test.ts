import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike, ResourceMetricsLike } from '@otelpack/batching-core';
import { otlpTemporality, resourceMetricsToRows } from '../src/mapping/metrics';
import type { MetricRowBase } from '../src/mapping/metrics';
import { RESOURCE, SCOPE } from './fixtures';

const START: [number, number] = [1_700_000_000, 1];
const END: [number, number] = [1_700_000_060, 999_999_999];

function collection(metrics: MetricDataLike[]): ResourceMetricsLike {
  return { resource: RESOURCE, scopeMetrics: [{ scope: SCOPE, metrics }] };
}

function descriptor(name: string) {
  return { name, description: `${name} help`, unit: 'ms', valueType: 1 };
}

const BASE: Omit<MetricRowBase, 'MetricName' | 'MetricDescription' | 'Attributes'> = {
  ResourceAttributes: [
    ['deployment.environment.name', 'prod'],
    ['host.name', 'web-1'],
    ['service.name', 'checkout'],
  ],
  ResourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
  ScopeName: '@acme/http',
  ScopeVersion: '2.1.0',
  ScopeAttributes: [['scope.attr', 'yes']],
  ScopeDroppedAttrCount: 0,
  ScopeSchemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
  ServiceName: 'checkout',
  MetricUnit: 'ms',
  StartTimeUnix: START,
  TimeUnix: END,
  'Exemplars.FilteredAttributes': [],
  'Exemplars.TimeUnix': [],
  'Exemplars.Value': [],
  'Exemplars.SpanId': [],
  'Exemplars.TraceId': [],
};

test('the SDK temporality becomes the OTLP number the Collector stores', () => {
  assert.equal(otlpTemporality(AggregationTemporality.DELTA), 1);
  assert.equal(otlpTemporality(AggregationTemporality.CUMULATIVE), 2);
  assert.equal(otlpTemporality(7), 0);
});

test('gauges and sums map to one row per data point, in their tables', () => {
  const { rows, failures } = resourceMetricsToRows(
    collection([
      {
        descriptor: descriptor('queue.depth'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [{ startTime: START, endTime: END, attributes: { queue: 'b' }, value: NaN }],
      },
      {
        descriptor: descriptor('http.requests'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.SUM,
        isMonotonic: true,
        dataPoints: [
          { startTime: START, endTime: END, attributes: { route: '/a', code: 200 }, value: 12 },
          { startTime: START, endTime: END, attributes: {}, value: 0.5 },
        ],
      },
      {
        descriptor: descriptor('inflight'),
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.SUM,
        isMonotonic: false,
        dataPoints: [{ startTime: START, endTime: END, attributes: {}, value: -3 }],
      },
    ]),
  );
  assert.deepEqual(failures, []);
  assert.deepEqual(rows, [
    {
      table: 'gauge',
      row: {
        ...BASE,
        MetricName: 'queue.depth',
        MetricDescription: 'queue.depth help',
        Attributes: [['queue', 'b']],
        Value: NaN,
        Flags: 0,
      },
    },
    {
      table: 'sum',
      row: {
        ...BASE,
        MetricName: 'http.requests',
        MetricDescription: 'http.requests help',
        Attributes: [
          ['code', '200'],
          ['route', '/a'],
        ],
        Value: 12,
        Flags: 0,
        AggregationTemporality: 2,
        IsMonotonic: true,
      },
    },
    {
      table: 'sum',
      row: {
        ...BASE,
        MetricName: 'http.requests',
        MetricDescription: 'http.requests help',
        Attributes: [],
        Value: 0.5,
        Flags: 0,
        AggregationTemporality: 2,
        IsMonotonic: true,
      },
    },
    {
      table: 'sum',
      row: {
        ...BASE,
        MetricName: 'inflight',
        MetricDescription: 'inflight help',
        Attributes: [],
        Value: -3,
        Flags: 0,
        AggregationTemporality: 1,
        IsMonotonic: false,
      },
    },
  ]);
});

test('histograms keep buckets, bounds, sum, min and max; absent ones are 0 as in the reference', () => {
  const { rows } = resourceMetricsToRows(
    collection([
      {
        descriptor: descriptor('latency'),
        aggregationTemporality: AggregationTemporality.DELTA,
        dataPointType: DataPointType.HISTOGRAM,
        dataPoints: [
          {
            startTime: START,
            endTime: END,
            attributes: { route: '/a' },
            value: {
              buckets: { boundaries: [5, 10, Infinity], counts: [1, 0, 3, 2] },
              sum: 123.5,
              count: 6,
              min: 0.5,
              max: 99,
            },
          },
          {
            startTime: START,
            endTime: END,
            attributes: {},
            value: { buckets: { boundaries: [], counts: [0] }, count: 0 },
          },
        ],
      },
    ]),
  );
  assert.deepEqual(rows, [
    {
      table: 'histogram',
      row: {
        ...BASE,
        MetricName: 'latency',
        MetricDescription: 'latency help',
        Attributes: [['route', '/a']],
        Count: 6,
        Sum: 123.5,
        BucketCounts: [1, 0, 3, 2],
        ExplicitBounds: [5, 10, Infinity],
        Flags: 0,
        Min: 0.5,
        Max: 99,
        AggregationTemporality: 1,
      },
    },
    {
      table: 'histogram',
      row: {
        ...BASE,
        MetricName: 'latency',
        MetricDescription: 'latency help',
        Attributes: [],
        Count: 0,
        Sum: 0,
        BucketCounts: [0],
        ExplicitBounds: [],
        Flags: 0,
        Min: 0,
        Max: 0,
        AggregationTemporality: 1,
      },
    },
  ]);
});

test('exponential histograms keep scale, offsets and both bucket ranges', () => {
  const { rows } = resourceMetricsToRows(
    collection([
      {
        descriptor: descriptor('size'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: [
          {
            startTime: START,
            endTime: END,
            attributes: {},
            value: {
              count: 9,
              sum: 42,
              scale: -2,
              zeroCount: 1,
              positive: { offset: 3, bucketCounts: [2, 0, 4] },
              negative: { offset: -1, bucketCounts: [2] },
              min: -7,
              max: 40,
            },
          },
        ],
      },
    ]),
  );
  assert.deepEqual(rows, [
    {
      table: 'exponentialHistogram',
      row: {
        ...BASE,
        MetricName: 'size',
        MetricDescription: 'size help',
        Attributes: [],
        Count: 9,
        Sum: 42,
        Scale: -2,
        ZeroCount: 1,
        PositiveOffset: 3,
        PositiveBucketCounts: [2, 0, 4],
        NegativeOffset: -1,
        NegativeBucketCounts: [2],
        Flags: 0,
        Min: -7,
        Max: 40,
        AggregationTemporality: 2,
      },
    },
  ]);
});

test('ugly counts are sanitised into UInt64 and Int32 ranges', () => {
  const { rows } = resourceMetricsToRows(
    collection([
      {
        descriptor: descriptor('ugly'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
        dataPoints: [
          {
            startTime: START,
            endTime: END,
            attributes: {},
            value: {
              count: 2 ** 70,
              scale: 1e12,
              zeroCount: NaN,
              positive: { offset: -Infinity, bucketCounts: [-1, 2.9, 2 ** 60, Infinity] },
              negative: { offset: 0, bucketCounts: [] },
            },
          },
        ],
      },
    ]),
  );
  const row = rows[0].row as unknown as Record<string, unknown>;
  assert.equal(row.Count, 18_446_744_073_709_551_615n);
  assert.equal(row.Scale, 2_147_483_647);
  assert.equal(row.ZeroCount, 0);
  assert.equal(row.PositiveOffset, -2_147_483_648);
  assert.deepEqual(row.PositiveBucketCounts, [
    0,
    2,
    1_152_921_504_606_846_976n,
    18_446_744_073_709_551_615n,
  ]);
  assert.equal(row.Sum, 0);
});

test('a data point that cannot be mapped is left out and named; the others still map', () => {
  const { rows, failures } = resourceMetricsToRows(
    collection([
      {
        descriptor: descriptor('mixed'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: DataPointType.GAUGE,
        dataPoints: [
          { startTime: START, endTime: [NaN, 0], attributes: {}, value: 1 },
          { startTime: START, endTime: END, attributes: {}, value: 2 },
        ],
      },
      {
        descriptor: descriptor('future'),
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPointType: 99,
        dataPoints: [{ startTime: START, endTime: END, attributes: {}, value: 1 }],
      } as unknown as MetricDataLike,
    ]),
  );
  assert.equal(rows.length, 1);
  assert.equal((rows[0].row as { Value: number }).Value, 2);
  assert.deepEqual(
    failures.map((failure) => failure.detail),
    [
      'metric mixed: data point endTime is not a finite HrTime: [NaN, 0]',
      'metric future: unknown data point type 99',
    ],
  );
  // Each with its data point, for the dead-letter handler.
  assert.deepEqual(
    failures.map((failure) => (failure.item as { dataPoint: { value: unknown } }).dataPoint.value),
    [1, 1],
  );
});
