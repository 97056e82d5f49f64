import { DEFAULT_VALUE_BOUNDS, boundedValue, setOwnField } from '@otelpack/batching-core';
import type { AnyValue, AnyValueMap, ValueBounds } from '@otelpack/batching-core';

/*
 * New Relic's attribute limits, which apply to OTLP data as to every source (docs.newrelic.com,
 * "OpenTelemetry best practices: attributes"; "Metric API limits"; "Event API limits"). New
 * Relic does not shorten what goes past them: it drops the whole span, log record or data point
 * and records an NrIntegrationError after answering 2xx. Here, before sending, each attribute is
 * brought within them and the record says how many were changed.
 */

export interface AttributeLimits {
  /** Characters of an attribute's name: 255. */
  maxKeyLength: number;
  /** Characters of a string value: 4,095. */
  maxValueLength: number;
  /** Entries of an array value: 64. */
  maxArrayLength: number;
}

export const NEW_RELIC_ATTRIBUTE_LIMITS: AttributeLimits = {
  maxKeyLength: 255,
  maxValueLength: 4095,
  maxArrayLength: 64,
};

/** Attributes per event (a span, a span event, a log record): the Event API's 255. */
export const MAX_EVENT_ATTRIBUTES = 255;

/** Attributes per metric data point: the Metric API's 150. */
export const MAX_METRIC_ATTRIBUTES = 150;

/**
 * Room left for the attributes New Relic adds to every record itself (`name`, `trace.id`,
 * `duration.ms`, `otel.library.name`, `newrelic.source`, …), which count against the same limit.
 */
export const INTRINSIC_ATTRIBUTES = 16;

/** The marker: how many of the record's attributes were shortened or left out. */
export const TRUNCATION_MARKER = 'otelpack.truncated';

export interface LimitedAttributes<T> {
  attributes: T;
  /** Attributes whose name or value was shortened. */
  shortened: number;
  /** Attributes left out: over the count, or a shortened name that another already has. */
  dropped: number;
}

/** The first `max` UTF-16 units (Java's characters, as New Relic counts), no half surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/** Whether a value goes past a limit: the fast path, which allocates nothing. */
export function exceedsLimits(value: AnyValue, limits: AttributeLimits): boolean {
  if (typeof value === 'string') return value.length > limits.maxValueLength;
  if (Array.isArray(value)) {
    if (value.length > limits.maxArrayLength) return true;
    for (const entry of value) if (exceedsLimits(entry as AnyValue, limits)) return true;
    return false;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    for (const [key, entry] of Object.entries(value)) {
      if (key.length > limits.maxKeyLength || exceedsLimits(entry, limits)) return true;
    }
  }
  return false;
}

function isMap(value: AnyValue): value is AnyValueMap {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

/** A map New Relic flattens: an empty one has no leaves, and is sent (and counted) as one value. */
function isFlattened(value: AnyValue): value is AnyValueMap {
  if (!isMap(value)) return false;
  for (const _ in value) return true;
  return false;
}

/**
 * What New Relic stores for one attribute: a log attribute's nested map is flattened into dotted
 * names (`http.request.method` for `{ http: { request: { method } } }`), each leaf an attribute
 * of its own that counts toward the record's limit and whose whole dotted name must be within
 * 255 characters. Anything else is one attribute under its own name.
 */
export function* flatten(key: string, value: AnyValue): Generator<[string, AnyValue]> {
  if (!isFlattened(value)) {
    yield [key, value];
    return;
  }
  for (const [inner, entry] of Object.entries(value)) yield* flatten(`${key}.${inner}`, entry);
}

/** Whether an attribute, as New Relic flattens it, goes past the name or value limits. */
function flatExceeds(key: string, value: AnyValue, limits: AttributeLimits): boolean {
  if (!isFlattened(value)) {
    return key.length > limits.maxKeyLength || exceedsLimits(value, limits);
  }
  for (const [inner, entry] of Object.entries(value)) {
    if (flatExceeds(`${key}.${inner}`, entry, limits)) return true;
  }
  return false;
}

/** How many attributes New Relic stores for these, nested maps flattened. */
export function flatCount(attributes: AnyValueMap): number {
  let count = 0;
  for (const value of Object.values(attributes)) count += isFlattened(value) ? flatCount(value) : 1;
  return count;
}

/** A value within the limits, and whether anything had to change. */
export function limitValue(
  value: AnyValue,
  limits: AttributeLimits,
): { value: AnyValue; changed: boolean } {
  if (typeof value === 'string') {
    const text = truncateText(value, limits.maxValueLength);
    return { value: text, changed: text !== value };
  }
  if (Array.isArray(value)) {
    let changed = value.length > limits.maxArrayLength;
    const entries = changed ? value.slice(0, limits.maxArrayLength) : value;
    const out = entries.map((entry) => {
      const limited = limitValue(entry as AnyValue, limits);
      changed ||= limited.changed;
      return limited.value;
    });
    return { value: changed ? out : value, changed };
  }
  if (isMap(value)) {
    // A map inside an array (New Relic flattens only a record's own maps): each entry limited.
    const nested = limitAttributes(value, limits, Infinity);
    const changed = nested.shortened + nested.dropped > 0;
    return { value: changed ? nested.attributes : value, changed };
  }
  return { value, changed: false };
}

/**
 * The core's bounds without its character budget: New Relic's own limits cut every string to
 * 4,095 characters, and a budget over the whole map would replace the attributes after a long one.
 */
const STRUCTURE_BOUNDS: ValueBounds = { ...DEFAULT_VALUE_BOUNDS, maxChars: Infinity };

/**
 * The attributes with their arrays and maps bounded (boundedValue), and how many values that
 * changed. Flat attributes, almost all, are returned as they are without a walk.
 */
function boundedStructuredValues<T extends AnyValueMap>(
  attributes: T,
): { attributes: T; changed: number } {
  let structured = false;
  for (const key in attributes) {
    const value = attributes[key];
    if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
      structured = true;
      break;
    }
  }
  if (!structured) return { attributes, changed: 0 };
  const bounded = boundedValue(attributes, STRUCTURE_BOUNDS);
  if (bounded === attributes) return { attributes, changed: 0 };
  let changed = 0;
  for (const key of Object.keys(bounded)) {
    if ((bounded as AnyValueMap)[key] !== attributes[key]) changed++;
  }
  return { attributes: bounded, changed };
}

