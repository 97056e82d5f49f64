import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import { mergeMultiMetric, resourceMetricsToEvents, toRecord } from '../src';
import type { HecEvent, MetricMappingOptions } from '../src';
import { histogramMetric, hr, numberMetric, resourceMetrics } from './helpers/items';

/*
 * The Collector's metric mapping, row by row: the data of open-telemetry/opentelemetry-collector-contrib
 * exporter/splunkhecexporter/metricdata_to_splunk_test.go (Test_metricDataToSplunk,
 * Test_mergeEventsToMultiMetricFormat; the same cases now sit in pkg/translator/splunk/, with the
 * mapping), compared on the JSON we send. The JS SDK has no summary
 * points, so the summary row has no counterpart here.
 */
const SOURCE = 'exporter/splunkhecexporter/metricdata_to_splunk_test.go';

const TS = hr(1_574_092_046_011_000_000n); // time.Unix(1574092046, 11ms)
const TS_SECONDS = 1574092046.011;
const DIMS = { k0: 'v0', k1: 'v1' };
const ROUTED = {
  'com.splunk.source': 'mysource',
  'host.name': 'myhost',
  'com.splunk.sourcetype': 'mysourcetype',
  'com.splunk.index': 'myindex',
  ...DIMS,
};
const OPTIONS: MetricMappingOptions = { source: '', sourcetype: '', index: '', multiMetric: false };
const INT = 0;
const DOUBLE = 1;

function unrouted(fields: Record<string, unknown>): Record<string, unknown> {
  return { time: TS_SECONDS, host: 'unknown', event: 'metric', fields: { ...DIMS, ...fields } };
}

interface Row {
  name: string;
  resource: Record<string, string>;
  metric: MetricDataLike;
  options?: MetricMappingOptions;
  want: Record<string, unknown>[];
}

const gauge = (value: number, valueType: 0 | 1, name = 'gauge_with_dims') =>
  numberMetric(name, DataPointType.GAUGE, [{ value, time: TS }], valueType);

