import { checkTimeWindow as check } from '@otelpack/batching-core';
import type { TimeWindow } from '@otelpack/batching-core';
import type { OtlpCodec } from './codec';
import { decorateCodec } from './decorate';

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