/**
 * Attributes within the limits and at most `maxCount` of them as New Relic counts them (nested
 * maps flattened), the marker included when there is one: names and values shortened, the first
 * `maxCount` kept in their order. When anything has to change, nested maps are sent flattened into
 * the dotted names New Relic would store them under, so that what is kept is what it keeps. A
 * user's own `otelpack.truncated` gives way to the marker and is counted as left out. Returns the
 * input object itself when nothing had to change.
 */
export function limitAttributes<T extends AnyValueMap>(
  attributes: T,
  limits: AttributeLimits,
  maxCount: number,
  /** Values of the record outside its attributes that were shortened (a cut name): marked too. */
  alsoShortened = 0,
): LimitedAttributes<T> {
  // The walks below follow every nested value, and a map is flattened into dotted names: on an
  // application's own object graph (a value that refers to itself, a map sharing one child at
  // every level) they would recurse without end or expand exponentially. Such values are bounded
  // first, as exporter-otlp writes them, and each one changed counts as shortened.
  const bounded = boundedStructuredValues(attributes);
  alsoShortened += bounded.changed;
  attributes = bounded.attributes;
  const keys = Object.keys(attributes);
  let needed = alsoShortened > 0 || keys.length > maxCount || flatCount(attributes) > maxCount;
  for (let i = 0; i < keys.length && !needed; i++) {
    needed = flatExceeds(keys[i], attributes[keys[i]], limits);
  }
  if (!needed) return { attributes, shortened: 0, dropped: 0 };

  const marked = maxCount !== Infinity;
  const out: AnyValueMap = {};
  let kept = 0;
  let shortened = alsoShortened;
  let dropped = 0;
  let lastKey: string | undefined;
  let lastShortened = false;
  for (const key of keys) {
    if (key === TRUNCATION_MARKER && marked) {
      // The marker's place: the user's value cannot stay under it, so it is counted as left out.
      dropped++;
      continue;
    }
    for (const [flat, value] of flatten(key, attributes[key])) {
      const name = truncateText(flat, limits.maxKeyLength);
      if (kept >= maxCount || Object.prototype.hasOwnProperty.call(out, name)) {
        dropped++;
        continue;
      }
      const limited = limitValue(value, limits);
      lastShortened = name !== flat || limited.changed;
      if (lastShortened) shortened++;
      // Assigned, an attribute named `__proto__` would be lost (setOwnField says why).
      setOwnField(out, name, limited.value);
      lastKey = name;
      kept++;
    }
  }
  if (shortened + dropped > 0 && marked) {
    // The marker takes a place of its own: the last attribute kept gives it up.
    if (kept >= maxCount && lastKey !== undefined) {
      delete out[lastKey];
      if (lastShortened) shortened--;
      dropped++;
    }
    out[TRUNCATION_MARKER] = shortened + dropped;
  }
  return { attributes: out as T, shortened, dropped };
}