const ROWS: Row[] = [
  {
    name: 'nil_gauge_value',
    resource: DIMS,
    metric: numberMetric('gauge_with_dims', DataPointType.GAUGE, [], DOUBLE),
    want: [],
  },
  {
    name: 'nan_gauge_value',
    resource: DIMS,
    metric: gauge(NaN, DOUBLE),
    want: [unrouted({ 'metric_name:gauge_with_dims': 'NaN', metric_type: 'Gauge' })],
  },
  {
    name: '+Inf_gauge_value',
    resource: DIMS,
    metric: gauge(Infinity, DOUBLE),
    want: [unrouted({ 'metric_name:gauge_with_dims': '+Inf', metric_type: 'Gauge' })],
  },
  {
    name: '-Inf_gauge_value',
    resource: DIMS,
    metric: gauge(-Infinity, DOUBLE),
    want: [unrouted({ 'metric_name:gauge_with_dims': '-Inf', metric_type: 'Gauge' })],
  },
  {
    name: 'nil_histogram_value',
    resource: DIMS,
    metric: histogramMetric('histogram_with_dims', []),
    want: [],
  },
  {
    name: 'nil_sum_value',
    resource: DIMS,
    metric: numberMetric('sum_with_dims', DataPointType.SUM, [], DOUBLE),
    want: [],
  },
  ...(
    [
      ['int_gauge', 'gauge_int_with_dims', 123, INT],
      ['double_gauge', 'gauge_double_with_dims', 1234.5678, DOUBLE],
    ] as const
  ).map(([name, metricName, value, type]) => ({
    name,
    resource: ROUTED,
    metric: gauge(value, type, metricName),
    want: [
      {
        time: TS_SECONDS,
        host: 'myhost',
        source: 'mysource',
        sourcetype: 'mysourcetype',
        index: 'myindex',
        event: 'metric',
        fields: { ...DIMS, [`metric_name:${metricName}`]: value, metric_type: 'Gauge' },
      },
    ],
  })),
  {
    name: 'histogram_no_upper_bound (counts do not match the bounds: no buckets)',
    resource: DIMS,
    metric: histogramMetric('double_histogram_with_dims', [
      {
        time: TS,
        value: { buckets: { boundaries: [1, 2, 4], counts: [4, 2, 3] }, sum: 23, count: 7 },
      },
    ]),
    want: [
      unrouted({ 'metric_name:double_histogram_with_dims_sum': 23, metric_type: 'Histogram' }),
      unrouted({ 'metric_name:double_histogram_with_dims_count': 7, metric_type: 'Histogram' }),
    ],
  },
  {
    name: 'histogram',
    resource: DIMS,
    metric: histogramMetric('double_histogram_with_dims', [
      {
        time: TS,
        value: { buckets: { boundaries: [1, 2, 4], counts: [4, 2, 3, 5] }, sum: 23, count: 7 },
      },
    ]),
    want: [
      unrouted({ 'metric_name:double_histogram_with_dims_sum': 23, metric_type: 'Histogram' }),
      unrouted({ 'metric_name:double_histogram_with_dims_count': 7, metric_type: 'Histogram' }),
      ...(
        [
          ['1', 4],
          ['2', 6],
          ['4', 9],
          ['+Inf', 14],
        ] as const
      ).map(([le, value]) =>
        unrouted({
          le,
          'metric_name:double_histogram_with_dims_bucket': value,
          metric_type: 'Histogram',
        }),
      ),
    ],
  },
  {
    name: 'int_sum',
    resource: DIMS,
    metric: numberMetric('int_sum_with_dims', DataPointType.SUM, [{ value: 62, time: TS }], INT),
    want: [unrouted({ 'metric_name:int_sum_with_dims': 62, metric_type: 'Sum' })],
  },
  {
    name: 'double_sum',
    resource: DIMS,
    metric: numberMetric(
      'double_sum_with_dims',
      DataPointType.SUM,
      [{ value: 62, time: TS }],
      DOUBLE,
    ),
    want: [unrouted({ 'metric_name:double_sum_with_dims': 62, metric_type: 'Sum' })],
  },
  {
    name: 'custom_config_mapping',
    resource: {
      mysource: 'mysource2',
      myhost: 'myhost2',
      mysourcetype: 'mysourcetype2',
      myindex: 'myindex2',
      ...DIMS,
    },
    metric: gauge(1234.5678, DOUBLE, 'gauge_double_with_dims'),
    options: {
      ...OPTIONS,
      attributes: {
        source: 'mysource',
        sourcetype: 'mysourcetype',
        index: 'myindex',
        host: 'myhost',
      },
    },
    want: [
      {
        time: TS_SECONDS,
        host: 'myhost2',
        source: 'mysource2',
        sourcetype: 'mysourcetype2',
        index: 'myindex2',
        event: 'metric',
        fields: { ...DIMS, 'metric_name:gauge_double_with_dims': 1234.5678, metric_type: 'Gauge' },
      },
    ],
  },
];

const wire = (events: HecEvent[]) => events.map((e) => JSON.parse(toRecord(e).json) as unknown);

describe('metrics: the Collector splunkhecexporter mapping', () => {
  for (const row of ROWS) {
    it(`${row.name} (${SOURCE})`, () => {
      const { events, unmapped } = resourceMetricsToEvents(
        resourceMetrics(row.resource, [row.metric]),
        row.options ?? OPTIONS,
      );
      assert.deepEqual(wire(events), row.want);
      assert.deepEqual(unmapped, []);
    });
  }

  it('histogram: a NaN sum is left out, and point attributes are dimensions (pkg/translator/splunk/metrics_to_splunk.go)', () => {
    const metric = histogramMetric('h', [
      {
        time: TS,
        attributes: { route: '/a' },
        value: { buckets: { boundaries: [0.5, 1e6], counts: [1, 0, 2] }, sum: NaN, count: 3 },
      },
    ]);
    const { events } = resourceMetricsToEvents(resourceMetrics({}, [metric]), OPTIONS);
    assert.deepEqual(
      events.map((e) => [
        e.fields.le,
        e.fields['metric_name:h_count'] ?? e.fields['metric_name:h_bucket'],
        e.fields.route,
      ]),
      [
        [undefined, 3, '/a'],
        ['0.5', 1, '/a'],
        ['1e+06', 1, '/a'],
        ['+Inf', 3, '/a'],
      ],
    );
  });

  it('an exponential histogram, which the Collector has no case for, is not mapped, and each point says why (pkg/translator/splunk/metrics_to_splunk.go: the default case, "Point with unsupported type")', () => {
    const metric = {
      descriptor: { name: 'latency', description: '', unit: '', valueType: DOUBLE },
      aggregationTemporality: 1,
      dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
      dataPoints: [
        {
          startTime: TS,
          endTime: TS,
          attributes: {},
          value: {
            count: 1,
            scale: 0,
            zeroCount: 0,
            positive: { offset: 0, bucketCounts: [1] },
            negative: { offset: 0, bucketCounts: [] },
          },
        },
      ],
    } as MetricDataLike;
    const { events, unmapped } = resourceMetricsToEvents(resourceMetrics(DIMS, [metric]), OPTIONS);
    assert.deepEqual(events, []);
    assert.equal(unmapped.length, 1);
    assert.match(unmapped[0].detail, /exponential histograms have no HEC mapping/);
  });
});

