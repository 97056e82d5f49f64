import type { SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import { expandPaths, flattenInto, resolvePathConflicts } from './field-paths';
import { cleanKey, cleanString, toJsonValue } from './json-value';
import type { JsonValue } from './json-value';
import { groupMetrics } from './metric-groups';
import { eventNameOf, logTime } from './otel-mode';
import {
  kindName,
  nonEmptyString,
  positiveCount,
  spanIdOf,
  statusName,
  traceIdOf,
} from './otel-fields';
import { ROUTING_ATTRIBUTES, resolveTarget } from './routing';
import { durationNanos, isoNanos } from './time';
import type { BulkDocument, MappingResult, MappingSettings, Target } from './types';

/*
 * The `ecs` mode: Elastic Common Schema field names, nested objects, as the Collector's `ecs`
 * mapping mode writes them. Conversions are listed in the README ("Mapping: ecs").
 */

/** Resource attributes whose ECS name differs; `null` drops the attribute (written elsewhere). */
export const ECS_RESOURCE_FIELDS: Readonly<Record<string, string | null>> = {
  'service.instance.id': 'service.node.name',
  'deployment.environment': 'service.environment',
  'deployment.environment.name': 'service.environment',
  'telemetry.sdk.name': null,
  'telemetry.sdk.language': null,
  'telemetry.sdk.version': null,
  'telemetry.distro.name': null,
  'telemetry.distro.version': null,
  'cloud.platform': 'cloud.service.name',
  'container.image.tags': 'container.image.tag',
  'host.name': 'host.hostname',
  'host.arch': 'host.architecture',
  'process.executable.path': 'process.executable',
  'process.runtime.name': 'service.runtime.name',
  'process.runtime.version': 'service.runtime.version',
  'os.name': 'host.os.name',
  'os.type': 'host.os.platform',
  'os.description': 'host.os.full',
  'os.version': 'host.os.version',
  'k8s.deployment.name': 'kubernetes.deployment.name',
  'k8s.namespace.name': 'kubernetes.namespace',
  'k8s.node.name': 'kubernetes.node.name',
  'k8s.pod.name': 'kubernetes.pod.name',
  'k8s.pod.uid': 'kubernetes.pod.uid',
  'k8s.job.name': 'kubernetes.job.name',
  'k8s.cronjob.name': 'kubernetes.cronjob.name',
  'k8s.statefulset.name': 'kubernetes.statefulset.name',
  'k8s.replicaset.name': 'kubernetes.replicaset.name',
  'k8s.daemonset.name': 'kubernetes.daemonset.name',
  'k8s.container.name': 'kubernetes.container.name',
  'k8s.cluster.name': 'orchestrator.cluster.name',
};

/** Resource attributes written under their ECS name and kept under their own as well. */
const ECS_RESOURCE_KEPT = new Set(['host.name']);

/** Log record and span event attributes whose ECS name differs. */
export const ECS_EVENT_FIELDS: Readonly<Record<string, string | null>> = {
  'event.name': 'event.action',
  'exception.message': 'error.message',
  'exception.stacktrace': 'error.stacktrace',
  'exception.type': 'error.type',
  'exception.escaped': 'event.error.exception.handled',
};

/** Span attributes whose ECS name differs. */
export const ECS_SPAN_FIELDS: Readonly<Record<string, string | null>> = {
  'db.system': 'span.db.type',
  'db.system.name': 'span.db.type',
  'db.name': 'span.db.instance',
  'db.namespace': 'span.db.instance',
  'db.statement': 'span.db.statement',
  'db.query.text': 'span.db.statement',
};

type Paths = Map<string, JsonValue>;

function addAttributes(
  paths: Paths,
  attributes: Readonly<Record<string, unknown>> | undefined,
  conversions: Readonly<Record<string, string | null>>,
  settings: MappingSettings,
  kept: ReadonlySet<string> = new Set(),
): void {
  if (!attributes) return;
  for (const key of Object.keys(attributes)) {
    if (ROUTING_ATTRIBUTES.has(key)) continue;
    const value = toJsonValue(attributes[key], settings.limits);
    if (value === undefined) continue;
    const ownKey = cleanKey(key, settings.limits);
    const converted = Object.hasOwn(conversions, key) ? conversions[key] : ownKey;
    if (converted === null) continue;
    flattenInto(paths, converted, value);
    if (converted !== ownKey && kept.has(key)) flattenInto(paths, ownKey, value);
  }
}

function addString(paths: Paths, path: string, value: unknown, settings: MappingSettings): void {
  const text = nonEmptyString(value);
  if (text !== undefined) paths.set(path, cleanString(text, settings.limits));
}

/** Resource attributes, then the agent and OS fields ECS derives from them. */
function addResource(
  paths: Paths,
  resource: ResourceLike | undefined,
  settings: MappingSettings,
): void {
  const attributes = resource?.attributes ?? {};
  addAttributes(paths, attributes, ECS_RESOURCE_FIELDS, settings, ECS_RESOURCE_KEPT);
  const sdkName = nonEmptyString(attributes['telemetry.sdk.name']) ?? 'otlp';
  let language = nonEmptyString(attributes['telemetry.sdk.language']);
  const distro = nonEmptyString(attributes['telemetry.distro.name']);
  if (distro !== undefined) language ??= 'unknown';
  let agentName = sdkName;
  if (distro !== undefined) agentName = `${sdkName}/${language}/${distro}`;
  else if (language !== undefined) agentName = `${sdkName}/${language}`;
  addString(paths, 'agent.name', agentName, settings);
  addString(
    paths,
    'agent.version',
    attributes['telemetry.distro.version'] ?? attributes['telemetry.sdk.version'],
    settings,
  );
  addString(paths, 'service.language.name', attributes['telemetry.sdk.language'], settings);
  const osType = osTypeOf(attributes['os.type'], attributes['os.name']);
  if (osType !== undefined) paths.set('host.os.type', osType);
}

/** ECS `host.os.type` takes linux, macos, unix, windows, android, ios, or nothing. */
function osTypeOf(osType: unknown, osName: unknown): string | undefined {
  if (osName === 'Android') return 'android';
  if (osName === 'iOS') return 'ios';
  switch (osType) {
    case 'windows':
    case 'linux':
      return osType;
    case 'darwin':
      return 'macos';
    case 'aix':
    case 'hpux':
    case 'solaris':
      return 'unix';
    default:
      return undefined;
  }
}

function addScope(
  paths: Paths,
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
): void {
  addAttributes(paths, scope?.attributes, {}, settings);
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
    document: expandPaths(resolvePathConflicts(paths)),
  };
}

