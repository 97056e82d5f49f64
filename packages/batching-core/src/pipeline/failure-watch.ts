import type { SendResult } from '../types';

/**
 * Notices when the backend has been failing for long: after `warnAfterMs` of sends without a
 * delivery, `onLongFailure` is called once for that outage; after the next delivery,
 * `onRecovery`. The pipeline turns both into one WARN line each, with counts, so an outage is
 * visible at the default log level without a line per retry.
 */
export class FailureWatch {
  private failingSinceMs: number | undefined;
  private reported = false;
  private lastReason = '';

  constructor(
    private readonly warnAfterMs: number,
    private readonly onLongFailure: (failingForMs: number, lastReason: string) => void,
    private readonly onRecovery: (failedForMs: number) => void,
  ) {}

  /** Only a retryable failure of the whole request counts: anything else reached a working backend. */
  observe(result: SendResult, nowMs: number): void {
    if (result.kind !== 'retryable') {
      if (this.reported && this.failingSinceMs !== undefined) {
        this.onRecovery(nowMs - this.failingSinceMs);
      }
      this.failingSinceMs = undefined;
      this.reported = false;
      return;
    }
    this.lastReason = result.reason;
    this.failingSinceMs ??= nowMs;
    if (!this.reported && nowMs - this.failingSinceMs >= this.warnAfterMs) {
      this.reported = true;
      this.onLongFailure(nowMs - this.failingSinceMs, this.lastReason);
    }
  }
}
