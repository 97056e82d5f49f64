import { createHash } from 'node:crypto';
import type { HrTime, SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import {
  cleanString,
  emptyObject,
  isEmptyObject,
  setField,
  toJsonObject,
  toJsonValue,
} from './json-value';
import type { JsonObject, JsonValue } from './json-value';
import { groupMetrics } from './metric-groups';
import {
  kindName,
  nonEmptyString,
  positiveCount,
  spanIdOf,
  statusName,
  traceIdOf,
  traceStateOf,
} from './otel-fields';
import { ROUTING_ATTRIBUTES, resolveTarget } from './routing';
import { epochMillis, epochMillisWithNanos, durationNanos, isZeroTime } from './time';
import type { BulkDocument, MappingResult, MappingSettings, Target } from './types';

/*
 * The `otel` mode: the document shape of the OpenTelemetry Collector's Elasticsearch exporter
 * in its default `otel` mapping mode, for Elasticsearch's `*.otel-*` data streams. Field by field
 * in the README ("Mapping: otel").
 */

function put(document: JsonObject, key: string, value: JsonValue | undefined): void {
  if (value !== undefined) document[key] = value;
}

function dataStreamField(target: Target): JsonObject | undefined {
  if (!target.dataStream) return undefined;
  const out = emptyObject();
  out.type = target.dataStream.type;
  out.dataset = target.dataStream.dataset;
  out.namespace = target.dataStream.namespace;
  return out;
}

function attributesField(
  attributes: Readonly<Record<string, unknown>> | undefined,
  settings: MappingSettings,
): JsonObject | undefined {
  const out = toJsonObject(attributes, settings.limits, ROUTING_ATTRIBUTES);
  return isEmptyObject(out) ? undefined : out;
}

export function resourceField(
  resource: ResourceLike | undefined,
  settings: MappingSettings,
): JsonObject {
  const out = emptyObject();
  const schemaUrl = nonEmptyString(resource?.schemaUrl);
  if (schemaUrl !== undefined) out.schema_url = cleanString(schemaUrl, settings.limits);
  put(out, 'attributes', attributesField(resource?.attributes, settings));
  return out;
}

export function scopeField(
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
): JsonObject {
  const out = emptyObject();
  const schemaUrl = nonEmptyString(scope?.schemaUrl);
  if (schemaUrl !== undefined) out.schema_url = cleanString(schemaUrl, settings.limits);
  const name = nonEmptyString(scope?.name);
  if (name !== undefined) out.name = cleanString(name, settings.limits);
  const version = nonEmptyString(scope?.version);
  if (version !== undefined) out.version = cleanString(version, settings.limits);
  put(out, 'attributes', attributesField(scope?.attributes, settings));
  return out;
}

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
  const message = nonEmptyString(span.status?.message);
  if (message !== undefined) out.message = cleanString(message, settings.limits);
  out.code = statusName(span.status?.code);
  return out;
}

/** Ids from the span's identity: a resend of the same span gets the same id. */
function spanDocumentId(context: SpanContext, suffix = ''): string | undefined {
  const traceId = traceIdOf(context);
  const spanId = spanIdOf(context);
  return traceId && spanId ? `${traceId}${spanId}${suffix}` : undefined;
}

function documentOf(
  target: Target,
  document: JsonObject,
  settings: MappingSettings,
  fixedId?: string,
): BulkDocument {
  const id = settings.deterministicIds ? fixedId : undefined;
  return {
    target,
    id,
    hashId: settings.deterministicIds && id === undefined,
    conflictMeansStored: settings.deterministicIds,
    dynamicTemplates: undefined,
    document,
  };
}

export function otelSpanDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
): BulkDocument[] {
  const context = span.spanContext();
  const scope = span.instrumentationScope;
  const resourceAttributes = span.resource?.attributes;
  const target = resolveTarget(
    'traces',
    settings,
    [span.attributes, scope?.attributes, resourceAttributes],
    span.startTime,
  );
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(span.startTime);
  put(doc, 'data_stream', dataStreamField(target));
  put(doc, 'trace_id', traceIdOf(context));
  put(doc, 'span_id', spanIdOf(context));
  put(doc, 'trace_state', traceStateOf(context));
  put(doc, 'parent_span_id', spanIdOf(span.parentSpanContext));
  const name = nonEmptyString(span.name);
  if (name !== undefined) doc.name = cleanString(name, settings.limits);
  doc.kind = kindName(span.kind);
  doc.duration = durationNanos(span.duration);
  put(doc, 'attributes', attributesField(span.attributes, settings));
  put(doc, 'dropped_attributes_count', positiveCount(span.droppedAttributesCount));
  put(doc, 'dropped_events_count', positiveCount(span.droppedEventsCount));
  doc.links = linksField(span, settings);
  put(doc, 'dropped_links_count', positiveCount(span.droppedLinksCount));
  doc.status = statusField(span, settings);
  doc.resource = resourceField(span.resource, settings);
  doc.scope = scopeField(scope, settings);

  const documents = [documentOf(target, doc, settings, spanDocumentId(context))];
  (span.events ?? []).forEach((event, index) => {
    documents.push(otelSpanEventDocument(span, context, event, index, settings));
  });
  return documents;
}

/**
 * A span event is a document of its own in the logs data stream, as the Collector writes it,
 * so that events such as exceptions are found next to log records.
 */
