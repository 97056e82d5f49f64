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

/**
 * Whether `text` is written as it is between two quotes: within the length limit, nothing to
 * escape or repair. Most strings are, and their JSON is then pasted into the document in pieces
 * (`prefix + text + '"'`) rather than quoted first.
 */
export function isPlainString(text: string, limits: ValueLimits): boolean {
  return text.length <= limits.maxStringLength && !NEEDS_CARE.test(text);
}

/** Written by flattened(), so that no compiler drops the read as unused. */
let _lastFirstUnit = 0;

/**
 * `text` as one flat string, for text kept to be pasted into many documents. A string built by
 * `+` is a tree of pieces, which each document it is pasted into walks again when that document
 * is flattened to be encoded; reading a character of it flattens it in place, once (V8).
 */
export function flattened(text: string): string {
  _lastFirstUnit = text.charCodeAt(0);
  return text;
}

/**
 * A member whose value is `text` (already cleaned), from `open`, its key up to the value's
 * opening quote (`,"name":"`): two pieces when the text needs no escaping, as most does, where
 * a key, then the quoted text made four (see otel-writer.ts on why pieces count).
 */
export function quotedMember(open: string, text: string): string {
  return NEEDS_CARE.test(text) ? open.slice(0, -1) + JSON.stringify(text) : open + text + '"';
}

/** A string's JSON after `cleanString`: most need neither, and skip JSON.stringify's call. */
export function stringText(text: string, limits: ValueLimits): string {
  if (isPlainString(text, limits)) return `"${text}"`;
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
  /** Whether the key is written as it is (false: it needs repair). */
  plain: boolean;
  /**
   * The text before the member's value, indexed by what comes before it (FIRST: the map's
   * opening brace; AFTER_STRING: a string member whose closing quote is left to this text, so
   * that a string member adds two pieces, not three; AFTER_OTHER: any other member).
   * `stringOpen` ends with the value's opening quote: `{"key":"`, `","key":"`, `,"key":"`.
   */
  open: readonly [string, string, string];
  stringOpen: readonly [string, string, string];
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
    const quoted = JSON.stringify(key);
    info = {
      plain: cleanKey(key, limits) === key,
      open: [flattened(`{${quoted}:`), flattened(`",${quoted}:`), flattened(`,${quoted}:`)],
      stringOpen: [
        flattened(`{${quoted}:"`),
        flattened(`",${quoted}:"`),
        flattened(`,${quoted}:"`),
      ],
      control: CONTROL_ATTRIBUTES.has(key),
      geo: key.endsWith('geo.location.lon') || key.endsWith('geo.location.lat'),
    };
    // User data can make keys without end (ids in keys): keep the cache bounded.
    if (cache.size >= MAX_CACHED_KEYS) cache.clear();
    cache.set(key, info);
  }
  return info;
}

/** Where attributesJson is: before the first member, after a string's text, after another. */
const FIRST = 0;
const AFTER_STRING = 1;
const AFTER_OTHER = 2;
type State = typeof FIRST | typeof AFTER_STRING | typeof AFTER_OTHER;
/** What follows the members, by State, as for a key in KeyInfo. */
const EVENT_NAME_OPEN = ['{"event.name":', '","event.name":', ',"event.name":'] as const;
const MAP_CLOSE = ['', '"}', '}'] as const;

/**
 * An `otel` attributes map's JSON, '' for a map with nothing to write; undefined when the map
 * needs the object builder: a key that needs repair (two keys could become one), a geo half, or
 * `event.name` when `eventName` will set it. The braces, commas and quotes come with the cached
 * keys, so that a string member adds two pieces and any other three.
 */
function attributesJson(
  attributes: Readonly<Record<string, unknown>>,
  limits: ValueLimits,
  eventName: string | undefined,
): string | undefined {
  const cache = keyInfoCache(limits);
  let out = '';
  let state: State = FIRST;
  for (const key of Object.keys(attributes)) {
    const info = keyInfo(key, limits, cache);
    if (info.control) continue;
    const value = attributes[key];
    if (!info.plain || (info.geo && typeof value === 'number')) return undefined;
    if (eventName !== undefined && key === 'event.name') return undefined;
    if (typeof value === 'string' && isPlainString(value, limits)) {
      out += info.stringOpen[state] + value;
      state = AFTER_STRING;
      continue;
    }
    const text = valueText(value, limits);
    if (text === undefined) continue;
    out += info.open[state] + text;
    state = AFTER_OTHER;
  }
  if (eventName !== undefined) {
    return `${out}${EVENT_NAME_OPEN[state]}${JSON.stringify(eventName)}}`;
  }
  return state === FIRST ? '' : out + MAP_CLOSE[state];
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
  const json = attributesJson(attributes ?? {}, limits, eventName);
  if (json !== undefined) return json === '' ? undefined : json;
  const object = otelAttributes(attributes, limits) ?? {};
  if (eventName !== undefined) object['event.name'] = eventName;
  for (const _ in object) return JSON.stringify(object);
  return undefined;
}
