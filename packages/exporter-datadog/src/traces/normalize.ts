/*
 * The trace Agent's normalisation of span fields (DataDog/datadog-agent
 * pkg/trace/traceutil/normalize/normalize.go), applied here so that what the Agent stores is what
 * the exporter's tests see: names `[a-zA-Z][a-zA-Z0-9_.]*` up to 100 characters, services as
 * lower-case tag values up to 100 characters, fallbacks for what normalises to nothing.
 */

export const MAX_NAME_CHARS = 100;
export const MAX_SERVICE_CHARS = 100;
export const MAX_RESOURCE_CHARS = 5_000;
export const MAX_TAG_VALUE_CHARS = 200;
export const DEFAULT_SPAN_NAME = 'unnamed_operation';
export const DEFAULT_SERVICE_NAME = 'unnamed-service';

/** Already normal: lower-case ASCII of the kept characters, single underscores inside. */
const NORMAL_TAG_VALUE = /^[a-z0-9:./-]+(?:_[a-z0-9:./-]+)*$/;

function keptChar(char: string): boolean {
  const code = char.charCodeAt(0);
  if (code < 128) {
    return (
      (code >= 97 && code <= 122) ||
      (code >= 48 && code <= 57) ||
      char === ':' ||
      char === '.' ||
      char === '/' ||
      char === '-'
    );
  }
  return /[\p{L}\p{N}]/u.test(char);
}

/**
 * A tag value: lower case; letters, digits, `:` `.` `/` `-` `_` kept, any other run becomes one `_`
 * (a leading one too: `  ENV ` is `_env`, transform_test.go TestGetOTelEnv), trailing ones cut.
 */
export function normalizeTagValue(value: string, maxChars = MAX_TAG_VALUE_CHARS): string {
  if (value.length <= maxChars && NORMAL_TAG_VALUE.test(value)) return value;
  const lower = value.toLowerCase();
  let out = '';
  let underscore = false;
  for (const char of lower) {
    if (out.length >= maxChars) break;
    if (keptChar(char)) {
      out += char;
      underscore = false;
    } else if (!underscore) {
      out += '_';
      underscore = true;
    }
  }
  return out.replace(/_+$/, '');
}

/** An operation name: starts with a letter, then `[a-zA-Z0-9_.]`, runs of others as one `_`. */
export function normalizeName(name: string): string {
  let out = '';
  let underscore = false;
  for (const char of name.slice(0, MAX_NAME_CHARS)) {
    if (out === '' && !/[a-zA-Z]/.test(char)) continue;
    if (/[a-zA-Z0-9.]/.test(char)) {
      out += char;
      underscore = false;
    } else if (!underscore) {
      out += '_';
      underscore = true;
    }
  }
  out = out.replace(/_+$/, '');
  return out === '' ? DEFAULT_SPAN_NAME : out;
}

export function normalizeService(service: string): string {
  const out = normalizeTagValue(service.slice(0, MAX_SERVICE_CHARS), MAX_SERVICE_CHARS);
  return out === '' ? DEFAULT_SERVICE_NAME : out;
}

/** Cut to at most `max` UTF-16 units without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}
