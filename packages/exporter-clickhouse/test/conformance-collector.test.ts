import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ValueType } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  AnyValue,
  MetricDataLike,
  ReadableLogRecordLike,
  ResourceLike,
} from '@otelpack/batching-core';
import { logRecordToRow } from '../src/mapping/logs';
import { resourceMetricsToRows } from '../src/mapping/metrics';
import { spanToRow } from '../src/mapping/spans';
import { attributesToMap, serviceNameOf } from '../src/mapping/values';
import { rowBinaryWriter } from '../src/encoding/row-binary';
import { logRowBinaryWriter, spanRowBinaryWriter } from '../src/encoding/row-binary-rows';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { INSERT_COLUMNS } from '../src/schema/tables';
import type { TableKind } from '../src/schema/tables';
import { makeLogRecord, makeSpan, traceState } from './fixtures';

/*
 * Whole rows as the OpenTelemetry Collector's ClickHouse exporter writes them: its integration
 * tests push one fixed input and read the first row back with `SELECT *`; those inputs, written
 * as the JS SDK hands them to an exporter, and the rows they expect. Each test names the file of
 * open-telemetry/opentelemetry-collector-contrib (under exporter/clickhouseexporter/) it comes
 * from. Rows are compared as the Collector's test reads them: times as [seconds, nanoseconds],
 * maps as objects. Both of our encodings of a row are held to the same bytes (the object's and
 * the one written straight from the SDK's record).
 */

const COLLECTOR = 'exporter/clickhouseexporter/';
/** integration_test.go's telemetryTimestamp: time.Unix(1703498029, 0). */
const TELEMETRY_SECONDS = 1_703_498_029;

/**
 * A row with its StringMap columns as objects, for comparison: `…Attributes` columns are maps,
 * and those of a Nested column (`Events.Attributes`, `Exemplars.FilteredAttributes`) arrays of them.
 */
function readBack(row: object): Record<string, unknown> {
  const asObject = (pairs: readonly [string, string][]) => Object.fromEntries(pairs);
  return Object.fromEntries(
    Object.entries(row).map(([column, value]: [string, unknown]) => {
      if (!column.endsWith('Attributes')) return [column, value];
      return column.includes('.')
        ? [column, (value as [string, string][][]).map(asObject)]
        : [column, asObject(value as [string, string][])];
    }),
  );
}

const COLLECTOR_RESOURCE: ResourceLike = {
  attributes: { 'service.name': 'test-service' },
  schemaUrl: 'https://opentelemetry.io/schemas/1.4.0',
};
const COLLECTOR_SCOPE = {
  name: 'io.opentelemetry.contrib.clickhouse',
  version: '1.0.0',
  schemaUrl: 'https://opentelemetry.io/schemas/1.7.0',
  attributes: { lib: 'clickhouse' },
};

test(`whole span row (${COLLECTOR}exporter_traces_integration_test.go verifyExportTraces)`, () => {
  // simpleTraces' first span (i = 0): ids 01 02 03 00…, parent 01 02 04 00…, a minute long,
  // status Error "error", one event and one link.
  const span = makeSpan(
    {
      name: 'call db',
      kind: 0, // the JS API's INTERNAL, pdata's SpanKindInternal
      parentSpanContext: {
        traceId: '01020300000000000000000000000000',
        spanId: '0102040000000000',
        traceFlags: 1,
      },
      startTime: [TELEMETRY_SECONDS, 0],
      endTime: [TELEMETRY_SECONDS + 60, 0],
      duration: [60, 0],
      attributes: { 'service.name': 'v' },
      status: { code: 2, message: 'error' },
      events: [{ name: 'event1', time: [TELEMETRY_SECONDS, 0], attributes: { level: 'info' } }],
      links: [
        {
          context: {
            traceId: '01020500000000000000000000000000',
            spanId: '0102050000000000',
            traceFlags: 0,
            traceState: traceState('error'),
          },
          attributes: { k: 'v' },
        },
      ],
      resource: COLLECTOR_RESOURCE,
      instrumentationScope: COLLECTOR_SCOPE,
    },
    {
      traceId: '01020300000000000000000000000000',
      spanId: '0102030000000000',
      traceState: traceState('trace state'),
    },
  );
  const expected = {
    Timestamp: [TELEMETRY_SECONDS, 0],
    TraceId: '01020300000000000000000000000000',
    SpanId: '0102030000000000',
    ParentSpanId: '0102040000000000',
    TraceState: 'trace state',
    SpanName: 'call db',
    SpanKind: 'Internal',
    ServiceName: 'test-service',
    ResourceAttributes: { 'service.name': 'test-service' },
    ScopeName: 'io.opentelemetry.contrib.clickhouse',
    ScopeVersion: '1.0.0',
    SpanAttributes: { 'service.name': 'v' },
    Duration: 60_000_000_000,
    StatusCode: 'Error',
    StatusMessage: 'error',
    'Events.Timestamp': [[TELEMETRY_SECONDS, 0]],
    'Events.Name': ['event1'],
    'Events.Attributes': [{ level: 'info' }],
    'Links.TraceId': ['01020500000000000000000000000000'],
    'Links.SpanId': ['0102050000000000'],
    'Links.TraceState': ['error'],
    'Links.Attributes': [{ k: 'v' }],
  };
  const row = spanToRow(span);
  assert.deepEqual(readBack(row), expected);
  assert.deepEqual(
    spanRowBinaryWriter(new ResourceColumnsCache())(span),
    rowBinaryWriter(INSERT_COLUMNS.traces)(row),
  );
});

