import { classifyStatus } from '@otelpack/batching-core';
import type { ItemFailure, SendResult } from '@otelpack/batching-core';
import { describeAnswer, hecCode } from './hec-codes';
import type { HecAnswer } from './hec-codes';

/** One HEC answer to a request of `batchSize` events, as the core's SendResult. */
export function classifyHecAnswer(
  status: number,
  retryAfter: string | string[] | undefined,
  answer: HecAnswer | undefined,
  batchSize: number,
  nowMs: number = Date.now(),
): SendResult {
  const reason = describeAnswer(status, answer);
  if (status >= 200 && status < 300) return { kind: 'delivered', httpStatus: status };
  const known = answer?.code === undefined ? undefined : hecCode(answer.code);
  const invalid = answer?.invalidEventNumber;
  if (status === 400 && invalid !== undefined && invalid < batchSize) {
    return { kind: 'partial', failures: isolate(invalid, batchSize, reason), httpStatus: status };
  }
  // The pack's reading of the HTTP status (413 splits, 408/429/5xx retry with Retry-After,
  // other 4xx permanent), with HEC's own words, and HEC's retryable codes retried whatever
  // status a proxy put on them.
  const base = classifyStatus(status, retryAfter, undefined, nowMs);
  if (base.kind === 'retryable' && invalid !== undefined && invalid > 0 && invalid < batchSize) {
    // "Server is busy" with a position (503, code 9, `invalid-event-number`): HEC took the
    // events before it and stopped there (open-telemetry/opentelemetry-collector-contrib#36113).
    // Those are delivered; the rest wait for Retry-After or the backoff, as for any busy answer.
    return {
      kind: 'partial',
      failures: busyFrom(invalid, batchSize, reason, base.retryAfterMs),
      backpressure: base.backpressure === true,
      httpStatus: status,
    };
  }
  if (known?.handling === 'retryable' && base.kind === 'permanent') {
    return { kind: 'retryable', reason, httpStatus: status };
  }
  if (base.kind === 'retryable' || base.kind === 'permanent' || base.kind === 'too_large') {
    return { ...base, reason };
  }
  return { kind: 'permanent', reason, httpStatus: status };
}

/** HEC, busy, took the events before `first`: the rest go back to wait as the request would. */
function busyFrom(
  first: number,
  batchSize: number,
  reason: string,
  retryAfterMs: number | undefined,
): ItemFailure[] {
  const again = `${reason}: HEC took the events before event ${first} of the request and stopped there`;
  const failures: ItemFailure[] = [];
  for (let i = first; i < batchSize; i++) {
    failures.push({
      index: i,
      retryable: true,
      reason: again,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  return failures;
}

/**
 * HEC took the events before `invalid` and stopped at it: the bad one is rejected with HEC's
 * words, those after it go back at once (no backoff: nothing was wrong with them or with Splunk).
 */
function isolate(invalid: number, batchSize: number, reason: string): ItemFailure[] {
  const failures: ItemFailure[] = [
    { index: invalid, retryable: false, reason: `${reason} (event ${invalid} of the request)` },
  ];
  const again = `sent again: HEC stopped at event ${invalid} of the request and did not take the events after it`;
  for (let i = invalid + 1; i < batchSize; i++) {
    failures.push({ index: i, retryable: true, reason: again, retryAfterMs: 0 });
  }
  return failures;
}
