import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import { metricNamesHash } from '../src/mapping/otel-mode';
import { encodeDocument } from '../src/bulk/record';
import {
  END,
  PARENT_SPAN_ID,
  SPAN_ID,
  START,
  TRACE_ID,
  context,
  gauge,
  logRecord,
  plain,
  point,
  resource,
  resourceMetrics,
  scope,
  settings,
  span,
  sum,
} from './helpers/fixtures';

const otel = settings();

test('otel span: the Collector’s document, field for field', () => {
  const docs = mapSpan(
    span({
      parent: context(TRACE_ID, PARENT_SPAN_ID),
      status: { code: 2, message: 'card declined' },
      attributes: {
        'http.request.method': 'POST',
        'http.response.status_code': 402,
        retries: [1, 2],
        'data_stream.dataset': 'shop',
      },
      links: [
        {
          context: context('100f0e0d0c0b0a090807060504030201', '0807060504030201'),
          attributes: { 'link.type': 'follows_from' },
        },
      ],
      resource: resource({ 'service.name': 'checkout' }, 'https://opentelemetry.io/schemas/1.26.0'),
      scope: scope({ attributes: { 'scope.attr': 'x' } }),
      droppedAttributesCount: 2,
    }),
    otel,
  );
  assert.equal(docs.length, 1);
  const [doc] = docs;
  assert.deepEqual(doc.target, {
    index: 'traces-shop.otel-default',
    dataStream: { type: 'traces', dataset: 'shop.otel', namespace: 'default' },
  });
  assert.equal(doc.id, undefined);
  assert.equal(doc.hashId, false);
  assert.equal(doc.conflictMeansStored, false);
  assert.deepEqual(plain(doc.document), {
    '@timestamp': '1705314600000.000005',
    data_stream: { type: 'traces', dataset: 'shop.otel', namespace: 'default' },
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    parent_span_id: PARENT_SPAN_ID,
    name: 'GET /cart',
    kind: 'Server',
    duration: 150_000_000,
    attributes: {
      'http.request.method': 'POST',
      'http.response.status_code': 402,
      retries: [1, 2],
    },
    dropped_attributes_count: 2,
    links: [
      {
        trace_id: '100f0e0d0c0b0a090807060504030201',
        span_id: '0807060504030201',
        attributes: { 'link.type': 'follows_from' },
      },
    ],
    status: { message: 'card declined', code: 'Error' },
    resource: {
      schema_url: 'https://opentelemetry.io/schemas/1.26.0',
      attributes: { 'service.name': 'checkout' },
    },
    scope: { name: 'my-lib', version: '1.0.0', attributes: { 'scope.attr': 'x' } },
  });
});

test('otel span: kinds and status codes by name; invalid ids left out', () => {
  const kinds = [0, 1, 2, 3, 4, 9].map(
    (kind) => (plain(mapSpan(span({ kind }), otel)[0].document) as { kind: string }).kind,
  );
  assert.deepEqual(kinds, ['Internal', 'Server', 'Client', 'Producer', 'Consumer', 'Unspecified']);
  // Unset is left out, as the Collector leaves it (otelserializer/traces_test.go "unset status
  // code": `"status":{}`), in the document object and in the line the JSON writer sends alike.
  for (const message of [undefined, 'why']) {
    const statuses = [0, 1, 2].map((code) => {
      const [document] = mapSpan(span({ status: { code, message } }), otel);
      const sent = JSON.parse(encodeDocument(document).document) as { status: unknown };
      assert.deepEqual(sent.status, (plain(document.document) as { status: unknown }).status);
      return sent.status;
    });
    const withMessage = message === undefined ? {} : { message };
    assert.deepEqual(statuses, [
      withMessage,
      { ...withMessage, code: 'Ok' },
      { ...withMessage, code: 'Error' },
    ]);
  }
  const invalid = plain(
    mapSpan(
      span({ context: context('0'.repeat(32), 'XYZ'), parent: context(TRACE_ID, '0'.repeat(16)) }),
      otel,
    )[0].document,
  ) as Record<string, unknown>;
  assert.equal('trace_id' in invalid, false);
  assert.equal('span_id' in invalid, false);
  assert.equal('parent_span_id' in invalid, false);
  // Uppercase hex is valid and written lowercase.
  const upper = plain(
    mapSpan(span({ context: context(TRACE_ID.toUpperCase(), SPAN_ID.toUpperCase()) }), otel)[0]
      .document,
  ) as Record<string, unknown>;
  assert.equal(upper.trace_id, TRACE_ID);
});

