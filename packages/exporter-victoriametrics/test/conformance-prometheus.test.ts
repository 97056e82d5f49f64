import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import { describe, it } from 'node:test';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import { DEFAULT_MAPPING_OPTIONS, mapResourceMetrics } from '../src';
import type { TimeSeries } from '../src';
import {
  END,
  END_MS,
  START,
  assertWellFormed,
  gauge,
  histogram,
  lines,
  sum,
  summary,
} from './helpers/fixtures';

/*
 * The shape of the series Prometheus' OTLP receiver writes, table by table from its own tests
 * (prometheus/prometheus, read at d15adb9a; each row names its file, test and case): the same
 * resource, points and values in, the series it expects out, in this file's `lines` form
 * (`name{labels} value@ms`, compared as sets). Names are as the receiver's default translation
 * (UnderscoreEscapingWithSuffixes) writes them, which is what this exporter does; the receiver's
 * unit tests that run with every option off (`Settings{}`) are used only where that changes
 * nothing. No scope labels here (scope.test.ts has those): the scopes have no name. Where this
 * exporter differs on purpose, the row says so and the README lists it.
 */

const P = 'storage/remote/otlptranslator/prometheusremotewrite';
const HELPER_TEST = `${P}/helper_test.go`;
const METRICS_TO_PRW_TEST = `${P}/metrics_to_prw_test.go`;
const NUMBER_POINTS_TEST = `${P}/number_data_points_test.go`;
const WRITE_HANDLER_TEST = 'storage/remote/write_otlp_handler_test.go';
const HELPER_GO = `${P}/helper.go (addResourceTargetInfo)`;

/** TestOTLPWriteHandler's resource. */
const HANDLER_RESOURCE = {
  'service.name': 'test-service',
  'service.instance.id': 'test-instance',
  'host.name': 'test-host',
};
const HANDLER_ID = 'instance="test-instance",job="test-service"';
const HANDLER_TARGET_INFO = `target_info{host_name="test-host",${HANDLER_ID}} 1@${END_MS}`;

/** TestPrometheusConverter_createAttributes' resource (its promotion cases are not ours). */
const ATTRIBUTES_RESOURCE = {
  'service.name': 'service name',
  'service.instance.id': 'service ID',
  'existent-attr': 'resource value',
  'metric-attr': 'resource value',
  job: 'resource value',
  instance: 'resource value',
};

function map(metrics: MetricDataLike[], resource: Attributes): TimeSeries[] {
  const result = mapResourceMetrics(
    { resource: { attributes: resource }, scopeMetrics: [{ scope: { name: '' }, metrics }] },
    { ...DEFAULT_MAPPING_OPTIONS },
  );
  assertWellFormed(result.series);
  return result.series;
}

const sorted = (xs: string[]) => [...xs].sort();

