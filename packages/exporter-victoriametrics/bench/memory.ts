/**
 * Memory at the queue's byte bound, backend down (see batching-core/bench/lib/memory-at-cap.ts):
 * VictoriaMetricsExporter pointed at a refused port and fed metric collections of 120,000
 * remote-write series (96,000 counter and 12,000 gauge series, 923 histograms of 10 boundaries
 * making 13 series each, and target_info) until the queue is full. One run per process:
 *
 *   node --expose-gc --import tsx bench/memory.ts --cap 64 [--shape small]
 *
 * Shapes other than `default` vary the record size, for fitting the sender's memory model
 * (bench/memory-fit.ts).
 */
import type { VictoriaMetricsExporterOptions } from '../src';
import type { PipelineTuning, ResourceMetricsLike } from '@otelpack/batching-core';
import { reportToParent } from '../../batching-core/bench/lib/child';
import { childArgs, measureAtCap, MIB } from '../../batching-core/bench/lib/memory-at-cap';
import type { AtCapCase, MeasuredExporter } from '../../batching-core/bench/lib/memory-at-cap';
import { metricSource } from '../../batching-core/bench/lib/sdk-items';
import type { MetricShape } from '../../batching-core/bench/lib/sdk-items';
import { VictoriaMetricsExporter } from '../src';

export const METRIC_SHAPES: Record<string, MetricShape> = {
  default: { sums: 96_000, gauges: 12_000, histograms: 923, boundaries: 10, extraAttributes: 0 },
  /** Histogram buckets only: the series that share the most with their neighbours. */
  small: { sums: 0, gauges: 0, histograms: 5_000, boundaries: 22, extraAttributes: 0 },
  /** Counters with eight more attributes: the largest series. */
  large: { sums: 100_000, gauges: 0, histograms: 0, boundaries: 0, extraAttributes: 8 },
};

function options(url: string, pipeline: PipelineTuning<unknown>): VictoriaMetricsExporterOptions {
  // Everything else as a user leaves it by default.
  return { url: `${url}/api/v1/write`, ...pipeline };
}

function metricsCase(shape: MetricShape): AtCapCase<ResourceMetricsLike> {
  return {
    name: 'victoriametrics metrics',
    next: metricSource(shape),
    createExporter: (url, pipeline) =>
      new VictoriaMetricsExporter(options(url, pipeline)) as MeasuredExporter<ResourceMetricsLike>,
  };
}

async function main() {
  const args = childArgs();
  const maxQueueBytes = Number(args.cap ?? 64) * MIB;
  const shape = args.shape ?? 'default';
  // One collection is 120,000 series: two warm up, one more after the queue is full.
  return measureAtCap(metricsCase(METRIC_SHAPES[shape]), { maxQueueBytes, warmupExports: 2 });
}

reportToParent(main);