describe('multiMetric: the Collector mergeEventsToMultiMetricFormat', () => {
  const event = (host: string, fields: Record<string, unknown>): HecEvent => ({
    time: TS_SECONDS,
    host,
    source: 'source',
    sourcetype: 'sourcetype',
    index: 'index',
    event: 'metric',
    fields,
  });
  const ROWS_MERGE: { name: string; events: HecEvent[]; merged: HecEvent[] }[] = [
    { name: 'no events', events: [], merged: [] },
    {
      name: 'two events that can merge',
      events: [
        event('host', { foo: 'bar', 'metric_name:mem': 123 }),
        event('host', { foo: 'bar', 'metric_name:othermem': 1233.4 }),
      ],
      merged: [
        event('host', { foo: 'bar', 'metric_name:mem': 123, 'metric_name:othermem': 1233.4 }),
      ],
    },
    {
      name: 'two events that cannot merge',
      events: [
        event('host', { foo: 'bar', 'metric_name:mem': 123 }),
        event('host2', { foo: 'bar', 'metric_name:othermem': 1233.4 }),
      ],
      merged: [
        event('host', { foo: 'bar', 'metric_name:mem': 123 }),
        event('host2', { foo: 'bar', 'metric_name:othermem': 1233.4 }),
      ],
    },
    {
      name: 'two events with the same fields, but different metric value, last value wins',
      events: [
        event('host', { foo: 'bar', 'metric_name:mem': 123 }),
        event('host', { foo: 'bar', 'metric_name:mem': 1233.4 }),
      ],
      merged: [event('host', { foo: 'bar', 'metric_name:mem': 1233.4 })],
    },
  ];
  for (const row of ROWS_MERGE) {
    it(`${row.name} (${SOURCE})`, () => {
      assert.deepEqual(mergeMultiMetric(row.events), row.merged);
    });
  }

  it('the multiMetric option merges a gauge and a sum of the same point into one event', () => {
    const metrics = [
      numberMetric('a', DataPointType.GAUGE, [{ value: 1, time: TS }], INT),
      numberMetric('b', DataPointType.GAUGE, [{ value: 2, time: TS }], INT),
    ];
    const { events } = resourceMetricsToEvents(resourceMetrics(DIMS, metrics), {
      ...OPTIONS,
      multiMetric: true,
    });
    assert.deepEqual(wire(events), [
      unrouted({ 'metric_name:a': 1, 'metric_name:b': 2, metric_type: 'Gauge' }),
    ]);
  });

  it('unknown_type: a point type the mapping does not know is not mapped, and says its type, not another (pkg/translator/splunk/metrics_to_splunk_test.go)', () => {
    const metric = {
      ...numberMetric('unknown_with_dims', DataPointType.GAUGE, [{ value: 1, time: TS }], DOUBLE),
      dataPointType: 99,
    } as unknown as MetricDataLike;
    const { events, unmapped } = resourceMetricsToEvents(resourceMetrics(DIMS, [metric]), OPTIONS);
    assert.deepEqual(events, []);
    assert.equal(unmapped.length, 1);
    assert.match(unmapped[0].detail, /^data point type 99 has no HEC mapping/);
  });
});
