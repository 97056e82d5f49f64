import { mapEach, mapEachWithUnmapped } from '@otelpack/batching-core';
import type {
  ItemMapping,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
  Signal,
} from '@otelpack/batching-core';
import { DocumentSlabs, encodeDocument } from './bulk/record';
import type { BulkRecord } from './bulk/record';
import { ElasticsearchBulkSender } from './bulk/sender';
import { createClient } from './client';
import { elasticsearchConfig } from './config';
import type { ResolvedElasticsearchOptions } from './config';
import { mapLogRecord, mapResourceMetrics, mapSpan } from './mapping/mapper';
import { IndexSetup } from './setup/runner';

/*
 * From the kit's resolved options to what the kit assembles: the sender of a signal (over the
 * official client, whose node pool does the failover over several URLs), and its mapping.
 */

export function createBulkSender(
  options: ResolvedElasticsearchOptions,
  signal: Signal,
): ElasticsearchBulkSender {
  const config = elasticsearchConfig(options);
  const client = config.client ?? createClient(config.connection);
  const setup = config.setup
    ? new IndexSetup({
        client,
        settings: config.setup,
        signal,
        mode: config.mapping.mode,
        exporterName: config.name,
        requestTimeoutMs: config.connection.timeoutMs,
        redact: (text) => options.redact(text),
        ...(config.connection.headerProvider
          ? { headerProvider: config.connection.headerProvider }
          : {}),
      })
    : undefined;
  return new ElasticsearchBulkSender({
    client,
    ownsClient: config.client === undefined,
    requestTimeoutMs: config.connection.timeoutMs,
    secrets: config.connection.secrets,
    ...(config.connection.headerProvider
      ? { headerProvider: config.connection.headerProvider }
      : {}),
    setup,
    // Only the otel mode writes metrics into time series data streams.
    timeSeries: signal === 'metrics' && config.mapping.mode === 'otel',
  });
}

/** Spans (and, in the `otel` and `ecs` modes, their events) as documents. */
export function spanMapping(
  options: ResolvedElasticsearchOptions,
): ItemMapping<ReadableSpanLike, BulkRecord> {
  const settings = elasticsearchConfig(options).mapping;
  const slabs = new DocumentSlabs();
  return mapEach((span) => mapSpan(span, settings).map((doc) => encodeDocument(doc, slabs)));
}

export function logMapping(
  options: ResolvedElasticsearchOptions,
): ItemMapping<ReadableLogRecordLike, BulkRecord> {
  const settings = elasticsearchConfig(options).mapping;
  const slabs = new DocumentSlabs();
  return mapEach((log) => encodeDocument(mapLogRecord(log, settings), slabs));
}

/** Metric documents; data points that make none are unmapped, with their metric. */
export function metricMapping(
  options: ResolvedElasticsearchOptions,
): ItemMapping<ResourceMetricsLike, BulkRecord> {
  const settings = elasticsearchConfig(options).mapping;
  const slabs = new DocumentSlabs();
  return mapEachWithUnmapped((resourceMetrics) => {
    const { documents, invalid } = mapResourceMetrics(resourceMetrics, settings);
    return { records: documents.map((doc) => encodeDocument(doc, slabs)), unmapped: invalid };
  });
}
