/**
 * Parses an HTTP Retry-After value (RFC 9110 §10.2.3): either delay-seconds or an HTTP-date.
 * Returns the wait in milliseconds from `nowMs`, or undefined when the value is absent or
 * malformed (a malformed hint is ignored rather than trusted).
 */
export function parseRetryAfterMs(
  value: string | string[] | undefined | null,
  nowMs: number = Date.now(),
): number | undefined {
  if (Array.isArray(value)) value = value[0];
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) {
    return Number(text) * 1000;
  }
  // Some backends send fractional seconds; accept them rather than fall back to blind backoff.
  if (/^\d+\.\d+$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  const dateMs = parseHttpDate(text);
  if (dateMs === undefined) return undefined;
  return Math.max(0, dateMs - nowMs);
}

// IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), and the obsolete RFC 850 and asctime forms,
// all of which Date.parse reads; anything else with letters and digits is refused so that a
// stray number-like string is not taken for a date.
function parseHttpDate(text: string): number | undefined {
  if (!/[a-z]/i.test(text) || !/\d{1,2}:\d{2}:\d{2}/.test(text)) return undefined;
  // asctime carries no zone, and Date.parse would read it as local time; HTTP dates are all GMT.
  const zoned = /\b(?:GMT|UTC|UT|Z)\b|[+-]\d{4}\b/i.test(text) ? text : `${text} GMT`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}
