import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  ExponentialHistogramValue,
  HistogramValue,
  MetricDataLike,
} from '@otelpack/batching-core';
import type { JsonObject, JsonValue } from './json-value';
import { emptyObject } from './json-value';

/** The API's ValueType: INT 0, DOUBLE 1. */
const VALUE_TYPE_INT = 0;

/** One data point's value in document form, or why it has none. */
export type PointValue = { ok: true; value: JsonValue } | { ok: false; problem: string };

/**
 * The dynamic template (in Elasticsearch's OTel metrics templates) that maps a metric the way
 * the Collector's `otel` mode asks for it in the bulk action.
 */
export function dynamicTemplateFor(metric: MetricDataLike): string {
  const long = metric.descriptor.valueType === VALUE_TYPE_INT;
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      if (
        metric.isMonotonic &&
        metric.aggregationTemporality === AggregationTemporality.CUMULATIVE
      ) {
        return long ? 'counter_long' : 'counter_double';
      }
      return long ? 'gauge_long' : 'gauge_double';
    case DataPointType.GAUGE:
      return long ? 'gauge_long' : 'gauge_double';
    default:
      return 'histogram';
  }
}

export function numberValue(value: unknown): PointValue {
  if (typeof value !== 'number')
    return { ok: false, problem: `value is ${typeof value}, not a number` };
  // Elasticsearch stores no NaN or ±Infinity; null keeps the metric's key in the document.
  return { ok: true, value: Number.isFinite(value) ? value : null };
}

function histogram(counts: number[], values: number[]): JsonObject {
  const out = emptyObject();
  out.counts = counts;
  out.values = values;
  return out;
}

function validCount(count: unknown): count is number {
  return typeof count === 'number' && Number.isInteger(count) && count >= 0;
}

/**
 * An explicit-bucket histogram as Elasticsearch's `histogram` field takes it: one centroid per
 * non-empty bucket (the midpoint, the bound itself for the open-ended buckets), in increasing
 * order, as the Collector writes it.
 */
export function histogramValue(value: HistogramValue | undefined): PointValue {
  const bounds = value?.buckets?.boundaries;
  const bucketCounts = value?.buckets?.counts;
  if (!Array.isArray(bounds) || !Array.isArray(bucketCounts)) {
    return { ok: false, problem: 'histogram without buckets' };
  }
  if (bucketCounts.length === 0 || bounds.length === 0) {
    // No bounds: one bucket at the mean, which is what the count and sum say.
    const count = value?.count;
    if (!validCount(count)) return { ok: false, problem: `histogram count ${String(count)}` };
    if (count === 0) return { ok: true, value: histogram([], []) };
    const sum = typeof value?.sum === 'number' && Number.isFinite(value.sum) ? value.sum : 0;
    return { ok: true, value: histogram([count], [sum / count]) };
  }
  if (bucketCounts.length !== bounds.length + 1) {
    return {
      ok: false,
      problem: `histogram has ${bucketCounts.length} bucket counts for ${bounds.length} boundaries`,
    };
  }
  for (let i = 0; i < bounds.length; i++) {
    if (!Number.isFinite(bounds[i]) || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return { ok: false, problem: 'histogram boundaries are not finite and increasing' };
    }
  }
  const counts: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < bucketCounts.length; i++) {
    const count = bucketCounts[i];
    if (!validCount(count))
      return { ok: false, problem: `histogram bucket count ${String(count)}` };
    if (count === 0) continue;
    let centroid: number;
    if (i === 0) centroid = bounds[0] > 0 ? bounds[0] / 2 : bounds[0];
    else if (i === bounds.length) centroid = bounds[i - 1];
    else centroid = bounds[i - 1] + (bounds[i] - bounds[i - 1]) / 2;
    counts.push(count);
    values.push(centroid);
  }
  return { ok: true, value: histogram(counts, values) };
}

/** Lower boundary of bucket `index` at `scale`: 2^(index × 2^-scale), kept finite. */
function lowerBoundary(index: number, scale: number): number {
  const bound = Math.pow(2, index * Math.pow(2, -scale));
  return Number.isFinite(bound) ? bound : Number.MAX_VALUE;
}