test('otel span events: one document each in the logs data stream, with event_name', () => {
  const docs = mapSpan(
    span({
      events: [
        {
          name: 'exception',
          time: [1705314600, 100],
          attributes: { 'exception.type': 'Error', 'data_stream.namespace': 'prod' },
        },
        { name: 'retry', time: [1705314600, 200], droppedAttributesCount: 1 },
      ],
    }),
    settings({ deterministicIds: true }),
  );
  assert.equal(docs.length, 3);
  assert.equal(docs[0].id, `${TRACE_ID}${SPAN_ID}`);
  assert.deepEqual(
    docs.slice(1).map((d) => [d.target.index, d.id, d.conflictMeansStored]),
    [
      ['logs-generic.otel-prod', `${TRACE_ID}${SPAN_ID}.0`, true],
      ['logs-generic.otel-default', `${TRACE_ID}${SPAN_ID}.1`, true],
    ],
  );
  assert.deepEqual(plain(docs[1].document), {
    '@timestamp': '1705314600000.000100',
    data_stream: { type: 'logs', dataset: 'generic.otel', namespace: 'prod' },
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    event_name: 'exception',
    attributes: { 'exception.type': 'Error', 'event.name': 'exception' },
    resource: { attributes: { 'service.name': 'checkout' } },
    scope: { name: 'my-lib', version: '1.0.0' },
  });
  assert.deepEqual(
    (plain(docs[2].document) as Record<string, unknown>).dropped_attributes_count,
    1,
  );
});

test('otel log record: severity, body, trace context, observed time, event name', () => {
  const doc = mapLogRecord(
    logRecord({
      severityText: 'WARN',
      severityNumber: 13,
      body: 'disk almost full',
      spanContext: context(),
      attributes: { 'disk.free': 0.05, nested: { a: [1, 2] } },
      eventName: 'disk.check',
      droppedAttributesCount: 3,
    }),
    otel,
  );
  assert.equal(doc.target.index, 'logs-generic.otel-default');
  assert.deepEqual(plain(doc.document), {
    '@timestamp': '1705314600000.000005',
    observed_timestamp: '1705314600150.000005',
    data_stream: { type: 'logs', dataset: 'generic.otel', namespace: 'default' },
    severity_text: 'WARN',
    severity_number: 13,
    trace_id: TRACE_ID,
    span_id: SPAN_ID,
    attributes: { 'disk.free': 0.05, nested: { a: [1, 2] } },
    dropped_attributes_count: 3,
    event_name: 'disk.check',
    resource: { attributes: { 'service.name': 'checkout' } },
    scope: { name: 'my-lib', version: '1.0.0' },
    body: { text: 'disk almost full' },
  });
});

test('otel log bodies: text for scalars, structured for maps and arrays of maps, wrapped otherwise', () => {
  const cases: [string, unknown, unknown][] = [
    ['string', 'hello', { text: 'hello' }],
    ['number', 42, { text: 42 }],
    ['boolean', false, { text: false }],
    ['bytes', new Uint8Array([104, 105]), { text: '6869' }],
    ['map', { user: { id: 7 } }, { structured: { user: { id: 7 } } }],
    ['array of maps', [{ a: 1 }, { b: 2 }], { structured: [{ a: 1 }, { b: 2 }] }],
    ['array of scalars', [1, 2], { structured: { value: [1, 2] } }],
    ['mixed array', [{ a: 1 }, 'x'], { structured: { value: ['{"a":1}', 'x'] } }],
    ['NaN', NaN, undefined],
    ['null', null, undefined],
    ['undefined', undefined, undefined],
  ];
  for (const [name, body, expected] of cases) {
    const doc = plain(mapLogRecord(logRecord({ body: body as never }), otel).document) as {
      body?: unknown;
    };
    assert.deepEqual(doc.body, expected, name);
  }
});

