import type { AnyValue, ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import type { ResourceMapper } from '../mapping/resource';
import type { NestedColumns } from '../mapping/spans';
import { timestampText } from '../mapping/time';
import { anyValueAsString, wellFormed } from '../mapping/values';
import type { InsertColumn } from '../schema/tables';
import { JSON_VALUE_WRITERS, quote, quoteKey } from './json';
import {
  KeyOrders,
  resourceAndScopeFragments,
  LOG_RESOURCE_AND_SCOPE,
  SPAN_NESTED,
  SPAN_RESOURCE_AND_SCOPE,
} from './record-caches';
import { LogFields, SpanFields } from './record-fields';

/*
 * JSONEachRow lines for spans and log records, written from the SDK's objects: the same text as
 * jsonEachRowWriter of spanToRow / logRecordToRow (a test holds every fixture to it), without
 * the row object, its `[key, value]` arrays, or writing the resource and scope again for every
 * row. They are the cost of the default format per record: the columns of the resource and the
 * scope are the same for every record of a provider and a tracer or logger, so their text is
 * made once per resource and scope and kept with them (by identity, the last pair seen).
 */

/** `{"k":"v",…}` of attributes as attributesToMap orders and encodes them (keys sorted). */
function attributesText(
  attributes: Readonly<Record<string, AnyValue>> | undefined,
  keyOrders: KeyOrders<string>,
): string {
  if (!attributes) return '{}';
  const own = Object.keys(attributes);
  if (own.length === 0) return '{}';
  const { keys, forms: prefixes } = keyOrders.of(own);
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) text += ',';
    text += prefixes[i] + quote(anyValueAsString(attributes[keys[i]]));
  }
  return text + '}';
}

/** A map key's `"key":` text. */
function keyPrefix(key: string): string {
  return `${quoteKey(wellFormed(key))}:`;
}

/** The Nested columns of a span without events or links. */
const EMPTY_NESTED =
  ',"Events.Timestamp":[],"Events.Name":[],"Events.Attributes":[],' +
  '"Links.TraceId":[],"Links.SpanId":[],"Links.TraceState":[],"Links.Attributes":[]';

/** `"Name":value,…` of columns, from their values by name. */
function columnsText(columns: readonly InsertColumn[], values: Readonly<Record<string, unknown>>) {
  return columns
    .map((column) => `"${column.name}":${JSON_VALUE_WRITERS[column.kind](values[column.name])}`)
    .join(',');
}

function nestedText(nested: NestedColumns | undefined): string {
  if (!nested) return EMPTY_NESTED;
  return `,${columnsText(SPAN_NESTED, nested as unknown as Record<string, unknown>)}`;
}

/*
 * A line is assembled with join(), which returns one flat string: built with `+` it would stay a
 * rope of many small pieces while it waits in the queue (see json.ts).
 */

/** A function from a finished span to its `otel_traces` JSONEachRow line (with its newline). */
export function spanJsonLineWriter(resources: ResourceMapper): (span: ReadableSpanLike) => string {
  const fields = new SpanFields(resources);
  const fragments = resourceAndScopeFragments(SPAN_RESOURCE_AND_SCOPE, columnsText);
  const keyOrders = new KeyOrders(keyPrefix);
  const parts = new Array<string>(12);
  return (span) => {
    fields.read(span);
    parts[0] = `{"Timestamp":"${timestampText(fields.start)}","TraceId":${quote(fields.traceId)}`;
    parts[1] = `,"SpanId":${quote(fields.spanId)}`;
    parts[2] = `,"ParentSpanId":${quote(fields.parentSpanId)}`;
    parts[3] = `,"TraceState":${quote(fields.traceState)}`;
    parts[4] = `,"SpanName":${quote(fields.name)}`;
    parts[5] = `,"SpanKind":${quote(fields.kind)},`;
    parts[6] = fragments.of(fields.resource, fields.scope);
    parts[7] = `,"SpanAttributes":${attributesText(fields.attributes, keyOrders)}`;
    parts[8] = `,"Duration":${String(fields.duration)}`;
    parts[9] = `,"StatusCode":${quote(fields.statusCode)}`;
    parts[10] = `,"StatusMessage":${quote(fields.statusMessage)}`;
    parts[11] = `${nestedText(fields.nested)}}\n`;
    return parts.join('');
  };
}

/** A function from a log record to its `otel_logs` JSONEachRow line (with its newline). */
export function logJsonLineWriter(
  resources: ResourceMapper,
): (record: ReadableLogRecordLike) => string {
  const fields = new LogFields(resources);
  const fragments = resourceAndScopeFragments(LOG_RESOURCE_AND_SCOPE, columnsText);
  const keyOrders = new KeyOrders(keyPrefix);
  const parts = new Array<string>(9);
  return (record) => {
    fields.read(record);
    parts[0] = `{"Timestamp":"${timestampText(fields.timestamp)}","TraceId":${quote(fields.traceId)}`;
    parts[1] = `,"SpanId":${quote(fields.spanId)}`;
    parts[2] = `,"TraceFlags":${fields.traceFlags}`;
    parts[3] = `,"SeverityText":${quote(fields.severityText)}`;
    parts[4] = `,"SeverityNumber":${fields.severityNumber}`;
    parts[5] = `,"ServiceName":${quote(fields.resource.serviceName)},"Body":${quote(fields.body)},`;
    parts[6] = fragments.of(fields.resource, fields.scope);
    parts[7] = `,"LogAttributes":${attributesText(fields.attributes, keyOrders)}`;
    parts[8] = `,"EventName":${quote(fields.eventName)}}\n`;
    return parts.join('');
  };
}
