import type { HrTime } from '@opentelemetry/api';
import type {
  ReadableLogRecordLike,
  ReadableSpanLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import { logTime } from './otel-fields';
import { dateSuffix } from './time';
import type { DataStreamType, MappingSettings, Target } from './types';

export const INDEX_ATTRIBUTE = 'elasticsearch.index';
export const DATASET_ATTRIBUTE = 'data_stream.dataset';
export const NAMESPACE_ATTRIBUTE = 'data_stream.namespace';
export const TYPE_ATTRIBUTE = 'data_stream.type';

/** Attributes that steer routing and are therefore not written into documents. */
export const ROUTING_ATTRIBUTES: ReadonlySet<string> = new Set([
  INDEX_ATTRIBUTE,
  DATASET_ATTRIBUTE,
  NAMESPACE_ATTRIBUTE,
  TYPE_ATTRIBUTE,
]);

export const MAPPING_HINTS_ATTRIBUTE = 'elasticsearch.mapping.hints';

/**
 * Attributes the Collector's `otel` mode acts on or ignores and never indexes (the list its
 * otelserializer's jsonwriter.go writeAttributes skips, names from internal/elasticsearch):
 * routing, mapping hints, the scope's mapping mode (`elastic.mapping.mode`, not `elasticsearch.`)
 * and the per-document id and ingest pipeline (which we do not offer; see the README).
 */
export const CONTROL_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...ROUTING_ATTRIBUTES,
  MAPPING_HINTS_ATTRIBUTE,
  'elastic.mapping.mode',
  'elasticsearch.document_id',
  'elasticsearch.ingest_pipeline',
]);

type AttributeSource = Readonly<Record<string, unknown>> | undefined;

/*
 * Data stream name parts as the Collector's router sanitises them: lowercase, the disallowed
 * characters replaced by `_` (a namespace may keep `-`), cut to 100 bytes with room left for
 * the `.otel` suffix of the dataset.
 */
