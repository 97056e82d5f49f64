import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableLogRecordLike, ResourceLike } from '@otelpack/batching-core';
import { logRecordToRow } from '../src/mapping/logs';
import { spanToRow } from '../src/mapping/spans';
import { rowBinaryWriter } from '../src/encoding/row-binary';
import { logRowBinaryWriter, spanRowBinaryWriter } from '../src/encoding/row-binary-rows';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { INSERT_COLUMNS } from '../src/schema/tables';
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

/** A row with its StringMap columns (and arrays of them) as objects, for comparison. */
function readBack(row: object): Record<string, unknown> {
  const asObject = (pairs: [string, string][]) => Object.fromEntries(pairs);
  const isMap = (value: unknown): value is [string, string][] =>
    Array.isArray(value) &&
    value.every(
      (entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string',
    );
  return Object.fromEntries(
    Object.entries(row).map(([column, value]) => {
      if (column.endsWith('Attributes') && Array.isArray(value)) {
        return [
          column,
          isMap(value) ? asObject(value) : (value as [string, string][][]).map(asObject),
        ];
      }
      return [column, value];
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
