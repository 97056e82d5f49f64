import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import {
  PARENT_SPAN_ID,
  SPAN_ID,
  TRACE_ID,
  context,
  gauge,
  logRecord,
  plain,
  point,
  resourceMetrics,
  settings,
  span,
} from './helpers/fixtures';

const raw = settings({ mode: 'raw' });

test('raw span: flat OTLP-style fields, events inline, links as JSON text', () => {
  const docs = mapSpan(
    span({
      parent: context(TRACE_ID, PARENT_SPAN_ID),
      status: { code: 2, message: 'timeout' },
      attributes: { 'http.method': 'GET', http: 'x' },
      events: [
        { name: 'retry', time: [1705314600, 10], attributes: { attempt: 1 } },
        { name: 'retry', time: [1705314600, 20], attributes: { attempt: 2 } },
      ],
      links: [
        {
          context: context('100f0e0d0c0b0a090807060504030201', '0807060504030201'),
          attributes: { k: 'v' },
        },
      ],
    }),
    raw,
  );
  assert.equal(docs.length, 1, 'raw mode keeps events in the span document');
  assert.equal(docs[0].target.index, 'traces-generic-default');
  assert.deepEqual(plain(docs[0].document), {
    '@timestamp': '2024-01-15T10:30:00.000000005Z',
    EndTimestamp: '2024-01-15T10:30:00.150000005Z',
    'data_stream.type': 'traces',
    'data_stream.dataset': 'generic',
    'data_stream.namespace': 'default',
    TraceId: TRACE_ID,
    SpanId: SPAN_ID,
    ParentSpanId: PARENT_SPAN_ID,
    Name: 'GET /cart',
    Kind: 'SPAN_KIND_SERVER',
    Duration: 150_000,
    TraceStatus: 2,
    TraceStatusDescription: 'timeout',
    Link: '[{"attribute":{"k":"v"},"spanID":"0807060504030201","traceID":"100f0e0d0c0b0a090807060504030201"}]',
    'Events.retry.time': '2024-01-15T10:30:00.000000010Z',
    'Events.retry.attempt': 1,
    'Events.retry_2.time': '2024-01-15T10:30:00.000000020Z',
    'Events.retry_2.attempt': 2,
    'Attributes.http.method': 'GET',
    'Attributes.http.value': 'x',
    'Resource.service.name': 'checkout',
    'Scope.name': 'my-lib',
    'Scope.version': '1.0.0',
  });
});

test('raw log record: Body as text, or flattened when structured', () => {
  const doc = mapLogRecord(
    logRecord({
      body: { order: { id: 7 }, tags: ['a', 'b'] },
      severityText: 'INFO',
      severityNumber: 9,
      spanContext: context(),
      eventName: 'order.placed',
      attributes: { user: 'u1' },
    }),
    raw,
  );
  assert.deepEqual(plain(doc.document), {
    '@timestamp': '2024-01-15T10:30:00.000000005Z',
    ObservedTimestamp: '2024-01-15T10:30:00.150000005Z',
    'data_stream.type': 'logs',
    'data_stream.dataset': 'generic',
    'data_stream.namespace': 'default',
    TraceId: TRACE_ID,
    SpanId: SPAN_ID,
    TraceFlags: 1,
    SeverityText: 'INFO',
    SeverityNumber: 9,
    EventName: 'order.placed',
    'Body.order.id': 7,
    'Body.tags': ['a', 'b'],
    'Attributes.user': 'u1',
    'Resource.service.name': 'checkout',
    'Scope.name': 'my-lib',
    'Scope.version': '1.0.0',
  });
  const text = plain(mapLogRecord(logRecord({ body: 'plain text' }), raw).document) as Record<
    string,
    unknown
  >;
  assert.equal(text.Body, 'plain text');
});

test('raw metrics: Metrics.<name> fields next to Attributes.*', () => {
  const [doc] = mapResourceMetrics(
    resourceMetrics([gauge('queue.depth', [point(3, { queue: 'q1' })], { unit: '{item}' })]),
    raw,
  ).documents;
  assert.deepEqual(plain(doc.document), {
    '@timestamp': '2024-01-15T10:30:00.150000005Z',
    StartTimestamp: '2024-01-15T10:30:00.000000005Z',
    Unit: '{item}',
    'data_stream.type': 'metrics',
    'data_stream.dataset': 'generic',
    'data_stream.namespace': 'default',
    'Attributes.queue': 'q1',
    'Resource.service.name': 'checkout',
    'Scope.name': 'my-lib',
    'Scope.version': '1.0.0',
    'Metrics.queue.depth': 3,
  });
});
