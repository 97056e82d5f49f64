/*
 * OpenTelemetry → Prometheus names, after the OpenTelemetry "Prometheus and OpenMetrics
 * compatibility" specification (OTLP metric points to Prometheus) and the Collector's
 * translator (pkg/translator/prometheus), which Prometheus's own OTLP receiver also follows.
 * Pure functions; the README lists every rule with examples.
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
  $: 'dollars',
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

const INVALID_METRIC_CHARS = /[^a-zA-Z0-9_:]+/g;
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
 * A metric name kept as it is but for what Prometheus cannot store (`addMetricSuffixes: false`):
 * characters outside `[a-zA-Z0-9_:]` become `_`, runs of `_` become one, a leading digit gets
 * `_` in front.
 */
export function sanitizeMetricName(name: string): string {
  let out = name.replace(INVALID_METRIC_CHARS, '_').replace(UNDERSCORES, '_');
  const first = out.charCodeAt(0);
  if (first >= 48 && first <= 57) out = `_${out}`;
  return out;
}

/**
 * The unit as name tokens: `{…}` annotations dropped, UCUM abbreviations spelled out, `a/b` →
 * `a_per_b`, anything else sanitised; `1` and pure annotations give none.
 */
export function unitTokens(unit: string): string[] {
  const cleaned = unit.replace(/\{[^}]*\}/g, '').trim();
  if (cleaned === '') return [];
  const slash = cleaned.indexOf('/');
  const main = slash >= 0 ? cleaned.slice(0, slash).trim() : cleaned;
  const per = slash >= 0 ? cleaned.slice(slash + 1).trim() : '';
  const tokens: string[] = [];
  if (main !== '') tokens.push(...words(UNIT_WORDS[main] ?? main));
  const perWords = per === '' ? [] : words(PER_UNIT_WORDS[per] ?? UNIT_WORDS[per] ?? per);
  if (perWords.length > 0) tokens.push('per', ...perWords);
  return tokens;
}

function words(text: string): string[] {
  return text
    .replace(INVALID_METRIC_CHARS, '_')
    .split(/[_:]+/)
    .filter((token) => token !== '');
}

/** True when `needle` occurs in `tokens` as a contiguous run. */
function containsRun(tokens: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0) return true;
  outer: for (let i = 0; i + needle.length <= tokens.length; i++) {
    for (let j = 0; j < needle.length; j++) {
      if (tokens[i + j] !== needle[j]) continue outer;
    }
    return true;
  }
  return false;
}

export interface MetricNameInput {
  name: string;
  unit: string;
  kind: FamilyKind;
  /** The OpenTelemetry data point type was a gauge (not a non-monotonic sum). */
  otelGauge: boolean;
}

/**
 * The Prometheus family name of an OpenTelemetry metric, with suffixes (the default):
 *
 * 1. invalid characters become `_`, runs of `_` collapse, leading and trailing `_` go;
 * 2. a counter's trailing `_total` is set aside;
 * 3. the unit's words are appended unless the name already contains them
 *    (`http.server.duration` + `s` → `http_server_duration_seconds`);
 * 4. a gauge with unit `1` gets `_ratio` (unless the name has it);
 * 5. a counter gets `_total`;
 * 6. a leading digit gets `_` in front.
 *
 * Histogram and summary families get `_bucket`, `_sum`, `_count` from the mapping, after this
 * name. Returns '' when nothing valid is left (the metric is then dropped).
 */
export function prometheusMetricName(input: MetricNameInput, addMetricSuffixes: boolean): string {
  if (!addMetricSuffixes) {
    const plain = sanitizeMetricName(input.name);
    return plain === '_' ? '' : plain;
  }
  const tokens = input.name
    .replace(INVALID_METRIC_CHARS, '_')
    .split('_')
    .filter((token) => token !== '');
  if (input.kind === 'counter' && tokens.length > 1 && tokens[tokens.length - 1] === 'total') {
    tokens.pop();
  }
  if (tokens.length === 0) return '';
  const unit = unitTokens(input.unit);
  if (unit.length > 0 && !containsRun(tokens, unit)) tokens.push(...unit);
  if (input.otelGauge && input.unit.trim() === '1' && !tokens.includes('ratio')) {
    tokens.push('ratio');
  }
  if (input.kind === 'counter') tokens.push('total');
  let name = tokens.join('_');
  const first = name.charCodeAt(0);
  if (first >= 48 && first <= 57) name = `_${name}`;
  return name;
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
