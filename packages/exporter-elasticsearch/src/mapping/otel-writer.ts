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
import { attributesText, flattened, isPlainString, quotedMember, stringText } from './json-text';
import {
  cleanText,
  eventNameOf,
  kindName,
  logTime,
  positiveCount,
  spanIdOf,
  statusCodeNumber,
  statusName,
  traceIdOf,
  traceStateOf,
} from './otel-fields';
import { resourceField, scopeField } from './otel-shared-fields';
import { memberJson } from './shared-json';
import { durationNanos, epochMillisWithNanos } from './time';
import type { MappingSettings, SharedJsonTail, Target } from './types';

/*
 * The `otel` documents of spans, span events and log records written as JSON text, member for
 * member what otel-mode.ts builds as objects, in the order stringifyDocument gives them (the
 * shared data_stream, resource and scope last), so that the same record makes the same bytes
 * (and the same content id) as before.
 *
 * A document is built by `+` as a tree of pieces (V8's cons strings), which is flattened into
 * one string when it is encoded: that cost grows with the number of pieces (~6 ns each, with
 * ~60 ns to start, measured on Node 20), and each piece is garbage afterwards. So the text is
 * put together from few pieces: the constant text around a value sits in one literal with the
 * key and the quotes (`',"span_id":"' + id + '"'`); what a log record mostly shares with the one
 * before (its two times, its severity) and every document's shared tail are kept whole from the
 * last record, and the few kind and message-less status members whole per value, each flattened
 * once. The shared tail is not pasted in at all: a document is its head, written here, and the
 * tail (sharedTail), whose UTF-8 the exporter copies after the head's (SplitJson).
 */

/** `open + text + '"'` for text known to need no escaping (hex ids, times); '' when missing. */
function plainMember(open: string, text: string | undefined): string {
  return text === undefined ? '' : open + text + '"';
}

function textMember(open: string, text: string | undefined): string {
  return text === undefined ? '' : quotedMember(open, text);
}

/** `prefix + json`, or '' when missing. */
function rawMember(prefix: string, json: string | number | undefined): string {
  return json === undefined ? '' : prefix + json;
}

/**
 * Members after their leading comma, in braces. Only for small objects: slicing a string built
 * by concatenation copies it whole.
 */
function object(members: string): string {
  return members === '' ? '{}' : `{${members.slice(1)}}`;
}

/*
 * The shared members of the last two targets' records and what they were written for:
 * consecutive records mostly share target, resource and scope, and looking up three shared
 * fields (and their JSON) again for each was six WeakMap lookups per document in the profile.
 * Two, because a span with events alternates between two targets (its traces document, its
 * events' logs documents); with one, each such span missed twice.
 */
interface SharedClosing {
  target: Target;
  resource: ResourceLike;
  scope: InstrumentationScopeLike;
  settings: MappingSettings;
  closing: SharedJsonTail;
}

let recentClosing: SharedClosing | undefined;
let earlierClosing: SharedClosing | undefined;

function matches(
  entry: SharedClosing | undefined,
  target: Target,
  resource: ResourceLike,
  scope: InstrumentationScopeLike,
  settings: MappingSettings,
): entry is SharedClosing {
  return (
    entry !== undefined &&
    entry.target === target &&
    entry.resource === resource &&
    entry.scope === scope &&
    entry.settings === settings
  );
}

/*
 * Tails by their text: records whose resource and scope are equal but not the same objects, or
 * that the two-entry cache above misses (more than two targets, resources or scopes interleaved),
 * still share one tail and its bytes, so that queued records refer to one copy; records replayed
 * from a spool find theirs again here too. Bounded: cleared when full, and then made anew
 * (records keep the tails they refer to, and the queue counts each tail object once for the
 * records that refer to it: two objects of one text are counted twice, as they are held).
 */
const MAX_INTERNED_TAILS = 256;
/** UTF-16 units of the texts kept (each kept twice: the text, and its UTF-8). */
const MAX_INTERNED_UNITS = 512 * 1024;
const internedTails = new Map<string, SharedJsonTail>();
let internedUnits = 0;

/** The tail of this text, shared with every record that ends with it while it is kept here. */
export function internedTail(text: string): SharedJsonTail {
  let tail = internedTails.get(text);
  if (tail === undefined) {
    if (
      internedTails.size >= MAX_INTERNED_TAILS ||
      internedUnits + text.length > MAX_INTERNED_UNITS
    ) {
      internedTails.clear();
      internedUnits = 0;
    }
    internedUnits += text.length;
    tail = sharedJsonTail(text);
    internedTails.set(text, tail);
  }
  return tail;
}

/**
 * Past a tail's text and UTF-8: its objects (the tail, the Buffer and its ArrayBuffer, the
 * string's header) and the allocator's rounding, with room to spare.
 */
