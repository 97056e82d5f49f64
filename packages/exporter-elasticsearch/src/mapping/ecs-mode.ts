import type { SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { recordDocument, spanAndEventDocuments } from './documents';
import type { SpanEventFields, SpanFields } from './documents';
import {
  expandPaths,
  flattenInto,
  putDataStream,
  putPath,
  putText,
  resolvePathConflicts,
} from './field-paths';
import type { FieldPaths } from './field-paths';
import { cleanKey, cleanString, toJsonValue } from './json-value';
import type { JsonObject } from './json-value';
import { metricGroupDocuments } from './metric-groups';
import {
  eventNameOf,
  kindName,
  logTime,
  nonEmptyString,
  positiveCount,
  spanIdOf,
  statusName,
  traceIdOf,
} from './otel-fields';
import { ROUTING_ATTRIBUTES, logTarget } from './routing';
import { durationNanos, isoNanos } from './time';
import type { BulkDocument, MappingResult, MappingSettings } from './types';

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

function addAttributes(
  paths: FieldPaths,
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

/** Resource attributes, then the agent and OS fields ECS derives from them. */
function addResource(
  paths: FieldPaths,
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
  putText(paths, 'agent.name', agentName, settings.limits);
  putText(
    paths,
    'agent.version',
    attributes['telemetry.distro.version'] ?? attributes['telemetry.sdk.version'],
    settings.limits,
  );
  putText(paths, 'service.language.name', attributes['telemetry.sdk.language'], settings.limits);
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
  paths: FieldPaths,
  scope: InstrumentationScopeLike | undefined,
  settings: MappingSettings,
): void {
  addAttributes(paths, scope?.attributes, {}, settings);
}

/**
 * A record's resource, scope and own attributes, in that order. Later writes win: the record's
 * attributes override its scope's and resource's, and the fields set after them override all.
 */
function attributePaths(
  record: { resource: ResourceLike; instrumentationScope: InstrumentationScopeLike },
  attributes: Readonly<Record<string, unknown>> | undefined,
  conversions: Readonly<Record<string, string | null>>,
  settings: MappingSettings,
): FieldPaths {
  const paths: FieldPaths = new Map();
  addResource(paths, record.resource, settings);
  addScope(paths, record.instrumentationScope, settings);
  addAttributes(paths, attributes, conversions, settings);
  return paths;
}

/** The trace and span a record belongs to, or a link points at. */
function putSpanIds(paths: FieldPaths, context: SpanContext | undefined): void {
  putPath(paths, 'trace.id', traceIdOf(context));
  putPath(paths, 'span.id', spanIdOf(context));
}

/** ECS fields are nested objects. */
function ecsObject(paths: FieldPaths): JsonObject {
  return expandPaths(resolvePathConflicts(paths));
}

/** `event.outcome`: success, failure, or unknown while the status is unset. */
function outcomeOf(code: number | undefined): string {
  if (code === 1) return 'success';
  if (code === 2) return 'failure';
  return 'unknown';
}

const ecsSpanFields: SpanFields = (span, context, target, settings) => {
  const paths = attributePaths(span, span.attributes, ECS_SPAN_FIELDS, settings);
  paths.set('@timestamp', isoNanos(span.startTime));
  putDataStream(paths, target);
  putSpanIds(paths, context);
  putPath(paths, 'parent.id', spanIdOf(span.parentSpanContext));
  putText(paths, 'span.name', span.name, settings.limits);
  paths.set('span.kind', kindName(span.kind).toUpperCase());
  paths.set('event.duration', durationNanos(span.duration));
  paths.set('event.outcome', outcomeOf(span.status?.code));
  paths.set('span.status.code', statusName(span.status?.code));
  putText(paths, 'span.status.message', span.status?.message, settings.limits);
  const links = (span.links ?? []).map((link) => {
    const linkPaths: FieldPaths = new Map();
    putSpanIds(linkPaths, link.context);
    addAttributes(linkPaths, link.attributes, {}, settings);
    return ecsObject(linkPaths);
  });
  if (links.length > 0) paths.set('span.links', links);
  putPath(paths, 'span.dropped_attributes_count', positiveCount(span.droppedAttributesCount));
  return ecsObject(paths);
};

const ecsSpanEventFields: SpanEventFields = (span, event, context, target, settings) => {
  const paths = attributePaths(span, event.attributes, ECS_EVENT_FIELDS, settings);
  paths.set('@timestamp', isoNanos(event.time));
  putDataStream(paths, target);
  putText(paths, 'event.action', event.name, settings.limits);
  putSpanIds(paths, context);
  return ecsObject(paths);
};

export function ecsSpanDocuments(
  span: ReadableSpanLike,
  settings: MappingSettings,
): BulkDocument[] {
  return spanAndEventDocuments(span, settings, ecsSpanFields, ecsSpanEventFields);
}

export function ecsLogDocument(
  log: ReadableLogRecordLike,
  settings: MappingSettings,
): BulkDocument {
  const target = logTarget(log, settings);
  const paths = attributePaths(log, log.attributes, ECS_EVENT_FIELDS, settings);
  paths.set('@timestamp', isoNanos(logTime(log)));
  paths.set('event.created', isoNanos(log.hrTimeObserved));
  putDataStream(paths, target);
  putSpanIds(paths, log.spanContext);
  putPath(paths, 'event.severity', positiveCount(log.severityNumber));
  putText(paths, 'log.level', log.severityText, settings.limits);
  putText(paths, 'event.action', eventNameOf(log), settings.limits);
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
  return recordDocument(target, ecsObject(paths), settings);
}

export function ecsMetricDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  return metricGroupDocuments(resourceMetrics, settings, (group) => {
    const paths: FieldPaths = new Map();
    addResource(paths, resourceMetrics.resource, settings);
    addScope(paths, group.scope, settings);
    for (const key of Object.keys(group.attributes)) {
      flattenInto(paths, key, group.attributes[key]);
    }
    for (const metric of group.metrics) paths.set(metric.name, metric.value);
    paths.set('@timestamp', isoNanos(group.endTime));
    putDataStream(paths, group.target);
    return recordDocument(group.target, ecsObject(paths), settings);
  });
}
