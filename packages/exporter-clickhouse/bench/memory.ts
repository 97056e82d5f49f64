/**
 * Memory at the queue's byte bound, backend down (see batching-core/bench/lib/memory-at-cap.ts):
 * the ClickHouse span, log and metric exporters pointed at a refused port and fed the SDK's
 * spans (10 attributes, 2 events) or log records (200-character bodies) in exports of 512, or
 * metric collections of 120,000 series (rows: 96,000 counter, 12,000 gauge and 12,000 histogram
 * data points) until the queue is full. One run per process:
 *
 *   node --expose-gc --import tsx bench/memory.ts --signal traces --cap 64 [--shape small] [--format RowBinary]
 *
 * Shapes other than `default` vary the record size, for fitting the sender's memory model
 * (bench/memory-fit.ts).
 */
import type {
  PipelineTuning,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { reportToParent } from '../../batching-core/bench/lib/child';
import { childArgs, measureAtCap, MIB } from '../../batching-core/bench/lib/memory-at-cap';
import type { AtCapCase, MeasuredExporter } from '../../batching-core/bench/lib/memory-at-cap';
import {
  DEFAULT_LOG_SHAPE,
  DEFAULT_METRIC_SHAPE,
  DEFAULT_SPAN_SHAPE,
  logSource,
  metricSource,
  spanSource,
} from '../../batching-core/bench/lib/sdk-items';
import type { LogShape, MetricShape, SpanShape } from '../../batching-core/bench/lib/sdk-items';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '../src';
import type { ClickHouseExporterOptions, InsertFormat } from '../src';

/** What the SDK's batch processors hand over at a time. */
const EXPORT_SIZE = 512;

export const SPAN_SHAPES: Record<string, SpanShape> = {
  default: DEFAULT_SPAN_SHAPE,
  small: { attributes: 3, events: 0, eventText: 0 },
  large: { attributes: 30, events: 2, eventText: 1_000 },
};

export const LOG_SHAPES: Record<string, LogShape> = {
  default: DEFAULT_LOG_SHAPE,
  small: { body: 40 },
  large: { body: 2_000 },
};

export const METRIC_SHAPES: Record<string, MetricShape> = {
  default: DEFAULT_METRIC_SHAPE,
  /** Counters only, two attributes fewer in the rows' maps: the smallest rows. */
  small: { sums: 120_000, gauges: 0, histograms: 0, boundaries: 0, extraAttributes: 0 },
  /** Histograms with 30 buckets and eight more attributes: the largest rows. */
  large: { sums: 40_000, gauges: 0, histograms: 40_000, boundaries: 30, extraAttributes: 8 },
};

/** `--format RowBinary` measures rows held as Buffers instead of JSON lines (the default). */
let format: InsertFormat | undefined;

function options(url: string, pipeline: PipelineTuning<unknown>): ClickHouseExporterOptions {
  // Everything else as a user leaves it by default (the schema gate fails with the backend).
  return { url, ...(format ? { format } : {}), ...pipeline };
}

function spansCase(shape: SpanShape): AtCapCase<ReadableSpanLike[]> {
  const next = spanSource(shape);
  return {
    name: 'clickhouse traces',
    recordsPerExport: EXPORT_SIZE,
    next: () => next(EXPORT_SIZE),
    createExporter: (url, pipeline) =>
      new ClickHouseSpanExporter(options(url, pipeline)) as MeasuredExporter<ReadableSpanLike[]>,
  };
}

function logsCase(shape: LogShape): AtCapCase<ReadableLogRecordLike[]> {
  const next = logSource(shape);
  return {
    name: 'clickhouse logs',
    recordsPerExport: EXPORT_SIZE,
    next: () => next(EXPORT_SIZE),
    createExporter: (url, pipeline) =>
      new ClickHouseLogRecordExporter(options(url, pipeline)) as MeasuredExporter<
        ReadableLogRecordLike[]
      >,
  };
}

function metricsCase(shape: MetricShape): AtCapCase<ResourceMetricsLike> {
  return {
    name: 'clickhouse metrics',
    recordsPerExport: shape.sums + shape.gauges + shape.histograms,
    next: metricSource(shape),
    createExporter: (url, pipeline) =>
      new ClickHouseMetricExporter(options(url, pipeline)) as MeasuredExporter<ResourceMetricsLike>,
  };
}

async function main() {
  const args = childArgs();
  const maxQueueBytes = Number(args.cap ?? 64) * MIB;
  const shape = args.shape ?? 'default';
  format = args.format as InsertFormat | undefined;
  switch (args.signal) {
    case 'traces':
      return measureAtCap(spansCase(SPAN_SHAPES[shape]), { maxQueueBytes });
    case 'logs':
      return measureAtCap(logsCase(LOG_SHAPES[shape]), { maxQueueBytes });
    case 'metrics':
      // A collection is 120,000 rows (140 MB): two warm up; the one that fills the queue is the
      // last (another would only add its own garbage to the peak, and 10 s to npm run bench).
      return measureAtCap(metricsCase(METRIC_SHAPES[shape]), {
        maxQueueBytes,
        warmupExports: 2,
        exportsAfterFull: 0,
      });
    default:
      throw new Error(`--signal traces|logs|metrics, got ${args.signal}`);
  }
}

reportToParent(main);