const TAIL_OVERHEAD_BYTES = 320;
/** A UTF-16 unit past Latin-1 (a surrogate is one too). */
const NOT_LATIN1 = /[\u0100-\uffff]/;

/** A tail of this text in memory of its own, not looked up (internedTail finds one again). */
export function sharedJsonTail(text: string): SharedJsonTail {
  // Memory of its own, not a slice of Buffer's shared pool: queued records keep it alive.
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
  bytes.write(text);
  // V8 keeps a text whose characters are all Latin-1 at a byte each, any other at two.
  const unitBytes = NOT_LATIN1.test(text) ? 2 : 1;
  const heldBytes = TAIL_OVERHEAD_BYTES + bytes.length + unitBytes * text.length;
  return { text, bytes, wireBytes: bytes.length, heldBytes };
}

/** The shared members every `otel` span, event and log document ends with, and its `}`. */
export function sharedTail(
  target: Target,
  record: { resource: ResourceLike; instrumentationScope: InstrumentationScopeLike },
  settings: MappingSettings,
): SharedJsonTail {
  const { resource, instrumentationScope: scope } = record;
  if (matches(recentClosing, target, resource, scope, settings)) return recentClosing.closing;
  if (matches(earlierClosing, target, resource, scope, settings)) {
    const hit = earlierClosing;
    earlierClosing = recentClosing;
    recentClosing = hit;
    return hit.closing;
  }
  const dataStream = dataStreamField(target);
  const text = flattened(
    (dataStream === undefined ? '' : `,"data_stream":${memberJson(dataStream)}`) +
      `,"resource":${memberJson(resourceField(resource, settings))}` +
      `,"scope":${memberJson(scopeField(scope, settings))}}`,
  );
  const closing = internedTail(text);
  // A missing resource or scope is built anew for each record: nothing to remember then.
  if (resource !== undefined && scope !== undefined) {
    earlierClosing = recentClosing;
    recentClosing = { target, resource, scope, settings, closing };
  }
  return closing;
}

/** `,"trace_id":"…","span_id":"…"`, each when valid. */
function idText(context: SpanContext | undefined): string {
  const traceId = traceIdOf(context);
  const spanId = spanIdOf(context);
  if (traceId !== undefined && spanId !== undefined) {
    return ',"trace_id":"' + traceId + '","span_id":"' + spanId + '"';
  }
  return plainMember(',"trace_id":"', traceId) + plainMember(',"span_id":"', spanId);
}

/**
 * The ids a record's idMembers last wrote, as given, and their text: a span and each of its
 * events write the same pair (three times per span of issue 11's benchmark), one flattened text
 * for all. Links write theirs with idText, not to push the record's pair out.
 */
let lastIdsTraceId: unknown;
let lastIdsSpanId: unknown;
let lastIds = '';

/** idText of a span's, span event's or log record's own context. */
function idMembers(context: SpanContext | undefined): string {
  const rawTraceId = context?.traceId;
  const rawSpanId = context?.spanId;
  if (rawTraceId !== lastIdsTraceId || rawSpanId !== lastIdsSpanId) {
    lastIdsTraceId = rawTraceId;
    lastIdsSpanId = rawSpanId;
    lastIds = flattened(idText(context));
  }
  return lastIds;
}

function linksText(span: ReadableSpanLike, limits: ValueLimits): string {
  const links = span.links;
  if (links === undefined || links.length === 0) return ',"links":[]';
  let out = '';
  for (const link of links) {
    const members =
      idText(link.context) +
      textMember(',"trace_state":"', traceStateOf(link.context)) +
      rawMember(',"attributes":', attributesText(link.attributes, limits)) +
      rawMember(',"dropped_attributes_count":', positiveCount(link.droppedAttributesCount));
    out += `,${object(members)}`;
  }
  return `,"links":[${out.slice(1)}]`;
}

/** `"code":"…"` by code (statusCodeNumber); none for Unset, which the Collector leaves out. */
const STATUS_CODES = [0, 1, 2].map((code) => (code === 0 ? '' : `"code":"${statusName(code)}"`));

/** The status member without a message, the common case, by code. */
const STATUS_MEMBERS = STATUS_CODES.map((code) => flattened(`,"status":{${code}}`));

function statusMember(span: ReadableSpanLike, limits: ValueLimits): string {
  const message = cleanText(span.status?.message, limits);
  const code = statusCodeNumber(span.status?.code);
  if (message === undefined) return STATUS_MEMBERS[code];
  const rest = code === 0 ? '}' : `,${STATUS_CODES[code]}}`;
  return quotedMember(',"status":{"message":"', message) + rest;
}

/** `,"kind":"…","duration":` for the API's kinds (0–4), by number; the last for any other. */
const KIND_OPENINGS = [0, 1, 2, 3, 4, -1].map((kind) =>
  flattened(`,"kind":"${kindName(kind)}","duration":`),
);
const UNSPECIFIED_KIND = 5;

