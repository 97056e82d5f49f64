/*
 * PART OF A FAKE (src/fakes/dynatrace-fake.ts): the metric ingest v2 line protocol read as
 * Dynatrace's "Metric ingestion protocol" page documents it, written from that page, not from
 * the exporter's code, so that what the exporter writes is checked against the documentation:
 *
 *   metric.key[,dimension=value…] [gauge,|count,]payload [timestamp]
 *   #metric.key gauge|count dt.meta.<field>=<value>[,…]
 *
 * - key: dot-separated sections of [A-Za-z0-9_-], not starting with a digit or a hyphen (a later
 *   section not with a hyphen), 3 to 255 characters, `dt.` reserved.
 * - dimensions: at most 50; key of [a-z0-9_.:-] (≤ 100), starting with a letter or `_`; value
 *   quoted ("…" with \" and \\) or unquoted with `,`, space, `=`, `"` and `\` escaped by a
 *   backslash, ≤ 250 characters, no control characters; a key given twice keeps one value.
 * - payload: `gauge,<v>` or a bare `<v>`; `gauge,min=,max=,sum=,count=` (min ≤ max,
 *   min ≤ sum/count ≤ max, count a whole number); `count,delta=<v>`; finite numbers only.
 * - timestamp: UTC milliseconds. A line is at most 50,000 characters.
 * - the key of a count line is suffixed `.count` unless it ends so, and a gauge's that ends in
 *   `.count` gets `.gauge`, each with a warning.
 */

export type Payload =
  | { type: 'gauge'; value: number }
  | { type: 'summary'; min: number; max: number; sum: number; count: number }
  | { type: 'count'; delta: number };

export interface DataLine {
  kind: 'data';
  /** The key as stored, after the ingest's suffixing. */
  key: string;
  dimensions: Record<string, string>;
  payload: Payload;
  timestamp?: number;
  warning?: string;
}

export interface MetadataLine {
  kind: 'metadata';
  key: string;
  type: 'gauge' | 'count';
  fields: Record<string, string>;
}

export type Parsed = DataLine | MetadataLine;

export class LineError extends Error {}

const MAX_LINE = 50_000;
const MAX_DIMENSIONS = 50;
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;
const DIMENSION_KEY = /^[a-z_][a-z0-9_.:-]*$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f]/;
const META_FIELD = /^dt\.meta\.(displayName|description|unit|sourceEntityType)$/;

function checkKey(key: string): void {
  if (key.length < 3 || key.length > 255)
    throw new LineError(`metric key '${key}' must be 3 to 255 characters`);
  if (!KEY.test(key)) throw new LineError(`invalid metric key '${key}'`);
  if (key.startsWith('dt.'))
    throw new LineError(`metric key '${key}' uses the reserved prefix dt.`);
}

function number(text: string, what: string): number {
  if (!NUMBER.test(text)) throw new LineError(`invalid ${what} '${text}'`);
  const value = Number(text);
  if (!Number.isFinite(value)) throw new LineError(`${what} '${text}' is not finite`);
  return value;
}

/** Reads `key=value` pairs from `at`, up to the space before the payload; returns where it stopped. */
function readDimensions(
  line: string,
  at: number,
  into: Record<string, string>,
  keyPattern: RegExp = DIMENSION_KEY,
): number {
  let count = 0;
  while (line[at] === ',') {
    at++;
    const eq = line.indexOf('=', at);
    if (eq === -1) throw new LineError('dimension without a value');
    const key = line.slice(at, eq);
    if (key.length > 100 || !keyPattern.test(key))
      throw new LineError(`invalid dimension key '${key}'`);
    at = eq + 1;
    let value = '';
    if (line[at] === '"') {
      at++;
      for (;;) {
        if (at >= line.length)
          throw new LineError(`unterminated quoted value of dimension '${key}'`);
        const c = line[at];
        if (c === '"') break;
        if (c === '\\') {
          const next = line[at + 1];
          if (next !== '"' && next !== '\\')
            throw new LineError(`invalid escape in the value of dimension '${key}'`);
          value += next;
          at += 2;
          continue;
        }
        value += c;
        at++;
      }
      at++;
    } else {
      while (at < line.length && line[at] !== ',' && line[at] !== ' ') {
        const c = line[at];
        if (c === '\\') {
          const next = line[at + 1];
          if (next === undefined || !',= \\"'.includes(next)) {
            throw new LineError(`invalid escape in the value of dimension '${key}'`);
          }
          value += next;
          at += 2;
          continue;
        }
        if (c === '"' || c === '=')
          throw new LineError(`unescaped '${c}' in the value of dimension '${key}'`);
        value += c;
        at++;
      }
    }
    if (CONTROL.test(value))
      throw new LineError(`control character in the value of dimension '${key}'`);
    if (value.length > 250)
      throw new LineError(`value of dimension '${key}' longer than 250 characters`);
    into[key] = value;
    if (++count > MAX_DIMENSIONS) throw new LineError(`more than ${MAX_DIMENSIONS} dimensions`);
  }
  return at;
}