/** simpleLogs' first record (i = 0), with a string or a map body. */
function collectorLogRecord(body: ReadableLogRecordLike['body']): ReadableLogRecordLike {
  return makeLogRecord({
    hrTime: [TELEMETRY_SECONDS, 0],
    hrTimeObserved: [TELEMETRY_SECONDS, 0],
    severityNumber: 18, // SeverityNumberError2
    severityText: 'error',
    eventName: 'event',
    body,
    attributes: { 'service.namespace': 'default' },
    // DefaultLogRecordFlags: 0
    spanContext: {
      traceId: '01020300000000000000000000000000',
      spanId: '0102030000000000',
      traceFlags: 0,
    },
    resource: COLLECTOR_RESOURCE,
    instrumentationScope: COLLECTOR_SCOPE,
  });
}

const COLLECTOR_LOG_ROW = {
  Timestamp: [TELEMETRY_SECONDS, 0],
  TraceId: '01020300000000000000000000000000',
  SpanId: '0102030000000000',
  TraceFlags: 0,
  SeverityText: 'error',
  SeverityNumber: 18,
  ServiceName: 'test-service',
  Body: 'error message',
  ResourceSchemaUrl: 'https://opentelemetry.io/schemas/1.4.0',
  ResourceAttributes: { 'service.name': 'test-service' },
  ScopeSchemaUrl: 'https://opentelemetry.io/schemas/1.7.0',
  ScopeName: 'io.opentelemetry.contrib.clickhouse',
  ScopeVersion: '1.0.0',
  ScopeAttributes: { lib: 'clickhouse' },
  LogAttributes: { 'service.namespace': 'default' },
  EventName: 'event',
};

// The Collector's test also reads TimestampTime, a column its current otel_logs no longer has
// (README): the rows here are the current table's.
const LOG_ROWS: [name: string, body: ReadableLogRecordLike['body'], Body: string][] = [
  ['string body', 'error message', 'error message'],
  ['map body', { error: 'message' }, '{"error":"message"}'],
];

for (const [name, body, writtenBody] of LOG_ROWS) {
  test(`whole log row, ${name} (${COLLECTOR}exporter_logs_integration_test.go verifyExportLogs)`, () => {
    const record = collectorLogRecord(body);
    const row = logRecordToRow(record);
    assert.deepEqual(readBack(row), { ...COLLECTOR_LOG_ROW, Body: writtenBody });
    assert.deepEqual(
      logRowBinaryWriter(new ResourceColumnsCache())(record),
      rowBinaryWriter(INSERT_COLUMNS.logs)(row),
    );
  });
}

// Metric rows: exporter_metrics_integration_test.go simpleMetrics' first resource, scope and
// points (i = 0), and the rows verifyGaugeMetric, verifySumMetric, verifyHistogramMetric and
// verifyExphistogramMetric read back. Differences that come from the JS SDK, not the mapping,
// are applied to the Collector's rows first (README): the SDK exports no exemplars, has no
// dropped-attribute count on scopes (the Collector's input has 10), and gives every sum and
// histogram a temporality (the Collector's input leaves it unspecified, 0). The JS SDK has no
// summary points, so verifySummaryMetric has no row here.

const METRIC_RESOURCE: ResourceLike = {
  attributes: { 'service.name': 'demo 1', 'Resource Attributes 1': 'value1' },
  schemaUrl: 'Resource SchemaUrl 1',
};
const METRIC_SCOPE = {
  name: 'Scope name 1',
  version: 'Scope version 1',
  schemaUrl: 'Scope SchemaUrl 1',
  attributes: { 'Scope Attributes 1': 'value1' },
};
const AT: [number, number] = [TELEMETRY_SECONDS, 0];

