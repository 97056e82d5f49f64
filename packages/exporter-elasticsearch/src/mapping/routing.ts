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

type AttributeSource = Readonly<Record<string, unknown>> | undefined;

/** Data stream name parts: at most 100 bytes, lowercase, none of `\/*?"<>| ,#:-`. */
const DATA_STREAM_PART_MAX_BYTES = 100;
const DATA_STREAM_DISALLOWED = /[\\/*?"<>| ,#:-]/g;

export function sanitizeDataStreamPart(value: string): string {
  let out = value.toLowerCase().replace(DATA_STREAM_DISALLOWED, '_');
  while (Buffer.byteLength(out) > DATA_STREAM_PART_MAX_BYTES) out = out.slice(0, -1);
  // A cut may leave half a surrogate pair; drop it.
  if (/[\uD800-\uDBFF]$/.test(out)) out = out.slice(0, -1);
  return out;
}

/** The first string value of `key` among the sources, in order (record, scope, resource). */
function firstString(key: string, sources: readonly AttributeSource[]): string | undefined {
  for (const source of sources) {
    const value = source?.[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}

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
  const fromAttributes = (key: string): string | undefined => {
    if (!settings.routeByAttributes) return undefined;
    const value = firstString(key, sources);
    if (value === undefined) return undefined;
    const clean = sanitizeDataStreamPart(value);
    return clean === '' ? undefined : clean;
  };
  let dataset = fromAttributes(DATASET_ATTRIBUTE) ?? settings.dataset;
  const namespace = fromAttributes(NAMESPACE_ATTRIBUTE) ?? settings.namespace;
  // The Collector's otel mode keeps OTel-native data apart from ECS data by this suffix, and
  // Elasticsearch's OTel index templates match on it.
  if (settings.mode === 'otel' && !dataset.endsWith('.otel')) dataset = `${dataset}.otel`;
  return {
    index: `${type}-${dataset}-${namespace}`,
    dataStream: { type, dataset, namespace },
  };
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

export function spanTarget(span: ReadableSpanLike, settings: MappingSettings): Target {
  return resolveTarget('traces', settings, sourcesOf(span.attributes, span), span.startTime);
}

/** A span event goes with the logs (in the modes that write each event as a document). */
export function spanEventTarget(
  span: ReadableSpanLike,
  event: TimedEventLike,
  settings: MappingSettings,
): Target {
  return resolveTarget('logs', settings, sourcesOf(event.attributes, span), event.time);
}

export function logTarget(log: ReadableLogRecordLike, settings: MappingSettings): Target {
  return resolveTarget('logs', settings, sourcesOf(log.attributes, log), logTime(log));
}
