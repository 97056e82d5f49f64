import { boundedValue, setOwnField } from '@otelpack/batching-core';
import type { AnyValue } from '@otelpack/batching-core';

/**
 * A ClickHouse `Map(LowCardinality(String), String)` value: key/value pairs sorted by key, so
 * that the same attributes always produce the same map (ClickHouse keeps insertion order, and a
 * different order would split series and defeat compression).
 */
export type StringMap = ReadonlyArray<readonly [key: string, value: string]>;

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * Replaces lone UTF-16 surrogates with U+FFFD. ClickHouse rejects a JSON `\ud800` escape with no
 * partner, and UTF-8 has no encoding for one, so every string is made well formed before it is
 * encoded (what Go's encoder does to invalid UTF-8, and Buffer.from does to surrogates anyway).
 */
export function wellFormed(text: string): string {
  const candidate = text as unknown as WellFormedString;
  return candidate.isWellFormed() ? text : candidate.toWellFormed();
}

const INT64_LIMIT = 2 ** 63;

/**
 * A number as the reference exporter's `Value.AsString()` writes what the OTLP exporter sends
 * for it: an integer within ±2^63 is an int64, printed digit for digit (beyond 2^53 too); any
 * other finite number is a double, printed in ECMAScript's shortest form (Go's float64AsString
 * prints the same digits); NaN and the infinities get Go's text for values JSON cannot hold.
 */
function numberAsString(value: number): string {
  if (Number.isInteger(value)) {
    if (Number.isSafeInteger(value)) return String(value);
    if (Math.abs(value) < INT64_LIMIT) return BigInt(value).toString();
    return String(value);
  }
  if (Number.isNaN(value)) return 'json: unsupported value: NaN';
  if (value === Infinity) return 'json: unsupported value: +Inf';
  if (value === -Infinity) return 'json: unsupported value: -Inf';
  return String(value);
}

/**
 * One attribute or log value as the text the Collector's ClickHouse exporter stores
 * (`pcommon.Value.AsString()` of what the OTLP exporter would have sent):
 * - strings unchanged (lone surrogates replaced by U+FFFD);
 * - integers within ±2^63 digit for digit, other numbers as JavaScript prints them,
 *   booleans as `true` / `false`;
 * - null and undefined as the empty string;
 * - bytes (Uint8Array) as standard base64;
 * - arrays and maps as compact JSON with map keys sorted, bytes inside as base64 strings.
 *   Inside JSON, NaN and ±Infinity become `null` (the reference writes an empty string for the
 *   whole value instead, losing its other members). A structured value is bounded first by the
 *   core's `boundedValue` (a cycle written as "[circular]", deeper than 32 levels as
 *   "[too deep]", at most 100,000 values in all): an application's object graph cannot exhaust
 *   the heap.
 */
export function anyValueAsString(value: AnyValue): string {
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
      return numberAsString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return '';
    default:
      if (value === null) return '';
      if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
      return toJson(boundedValue(value));
  }
}

/**
 * Serialises arrays and maps as Go's encoding/json does for pdata's AsRaw() values: keys
 * sorted, no HTML escaping, U+2028 and U+2029 escaped.
 */
function toJson(value: AnyValue): string {
  const text = JSON.stringify(toJsonReady(value));
  return text.includes('\u2028') || text.includes('\u2029')
    ? text.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
    : text;
}

/** `value` is bounded (boundedValue): no cycles, no deeper than the core's limit. */
function toJsonReady(value: AnyValue): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'string':
      return wellFormed(value);
    case 'number':
    case 'boolean':
      return value;
    default:
      break;
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((item) => toJsonReady(item));
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    // Assigned, a `__proto__` key would set the prototype and be left out of the JSON.
    setOwnField(sorted, wellFormed(key), toJsonReady((value as Record<string, AnyValue>)[key]));
  }
  return sorted;
}

/** Attributes (span, resource, scope, log, data point) as a sorted ClickHouse map. */
export function attributesToMap(
  attributes: Readonly<Record<string, AnyValue>> | undefined,
): StringMap {
  if (!attributes) return EMPTY_MAP;
  const keys = Object.keys(attributes);
  if (keys.length === 0) return EMPTY_MAP;
  keys.sort();
  const entries: (readonly [string, string])[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    entries[i] = [wellFormed(key), anyValueAsString(attributes[key])];
  }
  return entries;
}

export const EMPTY_MAP: StringMap = Object.freeze([]) as StringMap;

/** The resource's `service.name`, as the reference reads it (AsString), or the empty string. */
export function serviceNameOf(resourceAttributes: Readonly<Record<string, AnyValue>>): string {
  const name = resourceAttributes['service.name'];
  return name === undefined ? '' : anyValueAsString(name);
}