const DATA_STREAM_PART_MAX_BYTES = 100;
const DATASET_DISALLOWED = /[\\/*?"<>| ,#:-]/g;
const NAMESPACE_DISALLOWED = /[\\/*?"<>| ,#:]/g;

function cutToBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  // Elasticsearch counts bytes; cut whole characters until it fits.
  let out = Buffer.from(text).subarray(0, maxBytes).toString('utf8');
  while (out.endsWith('\uFFFD') || Buffer.byteLength(out) > maxBytes) out = out.slice(0, -1);
  return out;
}

export function sanitizeDataset(value: string, suffix = ''): string {
  const clean = value.toLowerCase().replace(DATASET_DISALLOWED, '_');
  return cutToBytes(clean, DATA_STREAM_PART_MAX_BYTES - suffix.length) + suffix;
}

export function sanitizeNamespace(value: string): string {
  return cutToBytes(
    value.toLowerCase().replace(NAMESPACE_DISALLOWED, '_'),
    DATA_STREAM_PART_MAX_BYTES,
  );
}

/**
 * The first value of `key` among the sources, in order (record, scope, resource), as text (the
 * Collector reads any attribute type with AsString). An empty value is passed over: it would name
 * a data stream such as `logs-.otel-default`.
 */
function firstString(key: string, sources: readonly AttributeSource[]): string | undefined {
  for (const source of sources) {
    const value = source?.[key];
    if (typeof value === 'string') {
      if (value !== '') return value;
    } else if (
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      typeof value === 'bigint'
    ) {
      return String(value);
    }
  }
  return undefined;
}

/** A receiver's scope name routes to a dataset of its name, e.g. `hostmetricsreceiver`. */
const RECEIVER_SCOPE = /\/receiver\/(\w*receiver)/;

/**
 * The index of one document, in the Collector's order: the static `index` option; the
 * `elasticsearch.index` attribute; `data_stream.dataset` / `data_stream.namespace` attributes;
 * otherwise the configured dataset and namespace (`generic` / `default`). Attribute sources
 * are given most specific first: record, then scope, then resource.
 */
export function resolveTarget(
  type: DataStreamType,
  settings: MappingSettings,
  sources: readonly AttributeSource[],
  time: HrTime | undefined,
  scopeName?: string,
): Target {
  const plain = (index: string): Target => ({
    index:
      settings.indexDateSuffix === 'none'
        ? index
        : `${index}-${dateSuffix(time, settings.indexDateSuffix)}`,
    dataStream: undefined,
  });
  if (settings.index !== undefined) return plain(settings.index);
  if (settings.routeByAttributes) {
    const index = firstString(INDEX_ATTRIBUTE, sources);
    if (index !== undefined) return plain(index);
  }
  const fromAttributes = (key: string): string | undefined =>
    settings.routeByAttributes ? firstString(key, sources) : undefined;
  let dataset = fromAttributes(DATASET_ATTRIBUTE) ?? settings.dataset;
  const receiver = scopeName === undefined ? undefined : RECEIVER_SCOPE.exec(scopeName);
  if (receiver) dataset = receiver[1];
  const rawNamespace = fromAttributes(NAMESPACE_ATTRIBUTE) ?? settings.namespace;
  return dataStreamTarget(type, settings.mode === 'otel', dataset, rawNamespace);
}

/** Data stream targets by their unsanitised parts: a run routes to a handful of streams. */
const MAX_CACHED_TARGETS = 1_024;
const dataStreamTargets = new Map<string, Target>();

function dataStreamTarget(
  type: DataStreamType,
  otel: boolean,
  rawDataset: string,
  rawNamespace: string,
): Target {
  const key = `${type}\u0000${otel ? 1 : 0}\u0000${rawDataset}\u0000${rawNamespace}`;
  let target = dataStreamTargets.get(key);
  if (target === undefined) {
    // The Collector's otel mode keeps OTel-native data apart from ECS data by this suffix, and
    // Elasticsearch's OTel index templates match on it. Like the Collector, it is always added.
    const dataset = sanitizeDataset(rawDataset, otel ? '.otel' : '');
    const namespace = sanitizeNamespace(rawNamespace);
    target = { index: `${type}-${dataset}-${namespace}`, dataStream: { type, dataset, namespace } };
    // Attribute-routed names can be many over a long run: keep the cache bounded.
    if (dataStreamTargets.size >= MAX_CACHED_TARGETS) dataStreamTargets.clear();
    dataStreamTargets.set(key, target);
  }
  return target;
}

/*
 * The targets of the records every mode maps: a record goes to the same index whatever its
 * document looks like.
 */

interface ScopedRecord {
  instrumentationScope: { attributes?: AttributeSource };
  resource: { attributes: AttributeSource };
}

/** Attribute sources most specific first: the record's own, its scope's, its resource's. */
function sourcesOf(attributes: AttributeSource, record: ScopedRecord): AttributeSource[] {
  return [attributes, record.instrumentationScope?.attributes, record.resource?.attributes];
}

interface ScopeRoutes {
  settings: MappingSettings;
  targets: Partial<Record<DataStreamType, Target>>;
}

/**
 * Targets of records that carry no routing attribute of their own, by scope and resource: the
 * SDK's are immutable and shared by all the records of a tracer or logger, and resolving the
 * route again for each record was a sizeable part of the mapping's CPU.
 */
const scopeRoutes = new WeakMap<object, WeakMap<object, ScopeRoutes>>();

/*
 * The last scope and resource looked up, and their routes: a run's records mostly come from one
 * logger or tracer, and two WeakMap lookups per record showed in the profile. Holds one scope
 * and one resource alive until another is looked up.
 */
let lastScope: object | undefined;
let lastResource: object | undefined;
let lastRoutes: ScopeRoutes | undefined;

function routesOf(record: ScopedRecord, settings: MappingSettings): ScopeRoutes | undefined {
  const scope = record.instrumentationScope;
  const resource = record.resource;
  if (scope === lastScope && resource === lastResource && lastRoutes?.settings === settings) {
    return lastRoutes;
  }
  if (typeof scope !== 'object' || scope === null) return undefined;
  if (typeof resource !== 'object' || resource === null) return undefined;
  let byResource = scopeRoutes.get(scope);
  if (byResource === undefined) {
    byResource = new WeakMap();
    scopeRoutes.set(scope, byResource);
  }
  let routes = byResource.get(resource);
  if (routes === undefined || routes.settings !== settings) {
    routes = { settings, targets: {} };
    byResource.set(resource, routes);
  }
  lastScope = scope;
  lastResource = resource;
  lastRoutes = routes;
  return routes;
}

/**
 * A record's target. Its time (`timeOf(source)`) is read only for a date-suffixed name: working
 * out a log record's time for every record showed in the profile.
 */
function recordTarget<S>(
  type: DataStreamType,
  settings: MappingSettings,
  attributes: AttributeSource,
  record: ScopedRecord & { instrumentationScope: { name?: string } },
  source: S,
  timeOf: (source: S) => HrTime | undefined,
): Target {
  const ownRoute =
    settings.routeByAttributes &&
    attributes !== undefined &&
    (attributes[INDEX_ATTRIBUTE] !== undefined ||
      attributes[DATASET_ATTRIBUTE] !== undefined ||
      attributes[NAMESPACE_ATTRIBUTE] !== undefined);
  // A date-suffixed index name depends on each record's time.
  const routes =
    ownRoute || settings.indexDateSuffix !== 'none' ? undefined : routesOf(record, settings);
  const cached = routes?.targets[type];
  if (cached !== undefined) return cached;
  const target = resolveTarget(
    type,
    settings,
    sourcesOf(attributes, record),
    timeOf(source),
    record.instrumentationScope?.name,
  );
  if (routes !== undefined) routes.targets[type] = target;
  return target;
}

const startTimeOf = (span: ReadableSpanLike): HrTime | undefined => span.startTime;
const eventTimeOf = (event: TimedEventLike): HrTime | undefined => event.time;

export function spanTarget(span: ReadableSpanLike, settings: MappingSettings): Target {
  return recordTarget('traces', settings, span.attributes, span, span, startTimeOf);
}

/** A span event goes with the logs (in the modes that write each event as a document). */
export function spanEventTarget(
  span: ReadableSpanLike,
  event: TimedEventLike,
  settings: MappingSettings,
): Target {
  return recordTarget('logs', settings, event.attributes, span, event, eventTimeOf);
}

export function logTarget(log: ReadableLogRecordLike, settings: MappingSettings): Target {
  return recordTarget('logs', settings, log.attributes, log, log, logTime);
}