function otelSpanEventDocument(
  span: ReadableSpanLike,
  context: SpanContext,
  event: TimedEventLike,
  index: number,
  settings: MappingSettings,
): BulkDocument {
  const scope = span.instrumentationScope;
  const target = resolveTarget(
    'logs',
    settings,
    [event.attributes, scope?.attributes, span.resource?.attributes],
    event.time,
  );
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(event.time);
  put(doc, 'data_stream', dataStreamField(target));
  put(doc, 'trace_id', traceIdOf(context));
  put(doc, 'span_id', spanIdOf(context));
  put(doc, 'dropped_attributes_count', positiveCount(event.droppedAttributesCount));
  const eventName = nonEmptyString(event.name);
  if (eventName !== undefined) doc.event_name = cleanString(eventName, settings.limits);
  const attributes = toJsonObject(event.attributes, settings.limits, ROUTING_ATTRIBUTES);
  if (eventName !== undefined) attributes['event.name'] = cleanString(eventName, settings.limits);
  if (!isEmptyObject(attributes)) doc.attributes = attributes;
  doc.resource = resourceField(span.resource, settings);
  doc.scope = scopeField(scope, settings);
  return documentOf(target, doc, settings, spanDocumentId(context, `.${index}`));
}

/**
 * A log body: `text` for a scalar, `structured` for a map or an array of maps; any other
 * array is wrapped as `{"value": [...]}` (Elasticsearch cannot map a bare array of scalars as
 * an object field).
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
    out.text = typeof value === 'string' ? value : String(value);
  }
  return out;
}

/** The record's time, or the observed time when the record has none. */
export function logTime(log: ReadableLogRecordLike): HrTime {
  return isZeroTime(log.hrTime) ? log.hrTimeObserved : log.hrTime;
}

export function eventNameOf(log: ReadableLogRecordLike): string | undefined {
  return nonEmptyString(log.eventName) ?? nonEmptyString(log.attributes?.['event.name']);
}

export function otelLogDocument(
  log: ReadableLogRecordLike,
  settings: MappingSettings,
): BulkDocument {
  const scope = log.instrumentationScope;
  const time = logTime(log);
  const target = resolveTarget(
    'logs',
    settings,
    [log.attributes, scope?.attributes, log.resource?.attributes],
    time,
  );
  const doc = emptyObject();
  doc['@timestamp'] = epochMillisWithNanos(time);
  doc.observed_timestamp = epochMillisWithNanos(log.hrTimeObserved);
  put(doc, 'data_stream', dataStreamField(target));
  const severityText = nonEmptyString(log.severityText);
  if (severityText !== undefined) doc.severity_text = cleanString(severityText, settings.limits);
  put(doc, 'severity_number', positiveCount(log.severityNumber));
  put(doc, 'trace_id', traceIdOf(log.spanContext));
  put(doc, 'span_id', spanIdOf(log.spanContext));
  put(doc, 'attributes', attributesField(log.attributes, settings));
  put(doc, 'dropped_attributes_count', positiveCount(log.droppedAttributesCount));
  const eventName = eventNameOf(log);
  if (eventName !== undefined) doc.event_name = cleanString(eventName, settings.limits);
  doc.resource = resourceField(log.resource, settings);
  doc.scope = scopeField(scope, settings);
  put(doc, 'body', otelBody(log.body, settings));
  return documentOf(target, doc, settings);
}

/** Sorted metric names hashed: a time series dimension that keeps documents with different
 * metric sets apart (the Collector's workaround for elastic/elasticsearch#99123). */
export function metricNamesHash(names: readonly string[]): string {
  return createHash('sha256')
    .update([...names].sort().join('\u0000'))
    .digest('hex')
    .slice(0, 16);
}

export function otelMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  const { groups, invalid } = groupMetrics(resourceMetrics, settings);
  const resource = resourceField(resourceMetrics.resource, settings);
  const documents = groups.map((group): BulkDocument => {
    const doc = emptyObject();
    doc['@timestamp'] = epochMillis(group.endTime);
    if (!isZeroTime(group.startTime)) doc.start_timestamp = epochMillis(group.startTime);
    if (group.unit !== '') doc.unit = cleanString(group.unit, settings.limits);
    put(doc, 'data_stream', dataStreamField(group.target));
    if (!isEmptyObject(group.attributes)) doc.attributes = group.attributes;
    doc.resource = resource;
    doc.scope = scopeField(group.scope, settings);
    const metrics = emptyObject();
    const dynamicTemplates: Record<string, string> = {};
    for (const metric of group.metrics) {
      setField(metrics, metric.name, metric.value);
      dynamicTemplates[`metrics.${metric.name}`] = metric.dynamicTemplate;
    }
    doc.metrics = metrics;
    doc._metric_names_hash = metricNamesHash(group.metrics.map((m) => m.name));
    // Data streams of the otel mode are time series indices: Elasticsearch derives the id from
    // the dimensions and timestamp, refuses one from the client, and answers 409 to a resend.
    const timeSeries = group.target.dataStream !== undefined;
    return {
      target: group.target,
      id: undefined,
      hashId: settings.deterministicIds && !timeSeries,
      conflictMeansStored: timeSeries || settings.deterministicIds,
      // The templates are defined by Elasticsearch's OTel metrics templates only; a plain index
      // would reject a document that names an unknown one.
      dynamicTemplates: timeSeries ? dynamicTemplates : undefined,
      document: doc,
    };
  });
  return { documents, invalid };
}
