/*
 * Time series (TSDB) indices, as far as a writer meets them — part of the otelpack FAKE
 * Elasticsearch, not Elasticsearch. An index is in time series mode when its settings say
 * `index.mode: time_series` (Elasticsearch's built-in `metrics-otel@template` does). Then, as in
 * Elasticsearch:
 *   - a backing index created for a data stream accepts `@timestamp`s in
 *     [now - index.look_back_time (2h), now + index.look_ahead_time (30m)); a document outside is
 *     refused with 400 illegal_argument_exception "the document timestamp [...] is outside of
 *     ranges of currently writable indices [[start,end]]" (a standalone index with its own
 *     `index.time_series.start_time`/`end_time`: a document_parsing_exception);
 *   - the `_id` is derived from the dimensions and the timestamp; a client-supplied one that
 *     differs is refused (400 document_parsing_exception, caused by illegal_argument_exception
 *     "_id must be unset or set to [...] but was [...] because [...] is in time_series mode");
 *   - a `create` of an existing series + timestamp is a 409 version_conflict_engine_exception
 *     "[id][tsid@time]: version conflict, document already exists (current version [1])", while
 *     `index` overwrites.
 * Approximations (documented in the README): the dimensions are the leaf fields matching
 * `index.routing_path` when it is set, otherwise every field but `@timestamp`, `metrics.*`,
 * `start_timestamp` and `_doc_count` (the OTel templates' passthrough dimensions, roughly); the
 * id is a hash of those, not Elasticsearch's byte layout.
 */
import { createHash } from 'node:crypto';
import { EsError, illegalArgument } from './errors';
import { collectPath, isObject, settingValue } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';

const DEFAULT_LOOK_BACK_MS = 2 * 3_600_000;
const DEFAULT_LOOK_AHEAD_MS = 30 * 60_000;
const NOT_DIMENSIONS = /^(@timestamp|start_timestamp|_doc_count|metrics(\..*)?)$/;

export interface TimeSeriesRules {
  start: number;
  end: number;
  /** Whether a leaf field is a dimension; undefined: the OTel default (see the header). */
  isDimension: ((path: string) => boolean) | undefined;
}

const TIME_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

function durationMs(value: Json | undefined, fallback: number): number {
  const match = typeof value === 'string' ? /^(\d+)(ms|s|m|h|d)$/.exec(value) : null;
  return match ? Number(match[1]) * TIME_UNITS_MS[match[2]] : fallback;
}

export function isTimeSeries(settings: JsonObject): boolean {
  return settingValue(settings, 'index.mode') === 'time_series';
}

/**
 * The writable window Elasticsearch gives a new TSDB backing index: the template's
 * `time_series.start_time`/`end_time` when it sets them, else around now.
 */
export function backingIndexWindow(settings: JsonObject, now: number): JsonObject {
  const back = durationMs(settingValue(settings, 'index.look_back_time'), DEFAULT_LOOK_BACK_MS);
  const ahead = durationMs(settingValue(settings, 'index.look_ahead_time'), DEFAULT_LOOK_AHEAD_MS);
  const window: JsonObject = {};
  if (settingValue(settings, 'index.time_series.start_time') === undefined) {
    window['index.time_series.start_time'] = new Date(now - back).toISOString();
  }
  if (settingValue(settings, 'index.time_series.end_time') === undefined) {
    window['index.time_series.end_time'] = new Date(now + ahead).toISOString();
  }
  return window;
}

/** Fields the mappings mark `time_series_dimension: true`, as dotted paths. */
function mappedDimensions(mappings: JsonObject): Set<string> {
  const out = new Set<string>();
  const walk = (properties: Json | undefined, prefix: string) => {
    if (!isObject(properties)) return;
    for (const [name, field] of Object.entries(properties)) {
      if (!isObject(field)) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      if (field.time_series_dimension === true) out.add(path);
      walk(field.properties, path);
    }
  };
  walk(mappings.properties, '');
  return out;
}

