import { test } from 'node:test';
import type { Attributes, TraceState } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike } from '@otelpack/batching-core';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import { encodeDocument } from '../src/bulk/record';
import { metricNamesHash } from '../src/mapping/otel-mode';
import { mergeGeoLocation } from '../src/mapping/otel-attributes';
import { resolveTarget } from '../src/mapping/routing';
import type { MappingSettings } from '../src/mapping/types';
import { xxhash64 } from '../src/mapping/xxhash64';
import {
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

/*
 * Conformance with the OpenTelemetry Collector's Elasticsearch exporter in its `otel` mode. Each
 * row names the file of open-telemetry/opentelemetry-collector-contrib it comes from (paths under
 * exporter/elasticsearchexporter/); expected values are the Collector's own where its tests give
 * them, otherwise read off its code.
 */

const otel = settings();
const COLLECTOR = 'exporter/elasticsearchexporter/';

function doc(value: unknown): Record<string, unknown> {
  return plain(value) as Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------
// _metric_names_hash: XXH64 of the sorted names, concatenated, in hex.

const HASH_ROWS: [source: string, names: string[], hash: string][] = [
  ['exporter_test.go "publish histogram"', ['metric.foo'], 'b23939f78dc5f649'],
  [
    'exporter_test.go "publish sum"',
    [
      'metric.sum.monotonic.cumulative',
      'metric.sum.monotonic.delta',
      'metric.sum.nonmonotonic.cumulative',
      'metric.sum.nonmonotonic.delta',
    ],
    '4c23ec9ba381ab20',
  ],
  ['exporter_test.go "publish summary"', ['metric.summary'], '2f30c89222c9d308'],
  ['exporter_test.go "_doc_count hint"', ['summary', 'sum'], 'e446964dc8337bbb'],
  ['exporter_test.go "aggregate_metric_double hint"', ['histogram.summary'], 'fcd1d6737d725996'],
  // No leading zero: the Collector formats the hash with strconv.FormatUint(h, 16).
  ['exporter_test.go "aggregate_metric_double hint"', ['exphistogram.summary'], '6a10ca190ae63c5'],
  [
    'exporter_test.go "metric name conflict"',
    ['foo.bar', 'foo', 'foo.bar.baz'],
    '9c732a69b35274fe',
  ],
];

for (const [source, names, hash] of HASH_ROWS) {
  test(`_metric_names_hash of ${names.join(',')} (${COLLECTOR}${source})`, () => {
    assert.equal(metricNamesHash(names), hash);
  });
}

test('xxhash64: the published XXH64 test vectors (seed 0) across the 32-byte stripe path', () => {
  const vectors: [string, string][] = [
    ['', 'ef46db3751d8e999'],
    ['a', 'd24ec4f1a98c6e5b'],
    ['abc', '44bc2cf5ad770999'],
  ];
  for (const [input, hash] of vectors) {
    assert.equal(xxhash64(Buffer.from(input)).toString(16).padStart(16, '0'), hash, input);
  }
  // A 40-byte input goes through the stripe loop; its hash must match the concatenation rule.
  assert.equal(
    metricNamesHash(['metric.sum.monotonic.cumulative', 'metric.sum.monotonic.delta']).length > 0,
    true,
  );
});

test(`metric documents carry the hash (${COLLECTOR}serializer/otelserializer/metrics.go)`, () => {
  const { documents } = mapResourceMetrics(
    resourceMetrics([gauge('metric.foo', [point(1)])]),
    otel,
  );
  assert.equal(doc(documents[0].document)._metric_names_hash, 'b23939f78dc5f649');
});

// ---------------------------------------------------------------------------------------------
// geo.location: paired lat/lon doubles merged into [lon, lat].

test(`geo.location merge (${COLLECTOR}internal/encoder/otel/geolocation_test.go TestMergeGeolocation)`, () => {
  const attributes = {
    'geo.location.lon': 1.1,
    'geo.location.lat': 2.2,
    'foo.bar.geo.location.lon': 3.3,
    'foo.bar.geo.location.lat': 4.4,
    'a.geo.location.lon': 5.5,
    'b.geo.location.lat': 6.6,
    'unrelatedgeo.location.lon': 7.7,
    'unrelatedgeo.location.lat': 8.8,
    d: 9.9,
    'e.geo.location.lon': 'foo',
    'e.geo.location.lat': 'bar',
  };
  mergeGeoLocation(attributes as never);
  assert.deepEqual(attributes, {
    'geo.location': [1.1, 2.2],
    'foo.bar.geo.location': [3.3, 4.4],
    'a.geo.location.lon': 5.5,
    'b.geo.location.lat': 6.6,
    'unrelatedgeo.location.lon': 7.7,
    'unrelatedgeo.location.lat': 8.8,
    d: 9.9,
    'e.geo.location.lon': 'foo',
    'e.geo.location.lat': 'bar',
  });
});

test(`geo.location in record, resource and scope attributes (${COLLECTOR}serializer/otelserializer/jsonwriter.go writeAttributes)`, () => {
  const geo = { 'client.geo.location.lat': 52.5, 'client.geo.location.lon': 13.4 };
  const d = doc(
    mapLogRecord(
      logRecord({ attributes: geo, resource: resource(geo), scope: scope({ attributes: geo }) }),
      otel,
    ).document,
  );
  const merged = { 'client.geo.location': [13.4, 52.5] };
  assert.deepEqual(d.attributes, merged);
  assert.deepEqual((d.resource as { attributes: unknown }).attributes, merged);
  assert.deepEqual((d.scope as { attributes: unknown }).attributes, merged);
});

// ---------------------------------------------------------------------------------------------
// Control attributes: acted on, never indexed. Names: internal/elasticsearch/attribute.go
// (DocumentPipelineAttributeName `elasticsearch.ingest_pipeline`, DocumentIDAttributeName) and
// mapping_hint.go (MappingHintsAttrKey); MappingModeAttributeName, which exporter.go's
// getScopeMappingMode reads from the scope, is `elastic.mapping.mode` (PR #39110; Elasticsearch's
// own OTLP endpoint filters the same name).

const CONTROL_ROWS: [attribute: string, value: unknown][] = [
  ['data_stream.type', 'logs'],
  ['data_stream.dataset', 'app'],
  ['data_stream.namespace', 'prod'],
  ['elasticsearch.index', 'my-index'],
  ['elasticsearch.mapping.hints', ['_doc_count']],
  ['elastic.mapping.mode', 'ecs'],
  ['elasticsearch.document_id', 'id-1'],
  ['elasticsearch.ingest_pipeline', 'my-pipeline'],
];

for (const [attribute, value] of CONTROL_ROWS) {
  test(`control attribute ${attribute} is not indexed (${COLLECTOR}serializer/otelserializer/jsonwriter.go writeAttributes)`, () => {
    const attributes = { [attribute]: value, kept: 1 } as never;
    for (const d of [
      doc(
        mapLogRecord(
          logRecord({ attributes, resource: resource(attributes), scope: scope({ attributes }) }),
          otel,
        ).document,
      ),
      doc(mapSpan(span({ attributes }), otel)[0].document),
    ]) {
      assert.deepEqual(d.attributes, { kept: 1 });
    }
    const resourceDoc = doc(
      mapLogRecord(logRecord({ resource: resource(attributes) }), otel).document,
    );
    assert.deepEqual((resourceDoc.resource as { attributes: unknown }).attributes, { kept: 1 });
  });
}

// ---------------------------------------------------------------------------------------------
// Value encodings.

test(`bytes are hex (${COLLECTOR}serializer/map.go WriteValue)`, () => {
  const d = doc(
    mapLogRecord(logRecord({ attributes: { raw: new Uint8Array([0xde, 0xad]) } }), otel).document,
  );
  assert.deepEqual(d.attributes, { raw: 'dead' });
});

test(`metric documents write map-valued attributes as JSON text (${COLLECTOR}serializer/otelserializer/metrics.go stringifyMapAttributes)`, () => {
  const attributes = { m: { a: 1 }, list: [{ b: 2 }], s: 'x' } as never;
  const { documents } = mapResourceMetrics(
    resourceMetrics([gauge('g', [point(1, attributes)])], {
      resource: resource(attributes),
      scope: scope({ attributes }),
    }),
    otel,
  );
  const d = doc(documents[0].document);
  const want = { m: '{"a":1}', list: ['{"b":2}'], s: 'x' };
  assert.deepEqual(d.attributes, want);
  assert.deepEqual((d.resource as { attributes: unknown }).attributes, want);
  assert.deepEqual((d.scope as { attributes: unknown }).attributes, want);
  // Logs keep maps as objects (stringifyMapAttributes false in logs.go).
  const log = doc(mapLogRecord(logRecord({ attributes }), otel).document);
  assert.deepEqual((log.attributes as { m: unknown }).m, { a: 1 });
});

const BODY_ROWS: [name: string, body: unknown, expected: unknown][] = [
  ['string', 'hello', { text: 'hello' }],
  ['int keeps its JSON type', 42, { text: 42 }],
  ['bool keeps its JSON type', true, { text: true }],
  ['map', { a: 'b' }, { structured: { a: 'b' } }],
  ['array of maps', [{ a: 1 }, { b: 2 }], { structured: [{ a: 1 }, { b: 2 }] }],
  ['array of scalars is wrapped', [1, 2], { structured: { value: [1, 2] } }],
];

for (const [name, body, expected] of BODY_ROWS) {
  test(`log body: ${name} (${COLLECTOR}serializer/otelserializer/logs.go writeLogBody)`, () => {
    assert.deepEqual(
      doc(mapLogRecord(logRecord({ body: body as never }), otel).document).body,
      expected,
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Whole log documents: exporter_test.go "publish otel mapping mode" (TestExporterLogs), its input
// (record attributes data_stream.dataset and attr.foo, resource attributes data_stream.dataset,
// data_stream.namespace and resource.attr.foo, an empty scope, times 0) and its documents as
// written there. Compared as JSON values (key order aside), with the README's deliberate
// differences applied to the Collector's document first.

const COLLECTOR_LOG_DOCUMENT_BASE =
  '"@timestamp":"0.0","attributes":{"attr.foo":"attr.foo.value"},"data_stream":{"dataset":"attr.dataset.otel","namespace":"resource.attribute.namespace","type":"logs"},"observed_timestamp":"0.0","resource":{"attributes":{"resource.attr.foo":"resource.attr.foo.value"}},"scope":{}';
const COLLECTOR_EVENT_DOCUMENT_BASE =
  '"@timestamp":"0.0","attributes":{"attr.foo":"attr.foo.value","event.name":"foo"},"event_name":"foo","data_stream":{"dataset":"attr.dataset.otel","namespace":"resource.attribute.namespace","type":"logs"},"observed_timestamp":"0.0","resource":{"attributes":{"resource.attr.foo":"resource.attr.foo.value"}},"scope":{}';
const MAP_BODY = { true: true, false: false, inner: { foo: 'bar' } };
const MIXED_SLICE_BODY = ['foo', false, { foo: 'bar' }];

const WHOLE_LOG_ROWS: {
  name: string;
  body: unknown;
  isEvent: boolean;
  collectorDocument: string;
  /** The README's difference, applied to the Collector's document; undefined: none. */
  differs?: { why: string; apply: (document: Record<string, unknown>) => void };
}[] = [
  {
    name: 'basic',
    body: 'foo',
    isEvent: false,
    collectorDocument: `{${COLLECTOR_LOG_DOCUMENT_BASE},"body":{"text":"foo"}}`,
  },
  {
    name: 'map body',
    body: MAP_BODY,
    isEvent: false,
    collectorDocument: `{${COLLECTOR_LOG_DOCUMENT_BASE},"body":{"structured":{"true":true,"false":false,"inner":{"foo":"bar"}}}}`,
  },
  {
    name: 'map body event',
    body: MAP_BODY,
    isEvent: true,
    collectorDocument: `{${COLLECTOR_EVENT_DOCUMENT_BASE},"body":{"structured":{"true":true,"false":false,"inner":{"foo":"bar"}}}}`,
  },
  ...[false, true].map((isEvent) => ({
    name: `heterogeneous slice body${isEvent ? ' event' : ''}`,
    body: MIXED_SLICE_BODY,
    isEvent,
    collectorDocument: `{${isEvent ? COLLECTOR_EVENT_DOCUMENT_BASE : COLLECTOR_LOG_DOCUMENT_BASE},"body":{"structured":{"value":["foo",false,{"foo":"bar"}]}}}`,
    differs: {
      why: 'README: arrays mixing types are written with every element as text',
      apply: (document: Record<string, unknown>) => {
        document.body = { structured: { value: ['foo', 'false', '{"foo":"bar"}'] } };
      },
    },
  })),
];

/** `millis.fraction` as Elasticsearch reads it (a decimal fraction of a millisecond), in ns. */
function epochNanos(text: unknown): bigint {
  const [millis, fraction = ''] = String(text).split('.');
  return BigInt(millis) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6) || '0');
}

for (const row of WHOLE_LOG_ROWS) {
  test(`whole log document: ${row.name} (${COLLECTOR}exporter_test.go "publish otel mapping mode")`, () => {
    const record = logRecord({
      hrTime: [0, 0],
      hrTimeObserved: [0, 0],
      body: row.body as never,
      attributes: {
        'data_stream.dataset': 'attr.dataset',
        'attr.foo': 'attr.foo.value',
        ...(row.isEvent ? { 'event.name': 'foo' } : {}),
      },
      resource: resource({
        'data_stream.dataset': 'resource.attribute.dataset',
        'data_stream.namespace': 'resource.attribute.namespace',
        'resource.attr.foo': 'resource.attr.foo.value',
      }),
      scope: { name: '' },
    });
    const mapped = mapLogRecord(record, otel);
    assert.equal(mapped.target.index, 'logs-attr.dataset.otel-resource.attribute.namespace');
    // The document line as sent (the JSON writer's), not the object it is built beside.
    const ours = JSON.parse(encodeDocument(mapped).document) as Record<string, unknown>;
    const theirs = JSON.parse(row.collectorDocument) as Record<string, unknown>;
    row.differs?.apply(theirs);
    // Times as instants: ours pad the nanoseconds to six digits (README), "0.000000" for "0.0".
    for (const key of ['@timestamp', 'observed_timestamp']) {
      assert.equal(epochNanos(ours[key]), epochNanos(theirs[key]), key);
      ours[key] = theirs[key];
    }
    assert.deepEqual(ours, theirs);
  });
}

// Whole span and span event documents: exporter_test.go "otel mode" (TestExporterTraces): a span
// with empty ids, flags, dropped counts, trace state "foo", times 3600 s and 7200 s, an event
// "exception" at time 0 with one attribute and one dropped, a link with its own ids, trace state,
// attribute and dropped count; and the documents as written there.

const COLLECTOR_SPAN_DOCUMENT =
  '{"@timestamp":"3600000.0","attributes":{"attr.foo":"attr.bar"},"data_stream":{"dataset":"generic.otel","namespace":"default","type":"traces"},"dropped_attributes_count":2,"dropped_events_count":3,"dropped_links_count":4,"duration":3600000000000,"kind":"Unspecified","links":[{"attributes":{"link.attr.foo":"link.attr.bar"},"dropped_attributes_count":11,"span_id":"0100000000000000","trace_id":"01000000000000000000000000000000","trace_state":"bar"}],"name":"name","resource":{"attributes":{"resource.foo":"resource.bar"}},"scope":{},"status":{},"trace_state":"foo"}';
// The Collector's line has "event_name" twice (written before the attributes and again after);
// a JSON parser keeps one, which is what Elasticsearch indexes.
const COLLECTOR_SPAN_EVENT_DOCUMENT =
  '{"@timestamp":"0.0","event_name":"exception","attributes":{"event.attr.foo":"event.attr.bar","event.name":"exception"},"event_name":"exception","data_stream":{"dataset":"generic.otel","namespace":"default","type":"logs"},"dropped_attributes_count":1,"resource":{"attributes":{"resource.foo":"resource.bar"}},"scope":{}}';

/** A W3C trace state as the API hands it (only its serialised form is read). */
function rawTraceState(raw: string): TraceState {
  const state: TraceState = {
    serialize: () => raw,
    get: () => undefined,
    set: () => state,
    unset: () => state,
  };
  return state;
}

test(`whole span and span event documents (${COLLECTOR}exporter_test.go "otel mode")`, () => {
  const documents = mapSpan(
    span({
      name: 'name',
      // The JS API has no SPAN_KIND_UNSPECIFIED: its INTERNAL is 0 (README).
      kind: 0,
      context: {
        traceId: '0'.repeat(32),
        spanId: '0'.repeat(16),
        traceFlags: 1,
        traceState: rawTraceState('foo'),
      },
      droppedAttributesCount: 2,
      droppedEventsCount: 3,
      droppedLinksCount: 4,
      startTime: [3600, 0],
      endTime: [7200, 0],
      duration: [3600, 0],
      events: [
        {
          name: 'exception',
          time: [0, 0],
          attributes: { 'event.attr.foo': 'event.attr.bar' },
          droppedAttributesCount: 1,
        },
      ],
      attributes: { 'attr.foo': 'attr.bar' },
      resource: resource({ 'resource.foo': 'resource.bar' }),
      scope: { name: '' },
      links: [
        {
          context: {
            traceId: `01${'0'.repeat(30)}`,
            spanId: `01${'0'.repeat(14)}`,
            traceFlags: 10,
            traceState: rawTraceState('bar'),
          },
          attributes: { 'link.attr.foo': 'link.attr.bar' },
          droppedAttributesCount: 11,
        },
      ],
    }),
    otel,
  );
  assert.deepEqual(
    documents.map((document) => document.target.index),
    ['traces-generic.otel-default', 'logs-generic.otel-default'],
  );
  const [spanDocument, eventDocument] = documents.map(
    (document) => JSON.parse(encodeDocument(document).document) as Record<string, unknown>,
  );
  const theirSpan = JSON.parse(COLLECTOR_SPAN_DOCUMENT) as Record<string, unknown>;
  const theirEvent = JSON.parse(COLLECTOR_SPAN_EVENT_DOCUMENT) as Record<string, unknown>;
  // The README's difference: kind 0 is the JS API's INTERNAL, which OTLP calls SPAN_KIND_INTERNAL.
  theirSpan.kind = 'Internal';
  for (const [ours, theirs] of [
    [spanDocument, theirSpan],
    [eventDocument, theirEvent],
  ]) {
    assert.equal(epochNanos(ours['@timestamp']), epochNanos(theirs['@timestamp']));
    ours['@timestamp'] = theirs['@timestamp'];
    assert.deepEqual(ours, theirs);
  }
});

// Where a span and its event's document go: exporter_test.go "otel mode span event routing" (a
// span without attributes and an event "some_event_name") and "publish with elasticsearch.index"
// (the span's, the scope's and the resource's elasticsearch.index, "ignored" on the last two,
// and an unnamed event with its own), TestExporterTraces.
const SPAN_EVENT_ROUTING_ROWS: {
  source: string;
  settings: Partial<MappingSettings>;
  spanAttributes: Record<string, string>;
  scopeAndResourceAttributes: Record<string, string>;
  eventName: string;
  eventAttributes: Record<string, string>;
  spanIndex: string;
  eventIndex: string;
}[] = [
  {
    source: '"otel mode span event routing" default',
    settings: {},
    spanAttributes: {},
    scopeAndResourceAttributes: {},
    eventName: 'some_event_name',
    eventAttributes: {},
    spanIndex: 'traces-generic.otel-default',
    eventIndex: 'logs-generic.otel-default',
  },
  // The Collector's case sets logs_index (someindex) and traces_index (ignored); a span exporter
  // here has one static index, for its spans and their events alike (README).
  {
    source: '"otel mode span event routing" static index config',
    settings: { index: 'someindex' },
    spanAttributes: {},
    scopeAndResourceAttributes: {},
    eventName: 'some_event_name',
    eventAttributes: {},
    spanIndex: 'someindex',
    eventIndex: 'someindex',
  },
  {
    source: '"otel mode span event routing" dynamic elasticsearch.index',
    settings: {},
    spanAttributes: {},
    scopeAndResourceAttributes: {},
    eventName: 'some_event_name',
    eventAttributes: { 'elasticsearch.index': 'someindex' },
    spanIndex: 'traces-generic.otel-default',
    eventIndex: 'someindex',
  },
  {
    source: '"otel mode span event routing" dynamic data_stream.*',
    settings: {},
    spanAttributes: {},
    scopeAndResourceAttributes: {},
    eventName: 'some_event_name',
    eventAttributes: { 'data_stream.dataset': 'foo', 'data_stream.namespace': 'bar' },
    spanIndex: 'traces-generic.otel-default',
    eventIndex: 'logs-foo.otel-bar',
  },
  {
    source: '"publish with elasticsearch.index"',
    settings: {},
    spanAttributes: { 'elasticsearch.index': 'someindex' },
    scopeAndResourceAttributes: { 'elasticsearch.index': 'ignored' },
    eventName: '',
    eventAttributes: { 'elasticsearch.index': 'some-event-index' },
    spanIndex: 'someindex',
    eventIndex: 'some-event-index',
  },
];

for (const row of SPAN_EVENT_ROUTING_ROWS) {
  test(`span event routing: ${row.source} (${COLLECTOR}exporter_test.go)`, () => {
    const documents = mapSpan(
      span({
        attributes: row.spanAttributes,
        scope: scope({ attributes: row.scopeAndResourceAttributes }),
        resource: resource(row.scopeAndResourceAttributes),
        events: [{ name: row.eventName, time: [1, 0], attributes: row.eventAttributes }],
      }),
      settings(row.settings),
    );
    assert.deepEqual(
      documents.map((document) => document.target.index),
      [row.spanIndex, row.eventIndex],
    );
    // The control attributes are acted on, not indexed. Where they leave a map empty, the
    // Collector writes "attributes":{} and this exporter leaves the member out (README).
    const [spanDocument, eventDocument] = documents.map(
      (document) => JSON.parse(encodeDocument(document).document) as Record<string, unknown>,
    );
    assert.equal(spanDocument.attributes, undefined);
    assert.deepEqual(
      eventDocument.attributes,
      row.eventName === '' ? undefined : { 'event.name': row.eventName },
    );
  });
}

// Attribute values on spans and span events: exporter_test.go "otel mode attribute"
// (TestExporterTraces): the record's attributes on the span and on its event, the scope's and the
// resource's their own; every document carries all three.
const SPAN_ATTRIBUTE_ROWS: {
  name: string;
  record: Attributes;
  scope: Attributes;
  resource: Attributes;
  written: { record: string; scope: string; resource: string };
}[] = [
  {
    name: 'slice value',
    record: { 'some.record.attribute': ['foo', 'bar'] },
    scope: { 'some.scope.attribute': ['foo', 'bar'] },
    resource: { 'some.resource.attribute': ['foo', 'bar'] },
    written: {
      record: '{"some.record.attribute":["foo","bar"]}',
      scope: '{"some.scope.attribute":["foo","bar"]}',
      resource: '{"some.resource.attribute":["foo","bar"]}',
    },
  },
  {
    name: 'key prefix conflict',
    record: { a: 'a', 'a.b': 'a.b' },
    scope: { a: 'a', 'a.b': 'a.b' },
    resource: { a: 'a', 'a.b': 'a.b' },
    written: {
      record: '{"a":"a","a.b":"a.b"}',
      scope: '{"a":"a","a.b":"a.b"}',
      resource: '{"a":"a","a.b":"a.b"}',
    },
  },
];

for (const row of SPAN_ATTRIBUTE_ROWS) {
  test(`span and span event attributes: ${row.name} (${COLLECTOR}exporter_test.go "otel mode attribute")`, () => {
    const documents = mapSpan(
      span({
        attributes: row.record,
        events: [{ name: '', time: [1, 0], attributes: row.record }],
        scope: scope({ attributes: row.scope }),
        resource: resource(row.resource),
      }),
      otel,
    );
    assert.equal(documents.length, 2);
    for (const document of documents) {
      const sent = JSON.parse(encodeDocument(document).document) as {
        attributes: unknown;
        scope: { attributes: unknown };
        resource: { attributes: unknown };
      };
      assert.deepEqual(sent.attributes, JSON.parse(row.written.record));
      assert.deepEqual(sent.scope.attributes, JSON.parse(row.written.scope));
      assert.deepEqual(sent.resource.attributes, JSON.parse(row.written.resource));
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Mapping hints.

function histogramMetric(
  name: string,
  hints: string[] | undefined,
  type: DataPointType = DataPointType.HISTOGRAM,
): MetricDataLike {
  const value =
    type === DataPointType.HISTOGRAM
      ? { sum: 1, count: 10, buckets: { boundaries: [1, 2, 3], counts: [1, 2, 3, 4] } }
      : {
          sum: 1,
          count: 10,
          scale: 0,
          zeroCount: 10,
          positive: { offset: 0, bucketCounts: [] },
          negative: { offset: 0, bucketCounts: [] },
        };
  return {
    descriptor: { name, description: '', unit: '', valueType: 1 },
    aggregationTemporality: AggregationTemporality.DELTA,
    dataPointType: type,
    dataPoints: [point(value, hints ? { 'elasticsearch.mapping.hints': hints } : {})],
  } as MetricDataLike;
}

test(`histogram centroids (${COLLECTOR}exporter_test.go "publish histogram")`, () => {
  const { documents } = mapResourceMetrics(
    resourceMetrics([histogramMetric('metric.foo', undefined)]),
    otel,
  );
  assert.deepEqual(doc(documents[0].document).metrics, {
    'metric.foo': { counts: [1, 2, 3, 4], values: [0.5, 1.5, 2.5, 3] },
  });
  assert.deepEqual(documents[0].dynamicTemplates, { 'metrics.metric.foo': 'histogram' });
});

for (const type of [DataPointType.HISTOGRAM, DataPointType.EXPONENTIAL_HISTOGRAM]) {
  test(`aggregate_metric_double and _doc_count hints, data point type ${type} (${COLLECTOR}exporter_test.go "aggregate_metric_double hint")`, () => {
    const { documents } = mapResourceMetrics(
      resourceMetrics([
        histogramMetric('histogram.summary', ['_doc_count', 'aggregate_metric_double'], type),
      ]),
      otel,
    );
    const d = doc(documents[0].document);
    assert.deepEqual(d.metrics, { 'histogram.summary': { sum: 1, value_count: 10 } });
    assert.equal(d._doc_count, 10);
    assert.equal(d.attributes, undefined, 'the hints attribute is not indexed');
    assert.deepEqual(documents[0].dynamicTemplates, { 'metrics.histogram.summary': 'summary' });
  });
}

test(`sum dynamic templates (${COLLECTOR}exporter_test.go "publish sum")`, () => {
  const at = (monotonic: boolean, temporality: AggregationTemporality, name: string) =>
    sum(name, [point(1.5)], { monotonic, temporality });
  const { documents } = mapResourceMetrics(
    resourceMetrics([
      at(true, AggregationTemporality.CUMULATIVE, 'metric.sum.monotonic.cumulative'),
      at(true, AggregationTemporality.DELTA, 'metric.sum.monotonic.delta'),
      at(false, AggregationTemporality.CUMULATIVE, 'metric.sum.nonmonotonic.cumulative'),
      at(false, AggregationTemporality.DELTA, 'metric.sum.nonmonotonic.delta'),
    ]),
    otel,
  );
  assert.equal(documents.length, 1);
  assert.deepEqual(documents[0].dynamicTemplates, {
    'metrics.metric.sum.monotonic.cumulative': 'counter_double',
    'metrics.metric.sum.monotonic.delta': 'gauge_double',
    'metrics.metric.sum.nonmonotonic.cumulative': 'gauge_double',
    'metrics.metric.sum.nonmonotonic.delta': 'gauge_double',
  });
  assert.equal(doc(documents[0].document)._metric_names_hash, '4c23ec9ba381ab20');
});

// ---------------------------------------------------------------------------------------------
// Routing names.

const ROUTE_ROWS: [
  source: string,
  attributes: Record<string, unknown>,
  scopeName: string | undefined,
  index: string,
][] = [
  ['internal/datastream/router_test.go "otel"', {}, undefined, 'logs-generic.otel-default'],
  [
    'internal/datastream/router_test.go "otel with receiver scope name"',
    {},
    'github.com/open-telemetry/opentelemetry-collector-contrib/receiver/hostmetricsreceiver/internal/scraper/cpuscraper',
    'logs-hostmetricsreceiver.otel-default',
  ],
  [
    'internal/datastream/router_test.go "otel with non-receiver scope name"',
    {},
    'some_other_scope_name',
    'logs-generic.otel-default',
  ],
  [
    'internal/datastream/router.go disallowedDatasetRunes',
    { 'data_stream.dataset': 'My-App:x' },
    undefined,
    'logs-my_app_x.otel-default',
  ],
  [
    'internal/datastream/router.go disallowedNamespaceRunes (a namespace keeps -)',
    { 'data_stream.namespace': 'Team-A b' },
    undefined,
    'logs-generic.otel-team-a_b',
  ],
  [
    'internal/datastream/router.go (the suffix is always added)',
    { 'data_stream.dataset': 'app.otel' },
    undefined,
    'logs-app.otel.otel-default',
  ],
  [
    'internal/datastream/router.go getFromAttributes (AsString)',
    { 'data_stream.namespace': 7 },
    undefined,
    'logs-generic.otel-7',
  ],
  [
    'internal/datastream/router.go maxDataStreamBytes (cut before the suffix)',
    { 'data_stream.dataset': 'x'.repeat(120) },
    undefined,
    `logs-${'x'.repeat(95)}.otel-default`,
  ],
];

for (const [source, attributes, scopeName, index] of ROUTE_ROWS) {
  test(`route ${index.slice(0, 60)} (${COLLECTOR}${source})`, () => {
    assert.equal(resolveTarget('logs', otel, [attributes], undefined, scopeName).index, index);
  });
}

test(`spans route by their scope name too (${COLLECTOR}internal/datastream/router.go RouteSpan)`, () => {
  const [d] = mapSpan(span({ scope: scope({ name: 'x/receiver/kafkareceiver' }) }), otel);
  assert.equal(d.target.index, 'traces-kafkareceiver.otel-default');
});
