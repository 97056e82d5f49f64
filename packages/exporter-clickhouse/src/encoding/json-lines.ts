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
import { durationNanos, timestampText, toTimestamp9 } from '../mapping/time';
import { anyValueAsString, attributesToMap, wellFormed } from '../mapping/values';
import { INSERT_COLUMNS } from '../schema/tables';
import { JSON_VALUE_WRITERS, quote, quoteKey } from './json';

/*
 * JSONEachRow lines for spans and log records, written from the SDK's objects: the same text as
 * jsonEachRowWriter of spanToRow / logRecordToRow (a test holds every fixture to it), without
 * the row object, its `[key, value]` arrays, or writing the resource and scope again for every
 * row. They are the cost of the default format per record: the columns of the resource and the
 * scope are the same for every record of a provider and a tracer or logger, so their text is
 * made once per resource and scope and kept with them (by identity, the last pair seen).
 */

/**
 * The sorted order of the last few attribute key lists seen, with each key's `"key":` text. The
 * records of one instrumentation carry the same keys in the same order (HTTP server and client
 * spans alternate), so a list equal to a kept one, key for key, is not sorted again: the sort and
 * the keys' JSON text were a tenth of this exporter's CPU per span.
 */
class KeyOrders {
  private readonly lists: (readonly string[])[] = [];
  private readonly orders: { keys: string[]; prefixes: string[] }[] = [];
  private nextSlot = 0;

  of(keys: readonly string[]): { keys: string[]; prefixes: string[] } {
    const lists = this.lists;
    for (let slot = 0; slot < lists.length; slot++) {
      if (sameKeys(lists[slot], keys)) return this.orders[slot];
    }
    const sorted = keys.slice().sort();
    const order = { keys: sorted, prefixes: sorted.map((key) => `${quoteKey(wellFormed(key))}:`) };
    if (keys.length <= MAX_KEPT_KEYS) {
      lists[this.nextSlot] = keys;
      this.orders[this.nextSlot] = order;
      this.nextSlot = (this.nextSlot + 1) % KEPT_KEY_LISTS;
    }
    return order;
  }
}

const KEPT_KEY_LISTS = 4;
/** Longer lists are sorted each time: comparing them costs as much, and they are rare. */
const MAX_KEPT_KEYS = 64;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `{"k":"v",…}` of attributes as attributesToMap orders and encodes them (keys sorted). */
function attributesText(
  attributes: Readonly<Record<string, AnyValue>> | undefined,
  keyOrders: KeyOrders,
): string {
  if (!attributes) return '{}';
  const own = Object.keys(attributes);
  if (own.length === 0) return '{}';
  const { keys, prefixes } = keyOrders.of(own);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) text += ',';
    text += prefixes[i] + quote(anyValueAsString(attributes[keys[i]]));
  }
  return text + '}';
}

/** The Nested columns of a span without events or links. */
const EMPTY_NESTED =
  ',"Events.Timestamp":[],"Events.Name":[],"Events.Attributes":[],' +
  '"Links.TraceId":[],"Links.SpanId":[],"Links.TraceState":[],"Links.Attributes":[]';

const NESTED_COLUMNS = INSERT_COLUMNS.traces.slice(-7);

function nestedText(span: ReadableSpanLike): string {
  if (hasNoNested(span)) return EMPTY_NESTED;
  const values = nestedColumns(span) as unknown as Record<string, unknown>;
  let text = '';
  for (const column of NESTED_COLUMNS) {
    text += `,${JSON.stringify(column.name)}:${JSON_VALUE_WRITERS[column.kind](values[column.name])}`;
  }
  return text;
}

/** A fragment kept for the last resource (and scope) seen, by identity. */
class LastFragment<K extends object, S extends object | undefined> {
  private key: K | undefined;
  private scope: S | undefined;
  private text = '';

  constructor(private readonly make: (key: K, scope: S) => string) {}

  of(key: K, scope: S): string {
    if (key !== this.key || scope !== this.scope) {
      this.text = this.make(key, scope);
      this.key = key;
      this.scope = scope;
    }
    return this.text;
  }
}

/** The JSON text of a scope's columns, by column name. */
function scopeColumns(scope: InstrumentationScopeLike | undefined): Record<string, string> {
  return {
    ScopeSchemaUrl: quote(wellFormed(scope?.schemaUrl ?? '')),
    ScopeName: quote(wellFormed(scope?.name ?? '')),
    ScopeVersion: quote(wellFormed(scope?.version ?? '')),
    ScopeAttributes: JSON_VALUE_WRITERS.map(attributesToMap(scope?.attributes)),
  };
}

