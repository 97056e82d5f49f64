import type { HrTime } from '@opentelemetry/api';
import type { InitialCumulativeValue } from '../options';

/*
 * Cumulative monotonic points → deltas, as the Datadog translator does (opentelemetry-mapping-go
 * pkg/otlp/metrics, `sums.cumulative_monotonic_mode: to_delta` and its TTL cache). The exporter asks
 * the SDK for delta temporality, so this runs only when a reader forces cumulative:
 *
 * - a point no newer than the previous point of its series is dropped (counted);
 * - the series starts again (a reset) when its start time changes, or a value goes down;
 * - the first point of a series, and the first after a reset, has no previous value: it is the
 *   baseline, sent as a value only by the `initialCumulativeValue` policy: `keep` always, `drop`
 *   never, `auto` when the series started after this process did (so its whole value is new);
 * - at most `maxSeries` series are remembered; one idle for `idleMs` is forgotten.
 */

export type CumulativeOutcome =
  { kind: 'delta'; values: number[] } | { kind: 'baseline' } | { kind: 'stale' } | { kind: 'full' };

interface SeriesState {
  startNs: bigint;
  timeNs: bigint;
  values: number[];
  touchedMs: number;
}

export interface CumulativeOptions {
  maxSeries: number;
  idleMs: number;
  initialValue: InitialCumulativeValue;
  /** When this process started, in ns since the epoch (`auto` compares series starts with it). */
  processStartNs?: bigint;
  now?: () => number;
}

export function hrTimeNs(time: HrTime): bigint {
  return BigInt(time[0]) * 1_000_000_000n + BigInt(time[1]);
}

export class CumulativeToDelta {
  private readonly series = new Map<string, SeriesState>();
  private readonly now: () => number;
  private readonly processStartNs: bigint;
  private lastSweepMs = 0;

  constructor(private readonly options: CumulativeOptions) {
    this.now = options.now ?? Date.now;
    this.processStartNs =
      options.processStartNs ?? BigInt(Math.floor(performance.timeOrigin)) * 1_000_000n;
  }

  get size(): number {
    return this.series.size;
  }

  /**
   * The deltas of one point's values (a sum: one value; a histogram: count, sum, then each
   * bucket), against the series' previous point.
   */
  delta(key: string, start: HrTime, time: HrTime, values: readonly number[]): CumulativeOutcome {
    const nowMs = this.now();
    this.sweep(nowMs);
    const startNs = hrTimeNs(start);
    const timeNs = hrTimeNs(time);
    const previous = this.series.get(key);
    if (!previous && this.series.size >= this.options.maxSeries) return { kind: 'full' };
    const remember = () =>
      this.series.set(key, { startNs, timeNs, values: [...values], touchedMs: nowMs });
    if (previous && timeNs <= previous.timeNs) return { kind: 'stale' };
    const sameSeries =
      previous !== undefined &&
      (startNs === 0n || (startNs !== timeNs && startNs === previous.startNs)) &&
      previous.values.length === values.length;
    if (sameSeries) {
      const deltas = values.map((value, i) => value - previous.values[i]);
      remember();
      if (deltas.some((d) => d < 0)) return this.initial(startNs, timeNs, values);
      return { kind: 'delta', values: deltas };
    }
    remember();
    return this.initial(startNs, timeNs, values);
  }

  private initial(startNs: bigint, timeNs: bigint, values: readonly number[]): CumulativeOutcome {
    const policy = this.options.initialValue;
    const send =
      policy === 'keep' ||
      (policy === 'auto' && startNs > this.processStartNs && startNs !== timeNs);
    return send ? { kind: 'delta', values: [...values] } : { kind: 'baseline' };
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < this.options.idleMs / 2) return;
    this.lastSweepMs = nowMs;
    for (const [key, state] of this.series) {
      if (nowMs - state.touchedMs > this.options.idleMs) this.series.delete(key);
    }
  }
}
