import type { SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import {
  dataStreamField,
  recordDocument,
  spanAndEventDocuments,
  WrittenDocument,
} from './documents';
import type { SpanEventFields, SpanFields } from './documents';
import { emptyObject, isEmptyObject, setField, toJsonValue } from './json-value';
import type { JsonObject, JsonValue } from './json-value';
import { metricGroupDocuments } from './metric-groups';
import { otelAttributes } from './otel-attributes';
import { xxhash64 } from './xxhash64';
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
import { attributesField, put, resourceField, scopeField } from './otel-shared-fields';
import { logHead, sharedTail, spanEventHead, spanHead } from './otel-writer';
import { logTarget } from './routing';
import { epochMillis, epochMillisWithNanos, durationNanos, isZeroTime } from './time';
import type { BulkDocument, MappingResult, MappingSettings, Target } from './types';

/*
 * The `otel` mode: the document shape of the OpenTelemetry Collector's Elasticsearch exporter
 * in its default `otel` mapping mode, for Elasticsearch's `*.otel-*` data streams. Field by field
 * in the README ("Mapping: otel").
 */

function linksField(span: ReadableSpanLike, settings: MappingSettings): JsonValue[] {
  const links: JsonValue[] = [];
  for (const link of span.links ?? []) {
    const out = emptyObject();
    put(out, 'trace_id', traceIdOf(link.context));
    put(out, 'span_id', spanIdOf(link.context));
    put(out, 'trace_state', traceStateOf(link.context));
    put(out, 'attributes', attributesField(link.attributes, settings));
    put(out, 'dropped_attributes_count', positiveCount(link.droppedAttributesCount));
    links.push(out);
  }
  return links;
}

function statusField(span: ReadableSpanLike, settings: MappingSettings): JsonObject {
  const out = emptyObject();
  put(out, 'message', cleanText(span.status?.message, settings.limits));
  // Unset is left out, as the Collector leaves it (its status is then `{}`).
  if (statusCodeNumber(span.status?.code) !== 0) out.code = statusName(span.status?.code);
  return out;
}

/** A span's, span event's or log record's `resource` and `scope` fields. */
function putResourceAndScope(
  doc: JsonObject,
  record: { resource: ResourceLike; instrumentationScope: InstrumentationScopeLike },
  settings: MappingSettings,
): void {
  doc.resource = resourceField(record.resource, settings);
  doc.scope = scopeField(record.instrumentationScope, settings);
}

/*
 * The object builders below are the readable form of the `otel` documents, given as a
 * document's `document` when asked for; what is sent is otel-writer.ts's JSON text of the same
 * (test/json-writer.test.ts holds the two together).
 */

function spanObject(
  span: ReadableSpanLike,
  context: SpanContext,
  target: Target,
  settings: MappingSettings,
): JsonObject {
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(span.startTime);
  put(doc, 'data_stream', dataStreamField(target));
  put(doc, 'trace_id', traceIdOf(context));
  put(doc, 'span_id', spanIdOf(context));
  put(doc, 'trace_state', traceStateOf(context));
  put(doc, 'parent_span_id', spanIdOf(span.parentSpanContext));
  put(doc, 'name', cleanText(span.name, settings.limits));
  doc.kind = kindName(span.kind);
  doc.duration = durationNanos(span.duration);
  put(doc, 'attributes', attributesField(span.attributes, settings));
  put(doc, 'dropped_attributes_count', positiveCount(span.droppedAttributesCount));
  put(doc, 'dropped_events_count', positiveCount(span.droppedEventsCount));
  doc.links = linksField(span, settings);
  put(doc, 'dropped_links_count', positiveCount(span.droppedLinksCount));
  doc.status = statusField(span, settings);
  putResourceAndScope(doc, span, settings);
  return doc;
}

const otelSpanFields: SpanFields = (span, context, target, settings) =>
  new WrittenDocument(spanHead(span, context, settings), sharedTail(target, span, settings), () =>
    spanObject(span, context, target, settings),
  );

function spanEventObject(
  ...[span, event, context, target, settings]: Parameters<SpanEventFields>
): JsonObject {
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(event.time);
  put(doc, 'data_stream', dataStreamField(target));
  put(doc, 'trace_id', traceIdOf(context));
  put(doc, 'span_id', spanIdOf(context));
  put(doc, 'dropped_attributes_count', positiveCount(event.droppedAttributesCount));
  const eventName = cleanText(event.name, settings.limits);
  put(doc, 'event_name', eventName);
  const attributes = attributesField(event.attributes, settings) ?? emptyObject();
  if (eventName !== undefined) attributes['event.name'] = eventName;
  if (!isEmptyObject(attributes)) doc.attributes = attributes;
  putResourceAndScope(doc, span, settings);
  return doc;
}

const otelSpanEventFields: SpanEventFields = (span, event, context, target, settings) =>
  new WrittenDocument(
    spanEventHead(span, event, context, settings),
    sharedTail(target, span, settings),
    () => spanEventObject(span, event, context, target, settings),
  );

export function otelSpanDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
): BulkDocument[] {
  return spanAndEventDocuments(span, settings, otelSpanFields, otelSpanEventFields);
}

