export interface BackoffPolicy {
  initialBackoffMs: number;
  maxBackoffMs: number;
  multiplier: number;
}

/**
 * Full jitter (a uniform draw from zero to the exponential ceiling): of the jitter schemes it
 * spreads a thundering herd of retrying clients best, which matters when every replica of a
 * service retries against the same recovering backend.
 *
 * @param attempt 1 for the wait after the first failed send.
 * @param random a draw in [0, 1); injectable so that tests can pin the bounds.
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  return random() * backoffCeilingMs(policy, attempt);
}

/** The upper bound of the jittered wait before retry number `attempt`. */
export function backoffCeilingMs(policy: BackoffPolicy, attempt: number): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = policy.initialBackoffMs * Math.pow(policy.multiplier, exponent);
  return Math.min(policy.maxBackoffMs, ceiling);
}
