import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { mapSpan } from '../src';

/*
 * The trace Agent's tests of its OTLP receiver's span conversion, as data: every row is a case of
 * DataDog/datadog-agent pkg/trace/api/otlp_test.go (the test named in each table). Rows about the
 * receiver's own plumbing (payload chunks, headers, hostname source) have no exporter counterpart.
 */
const SOURCE = 'pkg/trace/api/otlp_test.go';
// otlp_test.go otlpTestTraceID / otlpTestSpanID.
const TRACE_ID = '72df520af2bde7a5240031ead750e5f3';
const SPAN_ID = '240031ead750e5f3';

interface SpanFields {
  attributes?: Attributes;
  status?: { code: number; message?: string };
  events?: {
    name: string;
    time: [number, number];
    attributes?: Attributes;
    droppedAttributesCount?: number;
  }[];
}

function convert(fields: SpanFields = {}) {
  return mapSpan({
    name: '/path',
    kind: 1,
    spanContext: () => ({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_000, 200_000_000],
    duration: [0, 200_000_000],
    status: fields.status ?? { code: 0 },
    attributes: fields.attributes ?? {},
    links: [],
    events: fields.events ?? [],
    ended: true,
    resource: { attributes: { 'service.name': 'pylons' } },
    instrumentationScope: { name: 'ddtracer', version: 'v2' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as ReadableSpanLike).span;
}

const EXCEPTION = {
  'exception.message': 'Out of memory',
  'exception.type': 'mem',
  'exception.stacktrace': '1/2/3',
};
const ERROR = 2;
const OK = 1;
const event = (name: string, attributes: Attributes) => ({
  name,
  time: [0, 0] as [number, number],
  attributes,
});

// TestOTLPHelpers/status2Error: status and events → error and error.msg/type/stack.
const STATUS_TO_ERROR: {
  test: string;
  status: { code: number; message?: string };
  events: SpanFields['events'];
  error: 0 | 1;
  meta: Record<string, string>;
}[] = [
  {
    test: 'error with a full exception event',
    status: { code: ERROR },
    events: [event('exception', EXCEPTION)],
    error: 1,
    meta: { 'error.msg': 'Out of memory', 'error.type': 'mem', 'error.stack': '1/2/3' },
  },
  {
    test: 'error with an exception message only',
    status: { code: ERROR },
    events: [event('exception', { 'exception.message': 'Out of memory' })],
    error: 1,
    meta: { 'error.msg': 'Out of memory' },
  },
  {
    test: 'error with an EXCEPTION event (any case)',
    status: { code: ERROR },
    events: [event('EXCEPTION', { 'exception.message': 'Out of memory' })],
    error: 1,
    meta: { 'error.msg': 'Out of memory' },
  },
  {
    test: 'error with an event of another name',
    status: { code: ERROR },
    events: [event('OTher', { 'exception.message': 'Out of memory' })],
    error: 1,
    meta: {},
  },
  { test: 'error without events', status: { code: ERROR }, events: [], error: 1, meta: {} },
  {
    test: 'error with a status message',
    status: { code: ERROR, message: 'Error number #24' },
    events: [],
    error: 1,
    meta: { 'error.msg': 'Error number #24' },
  },
  { test: 'ok without events', status: { code: OK }, events: [], error: 0, meta: {} },
  {
    test: 'ok with an exception event',
    status: { code: OK },
    events: [event('exception', EXCEPTION)],
    error: 0,
    meta: {},
  },
];

// TestOTLPSetAttributes/setMetricOTLP and TestOTLPReceiveResourceSpans (chunk priorities).
const PRIORITY: { test: string; attributes: Attributes; expected: number }[] = [
  {
    test: 'TestOTLPSetAttributes/setMetricOTLP sampling.priority 2',
    attributes: { 'sampling.priority': 2 },
    expected: 2,
  },
  {
    test: 'TestOTLPSetAttributes/setMetricOTLP _sampling_priority_v1 3',
    attributes: { _sampling_priority_v1: 3 },
    expected: 3,
  },
  {
    test: 'TestOTLPReceiveResourceSpans: priority -1 kept',
    attributes: { _sampling_priority_v1: -1 },
    expected: -1,
  },
  {
    test: 'TestOTLPReceiveResourceSpans: priority 0 kept',
    attributes: { _sampling_priority_v1: 0 },
    expected: 0,
  },
  { test: 'TestOTLPReceiveResourceSpans: no priority: 1', attributes: {}, expected: 1 },
];

// TestOTLPSetAttributes/setMetaOTLP and TestOTLPConvertSpan: analytics.event → _dd1.sr.eausr.
const ANALYTICS: { test: string; value: string | boolean; expected: number }[] = [
  { test: 'TestOTLPSetAttributes/setMetaOTLP "true"', value: 'true', expected: 1 },
  { test: 'TestOTLPSetAttributes/setMetaOTLP "false"', value: 'false', expected: 0 },
  { test: 'TestOTLPConvertSpan: analytics.event true', value: true, expected: 1 },
];

describe(`OTLP receiver conversion conformance (${SOURCE})`, () => {
  it('TestOTLPHelpers/byteArrayToUint64: trace and span ids as the low 64 bits', () => {
    const span = convert();
    assert.equal(span.trace_id, 0x240031ead750e5f3n);
    assert.equal(span.trace_id, 2594128270069917171n);
    assert.equal(span.span_id, 2594128270069917171n);
    assert.equal(span.parent_id, 0n);
    assert.equal(span.meta['otel.trace_id'], TRACE_ID);
    assert.equal(span.duration, 200_000_000n);
  });

  for (const row of STATUS_TO_ERROR) {
    it(`TestOTLPHelpers/status2Error: ${row.test}`, () => {
      const span = convert({ status: row.status, events: row.events });
      assert.equal(span.error, row.error);
      for (const key of ['error.msg', 'error.type', 'error.stack']) {
        assert.equal(span.meta[key], row.meta[key], key);
      }
    });
  }

  for (const row of PRIORITY) {
    it(`${row.test}`, () =>
      assert.equal(
        convert({ attributes: row.attributes }).metrics._sampling_priority_v1,
        row.expected,
      ));
  }

  for (const row of ANALYTICS) {
    it(`${row.test} → _dd1.sr.eausr ${row.expected}`, () => {
      const span = convert({ attributes: { 'analytics.event': row.value } });
      assert.equal(span.metrics['_dd1.sr.eausr'], row.expected);
      assert.equal(span.meta['analytics.event'], undefined);
    });
  }

  it('TestOTLPConvertSpan: events as JSON with time_unix_nano, name, attributes, dropped_attributes_count', () => {
    const span = convert({
      status: { code: ERROR, message: 'Error' },
      events: [
        {
          name: 'boom',
          time: [0, 123],
          attributes: { key: 'Out of memory', accuracy: 2.4 },
          droppedAttributesCount: 2,
        },
        { name: 'exception', time: [0, 456], attributes: EXCEPTION, droppedAttributesCount: 2 },
      ],
    });
    const events = JSON.parse(span.meta.events) as Record<string, unknown>[];
    assert.deepEqual(
      events.map((e) => [e.time_unix_nano, e.name, e.dropped_attributes_count]),
      [
        [123, 'boom', 2],
        [456, 'exception', 2],
      ],
    );
    assert.deepEqual(events[1].attributes, EXCEPTION);
    assert.equal(span.meta['otel.status_description'], 'Error');
    assert.equal(span.meta['error.msg'], 'Out of memory');
    assert.equal(span.error, 1);
  });
});
