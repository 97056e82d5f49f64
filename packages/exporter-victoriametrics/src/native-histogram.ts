import type { ExponentialHistogramValue } from '@otelpack/batching-core';
import type { BucketSpan, NativeHistogram } from './types';

/*
 * OpenTelemetry exponential histograms → Prometheus native histograms, by the rules of
 * Prometheus' OTLP receiver (storage/remote/otlptranslator/prometheusremotewrite/histograms.go):
 * the scale becomes the schema (a scale above 8 is reduced to 8 by merging 2^(scale-8) buckets
 * into one, a scale below -4 cannot be represented), OpenTelemetry's bucket i, (base^i,
 * base^(i+1)], is Prometheus' bucket i+1, and the zero threshold is the receiver's 1e-128 (the
 * JS SDK does not report one).
 */

export const NATIVE_ZERO_THRESHOLD = 1e-128;
export const MIN_NATIVE_SCHEMA = -4;
export const MAX_NATIVE_SCHEMA = 8;

/**
 * Sparse spans and deltas of dense OpenTelemetry bucket counts starting at `offset`, after
 * merging 2^scaleDown neighbours. Empty buckets are left out; a gap of up to two empty buckets
 * is written as zeros inside the span (cheaper than a new span), a longer one starts a new span.
 */
export function bucketLayout(
  counts: readonly number[],
  offset: number,
  scaleDown: number,
): { spans: BucketSpan[]; deltas: number[] } {
  const spans: { offset: number; length: number }[] = [];
  const deltas: number[] = [];
  let previousCount = 0;
  let lastIndex = 0;
  let index = 0;
  let count = 0;
  let open = false;
  const emit = (at: number, value: number): void => {
    if (value === 0) return;
    if (spans.length === 0) {
      spans.push({ offset: at, length: 0 });
    } else {
      const gap = at - lastIndex - 1;
      if (gap > 2) {
        spans.push({ offset: gap, length: 0 });
      } else {
        for (let z = 0; z < gap; z++) {
          deltas.push(0 - previousCount);
          previousCount = 0;
          spans[spans.length - 1].length++;
        }
      }
    }
    deltas.push(value - previousCount);
    previousCount = value;
    spans[spans.length - 1].length++;
    lastIndex = at;
  };
  for (let i = 0; i < counts.length; i++) {
    // Arithmetic shift: floor division by 2^scaleDown, for negative indexes too.
    const at = ((offset + i) >> scaleDown) + 1;
    if (open && at === index) {
      count += counts[i];
      continue;
    }
    if (open) emit(index, count);
    index = at;
    count = counts[i];
    open = true;
  }
  if (open) emit(index, count);
  return { spans, deltas };
}

/** The native histogram of one point, or undefined when its scale is below -4. */
export function toNativeHistogram(
  value: ExponentialHistogramValue,
  timestampMs: number,
): NativeHistogram | undefined {
  let schema = value.scale;
  if (!(schema >= MIN_NATIVE_SCHEMA)) return undefined;
  let scaleDown = 0;
  if (schema > MAX_NATIVE_SCHEMA) {
    scaleDown = schema - MAX_NATIVE_SCHEMA;
    schema = MAX_NATIVE_SCHEMA;
  }
  const positive = bucketLayout(
    value.positive?.bucketCounts ?? [],
    value.positive?.offset ?? 0,
    scaleDown,
  );
  const negative = bucketLayout(
    value.negative?.bucketCounts ?? [],
    value.negative?.offset ?? 0,
    scaleDown,
  );
  return {
    count: value.count,
    sum: typeof value.sum === 'number' ? value.sum : 0,
    schema,
    zeroThreshold: NATIVE_ZERO_THRESHOLD,
    zeroCount: value.zeroCount ?? 0,
    negativeSpans: negative.spans,
    negativeDeltas: negative.deltas,
    positiveSpans: positive.spans,
    positiveDeltas: positive.deltas,
    timestampMs,
  };
}