function collectorMetricBase(name: string, description: string, unit: string, attributes: object) {
  return {
    ResourceAttributes: { 'service.name': 'demo 1', 'Resource Attributes 1': 'value1' },
    ResourceSchemaUrl: 'Resource SchemaUrl 1',
    ScopeName: 'Scope name 1',
    ScopeVersion: 'Scope version 1',
    ScopeAttributes: { 'Scope Attributes 1': 'value1' },
    ScopeDroppedAttrCount: 10,
    ScopeSchemaUrl: 'Scope SchemaUrl 1',
    ServiceName: 'demo 1',
    MetricName: name,
    MetricDescription: description,
    MetricUnit: unit,
    Attributes: attributes,
    StartTimeUnix: AT,
    TimeUnix: AT,
    'Exemplars.FilteredAttributes': [{ key: 'value', key2: 'value2' }],
    'Exemplars.TimeUnix': [AT],
    'Exemplars.Value': [54],
    'Exemplars.SpanId': ['0102030000000000'],
    'Exemplars.TraceId': ['01020300000000000000000000000000'],
  };
}

/** One metric of simpleMetrics with its one point at the test's time. */
function collectorMetric(
  dataPointType: DataPointType,
  [name, description, unit]: [string, string, string],
  attributes: Record<string, string>,
  value: unknown,
): MetricDataLike {
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType,
    ...(dataPointType === DataPointType.SUM ? { isMonotonic: false } : {}),
    dataPoints: [{ startTime: AT, endTime: AT, attributes, value }],
  } as MetricDataLike;
}

const GAUGE: [string, string, string] = ['gauge metrics', 'This is a gauge metrics', 'count'];
const SUM: [string, string, string] = ['sum metrics', 'This is a sum metrics', 'count'];
const HISTOGRAM: [string, string, string] = [
  'histogram metrics',
  'This is a histogram metrics',
  'ms',
];
const EXP_HISTOGRAM: [string, string, string] = [
  'exp histogram metrics',
  'This is a exp histogram metrics',
  'ms',
];
const TWO_KEYS = { key: 'value', key2: 'value' };

const METRIC_ROWS: {
  name: string;
  table: TableKind;
  metric: MetricDataLike;
  collectorRow: Record<string, unknown>;
}[] = [
  {
    name: 'verifyGaugeMetric',
    table: 'gauge',
    metric: collectorMetric(DataPointType.GAUGE, GAUGE, { gauge_label_1: '1' }, 0),
    collectorRow: { ...collectorMetricBase(...GAUGE, { gauge_label_1: '1' }), Value: 0, Flags: 0 },
  },
  {
    name: 'verifySumMetric',
    table: 'sum',
    metric: collectorMetric(DataPointType.SUM, SUM, { sum_label_1: '1' }, 11.234),
    collectorRow: {
      ...collectorMetricBase(...SUM, { sum_label_1: '1' }),
      Value: 11.234,
      Flags: 0,
      AggregationTemporality: 0,
      IsMonotonic: false,
    },
  },
  {
    name: 'verifyHistogramMetric',
    table: 'histogram',
    metric: collectorMetric(DataPointType.HISTOGRAM, HISTOGRAM, TWO_KEYS, {
      count: 1,
      sum: 1,
      min: 0,
      max: 1,
      buckets: { boundaries: [0, 0, 0, 0, 0], counts: [0, 0, 0, 1, 0] },
    }),
    collectorRow: {
      ...collectorMetricBase(...HISTOGRAM, TWO_KEYS),
      'Exemplars.Value': [55.22],
      Count: 1,
      Sum: 1,
      BucketCounts: [0, 0, 0, 1, 0],
      ExplicitBounds: [0, 0, 0, 0, 0],
      Flags: 0,
      Min: 0,
      Max: 1,
      AggregationTemporality: 0,
    },
  },
  {
    name: 'verifyExphistogramMetric',
    table: 'exponentialHistogram',
    metric: collectorMetric(DataPointType.EXPONENTIAL_HISTOGRAM, EXP_HISTOGRAM, TWO_KEYS, {
      count: 1,
      sum: 1,
      min: 0,
      max: 1,
      scale: 0,
      zeroCount: 0,
      positive: { offset: 1, bucketCounts: [0, 0, 0, 1, 0] },
      negative: { offset: 1, bucketCounts: [0, 0, 0, 1, 0] },
    }),
    collectorRow: {
      ...collectorMetricBase(...EXP_HISTOGRAM, TWO_KEYS),
      Count: 1,
      Sum: 1,
      Scale: 0,
      ZeroCount: 0,
      PositiveOffset: 1,
      PositiveBucketCounts: [0, 0, 0, 1, 0],
      NegativeOffset: 1,
      NegativeBucketCounts: [0, 0, 0, 1, 0],
      Flags: 0,
      Min: 0,
      Max: 1,
      AggregationTemporality: 0,
    },
  },
];

