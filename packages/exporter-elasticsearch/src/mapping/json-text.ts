import { cleanKey, cleanString, toJsonValue } from './json-value';
import type { ValueLimits } from './json-value';
import { otelAttributes } from './otel-attributes';
import { CONTROL_ATTRIBUTES } from './routing';

/*
 * JSON text written straight from OpenTelemetry values, for the `otel` documents of spans and
 * logs: profiling showed building each document as objects and then JSON.stringify-ing them
 * (and the garbage that made) as most of the mapping's CPU. The text is the JSON of what the
 * object builders make (test/json-writer.test.ts compares both on generated inputs); anything
 * off the common path (keys that need repair, geo pairs to merge) goes through those builders.
 */

/** Characters JSON escapes, and surrogates, which may be lone halves that need repair. */
// eslint-disable-next-line no-control-regex
const NEEDS_CARE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** JSON.stringify(text): most strings need no escaping, and skip that call's cost. */
export function quote(text: string): string {
  return NEEDS_CARE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/** A string's JSON after `cleanString`: most need neither, and skip JSON.stringify's call. */
export function stringText(text: string, limits: ValueLimits): string {
  if (text.length <= limits.maxStringLength && !NEEDS_CARE.test(text)) return `"${text}"`;
  return JSON.stringify(cleanString(text, limits));
}

/** A value's JSON, or undefined when it has none (the entry is then left out). */
export function valueText(value: unknown, limits: ValueLimits): string | undefined {
  switch (typeof value) {
    case 'string':
      return stringText(value, limits);
    case 'number':
      // String() writes a finite number as JSON does; Elasticsearch rejects NaN and ±Infinity.
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const converted = toJsonValue(value, limits);
  return converted === undefined ? undefined : JSON.stringify(converted);
}

/** What the writer needs to know of an attribute key, worked out once per key. */
interface KeyInfo {
  /** `"key":`, or null when the key needs repair. */
  quoted: string | null;
  /** A control attribute, never written. */
  control: boolean;
  /** Possibly half of a geo pair (merged only for numbers). */
  geo: boolean;
}

const MAX_CACHED_KEYS = 4_096;
/** Per limits object (one per exporter): whether a key needs repair depends on the limits. */
const keyInfos = new WeakMap<ValueLimits, Map<string, KeyInfo>>();

function keyInfoCache(limits: ValueLimits): Map<string, KeyInfo> {
  let cache = keyInfos.get(limits);
  if (cache === undefined) {
    cache = new Map();
    keyInfos.set(limits, cache);
  }
  return cache;
}

/** Attribute keys are few and repeat in every record: their checks and quoting are cached. */
function keyInfo(key: string, limits: ValueLimits, cache: Map<string, KeyInfo>): KeyInfo {
  let info = cache.get(key);
  if (info === undefined) {
    info = {
      quoted: cleanKey(key, limits) === key ? `${JSON.stringify(key)}:` : null,
      control: CONTROL_ATTRIBUTES.has(key),
      geo: key.endsWith('geo.location.lon') || key.endsWith('geo.location.lat'),
    };
    // User data can make keys without end (ids in keys): keep the cache bounded.
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(key, info);
  }
  return info;
}

/**
 * The members of an `otel` attributes map, `"k":v,…` without braces; undefined when the map
 * needs the object builder: a key that needs repair (two keys could become one), a geo half,
 * or `event.name` when `eventName` will set it.
 */
function attributeMembers(
  attributes: Readonly<Record<string, unknown>>,
  limits: ValueLimits,
  eventName: string | undefined,
): string | undefined {
  const cache = keyInfoCache(limits);
  let out = '';
  for (const key of Object.keys(attributes)) {
    const info = keyInfo(key, limits, cache);
    if (info.control) continue;
    const value = attributes[key];
    if (info.quoted === null || (info.geo && typeof value === 'number')) return undefined;
    if (eventName !== undefined && key === 'event.name') return undefined;
    const text = valueText(value, limits);
    if (text === undefined) continue;
    out += out === '' ? info.quoted + text : `,${info.quoted}${text}`;
  }
  if (eventName !== undefined) {
    out += `${out === '' ? '' : ','}"event.name":${JSON.stringify(eventName)}`;
  }
  return out;
}

/**
 * An `attributes` field's JSON (`otelAttributes`, and `event.name` set last when given), or
 * undefined when nothing is left to write.
 */
export function attributesText(
  attributes: Readonly<Record<string, unknown>> | undefined,
  limits: ValueLimits,
  eventName?: string,
): string | undefined {
  const members = attributeMembers(attributes ?? {}, limits, eventName);
  if (members !== undefined) return members === '' ? undefined : `{${members}}`;
  const object = otelAttributes(attributes, limits) ?? {};
  if (eventName !== undefined) object['event.name'] = eventName;
  for (const _ in object) return JSON.stringify(object);
  return undefined;
}
