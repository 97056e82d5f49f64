import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, boundedValue } from '@otelpack/batching-core';
import type {
  DataPointLike,
  HistogramValue,
  MetricDataLike,
  ResourceMetricsLike,
  ScopeMetricsLike,
} from '@otelpack/batching-core';
import type { DroppedPoints, PointDropReason } from './mapping';

/*
 * Remote write carries cumulative counters only. The exporter asks the SDK for cumulative
 * temporality, so delta points arrive only when a reader was set up to force them; then this
 * turns them back into cumulative, as the specification asks:
 *
 * - delta monotonic sums: added up per series; the cumulative point starts at the first delta's
 *   start time;
 * - delta explicit-bucket histograms: bucket counts, count and sum added up; a change of bucket
 *   boundaries starts the series again from that point;
 * - delta non-monotonic sums and delta exponential histograms: dropped (the specification's
 *   "MUST be dropped"), counted;
 * - a delta point that starts before the previous point of its series ended (out of order, or
 *   a second writer): dropped, counted;
 * - at most `maxSeries` series are tracked; a series not updated for `idleMs` is forgotten (its
 *   next point starts it again); a new series beyond the limit is dropped, counted.
 *
 * This is the one stateful step before the (pure) mapping.
 */

export interface DeltaToCumulativeOptions {
  maxSeries: number;
  idleMs: number;
  /** Test seam: wall clock in ms. */
  now?: () => number;
}

interface SumState {
  kind: 'sum';
  start: HrTime;
  lastEnd: HrTime;
  value: number;
  touchedMs: number;
}

interface HistogramState {
  kind: 'histogram';
  start: HrTime;
  lastEnd: HrTime;
  boundaries: number[];
  counts: number[];
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  touchedMs: number;
}

type State = SumState | HistogramState;

export interface DeltaConversion {
  resourceMetrics: ResourceMetricsLike;
  dropped: Partial<Record<PointDropReason, number>>;
  /** The same drops by metric, for the ledger's unmapped items. */
  droppedByMetric: DroppedPoints[];
}

function compareHrTime(a: HrTime, b: HrTime): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] - b[1];
}

function attributesKey(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort();
  let key = '';
  for (const k of keys)
    key += `${JSON.stringify(k)}:${JSON.stringify(boundedValue(attributes[k] ?? null))},`;
  return key;
}

