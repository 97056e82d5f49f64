import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import { spanIdText, traceIdText } from './ids';
import { clampUnsigned } from './numbers';
import { isZero, toTimestamp9 } from './time';
import type { Timestamp9 } from './time';
import { NO_RESOURCE_CACHE, resourceAndScopeColumns } from './resource';
import type { ResourceAndScopeColumns, ResourceMapper } from './resource';
import { anyValueAsString, attributesToMap, wellFormed } from './values';
import type { StringMap } from './values';

/**
 * One `otel_logs` row, by column name (computed columns are the server's; the insert order is
 * INSERT_COLUMNS.logs): the record's own columns and those of its resource and scope.
 */
export interface LogRow extends ResourceAndScopeColumns {
  Timestamp: Timestamp9;
  TraceId: string;
  SpanId: string;
  TraceFlags: number;
  SeverityText: string;
  SeverityNumber: number;
  Body: string;
  LogAttributes: StringMap;
  EventName: string;
}

/**
 * Maps one log record to its `otel_logs` row (the Collector's logs mapping). `resources` may
 * remember the columns of a resource shared by many records; the row is the same either way.
 */
export function logRecordToRow(
  record: ReadableLogRecordLike,
  resources: ResourceMapper = NO_RESOURCE_CACHE,
): LogRow {
  const timestamp = logTimestamp(record);
  const context = record.spanContext;
  const resource = resources.columnsOf(record.resource);
  return {
    Timestamp: timestamp,
    TraceId: traceIdText(context?.traceId),
    SpanId: spanIdText(context?.spanId),
    TraceFlags: clampUnsigned(context?.traceFlags, 255),
    SeverityText: wellFormed(record.severityText ?? ''),
    SeverityNumber: clampUnsigned(record.severityNumber, 255),
    Body: anyValueAsString(record.body),
    ...resourceAndScopeColumns(resource, record.instrumentationScope),
    LogAttributes: attributesToMap(record.attributes),
    EventName: wellFormed(record.eventName ?? ''),
  };
}

/** The record's time; the reference falls back to the observed time when the record carries none. */
export function logTimestamp(record: ReadableLogRecordLike): Timestamp9 {
  const timestamp = toTimestamp9(record.hrTime, 'log record time');
  if (isZero(timestamp) && record.hrTimeObserved) {
    return toTimestamp9(record.hrTimeObserved, 'log record observed time');
  }
  return timestamp;
}
