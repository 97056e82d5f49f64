import type { Attributes } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type { MetricDataLike, ResourceMetricsLike } from '@otelpack/batching-core';

export const T0 = 1_764_000_000; // seconds; 2025-11-24
export const END_MS = (T0 + 10) * 1000;

export function point<T>(value: T, attributes: Attributes = {}, startS = T0) {
  return {
    startTime: [startS, 0] as [number, number],
    endTime: [T0 + 10, 0] as [number, number],
    attributes,
    value,
  };
}

export function descriptor(name: string, description = '', unit = '') {
  return { name, description, unit, valueType: 1 };
}

export function resourceMetrics(
  metrics: MetricDataLike[],
  resource: Attributes = { 'service.name': 'checkout' },
): ResourceMetricsLike {
  return {
    resource: { attributes: resource },
    scopeMetrics: [{ scope: { name: 'test' }, metrics }],
  };
}

export function sum(
  name: string,
  points: ReturnType<typeof point<number>>[],
  options: { monotonic?: boolean; cumulative?: boolean; description?: string; unit?: string } = {},
): MetricDataLike {
  return {
    descriptor: descriptor(name, options.description, options.unit),
    aggregationTemporality: options.cumulative
      ? AggregationTemporality.CUMULATIVE
      : AggregationTemporality.DELTA,
    dataPointType: DataPointType.SUM,
    isMonotonic: options.monotonic ?? true,
    dataPoints: points,
  };
}

export function gauge(name: string, points: ReturnType<typeof point<number>>[]): MetricDataLike {
  return {
    descriptor: descriptor(name),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points,
  };
}

export interface HistogramPointValue {
  boundaries: number[];
  counts: number[];
  sum?: number;
  min?: number;
  max?: number;
}

export function histogram(
  name: string,
  values: (HistogramPointValue & { attributes?: Attributes; startS?: number })[],
  cumulative = false,
): MetricDataLike {
  return {
    descriptor: descriptor(name, 'request duration', 'ms'),
    aggregationTemporality: cumulative
      ? AggregationTemporality.CUMULATIVE
      : AggregationTemporality.DELTA,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: values.map((v) =>
      point(
        {
          buckets: { boundaries: v.boundaries, counts: v.counts },
          count: v.counts.reduce((a, b) => a + b, 0),
          sum: v.sum,
          min: v.min,
          max: v.max,
        },
        v.attributes ?? {},
        v.startS ?? T0,
      ),
    ),
  };
}