describe("series shape, as Prometheus' OTLP receiver writes it (its own tests)", () => {
  const table: {
    source: string;
    name: string;
    metrics: MetricDataLike[];
    resource: Attributes;
    expected: string[];
    /** Compare only the series of this metric family (the reference test builds no others). */
    only?: string;
  }[] = [
    {
      source: `${WRITE_HANDLER_TEST} TestOTLPWriteHandler`,
      name: 'UnderscoreEscapingWithSuffixes: a monotonic sum in By, its job, instance and target_info',
      metrics: [sum('test.counter', [[{ 'foo.bar': 'baz' }, 10]], { unit: 'By' })],
      resource: HANDLER_RESOURCE,
      expected: [
        `test_counter_bytes_total{foo_bar="baz",${HANDLER_ID}} 10@${END_MS}`,
        HANDLER_TARGET_INFO,
      ],
    },
    {
      source: `${WRITE_HANDLER_TEST} TestOTLPWriteHandler`,
      name: 'a histogram with six bounds and six counts: cumulative buckets, +Inf from the count',
      metrics: [
        histogram(
          'test.histogram',
          { 'foo.bar': 'baz' },
          { boundaries: [0, 1, 2, 3, 4, 5], counts: [2, 2, 2, 2, 2, 2], count: 12, sum: 30 },
          'By',
        ),
      ],
      resource: HANDLER_RESOURCE,
      expected: [
        ...(
          [
            ['0', 2],
            ['1', 4],
            ['2', 6],
            ['3', 8],
            ['4', 10],
            ['5', 12],
            ['+Inf', 12],
          ] as const
        ).map(
          ([le, v]) =>
            `test_histogram_bytes_bucket{foo_bar="baz",${HANDLER_ID},le="${le}"} ${v}@${END_MS}`,
        ),
        `test_histogram_bytes_sum{foo_bar="baz",${HANDLER_ID}} 30@${END_MS}`,
        `test_histogram_bytes_count{foo_bar="baz",${HANDLER_ID}} 12@${END_MS}`,
        HANDLER_TARGET_INFO,
      ],
    },
    {
      source: `${METRICS_TO_PRW_TEST} TestFromMetrics`,
      name: 'successful/convertHistogramsToNHCB=false: le as plain decimals; a resource without service.* writes no target_info',
      metrics: [
        histogram(
          'histogram-1',
          { 'series-name-1': 'value-1' },
          { boundaries: [0.124, 1.123], counts: [3, 11, 0], count: 15, sum: 155 },
        ),
      ],
      resource: { 'resource-name-1': 'value-1', 'resource-name-2': 'value-2' },
      expected: [
        `histogram_1_sum{series_name_1="value-1"} 155@${END_MS}`,
        `histogram_1_count{series_name_1="value-1"} 15@${END_MS}`,
        `histogram_1_bucket{le="0.124",series_name_1="value-1"} 3@${END_MS}`,
        `histogram_1_bucket{le="1.123",series_name_1="value-1"} 14@${END_MS}`,
        `histogram_1_bucket{le="+Inf",series_name_1="value-1"} 15@${END_MS}`,
      ],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_AddHistogramDataPoints`,
      name: 'histogram without start time: no sum, no bounds, count 0 → _count and the +Inf bucket, no _sum',
      metrics: [histogram('test_hist', {}, { boundaries: [], counts: [], count: 0 })],
      resource: {},
      expected: [`test_hist_count{} 0@${END_MS}`, `test_hist_bucket{le="+Inf"} 0@${END_MS}`],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_AddSummaryDataPoints`,
      name: 'summary without start time and without scope promotion and some quantiles',
      metrics: [
        summary('test_summary', {
          count: 50,
          sum: 100,
          quantiles: [
            [0.5, 30],
            [0.9, 40],
          ],
        }),
      ],
      resource: {},
      expected: [
        `test_summary_sum{} 100@${END_MS}`,
        `test_summary_count{} 50@${END_MS}`,
        `test_summary{quantile="0.5"} 30@${END_MS}`,
        `test_summary{quantile="0.9"} 40@${END_MS}`,
      ],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_AddSummaryDataPoints`,
      name: 'summary with start time: nothing set, _sum and _count still written (0)',
      metrics: [summary('test_summary', { count: 0, sum: 0, quantiles: [] })],
      resource: {},
      expected: [`test_summary_sum{} 0@${END_MS}`, `test_summary_count{} 0@${END_MS}`],
    },
    {
      source: `${METRICS_TO_PRW_TEST} TestTemporality`,
      name: 'gauge does not have temporality',
      metrics: [gauge('test_gauge_1', [[{ test_label: 'test_value' }, 5]])],
      resource: {},
      expected: [`test_gauge_1{test_label="test_value"} 5@${END_MS}`],
    },
    {
      source: `${NUMBER_POINTS_TEST} TestPrometheusConverter_addSumNumberDataPoints`,
      name: 'non-monotonic cumulative sum: the series a gauge would be (no _total under suffixes either)',
      metrics: [sum('test_sum', [[{}, 0]], { monotonic: false })],
      resource: {},
      expected: [`test_sum{} 0@${END_MS}`],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_createAttributes`,
      name: 'without resource attribute promotion: job and instance from service.*, the resource’s own job/instance/attributes left out',
      metrics: [
        gauge('test_metric', [
          [{ 'metric-attr': 'metric value', 'metric-attr-other': 'metric value other' }, 1],
        ]),
      ],
      resource: ATTRIBUTES_RESOURCE,
      only: 'test_metric',
      expected: [
        `test_metric{instance="service ID",job="service name",metric_attr="metric value",metric_attr_other="metric value other"} 1@${END_MS}`,
      ],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_createAttributes`,
      name: 'attributes colliding after sanitization: values joined with ";"',
      metrics: [gauge('test_metric', [[{ 'a.b': '1', a_b: '2' }, 1]])],
      resource: {},
      expected: [`test_metric{a_b="1;2"} 1@${END_MS}`],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_createAttributes`,
      name: 'three colliding attributes: joined in the byte order of the original keys (- . _)',
      metrics: [gauge('test_metric', [[{ a_b: '3', 'a.b': '2', 'a-b': '1' }, 1]])],
      resource: {},
      expected: [`test_metric{a_b="1;2;3"} 1@${END_MS}`],
    },
    {
      source: `${HELPER_TEST} TestPrometheusConverter_createAttributes`,
      name: 'multiple independent collision groups, an attribute outside them kept',
      metrics: [
        gauge('test_metric', [[{ 'a.b': '1', a_b: '2', 'c.d': '3', c_d: '4', unrelated: '9' }, 1]]),
      ],
      resource: {},
      expected: [`test_metric{a_b="1;2",c_d="3;4",unrelated="9"} 1@${END_MS}`],
    },
    {
      source: `${METRICS_TO_PRW_TEST} TestFromMetrics`,
      name: 'Keep identifying attributes (default off): job namespace/name, instance, the rest in target_info',
      metrics: [gauge('test_gauge', [[{}, 1]])],
      resource: {
        'service.name': 'test-service',
        'service.namespace': 'test-namespace',
        'service.instance.id': 'id1234',
        'resource-name-1': 'value-1',
        'resource-name-2': 'value-2',
      },
      expected: [
        `test_gauge{instance="id1234",job="test-namespace/test-service"} 1@${END_MS}`,
        `target_info{instance="id1234",job="test-namespace/test-service",resource_name_1="value-1",resource_name_2="value-2"} 1@${END_MS}`,
      ],
    },
    {
      source: HELPER_GO,
      name: 'a resource with nothing but service.name, .namespace and .instance.id writes no target_info',
      metrics: [gauge('test_gauge', [[{}, 1]])],
      resource: { 'service.name': 's', 'service.namespace': 'ns', 'service.instance.id': 'id' },
      expected: [`test_gauge{instance="id",job="ns/s"} 1@${END_MS}`],
    },
  ];

  for (const row of table) {
    it(`${row.name} (${row.source})`, () => {
      const series = map(row.metrics, row.resource).filter(
        (s) =>
          row.only === undefined ||
          s.labels.some((l) => l.name === '__name__' && l.value === row.only),
      );
      assert.deepEqual(sorted(lines(series)), sorted(row.expected));
    });
  }

  it(`an exemplar goes to the bucket whose range holds it, and does not leak to the next point (${HELPER_TEST} TestAddHistogramDataPoints_ExemplarLeakAcrossDataPoints)`, () => {
    const spanId = '0102030405060708';
    const traceId = '0102030405060708090a0b0c0d0e0f10';
    const metric = {
      descriptor: { name: 'test_hist', unit: '', description: '', valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [
        {
          attributes: { point: '1' },
          startTime: START,
          endTime: END,
          value: { buckets: { boundaries: [100], counts: [7, 3] }, count: 10, sum: 42 },
          exemplars: [{ value: 200, timestamp: END, spanId, traceId, filteredAttributes: {} }],
        },
        {
          attributes: { point: '2' },
          startTime: START,
          endTime: END,
          value: { buckets: { boundaries: [100], counts: [14, 6] }, count: 20, sum: 84 },
        },
      ],
    } as unknown as MetricDataLike;
    const series = map([metric], {});
    const withExemplars = series.filter((s) => (s.exemplars ?? []).length > 0);
    assert.deepEqual(lines(withExemplars), [`test_hist_bucket{le="+Inf",point="1"} 10@${END_MS}`]);
    assert.deepEqual(withExemplars[0].exemplars, [
      {
        labels: [
          { name: 'span_id', value: spanId },
          { name: 'trace_id', value: traceId },
        ],
        value: 200,
        timestampMs: END_MS,
      },
    ]);
    assert.deepEqual(
      sorted(lines(series.filter((s) => s.labels.some((l) => l.value === '2')))),
      sorted([
        `test_hist_sum{point="2"} 84@${END_MS}`,
        `test_hist_count{point="2"} 20@${END_MS}`,
        `test_hist_bucket{le="100",point="2"} 14@${END_MS}`,
        `test_hist_bucket{le="+Inf",point="2"} 20@${END_MS}`,
      ]),
    );
  });

  it(`differs on purpose: a point attribute named __name__ is kept as key_name_, where the receiver drops it (${HELPER_TEST} TestPrometheusConverter_createAttributes, "__name__ attribute in OTLP data is filtered")`, () => {
    const series = map(
      [gauge('correct_metric_name', [[{ __name__: 'wrong_name', other_attr: 'value' }, 1]])],
      {},
    );
    assert.deepEqual(lines(series), [
      `correct_metric_name{key_name_="wrong_name",other_attr="value"} 1@${END_MS}`,
    ]);
  });
});
