/*
 * The ingest takes counters only as deltas. The metric exporter asks the SDK for delta counters
 * and histograms, but a reader configured otherwise still hands cumulative points: they are
 * turned into deltas here from the last value seen per series. Up-down counters are written as
 * gauges of their running total, so a delta one (from a reader that forces delta) is summed up.
 */

export interface HistogramCounts {
  count: number;
  sum: number;
  /** Bucket counts (explicit histograms), or empty. */
  counts: readonly number[];
}

interface SumState {
  startMs: number;
  value: number;
}

interface HistogramState extends HistogramCounts {
  startMs: number;
}

/** Series whose last value the exporter keeps, unless told otherwise. */
export const DEFAULT_MAX_SERIES = 10_000;

/** Why a point could not be made a delta (the mapping counts it, with this, as rejected). */
export function forgottenSeries(maxSeries: number): string {
  return `more cumulative series than the exporter keeps (${maxSeries.toLocaleString('en-US')}): this series may have been forgotten, and its point is taken as its new starting value only`;
}

/**
 * The last value per series, for at most `maxSeries` series: the least recently seen is
 * forgotten first. A series not known may then be one forgotten, whose whole value was sent
 * before: once any was forgotten, an unknown series that started before that is taken as a
 * starting value only (undefined, counted by the mapping), where sending its whole value again
 * would count everything it counted since its start once more (over 10,000 series reported in
 * the same order each time, every point of every export did).
 */
export class SeriesState {
  private readonly sums = new Map<string, SumState>();
  private readonly totals = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramState>();
  /** When a series of each kind was last forgotten (ms since the epoch), if ever. */
  private readonly lastForgottenMs = new Map<Map<string, unknown>, number>();
  private warnedForgotten = false;

  constructor(
    private readonly maxSeries = DEFAULT_MAX_SERIES,
    private readonly now: () => number = Date.now,
    private readonly onFirstForgotten: () => void = () => {},
  ) {}

  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    map.delete(id);
    if (map.size >= this.maxSeries) {
      const oldest = map.keys().next();
      if (!oldest.done) {
        map.delete(oldest.value);
        if (!this.warnedForgotten) this.onFirstForgotten();
        this.warnedForgotten = true;
        this.lastForgottenMs.set(map, this.now());
      }
    }
    map.set(id, value);
  }

  /** Whether an unknown series' first point may be its whole value (see the class). */
  private newSeries(map: Map<string, unknown>, startMs: number): boolean {
    const forgottenMs = this.lastForgottenMs.get(map);
    return forgottenMs === undefined || startMs >= forgottenMs;
  }

  /**
   * A cumulative counter's increase since the last point. The first point of a series is its
   * whole value (what it counted since its start time); a new start time or a lower value is a
   * reset, after which the value again is the increase. Undefined: the series may have been
   * forgotten (see the class): this point is its starting value only.
   */
  sumDelta(id: string, startMs: number, value: number): number | undefined {
    const last = this.sums.get(id);
    // Judged before this point's own remembering forgets another.
    const whole = last !== undefined || this.newSeries(this.sums, startMs);
    this.remember(this.sums, id, { startMs, value });
    if (!last) return whole ? value : undefined;
    if (last.startMs !== startMs || value < last.value) return value;
    return value - last.value;
  }

  /** A delta up-down counter's running total; undefined once its total may have been forgotten. */
  total(id: string, delta: number): number | undefined {
    const known = this.totals.get(id);
    if (known === undefined && this.lastForgottenMs.has(this.totals)) {
      this.remember(this.totals, id, delta);
      return undefined;
    }
    const value = (known ?? 0) + delta;
    this.remember(this.totals, id, value);
    return value;
  }

  /** A cumulative histogram's increase, with the same first-point and reset rules as sums. */
  histogramDelta(
    id: string,
    startMs: number,
    current: HistogramCounts,
  ): HistogramCounts | undefined {
    const last = this.histograms.get(id);
    const whole = last !== undefined || this.newSeries(this.histograms, startMs);
    this.remember(this.histograms, id, { ...current, startMs });
    if (!whole) return undefined;
    const reset =
      !last ||
      last.startMs !== startMs ||
      current.count < last.count ||
      last.counts.length !== current.counts.length ||
      current.counts.some((c, i) => c < last.counts[i]);
    if (reset) return current;
    return {
      count: current.count - last.count,
      sum: current.sum - last.sum,
      counts: current.counts.map((c, i) => c - last.counts[i]),
    };
  }
}
