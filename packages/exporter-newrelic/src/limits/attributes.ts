import type { AnyValue, AnyValueMap } from '@otelpack/batching-core';

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
  if (value !== null && typeof value === 'object' && !(value instanceof Uint8Array)) {
    // A log attribute's nested map: New Relic flattens it into dotted names, each within limits.
    const nested = limitAttributes(value as AnyValueMap, limits, Infinity);
    const changed = nested.shortened + nested.dropped > 0;
    return { value: changed ? nested.attributes : value, changed };
  }
  return { value, changed: false };
}

/**
 * Attributes within the limits and at most `maxCount` of them, the marker included when there
 * is one: names and values shortened, the first `maxCount` kept in their order. Returns the input
 * object itself when nothing had to change.
 */
export function limitAttributes<T extends AnyValueMap>(
  attributes: T,
  limits: AttributeLimits,
  maxCount: number,
): LimitedAttributes<T> {
  const keys = Object.keys(attributes);
  let needed = keys.length > maxCount;
  for (let i = 0; i < keys.length && !needed; i++) {
    needed = keys[i].length > limits.maxKeyLength || exceedsLimits(attributes[keys[i]], limits);
  }
  if (!needed) return { attributes, shortened: 0, dropped: 0 };

  const out: AnyValueMap = {};
  let kept = 0;
  let shortened = 0;
  let dropped = 0;
  let lastKey: string | undefined;
  let lastShortened = false;
  for (const key of keys) {
    if (key === TRUNCATION_MARKER) continue;
    const name = truncateText(key, limits.maxKeyLength);
    if (kept >= maxCount || Object.prototype.hasOwnProperty.call(out, name)) {
      dropped++;
      continue;
    }
    const limited = limitValue(attributes[key], limits);
    lastShortened = name !== key || limited.changed;
    if (lastShortened) shortened++;
    out[name] = limited.value;
    lastKey = name;
    kept++;
  }
  if (shortened + dropped > 0 && maxCount !== Infinity) {
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
