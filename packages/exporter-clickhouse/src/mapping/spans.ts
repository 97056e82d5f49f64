import type { ReadableSpanLike } from '@otelpack/batching-core';
import { spanIdText, traceIdText } from './ids';
import { durationNanos, toTimestamp9 } from './time';
import type { Timestamp9 } from './time';
import { NO_RESOURCE_CACHE } from './resource';
import type { ResourceMapper } from './resource';
import { attributesToMap, wellFormed } from './values';
import type { StringMap } from './values';

/** One `otel_traces` row, by column name. */
export interface SpanRow {
  Timestamp: Timestamp9;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: StringMap;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: StringMap;
  Duration: number | bigint;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': Timestamp9[];
  'Events.Name': string[];
  'Events.Attributes': StringMap[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': StringMap[];
}

/**
 * The API's SpanKind (INTERNAL 0 … CONSUMER 4) as the Collector writes it: pdata's
 * `SpanKind.String()` of the OTLP kind, which is the API's plus one.
 */
const SPAN_KINDS = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];

/** The API's SpanStatusCode (UNSET 0, OK 1, ERROR 2) as pdata's `StatusCode.String()`. */
const STATUS_CODES = ['Unset', 'Ok', 'Error'];

export function spanKindText(kind: number): string {
  return SPAN_KINDS[kind] ?? 'Unspecified';
}

export function statusCodeText(code: number): string {
  return STATUS_CODES[code] ?? 'Unset';
}

/** The empty Nested columns every span without events or links shares (never written to). */
const NONE = Object.freeze([]) as unknown as never[];

/**
 * Maps one finished span to its `otel_traces` row (the Collector's traces mapping). `resources`
 * may remember the columns of a resource shared by many spans; the row is the same either way.
 */
export function spanToRow(
  span: ReadableSpanLike,
  resources: ResourceMapper = NO_RESOURCE_CACHE,
): SpanRow {
  const context = span.spanContext();
  const start = toTimestamp9(span.startTime, 'span startTime');
  const end = toTimestamp9(span.endTime, 'span endTime');
  const resource = resources.columnsOf(span.resource);
  const scope = span.instrumentationScope;

  const nested = nestedColumns(span);

  return {
    Timestamp: start,
    TraceId: traceIdText(context.traceId),
    SpanId: spanIdText(context.spanId),
    ParentSpanId: spanIdText(span.parentSpanContext?.spanId),
    TraceState: wellFormed(context.traceState?.serialize() ?? ''),
    SpanName: wellFormed(span.name ?? ''),
    SpanKind: spanKindText(span.kind),
    ServiceName: resource.serviceName,
    ResourceAttributes: resource.attributes,
    ScopeName: wellFormed(scope?.name ?? ''),
    ScopeVersion: wellFormed(scope?.version ?? ''),
    SpanAttributes: attributesToMap(span.attributes),
    Duration: durationNanos(start, end),
    StatusCode: statusCodeText(span.status?.code),
    StatusMessage: wellFormed(span.status?.message ?? ''),
    ...nested,
  };
}

/** A span's Nested columns: its events' and links' fields, one array per column. */
export type NestedColumns = Pick<
  SpanRow,
  | 'Events.Timestamp'
  | 'Events.Name'
  | 'Events.Attributes'
  | 'Links.TraceId'
  | 'Links.SpanId'
  | 'Links.TraceState'
  | 'Links.Attributes'
>;

/** True when a span has neither events nor links: its Nested columns are all empty. */
export function hasNoNested(span: ReadableSpanLike): boolean {
  return !(span.events && span.events.length > 0) && !(span.links && span.links.length > 0);
}

export function nestedColumns(span: ReadableSpanLike): NestedColumns {
  // Most spans have no events and no links: they share one empty array rather than allocate
  // seven per span.
  let eventTimes: Timestamp9[] = NONE;
  let eventNames: string[] = NONE;
  let eventAttributes: StringMap[] = NONE;
  const events = span.events;
  if (events && events.length > 0) {
    eventTimes = [];
    eventNames = [];
    eventAttributes = [];
    for (const event of events) {
      eventTimes.push(toTimestamp9(event.time, 'span event time'));
      eventNames.push(wellFormed(event.name ?? ''));
      eventAttributes.push(attributesToMap(event.attributes));
    }
  }

  let linkTraceIds: string[] = NONE;
  let linkSpanIds: string[] = NONE;
  let linkStates: string[] = NONE;
  let linkAttributes: StringMap[] = NONE;
  const links = span.links;
  if (links && links.length > 0) {
    linkTraceIds = [];
    linkSpanIds = [];
    linkStates = [];
    linkAttributes = [];
    for (const link of links) {
      linkTraceIds.push(traceIdText(link.context?.traceId));
      linkSpanIds.push(spanIdText(link.context?.spanId));
      linkStates.push(wellFormed(link.context?.traceState?.serialize() ?? ''));
      linkAttributes.push(attributesToMap(link.attributes));
    }
  }

  return {
    'Events.Timestamp': eventTimes,
    'Events.Name': eventNames,
    'Events.Attributes': eventAttributes,
    'Links.TraceId': linkTraceIds,
    'Links.SpanId': linkSpanIds,
    'Links.TraceState': linkStates,
    'Links.Attributes': linkAttributes,
  };
}
