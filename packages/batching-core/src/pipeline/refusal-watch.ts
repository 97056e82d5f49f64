/** How often refusals that go on are warned about again (at the next refusal after it). */
export const REFUSAL_REMINDER_MS = 5 * 60_000;
/** How long after the last refusal an accepted export ends the refusals. */
export const REFUSAL_QUIET_MS = 60_000;
/** Causes named apart in one period; past this, a new cause is counted with the others. */
const MAX_CAUSES = 16;

interface Refusals {
  sinceMs: number;
  lastRefusedMs: number;
  warnedAtMs: number;
  exports: number;
  records: number;
  causes: Set<string>;
  lastReason: string;
}

/**
 * Warnings for exports a persistent queue refuses (its spool full, a failing disk, a codec that
 * throws), by period rather than one per refused export, which a full disk made of every export
 * of every signal for as long as it was full. A period begins with the first refusal (warned,
 * with its reason), warns once for each other cause that joins it and at the next refusal after
 * every `remindEveryMs`, and ends at the first export accepted `quietMs` or more after the last
 * refusal (a spool at its bound that takes one export and refuses the next is one period, not
 * one each), or at shutdown: warned with what was refused in all. Each refused record is counted when it
 * is refused (`queue_full`, in stats() and the drop metric) whatever is logged.
 */
export class RefusalWatch {
  private current: Refusals | undefined;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly remindEveryMs = REFUSAL_REMINDER_MS,
    private readonly quietMs = REFUSAL_QUIET_MS,
  ) {}

  /** An export of `records` refused; `cause` is `reason` without its figures. */
  refused(cause: string, records: number, reason: string, nowMs: number): void {
    const current = this.current;
    if (current === undefined) {
      this.current = {
        sinceMs: nowMs,
        lastRefusedMs: nowMs,
        warnedAtMs: nowMs,
        exports: 1,
        records,
        causes: new Set([cause]),
        lastReason: reason,
      };
      this.warn(
        `dropped ${records} records (queue_full): ${reason}. While refusals go on they are counted (stats, the drop metric) and warned about for a new cause, every ${minutes(this.remindEveryMs)}, and once an export is accepted ${seconds(this.quietMs)} s or more after the last refusal`,
      );
      return;
    }
    current.exports++;
    current.records += records;
    current.lastRefusedMs = nowMs;
    current.lastReason = reason;
    if (!current.causes.has(cause) && current.causes.size < MAX_CAUSES) {
      current.causes.add(cause);
      current.warnedAtMs = nowMs;
      this.warn(`dropped ${records} records (queue_full), another cause: ${reason}`);
      return;
    }
    if (nowMs - current.warnedAtMs >= this.remindEveryMs) {
      current.warnedAtMs = nowMs;
      this.warn(
        `exports still refused after ${seconds(nowMs - current.sinceMs)} s: ${describe(current)} dropped (queue_full) so far; last: ${reason}`,
      );
    }
  }

  /** An export was accepted (written, or held): the refusals end once they have stopped long enough. */
  accepted(nowMs: number): void {
    const current = this.current;
    if (current === undefined || nowMs - current.lastRefusedMs < this.quietMs) return;
    this.end(current, nowMs, 'exports accepted again');
  }

  /** Shutdown: refusals still going on are summed up. */
  close(nowMs: number): void {
    if (this.current !== undefined) this.end(this.current, nowMs, 'shutting down');
  }

  private end(current: Refusals, nowMs: number, how: string): void {
    this.current = undefined;
    this.warn(
      `${how}, ${seconds(nowMs - current.lastRefusedMs)} s after the last refusal; refusals for ${seconds(current.lastRefusedMs - current.sinceMs)} s (${[...current.causes].join('; ')}): ${describe(current)} dropped (queue_full) in all; last: ${current.lastReason}`,
    );
  }
}

function describe(refusals: Refusals): string {
  const exports = refusals.exports === 1 ? '1 export' : `${refusals.exports} exports`;
  return `${refusals.records} records of ${exports}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function minutes(ms: number): string {
  const whole = Math.round(ms / 60_000);
  return whole === 1 ? 'minute' : `${whole} minutes`;
}
