import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { flattenInto, objectFromPaths, resolvePathConflicts } from './field-paths';
import { cleanKey, cleanString, emptyObject, toJsonObject, toJsonValue } from './json-value';
import type { JsonValue } from './json-value';
import { groupMetrics } from './metric-groups';
import { eventNameOf, logTime } from './otel-mode';
import {
  kindProtoName,
  nonEmptyString,
  positiveCount,
  spanIdOf,
  statusCodeNumber,
  traceIdOf,
  traceStateOf,
} from './otel-fields';
import { ROUTING_ATTRIBUTES, resolveTarget } from './routing';
import { durationNanos, isZeroTime, isoNanos } from './time';
import type { BulkDocument, MappingResult, MappingSettings, Target } from './types';

/*
 * The `raw` mode: one flat level of dotted fields with OTLP-style names (`TraceId`, `Body`,
 * `Attributes.*`, `Resource.*`, `Scope.*`), as the Collector's `none` mapping mode writes them.
 */

type Paths = Map<string, JsonValue>;

function addPrefixed(
  paths: Paths,
  prefix: string,
  attributes: Readonly<Record<string, unknown>> | undefined,
  settings: MappingSettings,
): void {
  const converted = toJsonObject(attributes, settings.limits, ROUTING_ATTRIBUTES);
  for (const key of Object.keys(converted)) flattenInto(paths, `${prefix}.${key}`, converted[key]);
}

function addString(paths: Paths, path: string, value: unknown, settings: MappingSettings): void {
  const text = nonEmptyString(value);
  if (text !== undefined) paths.set(path, cleanString(text, settings.limits));
}

function addResourceAndScope(
  paths: Paths,
  resource: ResourceLike | undefined,
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
): void {
  addPrefixed(paths, 'Resource', resource?.attributes, settings);
  addString(paths, 'Scope.name', scope?.name, settings);
  addString(paths, 'Scope.version', scope?.version, settings);
  addPrefixed(paths, 'Scope', scope?.attributes, settings);
}

function addDataStream(paths: Paths, target: Target): void {
  if (!target.dataStream) return;
  paths.set('data_stream.type', target.dataStream.type);
  paths.set('data_stream.dataset', target.dataStream.dataset);
  paths.set('data_stream.namespace', target.dataStream.namespace);
}

function documentOf(
  target: Target,
  paths: Paths,
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
    document: objectFromPaths(resolvePathConflicts(paths)),
  };
}

export function rawSpanDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
): BulkDocument[] {
  const context = span.spanContext();
  const scope = span.instrumentationScope;
  const target = resolveTarget(
    'traces',
    settings,
    [span.attributes, scope?.attributes, span.resource?.attributes],
    span.startTime,
  );
  const paths: Paths = new Map();
  paths.set('@timestamp', isoNanos(span.startTime));
  paths.set('EndTimestamp', isoNanos(span.endTime));
  addDataStream(paths, target);
  const traceId = traceIdOf(context);
  if (traceId !== undefined) paths.set('TraceId', traceId);
  const spanId = spanIdOf(context);
  if (spanId !== undefined) paths.set('SpanId', spanId);
  const parentId = spanIdOf(span.parentSpanContext);
  if (parentId !== undefined) paths.set('ParentSpanId', parentId);
  const traceState = traceStateOf(context);
  if (traceState !== undefined) paths.set('TraceState', traceState);
  addString(paths, 'Name', span.name, settings);
  paths.set('Kind', kindProtoName(span.kind));
  // Microseconds, as the Collector's `none` mode writes `Duration`.
  paths.set('Duration', Math.floor(durationNanos(span.duration) / 1000));
  paths.set('TraceStatus', statusCodeNumber(span.status?.code));
  addString(paths, 'TraceStatusDescription', span.status?.message, settings);
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
  addResourceAndScope(paths, span.resource, scope, settings);
  const id = traceId && spanId ? `${traceId}${spanId}` : undefined;
  return [documentOf(target, paths, settings, id)];
}

export function rawLogDocument(
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
  const paths: Paths = new Map();
  paths.set('@timestamp', isoNanos(time));
  if (!isZeroTime(log.hrTimeObserved)) paths.set('ObservedTimestamp', isoNanos(log.hrTimeObserved));
  addDataStream(paths, target);
  const traceId = traceIdOf(log.spanContext);
  if (traceId !== undefined) paths.set('TraceId', traceId);
  const spanId = spanIdOf(log.spanContext);
  if (spanId !== undefined) paths.set('SpanId', spanId);
  const flags = log.spanContext?.traceFlags;
  if (typeof flags === 'number' && Number.isInteger(flags)) paths.set('TraceFlags', flags);
  addString(paths, 'SeverityText', log.severityText, settings);
  const severity = positiveCount(log.severityNumber);
  if (severity !== undefined) paths.set('SeverityNumber', severity);
  addString(paths, 'EventName', eventNameOf(log), settings);
  const body = toJsonValue(log.body, settings.limits);
  if (body !== undefined && body !== null) flattenInto(paths, 'Body', body);
  addPrefixed(paths, 'Attributes', log.attributes, settings);
  addResourceAndScope(paths, log.resource, scope, settings);
  return documentOf(target, paths, settings);
}

export function rawMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  const { groups, invalid } = groupMetrics(resourceMetrics, settings);
  const documents = groups.map((group): BulkDocument => {
    const paths: Paths = new Map();
    paths.set('@timestamp', isoNanos(group.endTime));
    if (!isZeroTime(group.startTime)) paths.set('StartTimestamp', isoNanos(group.startTime));
    if (group.unit !== '') paths.set('Unit', cleanString(group.unit, settings.limits));
    addDataStream(paths, group.target);
    for (const key of Object.keys(group.attributes)) {
      flattenInto(paths, `Attributes.${key}`, group.attributes[key]);
    }
    addResourceAndScope(paths, resourceMetrics.resource, group.scope, settings);
    for (const metric of group.metrics) paths.set(`Metrics.${metric.name}`, metric.value);
    return {
      target: group.target,
      id: undefined,
      hashId: settings.deterministicIds,
      conflictMeansStored: settings.deterministicIds,
      dynamicTemplates: undefined,
      document: objectFromPaths(resolvePathConflicts(paths)),
    };
  });
  return { documents, invalid };
}
