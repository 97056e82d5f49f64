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

/**
 * The last value per series, for at most `maxSeries` series: the least recently seen is
 * forgotten first (its next point then counts from its start time, as a first one does).
 */
export class SeriesState {
  private readonly sums = new Map<string, SumState>();
  private readonly totals = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramState>();

  constructor(private readonly maxSeries = 10_000) {}

  private remember<V>(map: Map<string, V>, id: string, value: V): void {
    map.delete(id);
    if (map.size >= this.maxSeries) {
      const oldest = map.keys().next();
      if (!oldest.done) map.delete(oldest.value);
    }
    map.set(id, value);
  }

  /**
   * A cumulative counter's increase since the last point. The first point of a series is its
   * whole value (what it counted since its start time); a new start time or a lower value is a
   * reset, after which the value again is the increase.
   */
  sumDelta(id: string, startMs: number, value: number): number {
    const last = this.sums.get(id);
    this.remember(this.sums, id, { startMs, value });
    if (!last || last.startMs !== startMs || value < last.value) return value;
    return value - last.value;
  }

  /** A delta up-down counter's running total. */
  total(id: string, delta: number): number {
    const value = (this.totals.get(id) ?? 0) + delta;
    this.remember(this.totals, id, value);
    return value;
  }

  /** A cumulative histogram's increase, with the same first-point and reset rules as sums. */
  histogramDelta(id: string, startMs: number, current: HistogramCounts): HistogramCounts {
    const last = this.histograms.get(id);
    this.remember(this.histograms, id, { ...current, startMs });
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
