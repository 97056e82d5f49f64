import type { Signal } from '../types';
import { setOwnField } from './own-field';

/*
 * SDK items the mapping could not turn into records go to the dead-letter handler as plain,
 * JSON-safe objects: what identifies the item (names, ids, times), and what it carried
 * (attributes, body, values). The SDK's own objects hold methods, resources with promises and
 * cycles, bigints and typed arrays; none of that may reach a handler that writes JSON.
 */

const MAX_DEPTH = 8;
const MAX_STRING_LENGTH = 64 * 1024;
const MAX_ARRAY_ITEMS = 1_000;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An SDK item (span, log record, metric or data point) as a JSON-safe object. Never throws. */
export function serializeSdkItem(signal: Signal, item: unknown): Record<string, unknown> {
  try {
    const shaped =
      signal === 'traces'
        ? spanShape(item)
        : signal === 'logs'
          ? logShape(item)
          : metricShape(item);
    const safe = jsonSafe(shaped, new Set(), 0);
    return safe && typeof safe === 'object' && !Array.isArray(safe) ? safe : { value: safe };
  } catch (error) {
    return { unserializable: error instanceof Error ? error.message : String(error) };
  }
}

function spanShape(item: unknown): unknown {
  const span = item as Record<string, unknown> & { spanContext?: () => unknown };
  if (!span || typeof span !== 'object') return { value: item };
  const context = read(() => span.spanContext?.()) as
    { traceId?: unknown; spanId?: unknown } | undefined;
  const parent = span.parentSpanContext as { spanId?: unknown } | undefined;
  return {
    name: span.name,
    kind: span.kind,
    traceId: context?.traceId,
    spanId: context?.spanId,
    parentSpanId: parent?.spanId ?? span.parentSpanId,
    startTime: timeOf(span.startTime),
    endTime: timeOf(span.endTime),
    status: span.status,
    attributes: span.attributes,
    events: Array.isArray(span.events)
      ? span.events.map((event: Record<string, unknown>) => ({
          name: event?.name,
          time: timeOf(event?.time),
          attributes: event?.attributes,
        }))
      : undefined,
    links: Array.isArray(span.links) ? span.links.length : undefined,
    resource: resourceShape(span.resource),
    scope: scopeShape(span.instrumentationScope),
  };
}

function logShape(item: unknown): unknown {
  const log = item as Record<string, unknown>;
  if (!log || typeof log !== 'object') return { value: item };
  const context = log.spanContext as { traceId?: unknown; spanId?: unknown } | undefined;
  return {
    time: timeOf(log.hrTime),
    observedTime: timeOf(log.hrTimeObserved),
    severityText: log.severityText,
    severityNumber: log.severityNumber,
    eventName: log.eventName,
    body: log.body,
    attributes: log.attributes,
    traceId: context?.traceId,
    spanId: context?.spanId,
    resource: resourceShape(log.resource),
    scope: scopeShape(log.instrumentationScope),
  };
}

/** A whole export (resource metrics), one metric, or one data point with its metric. */
function metricShape(item: unknown): unknown {
  const value = item as Record<string, unknown>;
  if (!value || typeof value !== 'object') return { value: item };
  if (Array.isArray(value.scopeMetrics)) {
    return {
      resource: resourceShape(value.resource),
      metrics: value.scopeMetrics.flatMap(
        (scope: { metrics?: { descriptor?: { name?: unknown } }[] }) =>
          (scope?.metrics ?? []).map((metric) => metric?.descriptor?.name),
      ),
    };
  }
  const shaped: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    shaped[key] = key === 'dataPoint' || key === 'metric' ? pointOrMetric(field) : field;
  }
  return shaped;
}

function pointOrMetric(value: unknown): unknown {
  const point = value as Record<string, unknown>;
  if (!point || typeof point !== 'object') return value;
  if ('descriptor' in point) {
    return {
      descriptor: point.descriptor,
      dataPointType: point.dataPointType,
      aggregationTemporality: point.aggregationTemporality,
    };
  }
  return {
    ...point,
    startTime: timeOf(point.startTime),
    endTime: timeOf(point.endTime),
  };
}

function resourceShape(resource: unknown): unknown {
  const attributes = read(() => (resource as { attributes?: unknown })?.attributes);
  return attributes === undefined ? undefined : { attributes };
}

function scopeShape(scope: unknown): unknown {
  if (!scope || typeof scope !== 'object') return undefined;
  const { name, version } = scope as { name?: unknown; version?: unknown };
  return { name, version };
}

/** An hrtime `[seconds, nanoseconds]` as ISO text with nanoseconds, or as it is. */
function timeOf(value: unknown): unknown {
  if (!Array.isArray(value) || value.length !== 2) return value;
  const [seconds, nanos] = value as [unknown, unknown];
  if (typeof seconds !== 'number' || typeof nanos !== 'number' || !Number.isFinite(seconds)) {
    return value;
  }
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return value;
  const fraction = String(Math.trunc(nanos)).padStart(9, '0');
  return date.toISOString().replace(/\.\d{3}Z$/, `.${fraction}Z`);
}

function read(get: () => unknown): unknown {
  try {
    return get();
  } catch {
    return undefined;
  }
}

function jsonSafe(value: unknown, seen: Set<object>, depth: number): Json | undefined {
  switch (typeof value) {
    case 'string':
      return value.length > MAX_STRING_LENGTH ? `${value.slice(0, MAX_STRING_LENGTH)}…` : value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return null;
  const object = value as object;
  if (object instanceof Uint8Array) return Buffer.from(object).toString('base64');
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? null : object.toISOString();
  if (seen.has(object)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[…]';
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object
        .slice(0, MAX_ARRAY_ITEMS)
        .map((v) => jsonSafe(v, seen, depth + 1) ?? null);
      if (object.length > MAX_ARRAY_ITEMS) items.push(`… ${object.length - MAX_ARRAY_ITEMS} more`);
      return items;
    }
    const out: Record<string, Json> = {};
    for (const key of Object.keys(object)) {
      const field = jsonSafe(
        read(() => (object as Record<string, unknown>)[key]),
        seen,
        depth + 1,
      );
      // Attributes and bodies are user data: assigned, `__proto__` would set out's prototype.
      if (field !== undefined) setOwnField(out, key, field);
    }
    return out;
  } finally {
    seen.delete(object);
  }
}