function spanDocumentId(context: SpanContext, suffix = ''): string | undefined {
  const traceId = traceIdOf(context);
  const spanId = spanIdOf(context);
  return traceId && spanId ? `${traceId}${spanId}${suffix}` : undefined;
}

/** `event.outcome`: success, failure, or unknown while the status is unset. */
function outcomeOf(code: number | undefined): string {
  if (code === 1) return 'success';
  if (code === 2) return 'failure';
  return 'unknown';
}

export function ecsSpanDocuments(
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
  // Later writes win: the span's own fields override attributes of the same name.
  const paths: Paths = new Map();
  addResource(paths, span.resource, settings);
  addScope(paths, scope, settings);
  addAttributes(paths, span.attributes, ECS_SPAN_FIELDS, settings);
  paths.set('@timestamp', isoNanos(span.startTime));
  addDataStream(paths, target);
  const traceId = traceIdOf(context);
  if (traceId !== undefined) paths.set('trace.id', traceId);
  const spanId = spanIdOf(context);
  if (spanId !== undefined) paths.set('span.id', spanId);
  const parentId = spanIdOf(span.parentSpanContext);
  if (parentId !== undefined) paths.set('parent.id', parentId);
  addString(paths, 'span.name', span.name, settings);
  paths.set('span.kind', kindName(span.kind).toUpperCase());
  paths.set('event.duration', durationNanos(span.duration));
  paths.set('event.outcome', outcomeOf(span.status?.code));
  paths.set('span.status.code', statusName(span.status?.code));
  addString(paths, 'span.status.message', span.status?.message, settings);
  const links: JsonValue[] = [];
  for (const link of span.links ?? []) {
    const linkPaths: Paths = new Map();
    const linkTrace = traceIdOf(link.context);
    if (linkTrace !== undefined) linkPaths.set('trace.id', linkTrace);
    const linkSpan = spanIdOf(link.context);
    if (linkSpan !== undefined) linkPaths.set('span.id', linkSpan);
    addAttributes(linkPaths, link.attributes, {}, settings);
    links.push(expandPaths(resolvePathConflicts(linkPaths)));
  }
  if (links.length > 0) paths.set('span.links', links);
  const dropped = positiveCount(span.droppedAttributesCount);
  if (dropped !== undefined) paths.set('span.dropped_attributes_count', dropped);

  const documents = [documentOf(target, paths, settings, spanDocumentId(context))];
  (span.events ?? []).forEach((event, index) => {
    documents.push(ecsSpanEventDocument(span, context, event, index, settings));
  });
  return documents;
}

