import type { HrTime } from '@opentelemetry/api';
import { boundedValue } from '@otelpack/batching-core';

/**
 * Seconds since the epoch with millisecond precision, rounded half away from zero as Go's
 * `time.Duration.Round(time.Millisecond)` does: `[1, 1_990_000]` is 1.002. Built from the HrTime's
 * two integers, so no nanosecond precision is lost before the rounding.
 */
export function epochSecondsMs(time: HrTime): number {
  let seconds = time[0];
  let millis = Math.round(time[1] / 1e6);
  if (millis >= 1000) {
    seconds += 1;
    millis -= 1000;
  }
  if (seconds === 0 && millis === 0) return 0;
  return Number(`${seconds}.${String(millis).padStart(3, '0')}`);
}

/** Nanoseconds since the epoch as exact decimal digits (past 2^53, a JS number would round). */
export function epochNanosText(time: HrTime): string {
  if (time[0] === 0) return String(time[1]);
  return `${time[0]}${String(time[1]).padStart(9, '0')}`;
}

/**
 * A float as Go's `strconv.FormatFloat(f, 'g', -1, 64)` writes it (the Collector's `le` and
 * `qt` values): the shortest digits, in exponent form when the decimal exponent is below -4 or
 * at least 6 (Go's rule for the shortest form), with a sign and two digits (`1e+06`, `1.5e-07`).
 */
export function formatFloatG(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  const [mantissa, exponentText] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  // Within [1e-4, 1e6) JS's own shortest form is the plain decimal one, as Go's %f is here.
  return String(value);
}

/**
 * A value as pdata's `Value.AsString()` writes it (the Collector's metric dimensions and span
 * fields): strings as they are, booleans and numbers as text, arrays and maps as JSON, bounded
 * as the core bounds every structured value (a cycle as "[circular]", deeper than 32 levels as
 * "[too deep]", 100,000 values in all: `boundedValue`).
 */
export function asString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : goFloatText(value);
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return JSON.stringify(boundedValue(value), (_k, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
  );
}

function goFloatText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return value > 0 ? '+Inf' : '-Inf';
}