/**
 * A log body: `text` for a scalar (as its JSON value, as the Collector writes it), `structured`
 * for a map or an array of maps; any other array is wrapped as `{"value": [...]}`
 * (Elasticsearch cannot map a bare array of scalars as an object field).
 */
export function otelBody(body: unknown, settings: MappingSettings): JsonObject | undefined {
  const value = toJsonValue(body, settings.limits);
  if (value === undefined || value === null) return undefined;
  const out = emptyObject();
  if (Array.isArray(value)) {
    const allMaps = value.every((v) => v !== null && typeof v === 'object' && !Array.isArray(v));
    if (allMaps) {
      out.structured = value;
    } else {
      const wrapped = emptyObject();
      wrapped.value = value;
      out.structured = wrapped;
    }
  } else if (typeof value === 'object') {
    out.structured = value;
  } else {
    out.text = value;
  }
  return out;
}

function logObject(
  log: ReadableLogRecordLike,
  target: Target,
  settings: MappingSettings,
): JsonObject {
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(logTime(log));
  doc.observed_timestamp = epochMillisWithNanos(log.hrTimeObserved);
  put(doc, 'data_stream', dataStreamField(target));
  put(doc, 'severity_text', cleanText(log.severityText, settings.limits));
  put(doc, 'severity_number', positiveCount(log.severityNumber));
  put(doc, 'trace_id', traceIdOf(log.spanContext));
  put(doc, 'span_id', spanIdOf(log.spanContext));
  put(doc, 'attributes', attributesField(log.attributes, settings));
  put(doc, 'dropped_attributes_count', positiveCount(log.droppedAttributesCount));
  put(doc, 'event_name', cleanText(eventNameOf(log), settings.limits));
  putResourceAndScope(doc, log, settings);
  put(doc, 'body', otelBody(log.body, settings));
  return doc;
}

export function otelLogDocument(
  log: ReadableLogRecordLike,
  settings: MappingSettings,
): BulkDocument {
  const target = logTarget(log, settings);
  const written = new WrittenDocument(
    logHead(log, settings),
    sharedTail(target, log, settings),
    () => logObject(log, target, settings),
  );
  return recordDocument(target, written, settings);
}

/**
 * Sorted metric names hashed: a time series dimension that keeps documents with different
 * metric sets apart (the Collector's workaround for elastic/elasticsearch#99123). As the
 * Collector: XXH64 of the names concatenated in byte order, in hex (no leading zeros).
 */
export function metricNamesHash(names: readonly string[]): string {
  const sorted = [...names].sort((a, b) => compareBytes(a, b));
  return xxhash64(Buffer.from(sorted.join(''), 'utf8')).toString(16);
}

/** Go sorts strings by their UTF-8 bytes; JavaScript's default sort, by UTF-16 code units. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function otelMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  const resource = resourceField(resourceMetrics.resource, settings, true);
  return metricGroupDocuments(resourceMetrics, settings, (group): BulkDocument => {
    const doc = emptyObject();
    doc['@timestamp'] = epochMillis(group.endTime);
    if (!isZeroTime(group.startTime)) doc.start_timestamp = epochMillis(group.startTime);
    put(doc, 'unit', cleanText(group.unit, settings.limits));
    put(doc, 'data_stream', dataStreamField(group.target));
    put(doc, 'attributes', otelAttributes(group.attributes, settings.limits, true));
    doc.resource = resource;
    doc.scope = scopeField(group.scope, settings, true);
    const metrics = emptyObject();
    const dynamicTemplates: Record<string, string> = {};
    let docCount: number | undefined;
    for (const metric of group.metrics) {
      setField(metrics, metric.name, metric.value);
      dynamicTemplates[`metrics.${metric.name}`] = metric.dynamicTemplate;
      if (metric.docCount !== undefined) docCount = metric.docCount;
    }
    doc.metrics = metrics;
    if (docCount !== undefined && docCount > 0) doc._doc_count = docCount;
    doc._metric_names_hash = metricNamesHash(group.metrics.map((m) => m.name));
    // Data streams of the otel mode are time series indices: Elasticsearch derives the id from
    // the dimensions and timestamp, refuses one from the client, and answers 409 to a resend.
    const timeSeries = group.target.dataStream !== undefined;
    return {
      target: group.target,
      id: undefined,
      hashId: settings.deterministicIds && !timeSeries,
      conflictMeansStored: settings.deterministicIds && !timeSeries,
      timeSeries,
      // The templates are defined by Elasticsearch's OTel metrics templates only; a plain index
      // would reject a document that names an unknown one.
      dynamicTemplates: timeSeries ? dynamicTemplates : undefined,
      document: doc,
    };
  });
}
