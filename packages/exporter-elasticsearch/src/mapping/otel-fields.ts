import type { HrTime, SpanContext } from '@opentelemetry/api';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import { cleanString } from './json-value';
import type { ValueLimits } from './json-value';
import { isZeroTime } from './time';

/*
 * Small readings of OpenTelemetry values shared by the three mapping modes.
 */

/**
 * The last id read and its result: a span's ids are read for its document, its id and each of
 * its events, and the same string is found at once (strings are compared by reference first).
 */
interface LastId {
  input: unknown;
  output: string | undefined;
}

/**
 * `raw` lowercased when it is `length` hex digits, not all zeros (an invalid id); otherwise
 * undefined. One pass over the characters: two regular expressions and a lowercasing per id
 * were 5 % of mapping a span in the profile.
 */
function hexId(raw: unknown, length: number): string | undefined {
  if (typeof raw !== 'string' || raw.length !== length) return undefined;
  let allZeros = true;
  let upperCase = false;
  for (let i = 0; i < length; i++) {
    const unit = raw.charCodeAt(i);
    if (unit === 0x30) continue;
    allZeros = false;
    if (unit > 0x30 && unit <= 0x39) continue;
    // ASCII letters differ from their lowercase in bit 0x20 only.
    const lower = unit | 0x20;
    if (lower < 0x61 || lower > 0x66) return undefined;
    if (unit !== lower) upperCase = true;
  }
  if (allZeros) return undefined;
  return upperCase ? raw.toLowerCase() : raw;
}

function checkedId(raw: unknown, length: number, last: LastId): string | undefined {
  if (raw === last.input) return last.output;
  const output = hexId(raw, length);
  last.input = raw;
  last.output = output;
  return output;
}

const lastTraceId: LastId = { input: undefined, output: undefined };
const lastSpanId: LastId = { input: undefined, output: undefined };

/** A lowercase trace id, or undefined when it is not 32 hex digits or all zeros (invalid). */
export function traceIdOf(context: SpanContext | undefined): string | undefined {
  return checkedId(context?.traceId, 32, lastTraceId);
}

export function spanIdOf(context: SpanContext | undefined): string | undefined {
  return checkedId(context?.spanId, 16, lastSpanId);
}

export function traceStateOf(context: SpanContext | undefined): string | undefined {
  try {
    const state = context?.traceState?.serialize();
    return state ? state : undefined;
  } catch {
    // A broken custom TraceState implementation must not lose the span.
    return undefined;
  }
}

/** The API's SpanKind: INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4. */
const KIND_NAMES = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];

/**
 * `names[index]` for an index the table has; undefined for anything else, e.g. a span-like object
 * from outside the SDK whose kind is `'length'` or `'map'`, which would read the array's own
 * properties.
 */
function tableEntry(names: readonly string[], index: unknown): string | undefined {
  return Number.isInteger(index) && (index as number) >= 0 && (index as number) < names.length
    ? names[index as number]
    : undefined;
}

/** "Internal", "Server", … as pdata's SpanKind.String() writes them; "Unspecified" otherwise. */
export function kindName(kind: number): string {
  return tableEntry(KIND_NAMES, kind) ?? 'Unspecified';
}

/** OTLP's numbering (SPAN_KIND_INTERNAL = 1, …), which the API's enum is one below. */
export function kindProtoName(kind: number): string {
  const name = tableEntry(KIND_NAMES, kind);
  return name ? `SPAN_KIND_${name.toUpperCase()}` : 'SPAN_KIND_UNSPECIFIED';
}

/** The API's SpanStatusCode: UNSET 0, OK 1, ERROR 2 (the same numbers as OTLP). */
const STATUS_NAMES = ['Unset', 'Ok', 'Error'];

export function statusName(code: number | undefined): string {
  return tableEntry(STATUS_NAMES, code ?? 0) ?? 'Unset';
}

export function statusCodeNumber(code: number | undefined): number {
  return code === 1 || code === 2 ? code : 0;
}

export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A non-empty string made safe to index (see `cleanString`); anything else is left out. */
export function cleanText(value: unknown, limits: ValueLimits): string | undefined {
  const text = nonEmptyString(value);
  return text === undefined ? undefined : cleanString(text, limits);
}

export function positiveCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/** The record's time, or the observed time when the record has none. */
export function logTime(log: ReadableLogRecordLike): HrTime {
  return isZeroTime(log.hrTime) ? log.hrTimeObserved : log.hrTime;
}

export function eventNameOf(log: ReadableLogRecordLike): string | undefined {
  return nonEmptyString(log.eventName) ?? nonEmptyString(log.attributes?.['event.name']);
}