function kindAndDuration(span: ReadableSpanLike): string {
  const kind = span.kind;
  const known = kind === 0 || kind === 1 || kind === 2 || kind === 3 || kind === 4;
  return KIND_OPENINGS[known ? kind : UNSPECIFIED_KIND] + durationNanos(span.duration);
}

/** A span's document up to its shared tail. */
export function spanHead(
  span: ReadableSpanLike,
  context: SpanContext,
  settings: MappingSettings,
): string {
  const limits = settings.limits;
  return (
    '{"@timestamp":"' +
    epochMillisWithNanos(span.startTime) +
    '"' +
    idMembers(context) +
    textMember(',"trace_state":"', traceStateOf(context)) +
    plainMember(',"parent_span_id":"', spanIdOf(span.parentSpanContext)) +
    textMember(',"name":"', cleanText(span.name, limits)) +
    kindAndDuration(span) +
    rawMember(',"attributes":', attributesText(span.attributes, limits)) +
    rawMember(',"dropped_attributes_count":', positiveCount(span.droppedAttributesCount)) +
    rawMember(',"dropped_events_count":', positiveCount(span.droppedEventsCount)) +
    linksText(span, limits) +
    rawMember(',"dropped_links_count":', positiveCount(span.droppedLinksCount)) +
    statusMember(span, limits)
  );
}

/** A span event's document up to its shared tail. */
export function spanEventHead(
  span: ReadableSpanLike,
  event: TimedEventLike,
  context: SpanContext,
  settings: MappingSettings,
): string {
  const limits = settings.limits;
  const eventName = cleanText(event.name, limits);
  return (
    '{"@timestamp":"' +
    epochMillisWithNanos(event.time) +
    '"' +
    idMembers(context) +
    rawMember(',"dropped_attributes_count":', positiveCount(event.droppedAttributesCount)) +
    textMember(',"event_name":"', eventName) +
    rawMember(',"attributes":', attributesText(event.attributes, limits, eventName))
  );
}

/** `,"body":…` (`otelBody`); a plain string body, the common case, in three pieces. */
function bodyMember(body: unknown, settings: MappingSettings): string {
  if (typeof body === 'string') {
    if (isPlainString(body, settings.limits)) return ',"body":{"text":"' + body + '"}';
    return `,"body":{"text":${stringText(body, settings.limits)}}`;
  }
  const value = toJsonValue(body, settings.limits);
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return `,"body":{"text":${JSON.stringify(value)}}`;
  const allMaps =
    Array.isArray(value) &&
    value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
  const structured = Array.isArray(value) && !allMaps ? { value } : value;
  return `,"body":{"structured":${JSON.stringify(structured)}}`;
}

/*
 * A log record's opening members, its two times, and its severity members, as last written:
 * consecutive records mostly share the millisecond (the SDK takes Date.now() for both times)
 * and the severity.
 */
let lastTime = '';
let lastObserved = '';
let lastTimes = '';
let lastSeverityText: unknown;
let lastSeverityNumber: unknown;
let lastSeverityLimits: ValueLimits | undefined;
let lastSeverity = '';

function openingTimes(log: ReadableLogRecordLike): string {
  const time = epochMillisWithNanos(logTime(log));
  const observed = epochMillisWithNanos(log.hrTimeObserved);
  if (time !== lastTime || observed !== lastObserved) {
    lastTime = time;
    lastObserved = observed;
    lastTimes = flattened(`{"@timestamp":"${time}","observed_timestamp":"${observed}"`);
  }
  return lastTimes;
}

function severityMembers(log: ReadableLogRecordLike, limits: ValueLimits): string {
  const { severityText, severityNumber } = log;
  if (
    severityText !== lastSeverityText ||
    severityNumber !== lastSeverityNumber ||
    limits !== lastSeverityLimits
  ) {
    lastSeverityText = severityText;
    lastSeverityNumber = severityNumber;
    lastSeverityLimits = limits;
    lastSeverity = flattened(
      textMember(',"severity_text":"', cleanText(severityText, limits)) +
        rawMember(',"severity_number":', positiveCount(severityNumber)),
    );
  }
  return lastSeverity;
}

/** A log record's document up to its shared tail. */
export function logHead(log: ReadableLogRecordLike, settings: MappingSettings): string {
  const limits = settings.limits;
  return (
    openingTimes(log) +
    severityMembers(log, limits) +
    idMembers(log.spanContext) +
    rawMember(',"attributes":', attributesText(log.attributes, limits)) +
    rawMember(',"dropped_attributes_count":', positiveCount(log.droppedAttributesCount)) +
    textMember(',"event_name":"', cleanText(eventNameOf(log), limits)) +
    bodyMember(log.body, settings)
  );
}
