/*
 * Metric keys, dimension keys and dimension values made acceptable to the metric ingest line
 * protocol, by the rules of Dynatrace's metric utilities for JavaScript (`@dynatrace/metric-utils`
 * 0.2.0; the Go utilities agree, the newer Java ones differ in a few corners listed in the README).
 * The tables in test/normalize.test.ts are their test cases; test/oracle.test.ts compares these
 * functions with the package's outputs on generated inputs.
 */

export const MAX_METRIC_KEY_LENGTH = 250;
export const MAX_DIMENSION_KEY_LENGTH = 100;
export const MAX_DIMENSION_VALUE_LENGTH = 250;

// The common case (an OpenTelemetry name that is already a valid key) is one regex test.
const VALID_METRIC_KEY = /^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z0-9_][A-Za-z0-9_-]*)*$/;
const INVALID_FIRST_SECTION_START = /^[^A-Za-z_]+/;
const INVALID_SECTION_RUN = /[^A-Za-z0-9_-]+/g;
const LEADING_HYPHENS = /^-+/;

const VALID_DIMENSION_KEY = /^[a-z_][a-z0-9_:-]*(\.[a-z_][a-z0-9_:-]*)*$/;
const INVALID_DIMENSION_SECTION_START = /^[^a-z_]+/;
const INVALID_DIMENSION_RUN = /[^a-z0-9_:-]+/g;

// Control characters are what these two look for.
// eslint-disable-next-line no-control-regex
const CONTROL_RUN = /[\x00-\x1f]+/g;
const NEEDS_ESCAPING = /[= ,\\"]/g;
// eslint-disable-next-line no-control-regex
const PLAIN_VALUE = /^[^\x00-\x1f= ,\\"]*$/;
const TRAILING_BACKSLASHES = /\\+$/;

function metricKeySection(section: string): string {
  return section.replace(INVALID_SECTION_RUN, '_');
}

/**
 * The key cut to 250 characters and split on dots; the first section's leading run of characters
 * that cannot start a key becomes one `_`; in every section each run of characters outside
 * `[A-Za-z0-9_-]` becomes one `_`, and a later section's leading hyphens one `_`; empty sections
 * after the first are dropped. An empty first
 * section makes no key: undefined.
 */
export function normalizeMetricKey(key: string): string | undefined {
  if (key.length <= MAX_METRIC_KEY_LENGTH && VALID_METRIC_KEY.test(key)) return key;
  const sections = key.slice(0, MAX_METRIC_KEY_LENGTH).split('.');
  const first = metricKeySection(sections[0].replace(INVALID_FIRST_SECTION_START, '_'));
  if (first === '') return undefined;
  let result = first;
  for (let i = 1; i < sections.length; i++) {
    // The one departure from @dynatrace/metric-utils: the ingest refuses a section that starts
    // with a hyphen (the protocol page; the Java utilities replace it), which the JS ones keep.
    const section = metricKeySection(sections[i]).replace(LEADING_HYPHENS, '_');
    if (section !== '') result += `.${section}`;
  }
  return result;
}

function dimensionKeySection(section: string): string {
  return section
    .toLocaleLowerCase()
    .replace(INVALID_DIMENSION_SECTION_START, '_')
    .replace(INVALID_DIMENSION_RUN, '_');
}

/**
 * The key cut to 100 characters, lowercased, split on dots; in each section the leading run of
 * characters that cannot start one becomes `_` and each run outside `[a-z0-9_:-]` becomes `_`;
 * empty sections are dropped. Nothing left: undefined (the dimension is left out).
 */
export function normalizeDimensionKey(key: string): string | undefined {
  if (key.length <= MAX_DIMENSION_KEY_LENGTH && VALID_DIMENSION_KEY.test(key)) return key;
  const sections = key.slice(0, MAX_DIMENSION_KEY_LENGTH).split('.');
  let result = '';
  for (const raw of sections) {
    const section = dimensionKeySection(raw);
    if (section === '') continue;
    result = result === '' ? section : `${result}.${section}`;
  }
  return result === '' ? undefined : result;
}

/**
 * Escapes `=`, space, `,`, `\` and `"` and replaces control characters, within the 250-character
 * limit; no escape sequence is left cut in two at the end.
 */
export function escapeValue(value: string, maxLength: number): string {
  let text = value.slice(0, maxLength).replace(CONTROL_RUN, '_');
  text = text.replace(NEEDS_ESCAPING, '\\$&').slice(0, maxLength);
  const trailing = TRAILING_BACKSLASHES.exec(text);
  // An odd run of trailing backslashes ends in the first half of an escape the cut split.
  if (trailing && trailing[0].length % 2 === 1) text = text.slice(0, -1);
  return text;
}

/** A dimension value as it is written after `key=` (unquoted, escaped, ≤ 250 characters). */
export function normalizeDimensionValue(value: string): string {
  // A JavaScript caller can pass anything (null, a number): it is read as text, as
  // @dynatrace/metric-utils reads it, rather than throwing in the middle of an export.
  if (typeof value !== 'string') value = String(value);
  if (value.length <= MAX_DIMENSION_VALUE_LENGTH && PLAIN_VALUE.test(value)) return value;
  return escapeValue(value, MAX_DIMENSION_VALUE_LENGTH);
}
