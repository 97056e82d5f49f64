import type {
  AnyValue,
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
} from '@otelpack/batching-core';
import { spanIdText, traceIdText } from '../mapping/ids';
import { logTimestamp } from '../mapping/logs';
import { clampUnsigned } from '../mapping/numbers';
import type { ResourceColumns, ResourceMapper } from '../mapping/resource';
import { hasNoNested, nestedColumns, spanKindText, statusCodeText } from '../mapping/spans';
import type { NestedColumns } from '../mapping/spans';
import { EPOCH, durationNanos, toTimestamp9 } from '../mapping/time';
import type { Timestamp9 } from '../mapping/time';
import { anyValueAsString, wellFormed } from '../mapping/values';

/*
 * The columns of a span or log record, mapped as spanToRow / logRecordToRow map them, for the
 * writers that encode records straight from the SDK's objects (json-lines.ts for JSONEachRow,
 * row-binary-rows.ts for RowBinary): one object per writer, read again for every record, so that
 * each format encodes the same values without a row object per record. The attributes stay the
 * SDK's (each writer keeps its own sorted key orders); the resource and scope are kept as given
 * (each writer encodes their columns once per pair).
 */

type Attributes = Readonly<Record<string, AnyValue>> | undefined;

const NO_RESOURCE = { attributes: [], serviceName: '', schemaUrl: '' } as ResourceColumns;

/** A span's columns; `read` fills them from the next span (and throws where spanToRow throws). */
export class SpanFields {
  start: Timestamp9 = EPOCH;
  traceId = '';
  spanId = '';
  parentSpanId = '';
  traceState = '';
  name = '';
  kind = '';
  resource: ResourceColumns = NO_RESOURCE;
  scope: InstrumentationScopeLike | undefined = undefined;
  attributes: Attributes = undefined;
  duration: number | bigint = 0;
  statusCode = '';
  statusMessage = '';
  /** The Nested columns (events, links), or undefined when all are empty. */
  nested: NestedColumns | undefined = undefined;

  constructor(private readonly resources: ResourceMapper) {}

  read(span: ReadableSpanLike): void {
    const context = span.spanContext();
    const start = toTimestamp9(span.startTime, 'span startTime');
    const end = toTimestamp9(span.endTime, 'span endTime');
    this.resource = this.resources.columnsOf(span.resource);
    // Before the other columns, as in spanToRow: an event time it cannot map fails the span first.
    this.nested = hasNoNested(span) ? undefined : nestedColumns(span);
    this.start = start;
    this.traceId = traceIdText(context.traceId);
    this.spanId = spanIdText(context.spanId);
    this.parentSpanId = spanIdText(span.parentSpanContext?.spanId);
    this.traceState = wellFormed(context.traceState?.serialize() ?? '');
    this.name = wellFormed(span.name ?? '');
    this.kind = spanKindText(span.kind);
    this.scope = span.instrumentationScope;
    this.attributes = span.attributes;
    this.duration = durationNanos(start, end);
    this.statusCode = statusCodeText(span.status?.code);
    this.statusMessage = wellFormed(span.status?.message ?? '');
  }
}

/** A log record's columns; `read` fills them from the next record. */
export class LogFields {
  timestamp: Timestamp9 = EPOCH;
  traceId = '';
  spanId = '';
  traceFlags = 0;
  severityText = '';
  severityNumber = 0;
  resource: ResourceColumns = NO_RESOURCE;
  body = '';
  scope: InstrumentationScopeLike | undefined = undefined;
  attributes: Attributes = undefined;
  eventName = '';

  constructor(private readonly resources: ResourceMapper) {}

  read(record: ReadableLogRecordLike): void {
    this.timestamp = logTimestamp(record);
    const context = record.spanContext;
    this.resource = this.resources.columnsOf(record.resource);
    this.traceId = traceIdText(context?.traceId);
    this.spanId = spanIdText(context?.spanId);
    this.traceFlags = clampUnsigned(context?.traceFlags, 255);
    this.severityText = wellFormed(record.severityText ?? '');
    this.severityNumber = clampUnsigned(record.severityNumber, 255);
    this.body = anyValueAsString(record.body);
    this.scope = record.instrumentationScope;
    this.attributes = record.attributes;
    this.eventName = wellFormed(record.eventName ?? '');
  }
}
