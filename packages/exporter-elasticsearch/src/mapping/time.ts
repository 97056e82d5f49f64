import type { HrTime } from '@opentelemetry/api';

/*
 * OpenTelemetry times are [seconds, nanoseconds] pairs. A pair that is not two finite,
 * non-negative numbers is read as "no time" (0): the SDK never produces one, and a document
 * with a wrong but valid date is easier to find than a crash.
 */

const NANOS_PER_SECOND = 1_000_000_000;
/** The last second a JavaScript Date can hold (year 275760). */
const MAX_SECONDS = 8_640_000_000_000;

function parts(time: HrTime | undefined): [number, number] {
  if (!Array.isArray(time)) return [0, 0];
  const [seconds, nanos] = time;
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos) || seconds < 0 || nanos < 0) {
    return [0, 0];
  }
  // Carry whole seconds out of the nanosecond part and drop sub-nanosecond fractions.
  const wholeNanos = Math.floor(nanos);
  const wholeSeconds = Math.floor(seconds) + Math.floor(wholeNanos / NANOS_PER_SECOND);
  if (wholeSeconds > MAX_SECONDS) return [0, 0];
  return [wholeSeconds, wholeNanos % NANOS_PER_SECOND];
}

export function isZeroTime(time: HrTime | undefined): boolean {
  const [seconds, nanos] = parts(time);
  return seconds === 0 && nanos === 0;
}

/** Milliseconds since the epoch, truncated. */
export function epochMillis(time: HrTime | undefined): number {
  const [seconds, nanos] = parts(time);
  return seconds * 1000 + Math.floor(nanos / 1_000_000);
}

/** The last pair epochMillisWithNanos wrote, and its text. */
let lastSeconds: unknown;
let lastNanos: unknown;
let lastMillisWithNanos = '';

/**
 * Epoch milliseconds with a six-digit nanosecond fraction, e.g. "1705314600000.000005": the
 * form the Collector's `otel` mode writes, which a `date_nanos` field reads with full precision.
 * The text of the last pair is kept: a log record's time and observed time are mostly the same
 * pair, and consecutive records mostly the same millisecond (the SDK takes Date.now()), so most
 * calls repeat the one before; formatting each was ~95 ns a call in the profile.
 */
export function epochMillisWithNanos(time: HrTime | undefined): string {
  if (Array.isArray(time) && time[0] === lastSeconds && time[1] === lastNanos) {
    return lastMillisWithNanos;
  }
  const [seconds, nanos] = parts(time);
  const millis = seconds * 1000 + Math.floor(nanos / 1_000_000);
  const rest = nanos % 1_000_000;
  const text = `${millis}.${String(rest).padStart(6, '0')}`;
  if (Array.isArray(time)) {
    // Compared by ===: a NaN never matches, and other inputs the same as the last give its text.
    lastSeconds = time[0];
    lastNanos = time[1];
    lastMillisWithNanos = text;
  }
  return text;
}

/** ISO 8601 in UTC with nine fractional digits, e.g. "2024-01-15T10:30:00.000000005Z". */
export function isoNanos(time: HrTime | undefined): string {
  const [seconds, nanos] = parts(time);
  const iso = new Date(seconds * 1000).toISOString();
  return `${iso.slice(0, iso.length - 5)}.${String(nanos).padStart(9, '0')}Z`;
}

/** Nanoseconds of a duration (exact below 2^53 ns, about 104 days). */
export function durationNanos(time: HrTime | undefined): number {
  const [seconds, nanos] = parts(time);
  return seconds * NANOS_PER_SECOND + nanos;
}

/** "YYYY.MM.DD" or "YYYY.MM" in UTC, for date-suffixed index names. */
export function dateSuffix(time: HrTime | undefined, granularity: 'daily' | 'monthly'): string {
  const date = new Date(epochMillis(time));
  const year = String(date.getUTCFullYear()).padStart(4, '0');
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  if (granularity === 'monthly') return `${year}.${month}`;
  return `${year}.${month}.${String(date.getUTCDate()).padStart(2, '0')}`;
}