/** What the JS SDK cannot carry, applied to a row of the Collector's (see above). */
function asTheJsSdkCarriesIt(row: Record<string, unknown>): Record<string, unknown> {
  const adjusted: Record<string, unknown> = {
    ...row,
    ScopeDroppedAttrCount: 0,
    'Exemplars.FilteredAttributes': [],
    'Exemplars.TimeUnix': [],
    'Exemplars.Value': [],
    'Exemplars.SpanId': [],
    'Exemplars.TraceId': [],
  };
  // CUMULATIVE, as the SDK's default reader hands every sum and histogram (OTLP's 2).
  if ('AggregationTemporality' in row) adjusted.AggregationTemporality = 2;
  return adjusted;
}

for (const row of METRIC_ROWS) {
  test(`whole metric row, ${row.table} (${COLLECTOR}exporter_metrics_integration_test.go ${row.name})`, () => {
    const { rows, failures } = resourceMetricsToRows({
      resource: METRIC_RESOURCE,
      scopeMetrics: [{ scope: METRIC_SCOPE, metrics: [row.metric] }],
    });
    assert.deepEqual(failures, []);
    assert.deepEqual(
      rows.map((mapped) => mapped.table),
      [row.table],
    );
    assert.deepEqual(readBack(rows[0].row), asTheJsSdkCarriesIt(row.collectorRow));
  });
}

/*
 * The Collector's unit tests of single values (internal/metrics/metrics_model_test.go, whose
 * helpers every table's rows go through): an attribute map as its Map(String, String) column, and
 * ServiceName from the resource.
 */
const METRICS_MODEL_TEST = `${COLLECTOR}internal/metrics/metrics_model_test.go`;

test(`attribute values as map values: text as it is, true as "true", 0 and 0.0 as "0" (${METRICS_MODEL_TEST} Test_attributesToMap)`, () => {
  assert.deepEqual(
    Object.fromEntries(attributesToMap({ key: 'value', bool: true, int: 0, double: 0.0 })),
    { key: 'value', bool: 'true', int: '0', double: '0' },
  );
});

test(`ServiceName: unset, a string, an empty value, a boolean (${METRICS_MODEL_TEST} Test_GetServiceName)`, () => {
  const cases: [string, Record<string, AnyValue>, string][] = [
    ['no service name', {}, ''],
    ['normal service name', { 'service.name': 'test-service' }, 'test-service'],
    // pdata's PutEmpty: a value of no type, which AsString writes as ""; the SDK's null.
    ['empty service name', { 'service.name': null }, ''],
    ['non-string service name', { 'service.name': true }, 'true'],
  ];
  for (const [name, attributes, expected] of cases) {
    assert.equal(serviceNameOf(attributes), expected, name);
    const { rows } = resourceMetricsToRows({
      resource: { attributes: attributes as ResourceLike['attributes'] },
      scopeMetrics: [
        { scope: METRIC_SCOPE, metrics: [collectorMetric(DataPointType.GAUGE, GAUGE, {}, 1)] },
      ],
    });
    assert.equal(readBack(rows[0].row).ServiceName, expected, `${name}: the row's column`);
  }
});

test(`each row keeps its own resource schema URL and scope, several scopes under one resource (${COLLECTOR}exporter_metrics_test.go TestExporter_pushMetricsData, "check Resource metadata and scope metadata")`, () => {
  const gauge = collectorMetric(DataPointType.GAUGE, GAUGE, {}, 1);
  const { rows } = resourceMetricsToRows({
    resource: { attributes: { 'service.name': 'demo 2' }, schemaUrl: 'Resource SchemaUrl 2' },
    scopeMetrics: [
      { scope: { name: 'Scope name 2', version: 'Scope version 2' }, metrics: [gauge] },
      { scope: { name: 'Scope name 3', version: 'Scope version 3' }, metrics: [gauge] },
    ],
  });
  assert.deepEqual(
    rows.map((mapped) => {
      const row = readBack(mapped.row);
      return [row.ResourceSchemaUrl, row.ScopeName, row.ScopeVersion];
    }),
    [
      ['Resource SchemaUrl 2', 'Scope name 2', 'Scope version 2'],
      ['Resource SchemaUrl 2', 'Scope name 3', 'Scope version 3'],
    ],
  );
});