/**
 * An exponential histogram as centroids: negative buckets (most negative first), the zero
 * bucket, then positive buckets, each at its bucket's midpoint.
 */
export function exponentialHistogramValue(
  value: ExponentialHistogramValue | undefined,
): PointValue {
  if (!value || !Number.isInteger(value.scale)) {
    return { ok: false, problem: 'exponential histogram without a scale' };
  }
  const counts: number[] = [];
  const values: number[] = [];
  const negative = value.negative?.bucketCounts ?? [];
  const negativeOffset = value.negative?.offset ?? 0;
  for (let i = negative.length - 1; i >= 0; i--) {
    const count = negative[i];
    if (!validCount(count)) return { ok: false, problem: `bucket count ${String(count)}` };
    if (count === 0) continue;
    const low = -lowerBoundary(negativeOffset + i + 1, value.scale);
    const high = -lowerBoundary(negativeOffset + i, value.scale);
    counts.push(count);
    values.push(low + (high - low) / 2);
  }
  const zeroCount = value.zeroCount ?? 0;
  if (!validCount(zeroCount)) return { ok: false, problem: `zero count ${String(zeroCount)}` };
  if (zeroCount > 0) {
    counts.push(zeroCount);
    values.push(0);
  }
  const positive = value.positive?.bucketCounts ?? [];
  const positiveOffset = value.positive?.offset ?? 0;
  for (let i = 0; i < positive.length; i++) {
    const count = positive[i];
    if (!validCount(count)) return { ok: false, problem: `bucket count ${String(count)}` };
    if (count === 0) continue;
    const low = lowerBoundary(positiveOffset + i, value.scale);
    const high = lowerBoundary(positiveOffset + i + 1, value.scale);
    counts.push(count);
    values.push(low + (high - low) / 2);
  }
  return { ok: true, value: histogram(counts, values) };
}

export function pointValue(metric: MetricDataLike, value: unknown): PointValue {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      return numberValue(value);
    case DataPointType.HISTOGRAM:
      return histogramValue(value as HistogramValue);
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return exponentialHistogramValue(value as ExponentialHistogramValue);
    default:
      return {
        ok: false,
        problem: `unknown data point type ${String((metric as { dataPointType: unknown }).dataPointType)}`,
      };
  }
}

/*
 * The Collector's mapping hints (`elasticsearch.mapping.hints`, a list of strings on a data
 * point): `aggregate_metric_double` writes a histogram as `{sum, value_count}` for the `summary`
 * template, `_doc_count` makes the document count as the histogram's count in aggregations.
 */
const HINT_AGGREGATE = 'aggregate_metric_double';
const HINT_DOC_COUNT = '_doc_count';

function hintsOf(attribute: unknown): readonly unknown[] {
  if (Array.isArray(attribute)) return attribute;
  return typeof attribute === 'string' ? [attribute] : [];
}

export interface HintedPoint {
  /** The value the hints make, or undefined for the usual one. */
  value: PointValue | undefined;
  dynamicTemplate: string;
  docCount: number | undefined;
}

export function applyMappingHints(
  metric: MetricDataLike,
  value: unknown,
  hintAttribute: unknown,
  dynamicTemplate: string,
): HintedPoint {
  const hints = hintsOf(hintAttribute);
  const histogram =
    metric.dataPointType === DataPointType.HISTOGRAM ||
    metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM;
  if (hints.length === 0 || !histogram)
    return { value: undefined, dynamicTemplate, docCount: undefined };
  const point = value as { count?: unknown; sum?: unknown } | undefined;
  const count = typeof point?.count === 'number' ? point.count : undefined;
  const docCount = hints.includes(HINT_DOC_COUNT) ? count : undefined;
  if (!hints.includes(HINT_AGGREGATE)) return { value: undefined, dynamicTemplate, docCount };
  const summary = emptyObject();
  summary.sum = typeof point?.sum === 'number' && Number.isFinite(point.sum) ? point.sum : 0;
  summary.value_count = count ?? 0;
  return { value: { ok: true, value: summary }, dynamicTemplate: 'summary', docCount };
}
