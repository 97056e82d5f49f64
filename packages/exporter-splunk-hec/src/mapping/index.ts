import { mapEach, mapEachWithUnmapped } from '@otelpack/batching-core';
import type {
  ItemMapping,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { toRecord } from './event';
import type { HecRecord } from './event';
import { logRecordToEvent } from './logs';
import { resourceMetricsToEvents } from './metrics';
import type { MetricMappingOptions } from './metrics';
import type { RoutingOptions } from './routing';
import { spanToEvent } from './spans';

/** Spans to encoded events, one each. */
export function spanMapping(routing: RoutingOptions): ItemMapping<ReadableSpanLike, HecRecord> {
  return mapEach((span) => toRecord(spanToEvent(span, routing)));
}

/** Log records to encoded events, one each; a record without a body is unmapped (rejected). */
export function logMapping(routing: RoutingOptions): ItemMapping<ReadableLogRecordLike, HecRecord> {
  return mapEach((record) => toRecord(logRecordToEvent(record, routing)));
}

/** A metrics export to encoded events; exponential histogram points are unmapped (rejected). */
export function metricMapping(
  options: MetricMappingOptions,
): ItemMapping<ResourceMetricsLike, HecRecord> {
  return mapEachWithUnmapped((resourceMetrics) => {
    const { events, unmapped } = resourceMetricsToEvents(resourceMetrics, options);
    return { records: events.map(toRecord), unmapped };
  });
}
