/*
 * Turns any OpenTelemetry attribute or log value into JSON that Elasticsearch indexes: every
 * string well-formed UTF-16 and at most `maxStringLength` long, every number finite, every array
 * of one JSON type, no cycles. Each rule is documented in the README ("Attribute values").
 */

import { boundedValue, setOwnField } from '@otelpack/batching-core';

export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Nesting beyond this depth is written as a marker string rather than recursed into. */
export const MAX_VALUE_DEPTH = 32;
export const CIRCULAR_MARKER = '[circular]';
export const TOO_DEEP_MARKER = '[too deep]';

export interface ValueLimits {
  /** Strings longer than this (UTF-16 code units) are cut, never inside a surrogate pair. */
  maxStringLength: number;
}

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces lone surrogates with U+FFFD: Elasticsearch stores UTF-8, which cannot carry them. */
export function wellFormed(text: string): string {
  const s = text as unknown as Partial<WellFormedString>;
  if (typeof s.isWellFormed === 'function') {
    return s.isWellFormed() ? text : (s.toWellFormed as () => string).call(text);
  }
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

export function cleanString(text: string, limits: ValueLimits): string {
  let out = text;
  if (out.length > limits.maxStringLength) {
    let end = limits.maxStringLength;
    // Cutting between the halves of a pair would leave a lone surrogate behind.
    const last = out.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    out = out.slice(0, end);
  }
  return wellFormed(out);
}

/** A plain object: V8 keeps these in fast mode, which JSON.stringify serialises quickest. */
export function emptyObject(): JsonObject {
  return {};
}

/**
 * Sets a key that comes from user data: the core's setOwnField (`__proto__` defined as an own
 * field, not the prototype), typed for JSON objects.
 */
export const setField: (object: JsonObject, key: string, value: JsonValue) => void = setOwnField;

/**
 * The JSON form of one value, or `undefined` when the value has none (undefined, functions,
 * symbols), in which case a map entry is left out.
 */
export function toJsonValue(value: unknown, limits: ValueLimits): JsonValue | undefined {
  // Bounded first (the core's rule for every exporter): a shared object doubling at every level
  // has no cycle for the walk below to catch, and would expand exponentially.
  return convert(boundedValue(value), limits, 0, []);
}

function convert(
  value: unknown,
  limits: ValueLimits,
  depth: number,
  ancestors: object[],
): JsonValue | undefined {
  switch (typeof value) {
    case 'string':
      return cleanString(value, limits);
    case 'number':
      // Elasticsearch rejects NaN and ±Infinity in numeric fields; null keeps the key visible.
      return Number.isFinite(value) ? value : null;
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
  // Hex, as the Collector writes a bytes value (its serializer's WriteValue).
  if (object instanceof Uint8Array) {
    return Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('hex');
  }
  if (object instanceof Date) {
    return Number.isFinite(object.getTime()) ? object.toISOString() : null;
  }
  if (ancestors.includes(object)) return CIRCULAR_MARKER;
  if (depth >= MAX_VALUE_DEPTH) return TOO_DEEP_MARKER;
  ancestors.push(object);
  try {
    if (Array.isArray(object)) return convertArray(object, limits, depth, ancestors);
    const out = emptyObject();
    for (const key of Object.keys(object)) {
      const converted = convert(
        (object as Record<string, unknown>)[key],
        limits,
        depth + 1,
        ancestors,
      );
      if (converted !== undefined) setField(out, cleanKey(key, limits), converted);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}

type ElementKind = 'string' | 'number' | 'boolean' | 'object' | 'array';

/**
 * An Elasticsearch field has one type, so an array mixing types (or mixing objects and
 * scalars) could never be indexed: it is written with every element as a string instead.
 * Nulls are kept as they are: Elasticsearch skips them.
 */
function convertArray(
  items: unknown[],
  limits: ValueLimits,
  depth: number,
  ancestors: object[],
): JsonValue[] {
  const out: JsonValue[] = [];
  let kind: ElementKind | undefined;
  let mixed = false;
  for (const item of items) {
    const converted = convert(item, limits, depth + 1, ancestors);
    const element = converted === undefined ? null : converted;
    out.push(element);
    if (element === null) continue;
    const elementKind: ElementKind = Array.isArray(element)
      ? 'array'
      : (typeof element as ElementKind);
    if (kind === undefined) kind = elementKind;
    else if (kind !== elementKind) mixed = true;
  }
  if (!mixed) return out;
  return out.map((element) =>
    element === null || typeof element === 'string'
      ? element
      : typeof element === 'object'
        ? cleanString(JSON.stringify(element), limits)
        : String(element),
  );
}

/**
 * Field names Elasticsearch rejects are repaired: an empty name, or an empty segment between
 * dots (`a..b`, `.a`, `a.`), becomes `_`.
 */
export function cleanKey(key: string, limits: ValueLimits): string {
  const text = cleanString(key, limits);
  if (text === '') return '_';
  if (!text.includes('.')) return text;
  if (!text.startsWith('.') && !text.endsWith('.') && !text.includes('..')) return text;
  return text
    .split('.')
    .map((segment) => (segment === '' ? '_' : segment))
    .join('.');
}

/** Attribute maps: every entry converted, entries without a JSON form left out. */
export function toJsonObject(
  attributes: Readonly<Record<string, unknown>> | undefined,
  limits: ValueLimits,
  exclude?: ReadonlySet<string>,
): JsonObject {
  const out = emptyObject();
  if (!attributes) return out;
  for (const key of Object.keys(attributes)) {
    if (exclude?.has(key)) continue;
    const converted = toJsonValue(attributes[key], limits);
    if (converted !== undefined) setField(out, cleanKey(key, limits), converted);
  }
  return out;
}

export function isEmptyObject(object: JsonObject): boolean {
  for (const _ in object) return false;
  return true;
}
