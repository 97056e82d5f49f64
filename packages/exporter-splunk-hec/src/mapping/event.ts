import { boundedValue, textSpoolCodec } from '@otelpack/batching-core';
import type { SpoolCodec } from '@otelpack/batching-core';

/**
 * One HEC event as the JSON event protocol takes it (`/services/collector/event`). The shape is
 * the Collector's `splunk.Event`: `host` always written, `time`, `source`, `sourcetype`, `index`
 * and `fields` left out when empty, as Go's `omitempty` leaves them out.
 */
export interface HecEvent {
  /** Epoch seconds with millisecond precision; 0 is left out (HEC then stamps the arrival). */
  time: number;
  host: string;
  source: string;
  sourcetype: string;
  index: string;
  /** The event: any JSON value, or JSON text already encoded (spans carry nanosecond integers). */
  event: unknown;
  /** Flat: strings, numbers, booleans, null or arrays of them (HEC refuses nested fields). */
  fields: Record<string, unknown>;
}

/**
 * What the pipeline carries: one event, encoded once at mapping time, with its exact UTF-8 length,
 * which is what Splunk's size limits count (the core cuts batches by it).
 */
export interface HecRecord {
  readonly json: string;
  readonly bytes: number;
}

/** JSON text to be written as it is (a span's event, with 19-digit nanosecond timestamps). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** The event's JSON text, in the Collector's key order. */
export function encodeEvent(event: HecEvent): string {
  if (!(event.event instanceof RawJson) && !needsReplacer(event.event, 0)) {
    // The common case in one JSON.stringify call: many small calls cost twice as much.
    const fields = isEmpty(event.fields) ? undefined : event.fields;
    if (!fields || !needsReplacer(fields, 0)) {
      return JSON.stringify({
        time: event.time === 0 ? undefined : event.time,
        host: event.host,
        source: event.source === '' ? undefined : event.source,
        sourcetype: event.sourcetype === '' ? undefined : event.sourcetype,
        index: event.index === '' ? undefined : event.index,
        event: event.event === undefined ? null : event.event,
        fields,
      });
    }
  }
  let out = '{';
  if (event.time !== 0) out += `"time":${event.time},`;
  out += `"host":${JSON.stringify(event.host)}`;
  if (event.source !== '') out += `,"source":${JSON.stringify(event.source)}`;
  if (event.sourcetype !== '') out += `,"sourcetype":${JSON.stringify(event.sourcetype)}`;
  if (event.index !== '') out += `,"index":${JSON.stringify(event.index)}`;
  out += `,"event":${event.event instanceof RawJson ? event.event.text : jsonValue(event.event)}`;
  let first = true;
  for (const key in event.fields) {
    out += `${first ? ',"fields":{' : ','}${JSON.stringify(key)}:${jsonValue(event.fields[key])}`;
    first = false;
  }
  if (!first) out += '}';
  return `${out}}`;
}

/** One record: the event's JSON and its byte length, the newline that follows it included. */
export function toRecord(event: HecEvent): HecRecord {
  return recordOfJson(encodeEvent(event));
}

function recordOfJson(json: string): HecRecord {
  return { json, bytes: Buffer.byteLength(json) + 1 };
}

/** The spool keeps an event as its JSON; its length is measured again on replay. */
export const hecRecordSpoolCodec: SpoolCodec<HecRecord> = textSpoolCodec(
  (record) => record.json,
  recordOfJson,
);

/**
 * JSON of a value: `JSON.stringify`, except that what it would silently turn into `null` or
 * throw on is written as the Collector writes it (non-finite numbers as `"NaN"`, `"+Inf"`,
 * `"-Inf"`; byte arrays in base64, as Go encodes `[]byte`; bigints as integers), and a structured
 * value is bounded first (`boundedValue`: cycles, depth and size), so that it cannot throw or
 * run without end.
 */
export function jsonValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : `"${nonFinite(value)}"`;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return String(value);
    case 'undefined':
      return 'null';
  }
  if (value === null) return 'null';
  // A replacer takes JSON.stringify off its fast path (4x slower): only when the value needs it.
  // So does the bound (a walk of the whole value, ~0.4 µs for a span's 16 scalar attributes):
  // needsReplacer gives up past 8 levels, which every cycle and every doubling value reaches.
  return needsReplacer(value, 0)
    ? (JSON.stringify(boundedValue(value), replacer) ?? 'null')
    : JSON.stringify(value);
}

/** Whether a value holds what plain JSON.stringify would get wrong (or nests too deep to look). */
function needsReplacer(value: unknown, depth: number): boolean {
  if (depth > 8) return true;
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value === 'bigint' || value instanceof Uint8Array) return true;
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return value.some((v) => needsReplacer(v, depth + 1));
  for (const key in value) {
    if (needsReplacer((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return nonFinite(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return Number(value);
  return value;
}

/** NaN and infinities as the Collector writes them in metric values. */
export function nonFinite(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}

/** A double value as the Collector writes it: finite numbers as numbers, the rest as text. */
export function sanitizeFloat(value: number): number | string {
  return Number.isFinite(value) ? value : nonFinite(value);
}

function isEmpty(object: object): boolean {
  for (const _ in object) return false;
  return true;
}
