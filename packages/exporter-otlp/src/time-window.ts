import type { HrTime } from '@opentelemetry/api';
import { hrTimeToEpochMs } from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import { decorateCodec } from './decorate';

/** How far from now a backend accepts a timestamp; it drops (often silently) anything outside. */
export interface TimeWindow {
  /** The oldest accepted, as an age in ms. */
  maxAgeMs: number;
  /** The furthest ahead of the clock accepted, in ms. */
  maxAheadMs: number;
}

/**
 * A window per kind of item, each checked against the timestamp the backend judges: a span's end,
 * a log record's time, a data point's end. A kind without a window is not checked.
 */
export interface TimeWindows {
  spans?: TimeWindow;
  logs?: TimeWindow;
  points?: TimeWindow;
  /** The backend's vendor, for the message: "New Relic accepts…". */
  backend: string;
  /** ms since the epoch; tests set it. */
  clock?: () => number;
}

/** An item outside the backend's window; the kit counts it as rejected with this message. */
export class OutsideTimeWindowError extends Error {
  readonly code = 'OTELPACK_OUTSIDE_TIME_WINDOW';
}

function describeMs(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function check(
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

/**
 * The codec, refusing items the backend would drop for their timestamps. The refusal is a throw
 * at mapping time, which the kit counts as `rejected` with the message and hands to the
 * dead-letter hook: the loss is counted here instead of happening unseen at the backend.
 */
export function withTimeWindow(codec: OtlpCodec, windows: TimeWindows): OtlpCodec {
  const now = windows.clock ?? Date.now;
  const { spans, logs, points, backend } = windows;
  return decorateCodec(codec, {
    span: spans
      ? (span) => {
          check('the span ended', span.endTime, spans, backend, now());
          return codec.span(span);
        }
      : undefined,
    log: logs
      ? (log) => {
          check('the log record is from', log.hrTime, logs, backend, now());
          return codec.log(log);
        }
      : undefined,
    point: points
      ? (metric, point) => {
          check('the data point is from', point.endTime, points, backend, now());
          return codec.point(metric, point);
        }
      : undefined,
  });
}