function ecsSpanEventDocument(
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
  const paths: Paths = new Map();
  addResource(paths, span.resource, settings);
  addScope(paths, scope, settings);
  addAttributes(paths, event.attributes, ECS_EVENT_FIELDS, settings);
  paths.set('@timestamp', isoNanos(event.time));
  addDataStream(paths, target);
  addString(paths, 'event.action', event.name, settings);
  const traceId = traceIdOf(context);
  if (traceId !== undefined) paths.set('trace.id', traceId);
  const spanId = spanIdOf(context);
  if (spanId !== undefined) paths.set('span.id', spanId);
  return documentOf(target, paths, settings, spanDocumentId(context, `.${index}`));
}

export function ecsLogDocument(
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
  addResource(paths, log.resource, settings);
  addScope(paths, scope, settings);
  addAttributes(paths, log.attributes, ECS_EVENT_FIELDS, settings);
  paths.set('@timestamp', isoNanos(time));
  paths.set('event.created', isoNanos(log.hrTimeObserved));
  addDataStream(paths, target);
  const traceId = traceIdOf(log.spanContext);
  if (traceId !== undefined) paths.set('trace.id', traceId);
  const spanId = spanIdOf(log.spanContext);
  if (spanId !== undefined) paths.set('span.id', spanId);
  const severity = positiveCount(log.severityNumber);
  if (severity !== undefined) paths.set('event.severity', severity);
  addString(paths, 'log.level', log.severityText, settings);
  addString(paths, 'event.action', eventNameOf(log), settings);
  // ECS has one `message` text field: a structured body is kept there as JSON text.
  const body = toJsonValue(log.body, settings.limits);
  if (body !== undefined && body !== null) {
    paths.set(
      'message',
      typeof body === 'string'
        ? body
        : typeof body === 'object'
          ? cleanString(JSON.stringify(body), settings.limits)
          : String(body),
    );
  }
  return documentOf(target, paths, settings);
}

export function ecsMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  const { groups, invalid } = groupMetrics(resourceMetrics, settings);
  const documents = groups.map((group): BulkDocument => {
    const paths: Paths = new Map();
    addResource(paths, resourceMetrics.resource, settings);
    addScope(paths, group.scope, settings);
    for (const key of Object.keys(group.attributes)) {
      flattenInto(paths, key, group.attributes[key]);
    }
    for (const metric of group.metrics) paths.set(metric.name, metric.value);
    paths.set('@timestamp', isoNanos(group.endTime));
    addDataStream(paths, group.target);
    return {
      target: group.target,
      id: undefined,
      hashId: settings.deterministicIds,
      conflictMeansStored: settings.deterministicIds,
      dynamicTemplates: undefined,
      document: expandPaths(resolvePathConflicts(paths)),
    };
  });
  return { documents, invalid };
}
