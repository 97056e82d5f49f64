/** How often a refusal that goes on is warned about again. */
export const REFUSAL_REMINDER_MS = 5 * 60_000;

interface Refusing {
  cause: string;
  sinceMs: number;
  warnedAtMs: number;
  exports: number;
  records: number;
  lastReason: string;
}

/**
 * Warnings for exports a persistent queue refuses (its spool full, a failing disk, a codec that
 * throws): one when a cause begins, a reminder every `remindEveryMs` while it lasts, and one when
 * exports are written again, rather than one per refused export, which a full disk made of every
 * export of every signal for as long as it was full. Each refused record is counted as it is
 * refused (`queue_full`, in stats() and the drop metric) whatever is logged.
 */
export class RefusalWatch {
  private refusing: Refusing | undefined;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly remindEveryMs = REFUSAL_REMINDER_MS,
  ) {}

  /** An export of `records` refused; `cause` is `reason` without its figures. */
  refused(cause: string, records: number, reason: string, nowMs: number): void {
    const refusing = this.refusing;
    if (refusing?.cause === cause) {
      refusing.exports++;
      refusing.records += records;
      refusing.lastReason = reason;
      if (nowMs - refusing.warnedAtMs >= this.remindEveryMs) {
        refusing.warnedAtMs = nowMs;
        this.warn(
          `exports still refused (${cause}) after ${seconds(nowMs - refusing.sinceMs)} s: ${describe(refusing)} dropped (queue_full) since it began; last: ${reason}`,
        );
      }
      return;
    }
    if (refusing) this.end(refusing, nowMs, `refused for another cause now (${cause})`);
    this.refusing = {
      cause,
      sinceMs: nowMs,
      warnedAtMs: nowMs,
      exports: 1,
      records,
      lastReason: reason,
    };
    this.warn(
      `dropped ${records} records (queue_full): ${reason}. While this lasts, refused exports are counted (stats, the drop metric) and warned about every ${Math.round(this.remindEveryMs / 60_000)} min, not one by one`,
    );
  }

  /** An export was written: a refusal that was going on has ended. */
  written(nowMs: number): void {
    const refusing = this.refusing;
    if (!refusing) return;
    this.refusing = undefined;
    this.end(refusing, nowMs, 'exports are written again');
  }

  private end(refusing: Refusing, nowMs: number, how: string): void {
    this.warn(
      `${how} after ${seconds(nowMs - refusing.sinceMs)} s of refusals (${refusing.cause}): ${describe(refusing)} dropped (queue_full) in all; last: ${refusing.lastReason}`,
    );
  }
}

function describe(refusing: Refusing): string {
  const exports = refusing.exports === 1 ? '1 export' : `${refusing.exports} exports`;
  return `${refusing.records} records of ${exports}`;
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}