function readPayload(text: string): Payload {
  if (text.startsWith('count,')) {
    const rest = text.slice(6);
    if (!rest.startsWith('delta='))
      throw new LineError('absolute count values are not supported; use count,delta=');
    return { type: 'count', delta: number(rest.slice(6), 'count delta') };
  }
  const body = text.startsWith('gauge,') ? text.slice(6) : text;
  if (!body.includes('=')) return { type: 'gauge', value: number(body, 'gauge value') };
  const fields: Record<string, number> = {};
  for (const part of body.split(',')) {
    const [name, value, extra] = part.split('=');
    if (extra !== undefined || !['min', 'max', 'sum', 'count'].includes(name) || name in fields) {
      throw new LineError(`invalid gauge field '${part}'`);
    }
    fields[name] = number(value ?? '', `gauge ${name}`);
  }
  const { min, max, sum, count } = fields;
  if ([min, max, sum, count].some((v) => v === undefined))
    throw new LineError('a summary needs min, max, sum and count');
  if (!Number.isInteger(count) || count < 0) throw new LineError(`invalid count ${count}`);
  if (min > max) throw new LineError(`min ${min} > max ${max}`);
  if (count === 0 && (min !== 0 || max !== 0 || sum !== 0))
    throw new LineError('count 0 with non-zero min, max or sum');
  if (count > 0) {
    const avg = sum / count;
    const tolerance = 1e-6 * Math.max(1, Math.abs(avg));
    if (avg < min - tolerance || avg > max + tolerance) {
      throw new LineError(
        `inconsistent gauge fields: min <= avg <= max doesn't hold (min ${min}, max ${max}, avg ${avg})`,
      );
    }
  }
  return { type: 'summary', min, max, sum, count };
}

function readMetadata(line: string): MetadataLine {
  const first = line.indexOf(' ');
  const second = first === -1 ? -1 : line.indexOf(' ', first + 1);
  if (second === -1) throw new LineError('a metadata line is #key type fields');
  const key = line.slice(1, first);
  const type = line.slice(first + 1, second);
  checkKey(key);
  if (type !== 'gauge' && type !== 'count') throw new LineError(`invalid metadata type '${type}'`);
  const fields: Record<string, string> = {};
  const text = `,${line.slice(second + 1)}`;
  if (readDimensions(text, 0, fields, META_FIELD) !== text.length) {
    throw new LineError('unexpected text after the metadata fields');
  }
  return { kind: 'metadata', key, type, fields };
}

/** One line, as the ingest reads it; throws LineError with the ingest-style reason. */
export function parseLine(line: string): Parsed {
  if (line.length > MAX_LINE) throw new LineError(`line longer than ${MAX_LINE} characters`);
  if (line.startsWith('#')) return readMetadata(line);
  let at = 0;
  while (at < line.length && line[at] !== ',' && line[at] !== ' ') at++;
  let key = line.slice(0, at);
  checkKey(key);
  const dimensions: Record<string, string> = {};
  at = readDimensions(line, at, dimensions);
  if (line[at] !== ' ') throw new LineError('no payload after the metric key and dimensions');
  const [payloadText, timestampText, extra] = line.slice(at + 1).split(' ');
  if (extra !== undefined) throw new LineError('unexpected text after the timestamp');
  const payload = readPayload(payloadText ?? '');
  let timestamp: number | undefined;
  if (timestampText !== undefined) {
    if (!/^\d{1,16}$/.test(timestampText))
      throw new LineError(`invalid timestamp '${timestampText}'`);
    timestamp = Number(timestampText);
  }
  let warning: string | undefined;
  const counted = key.endsWith('.count');
  if (payload.type === 'count' && !counted) {
    warning = `metric key '${key}' changed to '${key}.count'`;
    key = `${key}.count`;
  } else if (payload.type !== 'count' && counted) {
    warning = `metric key '${key}' changed to '${key}.gauge'`;
    key = `${key}.gauge`;
  }
  return {
    kind: 'data',
    key,
    dimensions,
    payload,
    ...(timestamp !== undefined ? { timestamp } : {}),
    ...(warning ? { warning } : {}),
  };
}
