import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spanKindText, spanToRow, statusCodeText } from '../src/mapping/spans';
import type { SpanRow } from '../src/mapping/spans';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { MappingError } from '../src/mapping/time';
import { PARENT_SPAN_ID, SPAN_ID, TRACE_ID, makeSpan } from './fixtures';

test('spanToRow maps every column as the Collector does', () => {
  const expected: SpanRow = {
    Timestamp: [1_700_000_000, 123_456_789],
    TraceId: TRACE_ID,
    SpanId: SPAN_ID,
    ParentSpanId: PARENT_SPAN_ID,
    TraceState: 'vendor=abc,other=1',
    SpanName: 'GET /cart',
    SpanKind: 'Server',
    ServiceName: 'checkout',
    ResourceAttributes: [
      ['deployment.environment.name', 'prod'],
      ['host.name', 'web-1'],
      ['service.name', 'checkout'],
    ],
    ScopeName: '@acme/http',
    ScopeVersion: '2.1.0',
    SpanAttributes: [
      ['http.route', '/cart'],
      ['http.status_code', '504'],
      ['retried', 'true'],
    ],
    Duration: 876_543_216,
    StatusCode: 'Error',
    StatusMessage: 'upstream timed out',
    'Events.Timestamp': [
      [1_700_000_000, 200_000_001],
      [1_700_000_000, 900_000_000],
    ],
    'Events.Name': ['cache miss', 'retry'],
    'Events.Attributes': [[['key', 'cart:42']], []],
    'Links.TraceId': ['0af7651916cd43dd8448eb211c80319c'],
    'Links.SpanId': ['b7ad6b7169203331'],
    'Links.TraceState': ['k=v'],
    'Links.Attributes': [[['link.kind', 'follows']]],
  };
  assert.deepEqual(spanToRow(makeSpan()), expected);
});

test('span kinds and status codes use pdata String() names', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, -1].map(spanKindText), [
    'Internal',
    'Server',
    'Client',
    'Producer',
    'Consumer',
    'Unspecified',
    'Unspecified',
  ]);
  assert.deepEqual([0, 1, 2, 7].map(statusCodeText), ['Unset', 'Ok', 'Error', 'Unset']);
});

test('a root span, with no trace state, links or events, has empty columns', () => {
  const row = spanToRow(
    makeSpan(
      { parentSpanContext: undefined, links: [], events: [], status: { code: 0 } },
      { traceState: undefined },
    ),
  );
  assert.equal(row.ParentSpanId, '');
  assert.equal(row.TraceState, '');
  assert.equal(row.StatusCode, 'Unset');
  assert.equal(row.StatusMessage, '');
  assert.deepEqual(row['Events.Name'], []);
  assert.deepEqual(row['Links.TraceId'], []);
});

test('invalid (all-zero) ids are written as empty strings, uppercase hex lowered', () => {
  const row = spanToRow(
    makeSpan(
      {
        parentSpanContext: {
          traceId: TRACE_ID.toUpperCase(),
          spanId: '0000000000000000',
          traceFlags: 0,
        },
      },
      { traceId: '00000000000000000000000000000000', spanId: 'EEE19B7EC3C1B174' },
    ),
  );
  assert.equal(row.TraceId, '');
  assert.equal(row.SpanId, SPAN_ID);
  assert.equal(row.ParentSpanId, '');
});

test('ugly input: end before start, lone surrogates, huge name, no service.name', () => {
  const huge = 'n'.repeat(1_000_000);
  const row = spanToRow(
    makeSpan({
      name: `bad\ud800name`,
      endTime: [1_699_999_999, 0],
      status: { code: 2, message: huge },
      resource: { attributes: { 'service.name': ['a', 'b'] } },
      attributes: { '\udc00k': NaN, nested: [1, 2] },
    }),
  );
  assert.equal(row.SpanName, 'bad\ufffdname');
  assert.equal(row.Duration, 0);
  assert.equal(row.StatusMessage.length, 1_000_000);
  assert.equal(row.ServiceName, '["a","b"]');
  assert.deepEqual(row.SpanAttributes, [
    ['nested', '[1,2]'],
    ['\ufffdk', 'json: unsupported value: NaN'],
  ]);
});

test('a span with a non-finite time cannot be mapped and says which time', () => {
  assert.throws(() => spanToRow(makeSpan({ startTime: [NaN, 0] })), MappingError);
  assert.throws(
    () => spanToRow(makeSpan({ events: [{ name: 'x', time: [1, Infinity] }] })),
    /span event time is not a finite HrTime/,
  );
});

test('a resource cache gives the same rows and maps a shared resource once', () => {
  const cache = new ResourceColumnsCache();
  const first = spanToRow(makeSpan(), cache);
  const second = spanToRow(makeSpan({ name: 'other' }), cache);
  assert.deepEqual(first, spanToRow(makeSpan()));
  assert.equal(
    second.ResourceAttributes,
    first.ResourceAttributes,
    'the same map object, not remapped',
  );
  const pending = { attributes: { 'service.name': 'late' }, asyncAttributesPending: true };
  const a = spanToRow(makeSpan({ resource: pending }), cache);
  const b = spanToRow(makeSpan({ resource: pending }), cache);
  assert.notEqual(
    a.ResourceAttributes,
    b.ResourceAttributes,
    'a resource still resolving is not remembered',
  );
  assert.deepEqual(a.ResourceAttributes, [['service.name', 'late']]);
});
