import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  InstrumentationScopeLike,
  MetricDataLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { SUMMARY_DATA_POINT_TYPE } from '../../src';
import type { TimeSeries } from '../../src';

/** Fixed times: start 1,700,000,000.000 s, end 1,700,000,010.250 s (→ 1700000010250 ms). */
export const START: HrTime = [1_700_000_000, 0];
export const END: HrTime = [1_700_000_010, 250_999_999];
export const END_MS = 1_700_000_010_250;

export const RESOURCE = {
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.instance.id': 'pod-7',
  'host.name': 'node-1',
  'telemetry.sdk.language': 'nodejs',
};

export function resourceMetrics(
  metrics: MetricDataLike[],
  options: { resource?: Attributes; scope?: InstrumentationScopeLike } = {},
): ResourceMetricsLike {
  return {
    resource: { attributes: options.resource ?? RESOURCE },
    scopeMetrics: [{ scope: options.scope ?? { name: 'shop-lib', version: '2.1.0' }, metrics }],
  };
}

export function descriptor(name: string, unit = '', type = 'COUNTER') {
  return { name, unit, description: '', valueType: 1, type } as never;
}

export function sum(
  name: string,
  points: [Attributes, number][],
  options: { unit?: string; monotonic?: boolean; temporality?: 0 | 1; end?: HrTime } = {},
): MetricDataLike {
  return {
    descriptor: descriptor(name, options.unit),
    aggregationTemporality: options.temporality ?? AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: options.monotonic ?? true,
    dataPoints: points.map(([attributes, value]) => ({
      attributes,
      value,
      startTime: START,
      endTime: options.end ?? END,
    })),
  };
}

export function gauge(name: string, points: [Attributes, number][], unit = ''): MetricDataLike {
  return {
    descriptor: descriptor(name, unit, 'GAUGE'),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points.map(([attributes, value]) => ({
      attributes,
      value,
      startTime: START,
      endTime: END,
    })),
  };
}

export function histogram(
  name: string,
  attributes: Attributes,
  value: { boundaries: number[]; counts: number[]; sum?: number; count: number },
  unit = '',
): MetricDataLike {
  return {
    descriptor: descriptor(name, unit, 'HISTOGRAM'),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: [
      {
        attributes,
        startTime: START,
        endTime: END,
        value: {
          buckets: { boundaries: value.boundaries, counts: value.counts },
          count: value.count,
          ...(value.sum !== undefined ? { sum: value.sum } : {}),
        },
      },
    ],
  };
}

export function summary(
  name: string,
  value: { count: number; sum: number; quantiles: [number, number][] },
  unit = '',
): MetricDataLike {
  return {
    descriptor: descriptor(name, unit, 'SUMMARY'),
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: SUMMARY_DATA_POINT_TYPE,
    dataPoints: [
      {
        attributes: {},
        startTime: START,
        endTime: END,
        value: {
          count: value.count,
          sum: value.sum,
          quantileValues: value.quantiles.map(([quantile, v]) => ({ quantile, value: v })),
        },
      },
    ],
  } as unknown as MetricDataLike;
}

/** `name{a="1",b="2"} value` lines, for compact comparisons. */
export function lines(series: readonly TimeSeries[]): string[] {
  return series.map((s) => {
    const name = s.labels.find((l) => l.name === '__name__')?.value ?? '';
    const rest = s.labels
      .filter((l) => l.name !== '__name__')
      .map((l) => `${l.name}="${l.value}"`)
      .join(',');
    return `${name}{${rest}} ${s.samples.map((x) => `${x.value}@${x.timestampMs}`).join(' ')}`;
  });
}

/** Every series: labels sorted by name, unique, no empty values, valid names; samples in time order. */
export function assertWellFormed(series: readonly TimeSeries[]): void {
  for (const s of series) {
    for (let i = 0; i < s.labels.length; i++) {
      const label = s.labels[i];
      if (label.value === '') throw new Error(`empty label value: ${label.name}`);
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(label.name))
        throw new Error(`bad label name ${label.name}`);
      if (i > 0 && !(s.labels[i - 1].name < label.name)) {
        throw new Error(`labels not sorted and unique: ${s.labels.map((l) => l.name).join(',')}`);
      }
    }
    const name = s.labels.find((l) => l.name === '__name__');
    if (!name || !/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name.value))
      throw new Error('bad or missing __name__');
    for (let i = 1; i < s.samples.length; i++) {
      if (s.samples[i].timestampMs < s.samples[i - 1].timestampMs)
        throw new Error('samples out of order');
    }
  }
}
