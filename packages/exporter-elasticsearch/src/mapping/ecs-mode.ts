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
  logTime,
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
 * mapping mode writes them (its model.go conversion maps; the rows of test/conformance-ecs.test.ts
 * come from its model_test.go and golden files). Conversions are listed in the README
 * ("Mapping: ecs"), and so is every field we write that the Collector does not.
 */

/**
 * An attribute written under its ECS name: `to` (null: dropped), with `keepOriginal` also under
 * its own, and with `unlessTargetPresent` only when the same attributes have no `to` of their own
 * (a resource's own `host.hostname` is not overwritten by its `host.name`).
 */
interface EcsConversion {
  to: string | null;
  keepOriginal?: boolean;
  unlessTargetPresent?: boolean;
}
type EcsConversions = Readonly<Record<string, EcsConversion>>;

/** Resource attributes whose ECS name differs (the Collector's resourceAttrsConversionMap). */
export const ECS_RESOURCE_FIELDS: EcsConversions = {
  'service.instance.id': { to: 'service.node.name' },
  'deployment.environment': { to: 'service.environment' },
  'deployment.environment.name': { to: 'service.environment' },
  'telemetry.sdk.name': { to: null },
  'telemetry.sdk.language': { to: 'service.language.name' },
  'telemetry.sdk.version': { to: 'service.language.version' },
  'telemetry.distro.name': { to: null },
  'telemetry.distro.version': { to: null },
  'cloud.platform': { to: 'cloud.service.name' },
  'container.image.tags': { to: 'container.image.tag' },
  'host.name': { to: 'host.hostname', keepOriginal: true, unlessTargetPresent: true },
  'host.arch': { to: 'host.architecture' },
  'process.parent_pid': { to: 'process.parent.pid' },
  'process.executable.name': { to: 'process.title' },
  'process.executable.path': { to: 'process.executable' },
  'process.command_line': { to: 'process.args' },
  'process.runtime.name': { to: 'service.runtime.name' },
  'process.runtime.version': { to: 'service.runtime.version' },
  'os.name': { to: 'host.os.name' },
  'os.type': { to: 'host.os.platform' },
  'os.description': { to: 'host.os.full' },
  'os.version': { to: 'host.os.version' },
  'client.address': { to: 'client.ip' },
  'source.address': { to: 'source.ip' },
  'k8s.deployment.name': { to: 'kubernetes.deployment.name' },
  'k8s.namespace.name': { to: 'kubernetes.namespace' },
  'k8s.node.name': { to: 'kubernetes.node.name' },
  'k8s.pod.name': { to: 'kubernetes.pod.name' },
  'k8s.pod.uid': { to: 'kubernetes.pod.uid' },
  'k8s.job.name': { to: 'kubernetes.job.name' },
  'k8s.cronjob.name': { to: 'kubernetes.cronjob.name' },
  'k8s.statefulset.name': { to: 'kubernetes.statefulset.name' },
  'k8s.replicaset.name': { to: 'kubernetes.replicaset.name' },
  'k8s.daemonset.name': { to: 'kubernetes.daemonset.name' },
  'k8s.container.name': { to: 'kubernetes.container.name' },
  'k8s.cluster.name': { to: 'orchestrator.cluster.name' },
  'faas.instance': { to: 'faas.id' },
  'faas.trigger': { to: 'faas.trigger.type' },
};

/** Log record and span event attributes whose ECS name differs (logRecordAttrsConversionMap). */
export const ECS_EVENT_FIELDS: EcsConversions = {
  'event.name': { to: 'event.action' },
  'exception.message': { to: 'error.message' },
  'exception.stacktrace': { to: 'error.stacktrace' },
  'exception.type': { to: 'error.type' },
  'exception.escaped': { to: 'event.error.exception.handled' },
  'http.response.body.size': { to: 'http.response.encoded_body_size' },
};

/**
 * Span attributes whose ECS name differs (spanAttrsConversionMap), with the database names of
 * the semantic conventions before and after the Collector's (`db.name`, `db.statement`,
 * `db.system.name`), which JavaScript instrumentations write.
 */
export const ECS_SPAN_FIELDS: EcsConversions = {
  'db.system': { to: 'span.db.type' },
  'db.system.name': { to: 'span.db.type' },
  'db.name': { to: 'span.db.instance' },
  'db.namespace': { to: 'span.db.instance' },
  'db.statement': { to: 'span.db.statement' },
  'db.query.text': { to: 'span.db.statement' },
  'http.response.body.size': { to: 'http.response.encoded_body_size' },
};

