import type { HrTime } from '@opentelemetry/api';
import { hrTimeToEpochMs } from './time';

/** How far from now a backend accepts a timestamp; it drops (often silently) anything outside. */
export interface TimeWindow {
  /** The oldest accepted, as an age in ms. */
  maxAgeMs: number;
  /** The furthest ahead of the clock accepted, in ms (`Infinity`: no limit ahead). */
  maxAheadMs: number;
}

/**
 * An item outside its backend's window. Thrown from an exporter's mapping, it is counted by the
 * kit as `rejected` with this message and handed to the dead-letter hook: the loss is counted
 * here instead of happening unseen at the backend, which often answers success and drops.
 */
export class OutsideTimeWindowError extends Error {
  readonly code = 'OTELPACK_OUTSIDE_TIME_WINDOW';
}

function describeMs(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

/**
 * Throws `OutsideTimeWindowError` when `time` lies outside `window` around `nowMs`. `what` starts
 * the message ("the span ended", "the log record is from") and `backend` names who drops it, so
 * every exporter's refusal reads the same way: "the span ended 26 h ago; New Relic drops anything
 * older than 24 h".
 */
export function checkTimeWindow(
  what: string,
  time: HrTime,
  window: TimeWindow,
  backend: string,
  nowMs: number,
): void {
  const offsetMs = hrTimeToEpochMs(time) - nowMs;
  if (offsetMs < -window.maxAgeMs) {
    throw new OutsideTimeWindowError(
      `${what} ${describeMs(-offsetMs)} ago; ${backend} drops anything older than ${describeMs(window.maxAgeMs)}`,
    );
  }
  if (offsetMs > window.maxAheadMs) {
    throw new OutsideTimeWindowError(
      `${what} ${describeMs(offsetMs)} ahead of this host's clock; ${backend} drops anything more than ${describeMs(window.maxAheadMs)} ahead`,
    );
  }
}