/**
 * The text of the consecutive columns `names` that come from the resource and the scope
 * (`"ServiceName":…,"ResourceAttributes":{…},…`), made when the resource or scope changes.
 */
function resourceAndScopeText(
  names: readonly string[],
): (resource: ResourceColumns, scope: InstrumentationScopeLike | undefined) => string {
  return (resource, scope) => {
    const values: Record<string, string> = {
      ServiceName: quote(resource.serviceName),
      ResourceSchemaUrl: quote(resource.schemaUrl),
      ResourceAttributes: JSON_VALUE_WRITERS.map(resource.attributes),
      ...scopeColumns(scope),
    };
    return names.map((name) => `"${name}":${values[name]}`).join(',');
  };
}

const spanResourceAndScope = resourceAndScopeText([
  'ServiceName',
  'ResourceAttributes',
  'ScopeName',
  'ScopeVersion',
]);

const logResourceAndScope = resourceAndScopeText([
  'ResourceSchemaUrl',
  'ResourceAttributes',
  'ScopeSchemaUrl',
  'ScopeName',
  'ScopeVersion',
  'ScopeAttributes',
]);

/*
 * A line is assembled with join(), which returns one flat string: built with `+` it would stay a
 * rope of many small pieces while it waits in the queue (see json.ts).
 */

/** A function from a finished span to its `otel_traces` JSONEachRow line (with its newline). */
export function spanJsonLineWriter(resources: ResourceMapper): (span: ReadableSpanLike) => string {
  const fragments = new LastFragment(spanResourceAndScope);
  const keyOrders = new KeyOrders();
  const parts = new Array<string>(12);
  return (span) => {
    const context = span.spanContext();
    const start = toTimestamp9(span.startTime, 'span startTime');
    const end = toTimestamp9(span.endTime, 'span endTime');
    const resource = resources.columnsOf(span.resource);
    parts[0] = `{"Timestamp":"${timestampText(start)}","TraceId":${quote(traceIdText(context.traceId))}`;
    parts[1] = `,"SpanId":${quote(spanIdText(context.spanId))}`;
    parts[2] = `,"ParentSpanId":${quote(spanIdText(span.parentSpanContext?.spanId))}`;
    parts[3] = `,"TraceState":${quote(wellFormed(context.traceState?.serialize() ?? ''))}`;
    parts[4] = `,"SpanName":${quote(wellFormed(span.name ?? ''))}`;
    parts[5] = `,"SpanKind":${quote(spanKindText(span.kind))},`;
    parts[6] = fragments.of(resource, span.instrumentationScope);
    parts[7] = `,"SpanAttributes":${attributesText(span.attributes, keyOrders)}`;
    parts[8] = `,"Duration":${String(durationNanos(start, end))}`;
    parts[9] = `,"StatusCode":${quote(statusCodeText(span.status?.code))}`;
    parts[10] = `,"StatusMessage":${quote(wellFormed(span.status?.message ?? ''))}`;
    parts[11] = `${nestedText(span)}}\n`;
    return parts.join('');
  };
}

/** A function from a log record to its `otel_logs` JSONEachRow line (with its newline). */
export function logJsonLineWriter(
  resources: ResourceMapper,
): (record: ReadableLogRecordLike) => string {
  const fragments = new LastFragment(logResourceAndScope);
  const keyOrders = new KeyOrders();
  const parts = new Array<string>(9);
  return (record) => {
    const timestamp = logTimestamp(record);
    const context = record.spanContext;
    const resource = resources.columnsOf(record.resource);
    parts[0] = `{"Timestamp":"${timestampText(timestamp)}","TraceId":${quote(traceIdText(context?.traceId))}`;
    parts[1] = `,"SpanId":${quote(spanIdText(context?.spanId))}`;
    parts[2] = `,"TraceFlags":${clampUnsigned(context?.traceFlags, 255)}`;
    parts[3] = `,"SeverityText":${quote(wellFormed(record.severityText ?? ''))}`;
    parts[4] = `,"SeverityNumber":${clampUnsigned(record.severityNumber, 255)}`;
    parts[5] = `,"ServiceName":${quote(resource.serviceName)},"Body":${quote(anyValueAsString(record.body))},`;
    parts[6] = fragments.of(resource, record.instrumentationScope);
    parts[7] = `,"LogAttributes":${attributesText(record.attributes, keyOrders)}`;
    parts[8] = `,"EventName":${quote(wellFormed(record.eventName ?? ''))}}\n`;
    return parts.join('');
  };
}
