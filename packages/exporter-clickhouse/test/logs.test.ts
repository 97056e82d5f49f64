import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logRecordToRow } from '../src/mapping/logs';
import type { LogRow } from '../src/mapping/logs';
import { MappingError } from '../src/mapping/time';
import { SPAN_ID, TRACE_ID, makeLogRecord } from './fixtures';

test('logRecordToRow maps every column as the Collector does', () => {
  const expected: LogRow = {
    Timestamp: [1_700_000_002, 42],
    TraceId: TRACE_ID,
    SpanId: SPAN_ID,
    TraceFlags: 1,
    SeverityText: 'ERROR',
    SeverityNumber: 17,
    ServiceName: 'checkout',
    Body: 'payment declined for order 42',
    ResourceSchemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
    ResourceAttributes: [
      ['deployment.environment.name', 'prod'],
      ['host.name', 'web-1'],
      ['service.name', 'checkout'],
    ],
    ScopeSchemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
    ScopeName: '@acme/http',
    ScopeVersion: '2.1.0',
    ScopeAttributes: [['scope.attr', 'yes']],
    LogAttributes: [
      ['customer.tier', 'gold'],
      ['order.id', '42'],
    ],
    EventName: 'payment.declined',
  };
  assert.deepEqual(logRecordToRow(makeLogRecord()), expected);
});

test('a record without a time takes its observed time, as the reference does', () => {
  assert.deepEqual(logRecordToRow(makeLogRecord({ hrTime: [0, 0] })).Timestamp, [1_700_000_003, 7]);
});

test('a record outside any span has empty ids and zero flags', () => {
  const row = logRecordToRow(makeLogRecord({ spanContext: undefined }));
  assert.equal(row.TraceId, '');
  assert.equal(row.SpanId, '');
  assert.equal(row.TraceFlags, 0);
});

test('bodies of every kind are written as text', () => {
  const bodyOf = (body: unknown): string =>
    logRecordToRow(makeLogRecord({ body: body as never })).Body;
  assert.equal(bodyOf(undefined), '');
  assert.equal(bodyOf(null), '');
  assert.equal(bodyOf(12.5), '12.5');
  assert.equal(bodyOf(false), 'false');
  assert.equal(bodyOf({ msg: 'hi', level: 3, tags: ['a'] }), '{"level":3,"msg":"hi","tags":["a"]}');
  assert.equal(bodyOf(new Uint8Array([104, 105])), 'aGk=');
  assert.equal(bodyOf('multi\nline\u0000nul'), 'multi\nline\u0000nul');
});

test('nested log attributes (AnyValue maps) become sorted JSON text', () => {
  const row = logRecordToRow(
    makeLogRecord({ attributes: { req: { method: 'GET', headers: { b: '2', a: '1' } }, n: null } }),
  );
  assert.deepEqual(row.LogAttributes, [
    ['n', ''],
    ['req', '{"headers":{"a":"1","b":"2"},"method":"GET"}'],
  ]);
});

test('out-of-range severity numbers and flags are clamped into UInt8', () => {
  const row = logRecordToRow(
    makeLogRecord({
      severityNumber: 300,
      spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: -1 },
    }),
  );
  assert.equal(row.SeverityNumber, 255);
  assert.equal(row.TraceFlags, 0);
  assert.equal(logRecordToRow(makeLogRecord({ severityNumber: NaN })).SeverityNumber, 0);
  assert.equal(logRecordToRow(makeLogRecord({ severityNumber: 9.7 })).SeverityNumber, 9);
});

test('a record with a non-finite time cannot be mapped', () => {
  assert.throws(() => logRecordToRow(makeLogRecord({ hrTime: [1, NaN] })), MappingError);
});
