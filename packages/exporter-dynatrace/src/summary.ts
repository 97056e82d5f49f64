import type { ExponentialHistogramValue, HistogramValue } from '@otelpack/batching-core';
import { summaryPayload } from './lines';
import type { HistogramCounts } from './temporality';

/*
 * Histograms become the ingest's summary, `gauge,min=,max=,sum=,count=`. The ingest refuses a
 * summary whose average lies outside [min, max], which float sums and estimated bounds can cause:
 * min and max are widened to the average, never the other way round (sum and count are facts).
 */

/**
 * Bounds estimated from the buckets where the SDK gave none (or they do not describe a delta
 * made from cumulative points): the lowest non-empty bucket's lower bound, or its upper bound
 * for the first bucket (which has no lower one); the highest non-empty bucket's upper bound, or
 * its lower bound for the last — the rule of Dynatrace's archived JavaScript exporter.
 */
export function estimateBounds(
  boundaries: readonly number[],
  counts: readonly number[],
): { min: number; max: number } | undefined {
  let first = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      if (first === -1) first = i;
      last = i;
    }
  }
  if (first === -1 || boundaries.length === 0) return undefined;
  const min = first === 0 ? boundaries[0] : boundaries[first - 1];
  const max = last >= boundaries.length ? boundaries[boundaries.length - 1] : boundaries[last];
  return { min, max };
}

/** The summary payload of counts, with min/max when known, clamped around the average. */
export function summaryOf(
  counts: HistogramCounts,
  bounds: { min?: number; max?: number } | undefined,
): string {
  const { count, sum } = counts;
  if (count === 0) return summaryPayload(0, 0, 0, 0);
  const average = sum / count;
  const min = Math.min(bounds?.min ?? average, average);
  const max = Math.max(bounds?.max ?? average, average);
  return summaryPayload(min, max, sum, count);
}

export function histogramSum(value: HistogramValue | ExponentialHistogramValue): number {
  if (value.sum === undefined) {
    // The SDK leaves sum out for instruments that record negative values.
    throw new Error('the histogram point has no sum, which a Dynatrace summary needs');
  }
  return value.sum;
}