function sameBoundaries(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class DeltaToCumulative {
  private readonly states = new Map<string, State>();
  private readonly maxSeries: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  private lastSweepMs = 0;

  constructor(options: DeltaToCumulativeOptions) {
    this.maxSeries = options.maxSeries;
    this.idleMs = options.idleMs;
    this.now = options.now ?? Date.now;
  }

  /** Series currently tracked. */
  get size(): number {
    return this.states.size;
  }

  /** Returns the input itself when it holds no delta points (the usual case: no copy). */
  convert(resourceMetrics: ResourceMetricsLike): DeltaConversion {
    const dropped: Partial<Record<PointDropReason, number>> = {};
    const droppedByMetric: DroppedPoints[] = [];
    const hasDelta = resourceMetrics.scopeMetrics?.some((sm) =>
      sm.metrics?.some(
        (m) =>
          m.aggregationTemporality === AggregationTemporality.DELTA &&
          m.dataPointType !== DataPointType.GAUGE,
      ),
    );
    if (!hasDelta) return { resourceMetrics, dropped, droppedByMetric };

    const nowMs = this.now();
    this.sweep(nowMs);
    const resourceKey = attributesKey(resourceMetrics.resource?.attributes ?? {});
    const scopeMetrics: ScopeMetricsLike[] = [];
    for (const sm of resourceMetrics.scopeMetrics) {
      const scopeKey = `${resourceKey}\u0000${sm.scope?.name ?? ''}\u0000${sm.scope?.version ?? ''}`;
      const metrics: MetricDataLike[] = [];
      for (const metric of sm.metrics) {
        if (
          metric.aggregationTemporality !== AggregationTemporality.DELTA ||
          metric.dataPointType === DataPointType.GAUGE
        ) {
          metrics.push(metric);
          continue;
        }
        const converted = this.metric(metric, scopeKey, nowMs, dropped, droppedByMetric);
        if (converted) metrics.push(converted);
      }
      scopeMetrics.push({ scope: sm.scope, metrics });
    }
    return {
      resourceMetrics: { resource: resourceMetrics.resource, scopeMetrics },
      dropped,
      droppedByMetric,
    };
  }

  private metric(
    metric: MetricDataLike,
    scopeKey: string,
    nowMs: number,
    dropped: Partial<Record<PointDropReason, number>>,
    droppedByMetric: DroppedPoints[],
  ): MetricDataLike | undefined {
    const drop = (reason: PointDropReason, n = 1): void => {
      dropped[reason] = (dropped[reason] ?? 0) + n;
      droppedByMetric.push({ metric: String(metric.descriptor?.name ?? ''), reason, count: n });
    };
    const metricKey = `${scopeKey}\u0000${metric.descriptor.name}\u0000${metric.dataPointType}`;
    if (metric.dataPointType === DataPointType.SUM) {
      if (!metric.isMonotonic) {
        drop('delta_non_monotonic_sum', metric.dataPoints.length);
        return undefined;
      }
      const points: DataPointLike<number>[] = [];
      for (const point of metric.dataPoints) {
        const key = `${metricKey}\u0000${attributesKey(point.attributes ?? {})}`;
        const state = this.stateFor(key, point, nowMs, drop, () => ({
          kind: 'sum',
          start: point.startTime,
          lastEnd: point.startTime,
          value: 0,
          touchedMs: nowMs,
        }));
        if (!state || state.kind !== 'sum') continue;
        state.value += Number(point.value);
        state.lastEnd = point.endTime;
        points.push({ ...point, startTime: state.start, value: state.value });
      }
      return {
        ...metric,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: points,
      };
    }
    if (metric.dataPointType === DataPointType.HISTOGRAM) {
      const points: DataPointLike<HistogramValue>[] = [];
      for (const point of metric.dataPoints) {
        const key = `${metricKey}\u0000${attributesKey(point.attributes ?? {})}`;
        const boundaries = point.value.buckets?.boundaries ?? [];
        const fresh = (): HistogramState => ({
          kind: 'histogram',
          start: point.startTime,
          lastEnd: point.startTime,
          boundaries: [...boundaries],
          counts: new Array<number>(boundaries.length + 1).fill(0),
          count: 0,
          sum: 0,
          min: undefined,
          max: undefined,
          touchedMs: nowMs,
        });
        let state = this.stateFor(key, point, nowMs, drop, fresh);
        if (!state || state.kind !== 'histogram') continue;
        if (!sameBoundaries(state.boundaries, boundaries)) {
          state = fresh();
          this.states.set(key, state);
        }
        const v = point.value;
        for (let i = 0; i < state.counts.length; i++)
          state.counts[i] += v.buckets?.counts?.[i] ?? 0;
        state.count += v.count;
        state.sum =
          state.sum !== undefined && typeof v.sum === 'number' ? state.sum + v.sum : undefined;
        if (typeof v.min === 'number')
          state.min = state.min === undefined ? v.min : Math.min(state.min, v.min);
        if (typeof v.max === 'number')
          state.max = state.max === undefined ? v.max : Math.max(state.max, v.max);
        state.lastEnd = point.endTime;
        points.push({
          ...point,
          startTime: state.start,
          value: {
            buckets: { boundaries: [...state.boundaries], counts: [...state.counts] },
            count: state.count,
            ...(state.sum !== undefined ? { sum: state.sum } : {}),
            ...(state.min !== undefined ? { min: state.min } : {}),
            ...(state.max !== undefined ? { max: state.max } : {}),
          },
        });
      }
      return {
        ...metric,
        aggregationTemporality: AggregationTemporality.CUMULATIVE,
        dataPoints: points,
      };
    }
    if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
      drop('delta_exponential_histogram', metric.dataPoints.length);
      return undefined;
    }
    return metric; // unknown types: the mapping counts them
  }

  private stateFor<S extends State>(
    key: string,
    point: DataPointLike<unknown>,
    nowMs: number,
    drop: (reason: PointDropReason) => void,
    create: () => S,
  ): State | undefined {
    let state = this.states.get(key);
    if (state) {
      if (compareHrTime(point.startTime, state.lastEnd) < 0) {
        drop('delta_out_of_order');
        return undefined;
      }
      // Re-insert: the Map's order is then least recently updated first.
      this.states.delete(key);
      this.states.set(key, state);
      state.touchedMs = nowMs;
      return state;
    }
    if (this.states.size >= this.maxSeries) {
      this.sweep(nowMs, true);
      if (this.states.size >= this.maxSeries) {
        drop('delta_series_limit');
        return undefined;
      }
    }
    state = create();
    this.states.set(key, state);
    return state;
  }

  /** Forgets series idle for longer than idleMs; at most once a minute unless forced. */
  private sweep(nowMs: number, force = false): void {
    if (!force && nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    for (const [key, state] of this.states) {
      if (nowMs - state.touchedMs <= this.idleMs) break; // least recently updated first
      this.states.delete(key);
    }
  }
}
