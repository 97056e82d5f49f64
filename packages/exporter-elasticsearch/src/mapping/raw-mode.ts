import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { recordDocument, spanDocumentId } from './documents';
import {
  flattenInto,
  objectFromPaths,
  putDataStream,
  putPath,
  putText,
  resolvePathConflicts,
} from './field-paths';
import type { FieldPaths } from './field-paths';
import { cleanKey, cleanString, emptyObject, toJsonObject, toJsonValue } from './json-value';
import type { JsonObject } from './json-value';
import { metricGroupDocuments } from './metric-groups';
import {
  eventNameOf,
  kindProtoName,
  logTime,
  positiveCount,
  spanIdOf,
  statusCodeNumber,
  traceIdOf,
  traceStateOf,
} from './otel-fields';
import { ROUTING_ATTRIBUTES, logTarget, spanTarget } from './routing';
import { durationNanos, isZeroTime, isoNanos } from './time';
import type { BulkDocument, MappingResult, MappingSettings } from './types';

/*
 * The `raw` mode: one flat level of dotted fields with OTLP-style names (`TraceId`, `Body`,
 * `Attributes.*`, `Resource.*`, `Scope.*`), as the Collector's `none` mapping mode writes them.
 */

function addPrefixed(
  paths: FieldPaths,
  prefix: string,
  attributes: Readonly<Record<string, unknown>> | undefined,
  settings: MappingSettings,
): void {
  const converted = toJsonObject(attributes, settings.limits, ROUTING_ATTRIBUTES);
  for (const key of Object.keys(converted)) flattenInto(paths, `${prefix}.${key}`, converted[key]);
}

function addResourceAndScope(
  paths: FieldPaths,
  resource: ResourceLike | undefined,
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
): void {
  addPrefixed(paths, 'Resource', resource?.attributes, settings);
  putText(paths, 'Scope.name', scope?.name, settings.limits);
  putText(paths, 'Scope.version', scope?.version, settings.limits);
  addPrefixed(paths, 'Scope', scope?.attributes, settings);
}

/** Raw fields are flat dotted keys in one object, as the Collector's `none` mode writes them. */
function rawObject(paths: FieldPaths): JsonObject {
  return objectFromPaths(resolvePathConflicts(paths));
}

export function rawSpanDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
): BulkDocument[] {
  const context = span.spanContext();
  const target = spanTarget(span, settings);
  const paths: FieldPaths = new Map();
  paths.set('@timestamp', isoNanos(span.startTime));
  paths.set('EndTimestamp', isoNanos(span.endTime));
  putDataStream(paths, target);
  putPath(paths, 'TraceId', traceIdOf(context));
  putPath(paths, 'SpanId', spanIdOf(context));
  putPath(paths, 'ParentSpanId', spanIdOf(span.parentSpanContext));
  putPath(paths, 'TraceState', traceStateOf(context));
  putText(paths, 'Name', span.name, settings.limits);
  paths.set('Kind', kindProtoName(span.kind));
  // Microseconds, as the Collector's `none` mode writes `Duration`.
  paths.set('Duration', Math.floor(durationNanos(span.duration) / 1000));
  paths.set('TraceStatus', statusCodeNumber(span.status?.code));
  putText(paths, 'TraceStatusDescription', span.status?.message, settings.limits);
  if ((span.links ?? []).length > 0) {
    // One JSON text, as the Collector writes it: a flat document has no place for a list of
    // objects that stays searchable field by field.
    const links = span.links.map((link) => {
      const out = emptyObject();
      out.attribute = toJsonObject(link.attributes, settings.limits);
      out.spanID = spanIdOf(link.context) ?? '';
      out.traceID = traceIdOf(link.context) ?? '';
      return out;
    });
    paths.set('Link', cleanString(JSON.stringify(links), settings.limits));
  }
  const seen = new Map<string, number>();
  for (const event of span.events ?? []) {
    const baseName = cleanKey(String(event.name ?? ''), settings.limits);
    const count = (seen.get(baseName) ?? 0) + 1;
    seen.set(baseName, count);
    // A repeated name would overwrite the earlier event's fields: number the repeats.
    const name = count === 1 ? baseName : `${baseName}_${count}`;
    paths.set(`Events.${name}.time`, isoNanos(event.time));
    addPrefixed(paths, `Events.${name}`, event.attributes, settings);
  }
  addPrefixed(paths, 'Attributes', span.attributes, settings);
  addResourceAndScope(paths, span.resource, span.instrumentationScope, settings);
  return [recordDocument(target, rawObject(paths), settings, spanDocumentId(context))];
}

export function rawLogDocument(
  log: ReadableLogRecordLike,
  settings: MappingSettings,
): BulkDocument {
  const target = logTarget(log, settings);
  const paths: FieldPaths = new Map();
  paths.set('@timestamp', isoNanos(logTime(log)));
  if (!isZeroTime(log.hrTimeObserved)) paths.set('ObservedTimestamp', isoNanos(log.hrTimeObserved));
  putDataStream(paths, target);
  putPath(paths, 'TraceId', traceIdOf(log.spanContext));
  putPath(paths, 'SpanId', spanIdOf(log.spanContext));
  const flags = log.spanContext?.traceFlags;
  if (typeof flags === 'number' && Number.isInteger(flags)) paths.set('TraceFlags', flags);
  putText(paths, 'SeverityText', log.severityText, settings.limits);
  putPath(paths, 'SeverityNumber', positiveCount(log.severityNumber));
  putText(paths, 'EventName', eventNameOf(log), settings.limits);
  const body = toJsonValue(log.body, settings.limits);
  if (body !== undefined && body !== null) flattenInto(paths, 'Body', body);
  addPrefixed(paths, 'Attributes', log.attributes, settings);
  addResourceAndScope(paths, log.resource, log.instrumentationScope, settings);
  return recordDocument(target, rawObject(paths), settings);
}

export function rawMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  return metricGroupDocuments(resourceMetrics, settings, (group) => {
    const paths: FieldPaths = new Map();
    paths.set('@timestamp', isoNanos(group.endTime));
    if (!isZeroTime(group.startTime)) paths.set('StartTimestamp', isoNanos(group.startTime));
    putText(paths, 'Unit', group.unit, settings.limits);
    putDataStream(paths, group.target);
    for (const key of Object.keys(group.attributes)) {
      flattenInto(paths, `Attributes.${key}`, group.attributes[key]);
    }
    addResourceAndScope(paths, resourceMetrics.resource, group.scope, settings);
    for (const metric of group.metrics) paths.set(`Metrics.${metric.name}`, metric.value);
    return recordDocument(group.target, rawObject(paths), settings);
  });
}
