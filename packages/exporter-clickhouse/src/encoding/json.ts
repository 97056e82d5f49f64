import { dateTimeSeconds, timestampText } from '../mapping/time';
import type { Timestamp9 } from '../mapping/time';
import type { StringMap } from '../mapping/values';
import type { ColumnKind, InsertColumn } from '../schema/tables';

/*
 * JSONEachRow and JSONCompactEachRow, written by hand per column type rather than through
 * JSON.stringify of a row object: 64-bit integers and nanosecond timestamps stay exact, maps keep
 * their sorted order, and non-finite floats get the spelling ClickHouse reads ("nan", "inf").
 */

type ValueWriter = (value: unknown) => string;

// JSON must escape quotes, backslashes and the control characters.
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\u0000-\u001f]/;

/** A JSON string literal; most telemetry strings need no escaping, and skip JSON.stringify. */
export function quote(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

/*
 * Attribute keys repeat from row to row: each key's JSON text is kept, for the first
 * KEY_CACHE_LIMIT keys seen (a bounded map, so that keys made of data cannot grow it).
 */
const KEY_CACHE_LIMIT = 4096;
const quotedKeys = new Map<string, string>();

export function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = quote(key);
    if (quotedKeys.size < KEY_CACHE_LIMIT) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function float(value: number): string {
  if (Number.isFinite(value)) return String(value);
  if (Number.isNaN(value)) return '"nan"';
  return value > 0 ? '"inf"' : '"-inf"';
}

function timestamp(value: Timestamp9): string {
  return `"${timestampText(value)}"`;
}

/** Whole seconds, as a `DateTime` column reads them (it refuses a fraction). */
function seconds(value: Timestamp9): string {
  return `"${dateTimeSeconds(value)}"`;
}

/*
 * The resource's map is the same object in every row of a provider (the mapping's resource
 * cache), and the largest: its text is remembered, by identity, for the next row.
 */
let lastMap: StringMap | undefined;
let lastMapText = '';

function map(value: StringMap): string {
  if (value.length === 0) return '{}';
  if (value === lastMap) return lastMapText;
  let text = '{';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) text += ',';
    text += quoteKey(value[i][0]) + ':' + quote(value[i][1]);
  }
  text += '}';
  // Only maps that are kept (the resource's, frozen by the cache) are worth remembering; a
  // row's own map is new each time.
  if (Object.isFrozen(value)) {
    lastMap = value;
    lastMapText = text;
  }
  return text;
}

function arrayOf<T>(write: (item: T) => string): (value: readonly T[]) => string {
  return (value) => {
    if (value.length === 0) return '[]';
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ',';
      text += write(value[i]);
    }
    return text + ']';
  };
}

const integer = (value: number | bigint): string => String(value);

/** How each kind of column's value is written as JSON. */
export const JSON_VALUE_WRITERS: Readonly<Record<ColumnKind, ValueWriter>> = {
  string: (value) => quote(value as string),
  datetime64: (value) => timestamp(value as Timestamp9),
  datetime: (value) => seconds(value as Timestamp9),
  uint8: (value) => integer(value as number),
  uint32: (value) => integer(value as number),
  int32: (value) => integer(value as number),
  uint64: (value) => integer(value as number | bigint),
  float64: (value) => float(value as number),
  bool: (value) => (value ? 'true' : 'false'),
  map: (value) => map(value as StringMap),
  'string[]': arrayOf<string>(quote) as ValueWriter,
  'datetime64[]': arrayOf(timestamp) as ValueWriter,
  'datetime[]': arrayOf(seconds) as ValueWriter,
  'map[]': arrayOf(map) as ValueWriter,
  'uint64[]': arrayOf(integer) as ValueWriter,
  'float64[]': arrayOf(float) as ValueWriter,
};

/*
 * A line is assembled with join(), which returns one flat string. Built with `+=` it would stay a
 * rope of a hundred small pieces while it waits in the queue, and ten thousand queued ropes cost
 * the garbage collector more than the encoding itself.
 */

/** A function from a row object to one JSONEachRow line (with its newline). */
export function jsonEachRowWriter(columns: readonly InsertColumn[]): (row: object) => string {
  const names = columns.map((column) => column.name);
  const prefixes = columns.map(
    (column, i) => `${i === 0 ? '{' : ','}${JSON.stringify(column.name)}:`,
  );
  const writers = columns.map((column) => JSON_VALUE_WRITERS[column.kind]);
  const parts: string[] = new Array(writers.length * 2 + 1);
  parts[writers.length * 2] = '}\n';
  return (row) => {
    const values = row as Record<string, unknown>;
    for (let i = 0; i < writers.length; i++) {
      parts[i * 2] = prefixes[i];
      parts[i * 2 + 1] = writers[i](values[names[i]]);
    }
    return parts.join('');
  };
}

/** A function from a row object to one JSONCompactEachRow line: values only, in column order. */
export function jsonCompactEachRowWriter(
  columns: readonly InsertColumn[],
): (row: object) => string {
  const names = columns.map((column) => column.name);
  const writers = columns.map((column) => JSON_VALUE_WRITERS[column.kind]);
  const parts: string[] = new Array(writers.length);
  return (row) => {
    const values = row as Record<string, unknown>;
    for (let i = 0; i < writers.length; i++) parts[i] = writers[i](values[names[i]]);
    return `[${parts.join(',')}]\n`;
  };
}