export function timeSeriesRules(
  settings: JsonObject,
  mappings: JsonObject = {},
): TimeSeriesRules | undefined {
  if (!isTimeSeries(settings)) return undefined;
  const time = (key: string, fallback: number) => {
    const value = settingValue(settings, key);
    const parsed = typeof value === 'string' ? Date.parse(value) : NaN;
    return Number.isNaN(parsed) ? fallback : parsed;
  };
  const path = settingValue(settings, 'index.routing_path');
  const patterns = Array.isArray(path)
    ? path.map(String)
    : typeof path === 'string'
      ? path.split(',')
      : undefined;
  const routing = patterns?.map((p) => globToRegExp(p.trim().replace(/\*\*/g, '*')));
  const mapped = mappedDimensions(mappings);
  return {
    start: time('index.time_series.start_time', -8.64e15),
    end: time('index.time_series.end_time', 8.64e15),
    isDimension:
      routing || mapped.size > 0
        ? (path) => mapped.has(path) || (routing ?? []).some((p) => p.test(path))
        : undefined,
  };
}

/** `@timestamp` as epoch milliseconds (a number, digits as epoch_millis, or a date string). */
export function timestampMillis(source: JsonObject): number | undefined {
  const values: Json[] = [];
  collectPath(source, ['@timestamp'], 0, values);
  const value = values[0];
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.floor(Number(value));
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function leaves(node: Json, prefix: string, out: [string, string][]): void {
  if (isObject(node)) {
    for (const key of Object.keys(node)) leaves(node[key], prefix ? `${prefix}.${key}` : key, out);
  } else if (node !== null) {
    out.push([prefix, JSON.stringify(node)]);
  }
}

function iso(millis: number): string {
  return new Date(millis).toISOString();
}

/** A data stream's refusal of a timestamp no backing index can take. */
export function outsideWritableRange(millis: number, rules: TimeSeriesRules): EsError {
  return illegalArgument(
    `the document timestamp [${iso(millis)}] is outside of ranges of currently writable indices [[${iso(rules.start)},${iso(rules.end)}]]`,
  );
}

export interface TimeSeriesDocument {
  id: string;
  /** For the 409's reason: `[id][tsid@time]`. */
  conflictKey: string;
}

/**
 * The id Elasticsearch would give the document, or the error it answers. `dataStream`: the range
 * check is the data stream's (which backing index takes the time) rather than the index's.
 */
export function timeSeriesDocument(
  indexName: string,
  rules: TimeSeriesRules,
  source: JsonObject,
  requestedId: string | undefined,
  dataStream: boolean,
): TimeSeriesDocument {
  const millis = timestampMillis(source);
  if (millis === undefined) {
    // A TSDB index reads the timestamp before anything else (data_stream/150_tsdb.yml).
    const values: Json[] = [];
    collectPath(source, ['@timestamp'], 0, values);
    throw illegalArgument(
      values.length === 0
        ? 'Error extracting data stream timestamp field: Failed to parse object: expecting token of type [VALUE_NUMBER] but found [END_OBJECT]'
        : `Error extracting data stream timestamp field: failed to parse date field [${String(values[0])}] with format [strict_date_optional_time_nanos||strict_date_optional_time||epoch_millis]`,
    );
  }
  if (millis < rules.start || millis >= rules.end) {
    if (dataStream) throw outsideWritableRange(millis, rules);
    const side =
      millis < rules.start
        ? `must be larger than ${iso(rules.start)}`
        : `must be smaller than ${iso(rules.end)}`;
    throw new EsError(
      400,
      'document_parsing_exception',
      `failed to parse: time series index @timestamp value [${iso(millis)}] ${side}`,
    );
  }
  const all: [string, string][] = [];
  leaves(source, '', all);
  const dimensions = all
    .filter(([path]) => (rules.isDimension ? rules.isDimension(path) : !NOT_DIMENSIONS.test(path)))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (dimensions.length === 0) {
    throw new EsError(
      400,
      'document_parsing_exception',
      "failed to parse: Error extracting routing: source didn't contain any routing fields",
    );
  }
  const tsid = createHash('sha256').update(JSON.stringify(dimensions)).digest('base64url');
  const id = createHash('sha256').update(`${tsid}@${millis}`).digest('base64url').slice(0, 38);
  if (requestedId !== undefined && requestedId !== id) {
    const reason = `_id must be unset or set to [${id}] but was [${requestedId}] because [${indexName}] is in time_series mode`;
    throw new EsError(
      400,
      'document_parsing_exception',
      `[1:1] failed to parse: ${reason}`,
      {},
      {
        causedBy: { type: 'illegal_argument_exception', reason },
      },
    );
  }
  return { id, conflictKey: `[${id}][${tsid}@${iso(millis)}]` };
}
