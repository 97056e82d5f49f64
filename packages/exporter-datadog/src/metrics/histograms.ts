import type { ExponentialHistogramValue } from '@otelpack/batching-core';

/*
 * Histogram buckets as DogStatsD values. A DogStatsD distribution is built by the Agent from the
 * values it receives; a pre-aggregated OpenTelemetry histogram has only bucket counts, so each
 * non-empty bucket is sent as one value standing for its count (`|@<1/count>`: the Agent weighs a
 * sampled distribution value by 1/rate). The value is the bucket's midpoint, clamped to the
 * point's min and max; the open-ended first and last buckets use min and max (or their finite
 * bound). Counts are exact; percentiles are as exact as the buckets; the sum is approximate
 * (the `.sum` aggregation, when enabled, is exact).
 */

export interface WeightedValue {
  value: number;
  count: number;
}

function clamp(value: number, min: number | undefined, max: number | undefined): number {
  let v = value;
  if (min !== undefined && Number.isFinite(min) && v < min) v = min;
  if (max !== undefined && Number.isFinite(max) && v > max) v = max;
  return v;
}

/** Explicit buckets: bucket i is (bounds[i-1], bounds[i]], the first from -∞, the last to +∞. */
export function explicitBucketValues(
  boundaries: readonly number[],
  counts: readonly number[],
  min: number | undefined,
  max: number | undefined,
  sum: number | undefined,
): WeightedValue[] {
  const out: WeightedValue[] = [];
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (!(count > 0)) continue;
    const lower = i === 0 ? -Infinity : boundaries[i - 1];
    const upper = i < boundaries.length ? boundaries[i] : Infinity;
    let value: number;
    if (Number.isFinite(lower) && Number.isFinite(upper)) value = (lower + upper) / 2;
    else if (Number.isFinite(upper)) value = min !== undefined && min <= upper ? min : upper;
    else if (Number.isFinite(lower)) value = max !== undefined && max > lower ? max : lower;
    else value = sum !== undefined && count > 0 ? sum / count : 0;
    out.push({ value: clamp(value, min, max), count });
  }
  return out;
}

/**
 * Exponential buckets: index i at scale s covers (base^i, base^(i+1)] with base = 2^(2^-s)
 * (the translator's gamma); negative buckets mirror them; the zero bucket is 0.
 */
export function exponentialBucketValues(point: ExponentialHistogramValue): WeightedValue[] {
  const base = Math.pow(2, Math.pow(2, -point.scale));
  const out: WeightedValue[] = [];
  const side = (offset: number, counts: readonly number[], sign: 1 | -1) => {
    counts.forEach((count, i) => {
      if (!(count > 0)) return;
      const lower = Math.pow(base, offset + i);
      const upper = Math.pow(base, offset + i + 1);
      out.push({ value: clamp(sign * ((lower + upper) / 2), point.min, point.max), count });
    });
  };
  side(point.negative.offset, point.negative.bucketCounts, -1);
  if (point.zeroCount > 0)
    out.push({ value: clamp(0, point.min, point.max), count: point.zeroCount });
  side(point.positive.offset, point.positive.bucketCounts, 1);
  return out;
}

/**
 * The sample rate that makes the Agent count `count` values: 1/count, nudged down by an ulp where
 * the division rounds so that 1/rate would fall short of `count`.
 */
export function rateForCount(count: number): number | undefined {
  if (count <= 1) return undefined;
  let rate = 1 / count;
  while (1 / rate < count) rate = nextDown(rate);
  return rate;
}

function nextDown(x: number): number {
  const buffer = new DataView(new ArrayBuffer(8));
  buffer.setFloat64(0, x);
  buffer.setBigUint64(0, buffer.getBigUint64(0) - 1n);
  return buffer.getFloat64(0);
}

/**
 * A bucket bound or quantile as the translator's tags write it (its `formatFloat`): `inf`, `-inf`,
 * `nan`, `0`; otherwise Go's shortest `%g` (exponent form below 1e-4 and from 1e6), with `.0` after
 * a whole number.
 */
export function formatBound(bound: number): string {
  if (bound === Infinity) return 'inf';
  if (bound === -Infinity) return '-inf';
  if (Number.isNaN(bound)) return 'nan';
  if (bound === 0) return '0';
  const [mantissa, exponentText] = bound.toExponential().split('e');
  const exponent = Number(exponentText);
  const text =
    exponent < -4 || exponent >= 6
      ? `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`
      : String(bound);
  return Number.isInteger(bound) ? `${text}.0` : text;
}
