import type { HrTime } from '@opentelemetry/api';

/**
 * An SDK time `[seconds, nanoseconds]` as milliseconds since the epoch, with the sub-millisecond
 * part as a fraction (exact to a microsecond or so at today's epoch: a double's 53 bits). For
 * comparisons and windows; a wire format that needs whole nanoseconds builds them from the two
 * integers instead.
 */
export function hrTimeToEpochMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}
