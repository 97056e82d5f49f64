/**
 * Lets go of memory kept for reuse once it has gone unused for a while, so that what stays
 * allocated follows the load of the moment, not the largest burst ever seen (BodyBuffers'
 * request bodies, exporter-clickhouse's row slabs).
 *
 * One timer for a quiet spell, not one per use: when it fires it finds whether anything was
 * taken since it was set; if so, and memory is still kept, it is set again. Unref'd: it never
 * keeps a process alive.
 */
/** Kept memory is let go after between one and two of these without a use, unless told otherwise. */
const DEFAULT_PERIOD_MS = 30_000;

export class IdleRelease {
  private timer: NodeJS.Timeout | undefined;
  private usedSinceSet = false;

  /**
   * `letGo` drops what is kept; `keeping` says whether anything is. Kept memory is let go after
   * between one and two `periodMs` (30 s) without a use.
   */
  constructor(
    private readonly letGo: () => void,
    private readonly keeping: () => boolean,
    private readonly periodMs = DEFAULT_PERIOD_MS,
  ) {}

  /** Kept memory was taken for use: this spell is not quiet. */
  used(): void {
    this.usedSinceSet = true;
  }

  /** Memory was put back to keep: the timer runs, if it did not already. */
  kept(): void {
    if (this.timer === undefined) this.set();
  }

  /** No timer any more (the owner is closed). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private set(): void {
    this.usedSinceSet = false;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.usedSinceSet) this.letGo();
      else if (this.keeping()) this.set();
    }, this.periodMs);
    this.timer.unref();
  }
}
