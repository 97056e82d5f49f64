/**
 * This package's exporters in exporter-otlp's end-to-end harness (its bench/e2e-child.ts, run as
 * `module:<this file>`): default options, so the figure is what a user gets. The exporter's own
 * queue is sized for the run, as the OTLP variants' are.
 */
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
// The built package, as a user runs it (not this repository's sources through tsx).
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchSpanExporter,
} from '@otelpack/exporter-elasticsearch';

export function createExporter(
  signal: 'traces' | 'logs',
  url: string,
): SpanExporter | LogRecordExporter {
  // BENCH_SPAN_SHAPE=issue11 writes three documents per span (two events): a run's backlog
  // outgrows the default 64 MiB, which the official exporter (waiting on each answer) never holds.
  const options = { url, maxQueueItems: 600_000, maxQueueBytes: 1024 * 1024 * 1024 };
  return signal === 'traces'
    ? (new ElasticsearchSpanExporter(options) as unknown as SpanExporter)
    : (new ElasticsearchLogRecordExporter(options) as unknown as LogRecordExporter);
}