test('otel log: no time falls back to the observed time; event.name attribute gives event_name', () => {
  const doc = plain(
    mapLogRecord(logRecord({ hrTime: [0, 0], attributes: { 'event.name': 'from.attr' } }), otel)
      .document,
  ) as Record<string, unknown>;
  assert.equal(doc['@timestamp'], '1705314600150.000005');
  assert.equal(doc.event_name, 'from.attr');
});

test('otel metrics: one document per resource + scope + attributes + timestamp, metrics as fields', () => {
  const result = mapResourceMetrics(
    resourceMetrics([
      gauge('system.cpu.utilization', [point(0.25, { cpu: '0' }), point(0.5, { cpu: '1' })], {
        unit: '1',
      }),
      gauge('system.cpu.frequency', [point(2.4, { cpu: '0' })], { unit: '1' }),
      sum('http.requests', [point(7, { cpu: '0' })], { valueType: 0, unit: '{request}' }),
    ]),
    otel,
  );
  assert.deepEqual(result.invalid, []);
  assert.equal(result.documents.length, 3);
  const [cpu0, cpu1, requests] = result.documents;
  assert.deepEqual(plain(cpu0.document), {
    '@timestamp': 1705314600150,
    start_timestamp: 1705314600000,
    unit: '1',
    data_stream: { type: 'metrics', dataset: 'generic.otel', namespace: 'default' },
    attributes: { cpu: '0' },
    resource: { attributes: { 'service.name': 'checkout' } },
    scope: { name: 'my-lib', version: '1.0.0' },
    metrics: { 'system.cpu.utilization': 0.25, 'system.cpu.frequency': 2.4 },
    _metric_names_hash: metricNamesHash(['system.cpu.frequency', 'system.cpu.utilization']),
  });
  assert.deepEqual(cpu0.dynamicTemplates, {
    'metrics.system.cpu.utilization': 'gauge_double',
    'metrics.system.cpu.frequency': 'gauge_double',
  });
  assert.equal(cpu0.id, undefined);
  assert.equal(cpu0.hashId, false, 'time series data streams derive the id themselves');
  assert.equal(cpu0.conflictMeansStored, false, 'a 409 is ours only on a resend');
  assert.equal(cpu0.timeSeries, true);
  assert.deepEqual((plain(cpu1.document) as { metrics: unknown }).metrics, {
    'system.cpu.utilization': 0.5,
  });
  // A different unit is a different document (a document has one unit).
  assert.deepEqual(
    (plain(requests.document) as { metrics: unknown; unit: string }).unit,
    '{request}',
  );
  assert.deepEqual(requests.dynamicTemplates, { 'metrics.http.requests': 'counter_long' });
});

test('otel metrics: dynamic templates by type, monotonicity, temporality and value type', () => {
  const cases: [string, MetricDataLike, string][] = [
    ['double gauge', gauge('g', [point(1)]), 'gauge_double'],
    ['long gauge', gauge('g', [point(1)], { valueType: 0 }), 'gauge_long'],
    ['cumulative monotonic double sum', sum('s', [point(1)]), 'counter_double'],
    ['cumulative monotonic long sum', sum('s', [point(1)], { valueType: 0 }), 'counter_long'],
    [
      'delta monotonic sum',
      sum('s', [point(1)], { temporality: AggregationTemporality.DELTA }),
      'gauge_double',
    ],
    ['non-monotonic sum', sum('s', [point(1)], { monotonic: false, valueType: 0 }), 'gauge_long'],
  ];
  for (const [name, metric, template] of cases) {
    const [doc] = mapResourceMetrics(resourceMetrics([metric]), otel).documents;
    assert.deepEqual(Object.values(doc.dynamicTemplates ?? {}), [template], name);
  }
});

