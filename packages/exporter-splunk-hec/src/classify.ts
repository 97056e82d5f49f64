import { isRetryableStatus, parseRetryAfterMs } from '@otelpack/batching-core';
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
  if (status === 413) return { kind: 'too_large', reason, httpStatus: status };
  if (known?.handling === 'retryable' || isRetryableStatus(status)) {
    const retryAfterMs = parseRetryAfterMs(retryAfter, nowMs);
    return {
      kind: 'retryable',
      reason,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      backpressure: status === 429 || status === 503,
      httpStatus: status,
    };
  }
  return { kind: 'permanent', reason, httpStatus: status };
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
