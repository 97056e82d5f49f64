import type {
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { ecsLogDocument, ecsMetricDocuments, ecsSpanDocuments } from './ecs-mode';
import { otelLogDocument, otelMetricDocuments, otelSpanDocuments } from './otel-mode';
import { rawLogDocument, rawMetricDocuments, rawSpanDocuments } from './raw-mode';
import type { BulkDocument, MappingResult, MappingSettings } from './types';

/** A span's documents: the span, and in the `otel` and `ecs` modes one per span event. */
export function mapSpan(span: ReadableSpanLike, settings: MappingSettings): BulkDocument[] {
  switch (settings.mode) {
    case 'otel':
      return otelSpanDocuments(span, settings);
    case 'ecs':
      return ecsSpanDocuments(span, settings);
    case 'raw':
      return rawSpanDocuments(span, settings);
  }
}

export function mapLogRecord(log: ReadableLogRecordLike, settings: MappingSettings): BulkDocument {
  switch (settings.mode) {
    case 'otel':
      return otelLogDocument(log, settings);
    case 'ecs':
      return ecsLogDocument(log, settings);
    case 'raw':
      return rawLogDocument(log, settings);
  }
}

/** One export's metrics, grouped into documents; data points that cannot be mapped are listed. */
export function mapResourceMetrics(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MappingResult {
  switch (settings.mode) {
    case 'otel':
      return otelMetricDocuments(resourceMetrics, settings);
    case 'ecs':
      return ecsMetricDocuments(resourceMetrics, settings);
    case 'raw':
      return rawMetricDocuments(resourceMetrics, settings);
  }
}
