/**
 * Memory at the queue's byte bound, backend down (see batching-core/bench/lib/memory-at-cap.ts):
 * ElasticsearchSpanExporter / ElasticsearchLogRecordExporter pointed at a refused port and fed
 * the SDK's spans (10 attributes, 2 events) or log records (200-character bodies) in exports of
 * 512 until the queue is full. One run per process:
 *
 *   node --expose-gc --import tsx bench/memory.ts --signal traces --cap 64 [--shape small]
 *
 * Shapes other than `default` vary the record size, for fitting the sender's memory model
 * (bench/memory-fit.ts).
 */
import type {
  PipelineTuning,
  ReadableLogRecordLike,
  ReadableSpanLike,
} from '@otelpack/batching-core';
import { reportToParent } from '../../batching-core/bench/lib/child';
import { childArgs, measureAtCap, MIB } from '../../batching-core/bench/lib/memory-at-cap';
import type { AtCapCase, MeasuredExporter } from '../../batching-core/bench/lib/memory-at-cap';
import {
  DEFAULT_LOG_SHAPE,
  DEFAULT_SPAN_SHAPE,
  logSource,
  spanSource,
} from '../../batching-core/bench/lib/sdk-items';
import type { LogShape, SpanShape } from '../../batching-core/bench/lib/sdk-items';
import { ElasticsearchLogRecordExporter, ElasticsearchSpanExporter } from '../src';
import type { ElasticsearchExporterOptions } from '../src';

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

function options(url: string, pipeline: PipelineTuning<unknown>): ElasticsearchExporterOptions {
  // Everything else as a user leaves it by default.
  return { url, ...pipeline };
}

function spansCase(shape: SpanShape): AtCapCase<ReadableSpanLike[]> {
  const next = spanSource(shape);
  return {
    name: 'elasticsearch traces',
    recordsPerExport: EXPORT_SIZE,
    next: () => next(EXPORT_SIZE),
    createExporter: (url, pipeline) =>
      new ElasticsearchSpanExporter(options(url, pipeline)) as MeasuredExporter<ReadableSpanLike[]>,
  };
}

function logsCase(shape: LogShape): AtCapCase<ReadableLogRecordLike[]> {
  const next = logSource(shape);
  return {
    name: 'elasticsearch logs',
    recordsPerExport: EXPORT_SIZE,
    next: () => next(EXPORT_SIZE),
    createExporter: (url, pipeline) =>
      new ElasticsearchLogRecordExporter(options(url, pipeline)) as MeasuredExporter<
        ReadableLogRecordLike[]
      >,
  };
}

async function main() {
  const args = childArgs();
  const maxQueueBytes = Number(args.cap ?? 64) * MIB;
  const shape = args.shape ?? 'default';
  switch (args.signal) {
    case 'traces':
      return measureAtCap(spansCase(SPAN_SHAPES[shape]), { maxQueueBytes });
    case 'logs':
      return measureAtCap(logsCase(LOG_SHAPES[shape]), { maxQueueBytes });
    default:
      throw new Error(`--signal traces|logs, got ${args.signal}`);
  }
}

reportToParent(main);
