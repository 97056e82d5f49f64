import type { HrTime } from '@opentelemetry/api';

/**
 * A `DateTime64(9)` value: whole seconds since the Unix epoch and nanoseconds within the second
 * (0..999,999,999). Kept as two integers because their product with 1e9 does not fit a double:
 * the nanoseconds stay exact all the way to the wire.
 */
export type Timestamp9 = readonly [seconds: number, nanoseconds: number];

/** The largest second DateTime64(9) can hold (2262-04-11T23:47:16Z). */
export const MAX_TIMESTAMP_SECONDS = 9_223_372_035;

export const EPOCH: Timestamp9 = Object.freeze([0, 0]) as Timestamp9;

/** An input that cannot be stored; the exporter counts the record as dropped (`rejected`). */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MappingError';
  }
}

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * Normalises an SDK HrTime: fractional nanoseconds are rounded, nanoseconds outside one second
 * carry into the seconds, and the result is clamped to what DateTime64(9) holds (before 1970:
 * the epoch, the SDK's "unset"; after 2262: the last representable second). A non-finite part
 * cannot be given any meaning and throws a MappingError.
 */
export function toTimestamp9(time: HrTime, field: string): Timestamp9 {
  const seconds = time?.[0];
  const nanos = time?.[1];
  if (!Number.isFinite(seconds) || !Number.isFinite(nanos)) {
    throw new MappingError(`${field} is not a finite HrTime: [${seconds}, ${nanos}]`);
  }
  let wholeSeconds = Math.floor(seconds);
  // A fractional second in the first slot is folded into the nanoseconds.
  let wholeNanos = Math.round(nanos + (seconds - wholeSeconds) * NANOS_PER_SECOND);
  if (wholeNanos >= NANOS_PER_SECOND || wholeNanos < 0) {
    const carry = Math.floor(wholeNanos / NANOS_PER_SECOND);
    wholeSeconds += carry;
    wholeNanos -= carry * NANOS_PER_SECOND;
  }
  if (wholeSeconds < 0) return EPOCH;
  if (wholeSeconds > MAX_TIMESTAMP_SECONDS) return [MAX_TIMESTAMP_SECONDS, 0];
  return [wholeSeconds, wholeNanos];
}

export function isZero(time: Timestamp9): boolean {
  return time[0] === 0 && time[1] === 0;
}

/**
 * Nanoseconds from `start` to `end`, exact; a negative span (a clock step) is 0 rather than the
 * reference's unsigned wrap-around to 1.8e19.
 */
export function durationNanos(start: Timestamp9, end: Timestamp9): number | bigint {
  const seconds = end[0] - start[0];
  const nanos = end[1] - start[1];
  if (seconds < 0 || (seconds === 0 && nanos <= 0)) return 0;
  // Below ~104 days the double is exact; beyond, fall back to BigInt arithmetic.
  if (seconds < 9_000_000) return seconds * NANOS_PER_SECOND + nanos;
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** `seconds.nnnnnnnnn`: ClickHouse reads it as a Unix time in any server time zone. */
export function timestampText(time: Timestamp9): string {
  const nanos = time[1];
  return `${time[0]}.${nanos < 100_000_000 ? String(nanos).padStart(9, '0') : nanos}`;
}

/** The last second a `DateTime` column (a UInt32) holds: 2106-02-07T06:28:15Z. */
const MAX_DATETIME_SECONDS = 4_294_967_295;

/** The whole seconds a `DateTime` column stores for a time: the nanoseconds cut, clamped to 2106. */
export function dateTimeSeconds(time: Timestamp9): number {
  return time[0] > MAX_DATETIME_SECONDS ? MAX_DATETIME_SECONDS : time[0];
}
