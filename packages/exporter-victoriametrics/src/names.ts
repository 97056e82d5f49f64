/*
 * OpenTelemetry → Prometheus names, after the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification, done as Prometheus' own OTLP receiver does it (it uses
 * prometheus/otlptranslator); where those disagree the receiver wins, and the README lists each
 * disagreement. Pure functions.
 */

/** What kind of Prometheus family a metric becomes; decides its type suffixes. */
export type FamilyKind = 'counter' | 'gauge' | 'histogram' | 'summary';

/** UCUM units (as OpenTelemetry semantic conventions use them) to Prometheus words. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  // time
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  // bytes
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  // otlptranslator's spelling (metric_namer.go's unitMap), which Prometheus' receiver writes;
  // UCUM's name is tebibyte. UCUM's kilobyte, `kBy`, is not in that table and is kept as it is.
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  // SI
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  // other
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
  '1': '',
};

/** The unit after a `/`, in the singular: `By/s` → `bytes_per_second`. */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

const NAME_WORD_SEPARATORS = /[^a-zA-Z0-9:]+/;
const INVALID_PLAIN_NAME_CHARS = /[^a-zA-Z0-9_:]+/;
const INVALID_UNIT_CHAR = /[^a-zA-Z0-9:]/g;
const BRACES = /[{}]/;
const INVALID_LABEL_CHARS = /[^a-zA-Z0-9_]+/g;
const UNDERSCORES = /_{2,}/g;
const VALID_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const VALID_LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function isValidMetricName(name: string): boolean {
  return VALID_METRIC_NAME.test(name);
}

export function isValidLabelName(name: string): boolean {
  return VALID_LABEL_NAME.test(name);
}

/**
 * A label name from an attribute key: every character outside `[a-zA-Z0-9_]` becomes `_`, runs
 * of `_` become one, a leading digit gets `key_` in front and a leading `_` gets `key` (so no
 * attribute can produce a reserved `__…` name). An empty key gives an empty name (dropped).
 */
export function sanitizeLabelName(key: string): string {
  if (key === '') return '';
  let name = key;
  if (!VALID_LABEL_NAME.test(name) || name.includes('__') || name.charCodeAt(0) === 95) {
    name = name.replace(INVALID_LABEL_CHARS, '_').replace(UNDERSCORES, '_');
  }
  const first = name.charCodeAt(0);
  if (first >= 48 && first <= 57) return `key_${name}`;
  if (first === 95) return `key${name}`;
  return name;
}

/**
 * A metric name kept as it is but for what Prometheus cannot store (`addMetricSuffixes: false`),
 * as Prometheus' OTLP receiver does it: each run of characters outside `[a-zA-Z0-9_:]` becomes
 * one `_` between the parts it separated (none at either end), existing `_` are kept, a leading
 * digit gets `_` in front. Returns '' when nothing is left.
 */
export function sanitizeMetricName(name: string): string {
  let out = name
    .split(INVALID_PLAIN_NAME_CHARS)
    .filter((part) => part !== '')
    .join('_');
  const first = out.charCodeAt(0);
  if (first >= 48 && first <= 57) out = `_${out}`;
  return out;
}

/** Characters outside `[a-zA-Z0-9_:]` replaced by `_`, runs of `_` made one, one leading `_` cut. */
function cleanUpUnit(unit: string): string {
  const out = unit.replace(INVALID_UNIT_CHAR, '_').replace(UNDERSCORES, '_');
  return out.charCodeAt(0) === 95 ? out.slice(1) : out;
}

/**
 * A unit's word from a table, or the unit itself. Own keys only: indexed plainly, a unit named
 * `constructor` or `__proto__` read Object.prototype's member and the mapping threw on it.
 */
function wordOf(table: Readonly<Record<string, string>>, unit: string): string {
  return Object.hasOwn(table, unit) ? table[unit] : unit;
}

/**
 * The unit's two name suffixes, as otlptranslator builds them: the part before the first `/`
 * and the part after it, each spelled out from UCUM when known and otherwise kept, a part that
 * holds `{` or `}` left out whole; the second gets `per_` in front. `:` stays (a unit such as
 * `req:s` keeps it, as in the name).
 */