test('otel metrics: histograms as Elasticsearch histogram centroids', () => {
  const histogram = (value: unknown): MetricDataLike =>
    ({
      descriptor: { name: 'latency', description: '', unit: 's', valueType: 1 },
      aggregationTemporality: AggregationTemporality.CUMULATIVE,
      dataPointType: DataPointType.HISTOGRAM,
      dataPoints: [point(value)],
    }) as MetricDataLike;
  const cases: [string, unknown, unknown][] = [
    [
      'midpoints, open buckets at their bound, empty buckets skipped',
      { buckets: { boundaries: [1, 5, 10], counts: [2, 0, 3, 1] }, count: 6, sum: 30 },
      { counts: [2, 3, 1], values: [0.5, 7.5, 10] },
    ],
    [
      'a first bound at or below zero is its own centroid',
      { buckets: { boundaries: [-2, 2], counts: [1, 1, 1] }, count: 3, sum: 0 },
      { counts: [1, 1, 1], values: [-2, 0, 2] },
    ],
    [
      'no boundaries: one bucket at the mean',
      { buckets: { boundaries: [], counts: [4] }, count: 4, sum: 10 },
      { counts: [4], values: [2.5] },
    ],
    [
      'no boundaries and no data',
      { buckets: { boundaries: [], counts: [] }, count: 0 },
      { counts: [], values: [] },
    ],
  ];
  for (const [name, value, expected] of cases) {
    const result = mapResourceMetrics(resourceMetrics([histogram(value)]), otel);
    assert.deepEqual(result.invalid, [], name);
    assert.deepEqual(
      (plain(result.documents[0].document) as { metrics: unknown }).metrics,
      { latency: expected },
      name,
    );
    assert.deepEqual(
      result.documents[0].dynamicTemplates,
      { 'metrics.latency': 'histogram' },
      name,
    );
  }
  const invalid = mapResourceMetrics(
    resourceMetrics([histogram({ buckets: { boundaries: [1, 2], counts: [1, 1] }, count: 2 })]),
    otel,
  );
  assert.deepEqual(invalid.documents, []);
  assert.deepEqual(
    invalid.invalid.map((entry) => entry.detail),
    ['metric latency: histogram has 2 bucket counts for 2 boundaries'],
  );
  // With its data point, for the dead-letter handler.
  assert.deepEqual(
    (invalid.invalid[0].item as { dataPoint: { value: { count: number } } }).dataPoint.value.count,
    2,
  );
});

test('otel metrics: exponential histograms as centroids in increasing order', () => {
  const metric = {
    descriptor: { name: 'size', description: '', unit: 'By', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
    dataPoints: [
      point({
        count: 6,
        scale: 0,
        zeroCount: 1,
        positive: { offset: 0, bucketCounts: [2, 0, 1] },
        negative: { offset: 1, bucketCounts: [2] },
      }),
    ],
  } as MetricDataLike;
  const [doc] = mapResourceMetrics(resourceMetrics([metric]), otel).documents;
  // Scale 0: bucket i spans [2^i, 2^(i+1)); negative bucket 1 spans (-4, -2].
  assert.deepEqual((plain(doc.document) as { metrics: unknown }).metrics, {
    size: { counts: [2, 1, 2, 1], values: [-3, 0, 1.5, 6] },
  });
});

test('otel metrics: NaN values are null; a repeated metric name starts a second document', () => {
  const result = mapResourceMetrics(
    resourceMetrics([
      gauge('temp', [point(NaN)]),
      gauge('temp', [point(Infinity)]),
      gauge('other', [point(1)]),
    ]),
    otel,
  );
  assert.equal(result.documents.length, 2);
  assert.deepEqual(
    result.documents.map((d) => (plain(d.document) as { metrics: unknown }).metrics),
    [{ temp: null, other: 1 }, { temp: null }],
  );
});

test('otel metrics: plain indices get no dynamic templates and, with deterministic ids, content ids', () => {
  const [doc] = mapResourceMetrics(
    resourceMetrics([gauge('g', [point(1)])]),
    settings({ index: 'metrics-plain', deterministicIds: true }),
  ).documents;
  assert.equal(doc.target.index, 'metrics-plain');
  assert.equal(doc.dynamicTemplates, undefined);
  assert.equal(doc.hashId, true);
  assert.equal('data_stream' in (doc.document as object), false);
});

test('otel: times at the other end of the pair are exact', () => {
  const doc = plain(mapSpan(span({ startTime: START, endTime: END }), otel)[0].document) as Record<
    string,
    unknown
  >;
  assert.equal(doc['@timestamp'], '1705314600000.000005');
});
