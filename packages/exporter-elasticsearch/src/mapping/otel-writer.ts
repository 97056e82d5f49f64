import type { SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import { dataStreamField } from './documents';
import { toJsonValue } from './json-value';
import type { ValueLimits } from './json-value';
import { attributesText, quote, stringText } from './json-text';
import {
  cleanText,
  eventNameOf,
  kindName,
  logTime,
  positiveCount,
  spanIdOf,
  statusName,
  traceIdOf,
  traceStateOf,
} from './otel-fields';
import { resourceField, scopeField } from './otel-shared-fields';
import { memberJson } from './shared-json';
import { durationNanos, epochMillisWithNanos } from './time';
import type { MappingSettings, Target } from './types';

/*
 * The `otel` documents of spans, span events and log records written as JSON text, member for
 * member what otel-mode.ts builds as objects, in the order stringifyDocument gives them (the
 * shared data_stream, resource and scope last), so that the same record makes the same bytes
 * (and the same content id) as before.
 */

/** `,"key":"…"` for text known to need no escaping (hex ids, times); nothing when missing. */
function plainMember(key: string, text: string | undefined): string {
  return text === undefined ? '' : `,"${key}":"${text}"`;
}

function textMember(key: string, text: string | undefined): string {
  return text === undefined ? '' : `,"${key}":${quote(text)}`;
}

function rawMember(key: string, json: string | number | undefined): string {
  return json === undefined ? '' : `,"${key}":${json}`;
}

/**
 * Members after their leading comma, in braces. Only for small objects: slicing a string built
 * by concatenation copies it whole.
 */
function object(members: string): string {
  return members === '' ? '{}' : `{${members.slice(1)}}`;
}

/*
 * The last record's shared members and what they were written for: consecutive records mostly
 * share target, resource and scope, and looking up three shared fields (and their JSON) again
 * for each was six WeakMap lookups per document in the profile.
 */
let lastTarget: Target | undefined;
let lastResource: ResourceLike | undefined;
let lastScope: InstrumentationScopeLike | undefined;
let lastSettings: MappingSettings | undefined;
let lastSharedMembers = '';

/** The shared members every `otel` span, event and log document ends with. */
function sharedMembers(
  target: Target,
  record: { resource: ResourceLike; instrumentationScope: InstrumentationScopeLike },
  settings: MappingSettings,
): string {
  const { resource, instrumentationScope: scope } = record;
  if (
    target === lastTarget &&
    resource === lastResource &&
    scope === lastScope &&
    settings === lastSettings &&
    // A missing resource or scope is built anew for each record: nothing to remember then.
    resource !== undefined &&
    scope !== undefined
  ) {
    return lastSharedMembers;
  }
  const dataStream = dataStreamField(target);
  const members =
    (dataStream === undefined ? '' : `,"data_stream":${memberJson(dataStream)}`) +
    `,"resource":${memberJson(resourceField(resource, settings))}` +
    `,"scope":${memberJson(scopeField(scope, settings))}`;
  lastTarget = target;
  lastResource = resource;
  lastScope = scope;
  lastSettings = settings;
  lastSharedMembers = members;
  return members;
}

function linksText(span: ReadableSpanLike, limits: ValueLimits): string {
  let out = '';
  for (const link of span.links ?? []) {
    const members =
      plainMember('trace_id', traceIdOf(link.context)) +
      plainMember('span_id', spanIdOf(link.context)) +
      textMember('trace_state', traceStateOf(link.context)) +
      rawMember('attributes', attributesText(link.attributes, limits)) +
      rawMember('dropped_attributes_count', positiveCount(link.droppedAttributesCount));
    out += `,${object(members)}`;
  }
  return `[${out.slice(1)}]`;
}

function statusText(span: ReadableSpanLike, limits: ValueLimits): string {
  const message = cleanText(span.status?.message, limits);
  const code = `"code":"${statusName(span.status?.code)}"}`;
  return message === undefined ? `{${code}` : `{"message":${quote(message)},${code}`;
}

export function spanText(
  span: ReadableSpanLike,
  context: SpanContext,
  target: Target,
  settings: MappingSettings,
): string {
  const limits = settings.limits;
  return (
    `{"@timestamp":"${epochMillisWithNanos(span.startTime)}"` +
    plainMember('trace_id', traceIdOf(context)) +
    plainMember('span_id', spanIdOf(context)) +
    textMember('trace_state', traceStateOf(context)) +
    plainMember('parent_span_id', spanIdOf(span.parentSpanContext)) +
    textMember('name', cleanText(span.name, limits)) +
    `,"kind":"${kindName(span.kind)}","duration":${durationNanos(span.duration)}` +
    rawMember('attributes', attributesText(span.attributes, limits)) +
    rawMember('dropped_attributes_count', positiveCount(span.droppedAttributesCount)) +
    rawMember('dropped_events_count', positiveCount(span.droppedEventsCount)) +
    `,"links":${linksText(span, limits)}` +
    rawMember('dropped_links_count', positiveCount(span.droppedLinksCount)) +
    `,"status":${statusText(span, limits)}` +
    sharedMembers(target, span, settings) +
    '}'
  );
}

export function spanEventText(
  span: ReadableSpanLike,
  event: TimedEventLike,
  context: SpanContext,
  target: Target,
  settings: MappingSettings,
): string {
  const limits = settings.limits;
  const eventName = cleanText(event.name, limits);
  return (
    `{"@timestamp":"${epochMillisWithNanos(event.time)}"` +
    plainMember('trace_id', traceIdOf(context)) +
    plainMember('span_id', spanIdOf(context)) +
    rawMember('dropped_attributes_count', positiveCount(event.droppedAttributesCount)) +
    textMember('event_name', eventName) +
    rawMember('attributes', attributesText(event.attributes, limits, eventName)) +
    sharedMembers(target, span, settings) +
    '}'
  );
}

/** `otelBody` as JSON; a string body, the common case, without the objects. */
function bodyText(body: unknown, settings: MappingSettings): string | undefined {
  if (typeof body === 'string') {
    return `{"text":${stringText(body, settings.limits)}}`;
  }
  const value = toJsonValue(body, settings.limits);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object') return `{"text":${JSON.stringify(value)}}`;
  const allMaps =
    Array.isArray(value) &&
    value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  const structured = Array.isArray(value) && !allMaps ? { value } : value;
  return `{"structured":${JSON.stringify(structured)}}`;
}

export function logText(
  log: ReadableLogRecordLike,
  target: Target,
  settings: MappingSettings,
): string {
  const limits = settings.limits;
  return (
    `{"@timestamp":"${epochMillisWithNanos(logTime(log))}"` +
    `,"observed_timestamp":"${epochMillisWithNanos(log.hrTimeObserved)}"` +
    textMember('severity_text', cleanText(log.severityText, limits)) +
    rawMember('severity_number', positiveCount(log.severityNumber)) +
    plainMember('trace_id', traceIdOf(log.spanContext)) +
    plainMember('span_id', spanIdOf(log.spanContext)) +
    rawMember('attributes', attributesText(log.attributes, limits)) +
    rawMember('dropped_attributes_count', positiveCount(log.droppedAttributesCount)) +
    textMember('event_name', cleanText(eventNameOf(log), limits)) +
    rawMember('body', bodyText(log.body, settings)) +
    sharedMembers(target, log, settings) +
    '}'
  );
}