export function unitSuffixes(unit: string): { main: string; per: string } {
  const slash = unit.indexOf('/');
  const mainUnit = (slash >= 0 ? unit.slice(0, slash) : unit).trim();
  const perUnit = slash >= 0 ? unit.slice(slash + 1).trim() : '';
  let main = '';
  if (mainUnit !== '' && !BRACES.test(mainUnit)) main = wordOf(UNIT_WORDS, mainUnit);
  let per = '';
  if (perUnit !== '' && !BRACES.test(perUnit)) per = wordOf(PER_UNIT_WORDS, perUnit);
  if (per !== '') per = `per_${per}`;
  return { main: cleanUpUnit(main), per: cleanUpUnit(per) };
}

/** The unit as Prometheus names it (the metadata `unit`): `By/s` → `bytes_per_second`. */
export function prometheusUnit(unit: string): string {
  const { main, per } = unitSuffixes(unit);
  let out = main !== '' && per !== '' ? `${main}_${per}` : main || per;
  if (out.startsWith('_')) out = out.slice(1);
  if (out.endsWith('_')) out = out.slice(0, -1);
  return out;
}

function trimUnderscore(text: string): string {
  return text.endsWith('_') ? text.slice(0, -1) : text;
}

export interface MetricNameInput {
  name: string;
  unit: string;
  kind: FamilyKind;
  /** The OpenTelemetry data point type was a gauge (not a non-monotonic sum). */
  otelGauge: boolean;
}

/**
 * The Prometheus family name of an OpenTelemetry metric, with suffixes (the default), by the
 * rules of Prometheus' OTLP receiver (prometheus/otlptranslator, `UnderscoreEscapingWithSuffixes`):
 *
 * 1. the name is split into words at every run of characters outside `[a-zA-Z0-9:]` (so `_` too);
 * 2. the unit's main word is appended unless a word of the name is that word, then its `per_…`
 *    word likewise (`http.server.duration` + `s` → `http_server_duration_seconds`);
 * 3. a counter loses every `total` word and gets `_total` at the end;
 * 4. a gauge with unit exactly `1` loses every `ratio` word and gets `_ratio` at the end;
 * 5. the words are joined with `_` and a leading digit gets `_` in front.
 *
 * Histogram and summary families get `_bucket`, `_sum`, `_count` from the mapping, after this
 * name. Returns '' when nothing valid is left (the metric is then dropped).
 */
export function prometheusMetricName(input: MetricNameInput, addMetricSuffixes: boolean): string {
  const name = addMetricSuffixes ? suffixedName(input) : sanitizeMetricName(input.name);
  // A name of underscores only that was not given so is refused, as the receiver refuses it.
  if (name === '' || (name !== input.name && /^_+$/.test(name))) return '';
  return name;
}

function suffixedName(input: MetricNameInput): string {
  let tokens = input.name.split(NAME_WORD_SEPARATORS).filter((token) => token !== '');
  const units = unitSuffixes(input.unit);
  let main = tokens.includes(units.main) ? '' : units.main;
  let per = '';
  if (units.per !== 'per_') {
    per = trimUnderscore(units.per);
    if (tokens.includes(per)) per = '';
  }
  if (per !== '') main = trimUnderscore(main);
  if (main !== '') tokens.push(main);
  if (per !== '') tokens.push(per);
  if (input.kind === 'counter') tokens = [...tokens.filter((t) => t !== 'total'), 'total'];
  if (input.otelGauge && input.unit === '1') {
    tokens = [...tokens.filter((t) => t !== 'ratio'), 'ratio'];
  }
  let out = tokens.join('_');
  const first = out.charCodeAt(0);
  if (first >= 48 && first <= 57) out = `_${out}`;
  return out;
}

/**
 * A float as Prometheus writes `le` and `quantile` values (Go's FormatFloat(v, 'f', -1, 64)):
 * the shortest digits that read back as the same double, never in exponent form; `+Inf`,
 * `-Inf`, `NaN`.
 */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Object.is(value, -0)) return '-0';
  const text = String(value);
  const e = text.indexOf('e');
  if (e < 0) return text;
  // Expand d.ddde±x into plain decimal notation.
  const negative = text.startsWith('-');
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const dot = mantissa.indexOf('.');
  const digits = dot < 0 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1);
  const pointAt = (dot < 0 ? mantissa.length : dot) + exponent;
  let out: string;
  if (pointAt <= 0) out = `0.${'0'.repeat(-pointAt)}${digits}`;
  else if (pointAt >= digits.length) out = digits + '0'.repeat(pointAt - digits.length);
  else out = `${digits.slice(0, pointAt)}.${digits.slice(pointAt)}`;
  return negative ? `-${out}` : out;
}
