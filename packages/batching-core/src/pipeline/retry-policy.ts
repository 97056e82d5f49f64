import { backoffDelayMs } from '../backoff';
import type { BackoffPolicy } from '../backoff';
import type { DropReason, SendResult } from '../types';

/**
 * What the policy needs to know of one record of the batch that was sent (the pipeline passes
 * its entries as they are: no copy per record).
 */
export interface SentRecord {
  /** Wall-clock acceptance time. */
  readonly acceptedAtMs: number;
  /** Anything but `in_flight`: settled meanwhile (shutdown's deadline, eviction), left out. */
  readonly state: string;
}

export interface RetryPolicySettings {
  backoff: BackoffPolicy;
  /** A record whose next try would start later than this after acceptance is given up. */
  maxElapsedMs: number;
}

export interface RetryContext {
  /** Sends the batch has had, this one included (1 after the first send). */
  attempt: number;
  nowMs: number;
  /** Draws in [0, 1) for the backoff's jitter; called at most once per decision. */
  jitter: () => number;
  /** While shutting down: nothing may be scheduled at or after this time. */
  shutdownDeadlineMs: number | undefined;
}

/** A group of the batch's records (by position in the batch) and what becomes of them. */
export type RecordDecision =
  | { action: 'deliver'; indexes: number[] }
  | { action: 'drop'; indexes: number[]; reason: DropReason; details: string[] }
  | { action: 'retry'; indexes: number[]; delayMs: number; detail: string }
  /** Halves go back to the front of the line at once: size, not load, was the problem. */
  | { action: 'split'; halves: [number[], number[]]; detail: string };

/**
 * The retry policy, pure: a send's result, the attempt and the clock in, the fate of each record
 * out. No timers, no state: the pipeline carries the decisions out. Settled records are left out
 * of every decision.
 */
export function decide(
  result: SendResult,
  records: readonly SentRecord[],
  settings: RetryPolicySettings,
  context: RetryContext,
): RecordDecision[] {
  const live: number[] = [];
  for (let i = 0; i < records.length; i++) if (records[i].state === 'in_flight') live.push(i);
  if (live.length === 0) return [];
  switch (result.kind) {
    case 'delivered':
      return [{ action: 'deliver', indexes: live }];
    case 'permanent':
      return [drop(live, 'rejected', result.reason)];
    case 'retryable':
      return retryOrGiveUp(live, result.reason, result.retryAfterMs, records, settings, context);
    case 'too_large':
      if (live.length === 1) {
        return [
          drop(
            live,
            'too_large',
            `the backend refused a single record for its size: ${result.reason}`,
          ),
        ];
      }
      return [
        {
          action: 'split',
          halves: [
            live.slice(0, Math.ceil(live.length / 2)),
            live.slice(Math.ceil(live.length / 2)),
          ],
          detail: result.reason,
        },
      ];
    case 'partial': {
      const failures = new Map(result.failures.map((f) => [f.index, f]));
      const delivered: number[] = [];
      const rejected: number[] = [];
      const rejectedDetails: string[] = [];
      const retry: number[] = [];
      let retryReason = '';
      let retryAfterMs: number | undefined;
      for (const index of live) {
        const failure = failures.get(index);
        if (!failure) {
          delivered.push(index);
        } else if (failure.retryable) {
          retry.push(index);
          retryReason ||= failure.reason;
          if (failure.retryAfterMs !== undefined) {
            retryAfterMs = Math.max(retryAfterMs ?? 0, failure.retryAfterMs);
          }
        } else {
          rejected.push(index);
          rejectedDetails.push(failure.reason);
        }
      }
      const decisions: RecordDecision[] = [];
      if (delivered.length > 0) decisions.push({ action: 'deliver', indexes: delivered });
      if (rejected.length > 0) {
        decisions.push({
          action: 'drop',
          indexes: rejected,
          reason: 'rejected',
          details: rejectedDetails,
        });
      }
      if (retry.length > 0) {
        decisions.push(
          ...retryOrGiveUp(retry, retryReason, retryAfterMs, records, settings, context),
        );
      }
      return decisions;
    }
  }
}

/** A retry after the backend's Retry-After or the jittered backoff, unless time has run out. */
function retryOrGiveUp(
  indexes: number[],
  reason: string,
  retryAfterMs: number | undefined,
  records: readonly SentRecord[],
  settings: RetryPolicySettings,
  context: RetryContext,
): RecordDecision[] {
  const delayMs = retryAfterMs ?? backoffDelayMs(settings.backoff, context.attempt, context.jitter);
  const dueMs = context.nowMs + delayMs;
  if (context.shutdownDeadlineMs !== undefined && dueMs >= context.shutdownDeadlineMs) {
    return [drop(indexes, 'shutdown', `shutting down before the next retry: ${reason}`)];
  }
  const keep: number[] = [];
  const expired: number[] = [];
  for (const index of indexes) {
    (dueMs - records[index].acceptedAtMs > settings.maxElapsedMs ? expired : keep).push(index);
  }
  const decisions: RecordDecision[] = [];
  if (expired.length > 0) {
    decisions.push(
      drop(
        expired,
        'expired',
        `gave up after ${context.attempt} attempts within maxElapsedMs (${settings.maxElapsedMs} ms): ${reason}`,
      ),
    );
  }
  if (keep.length > 0) decisions.push({ action: 'retry', indexes: keep, delayMs, detail: reason });
  return decisions;
}

function drop(indexes: number[], reason: DropReason, detail: string): RecordDecision {
  return { action: 'drop', indexes, reason, details: indexes.map(() => detail) };
}