/** The ECS fields the conversions write: a value there wins over attributes nested under it. */
function targetsOf(...maps: EcsConversions[]): ReadonlySet<string> {
  const targets = new Set<string>();
  for (const map of maps) {
    for (const key of Object.keys(map)) {
      const to = map[key].to;
      if (to !== null) targets.add(to);
    }
  }
  return targets;
}
const LOG_PROTECTED = targetsOf(ECS_RESOURCE_FIELDS, ECS_EVENT_FIELDS);
const SPAN_PROTECTED = targetsOf(ECS_RESOURCE_FIELDS, ECS_SPAN_FIELDS);
const METRIC_PROTECTED = targetsOf(ECS_RESOURCE_FIELDS);

function addAttributes(
  paths: FieldPaths,
  attributes: Readonly<Record<string, unknown>> | undefined,
  conversions: EcsConversions,
  settings: MappingSettings,
): void {
  if (!attributes) return;
  for (const key of Object.keys(attributes)) {
    if (ROUTING_ATTRIBUTES.has(key)) continue;
    const value = toJsonValue(attributes[key], settings.limits);
    if (value === undefined) continue;
    const ownKey = cleanKey(key, settings.limits);
    const conversion = Object.hasOwn(conversions, key) ? conversions[key] : undefined;
    if (conversion === undefined) {
      flattenInto(paths, ownKey, value);
      continue;
    }
    const { to, keepOriginal, unlessTargetPresent } = conversion;
    if (to === null) continue;
    if (!unlessTargetPresent || !Object.hasOwn(attributes, to)) flattenInto(paths, to, value);
    if (keepOriginal) flattenInto(paths, ownKey, value);
  }
}

/** Resource attributes under their ECS names. */
function addResource(
  paths: FieldPaths,
  resource: ResourceLike | undefined,
  settings: MappingSettings,
): void {
  addAttributes(paths, resource?.attributes, ECS_RESOURCE_FIELDS, settings);
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
  conversions: EcsConversions,
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

/**
 * ECS fields are nested objects. An ECS field the conversions write keeps its value over
 * attributes nested under it (`process.executable` from `process.executable.path` stays a
 * string beside a record's `process.executable.name`), as the Collector's protected fields do;
 * any other value beside nested ones moves to `.value`.
 */
function ecsObject(paths: FieldPaths, ecsFields?: ReadonlySet<string>): JsonObject {
  return expandPaths(resolvePathConflicts(paths, ecsFields));
}

/** `event.outcome`: success or failure; none while the status is unset. */
function outcomeOf(code: number | undefined): string | undefined {
  if (code === 1) return 'success';
  if (code === 2) return 'failure';
  return undefined;
}

/** `span.kind` by the API's kind (0–4); none for any other. */
const ECS_KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

const ecsSpanFields: SpanFields = (span, context, target, settings) => {
  const paths = attributePaths(span, span.attributes, ECS_SPAN_FIELDS, settings);
  paths.set('@timestamp', isoNanos(span.startTime));
  putDataStream(paths, target);
  putSpanIds(paths, context);
  putPath(paths, 'parent.id', spanIdOf(span.parentSpanContext));
  putText(paths, 'span.name', span.name, settings.limits);
  putPath(paths, 'span.kind', Number.isInteger(span.kind) ? ECS_KINDS[span.kind] : undefined);
  paths.set('event.duration', durationNanos(span.duration));
  putPath(paths, 'event.outcome', outcomeOf(span.status?.code));
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
  return ecsObject(paths, SPAN_PROTECTED);
};

const ecsSpanEventFields: SpanEventFields = (span, event, context, target, settings) => {
  const paths = attributePaths(span, event.attributes, ECS_EVENT_FIELDS, settings);
  paths.set('@timestamp', isoNanos(event.time));
  putDataStream(paths, target);
  putText(paths, 'event.action', event.name, settings.limits);
  putSpanIds(paths, context);
  return ecsObject(paths, LOG_PROTECTED);
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
  return recordDocument(target, ecsObject(paths, LOG_PROTECTED), settings);
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
    return recordDocument(group.target, ecsObject(paths, METRIC_PROTECTED), settings);
  });
}
