/**
 * How many requests may be in flight at once. The pipeline asks `limit` before each dispatch and
 * reports every finished request, so a limiter can adapt to what the backend says.
 */
export interface ConcurrencyLimiter {
  readonly limit: number;
  /** Called once per finished request. `inFlightAtStart` counts the request itself. */
  onResponse(sample: { rttMs: number; backpressure: boolean; inFlightAtStart: number }): void;
}

export class FixedConcurrency implements ConcurrencyLimiter {
  constructor(readonly limit: number) {}
  onResponse(): void {}
}

export interface AdaptiveConcurrencyOptions {
  /** Limit before anything is known about the backend. Default 1, as Vector does. */
  initialConcurrency?: number;
  /** Ceiling of the limit. Default: the pipeline's maxConcurrency. */
  maxConcurrency?: number;
  /** Multiplicative decrease on back-pressure or RTT growth. Default 0.9. */
  decreaseRatio?: number;
  /** Weight of the newest window in the moving RTT average. Default 0.4. */
  ewmaAlpha?: number;
  /** How many standard deviations above the past mean an RTT must be to count as growth. Default 2.5. */
  rttDeviationScale?: number;
}

/**
 * Additive-increase / multiplicative-decrease on round-trip time and back-pressure, after
 * Vector's adaptive request concurrency. Time is cut into windows of about one past RTT; at the
 * end of each window the limit
 * - drops by `decreaseRatio` if any response signalled back-pressure (429, 503, ...) or the
 *   window's mean RTT rose above the past mean by more than `rttDeviationScale` deviations;
 * - rises by one if the window actually used the whole limit and its RTT was not above the past
 *   mean (a limit never reached tells nothing about whether more would help);
 * then the window's mean RTT is folded into the past mean.
 */
export class AdaptiveConcurrency implements ConcurrencyLimiter {
  private current: number;
  private readonly max: number;
  private readonly decreaseRatio: number;
  private readonly alpha: number;
  private readonly deviationScale: number;
  private readonly now: () => number;

  private pastMeanMs: number | undefined;
  private pastVariance = 0;
  private windowStartMs: number;
  private windowRttSumMs = 0;
  private windowCount = 0;
  private windowBackpressure = false;
  private windowReachedLimit = false;

  constructor(options: AdaptiveConcurrencyOptions & { maxConcurrency: number }, now: () => number) {
    this.max = options.maxConcurrency;
    this.current = Math.min(this.max, options.initialConcurrency ?? 1);
    this.decreaseRatio = options.decreaseRatio ?? 0.9;
    this.alpha = options.ewmaAlpha ?? 0.4;
    this.deviationScale = options.rttDeviationScale ?? 2.5;
    this.now = now;
    this.windowStartMs = now();
  }

  get limit(): number {
    return this.current;
  }

  onResponse(sample: { rttMs: number; backpressure: boolean; inFlightAtStart: number }): void {
    this.windowRttSumMs += sample.rttMs;
    this.windowCount++;
    if (sample.backpressure) this.windowBackpressure = true;
    if (sample.inFlightAtStart >= this.current) this.windowReachedLimit = true;

    const nowMs = this.now();
    // A window lasts one past RTT, so each adjustment sees the effect of the previous one.
    const windowLengthMs = this.pastMeanMs ?? 0;
    if (nowMs - this.windowStartMs < windowLengthMs) return;
    this.endWindow(nowMs);
  }

  private endWindow(nowMs: number): void {
    const windowMeanMs = this.windowRttSumMs / this.windowCount;
    const past = this.pastMeanMs;
    const deviation = Math.sqrt(this.pastVariance);

    if (this.windowBackpressure) {
      this.decrease();
    } else if (past !== undefined && windowMeanMs > past + this.deviationScale * deviation) {
      this.decrease();
    } else if (this.windowReachedLimit && (past === undefined || windowMeanMs <= past)) {
      this.current = Math.min(this.max, this.current + 1);
    }

    if (past === undefined) {
      this.pastMeanMs = windowMeanMs;
    } else {
      const delta = windowMeanMs - past;
      this.pastMeanMs = past + this.alpha * delta;
      // Exponentially weighted variance, so the deviation band follows the backend's jitter.
      this.pastVariance = (1 - this.alpha) * (this.pastVariance + this.alpha * delta * delta);
    }

    this.windowStartMs = nowMs;
    this.windowRttSumMs = 0;
    this.windowCount = 0;
    this.windowBackpressure = false;
    this.windowReachedLimit = false;
  }

  private decrease(): void {
    this.current = Math.max(1, Math.floor(this.current * this.decreaseRatio));
  }
}
