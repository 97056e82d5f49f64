import type { Client } from '@elastic/elasticsearch';
import { InvalidConfigError, defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import type { BulkRecord } from './bulk/record';
import type { ElasticsearchBulkSender } from './bulk/sender';
import { createClient } from './client';
import { resolveConfig } from './config';
import { ELASTICSEARCH_OPTIONS } from './options';
import type { ElasticsearchExporterOptions, ElasticsearchMetricExporterOptions } from './options';
import { createBulkSender, logMapping, metricMapping, spanMapping } from './wiring';

/** The kit makes the SDK classes from the options, the sender and a mapping per signal. */
export const elasticsearch: ExporterClasses<
  ElasticsearchExporterOptions,
  BulkRecord,
  ElasticsearchBulkSender,
  ElasticsearchMetricExporterOptions
> = defineExporter({
  packageName: '@otelpack/exporter-elasticsearch',
  options: ELASTICSEARCH_OPTIONS,
  // A client of the user's (or the embedded engine) may point anywhere: report no server then.
  serverUrl: (config) => (config.own.client ? undefined : config.displayUrls[0]),
  sender: createBulkSender,
  traces: spanMapping,
  logs: logMapping,
  metrics: metricMapping,
});

/** Spans (and their events) to Elasticsearch: a `SpanExporter` for the SDK's span processors. */
export class ElasticsearchSpanExporter extends elasticsearch.SpanExporter {}

/** Log records to Elasticsearch: a `LogRecordExporter` for the SDK's log record processors. */
export class ElasticsearchLogRecordExporter extends elasticsearch.LogRecordExporter {}

/** Metrics to Elasticsearch: a `PushMetricExporter` for a PeriodicExportingMetricReader. */
export class ElasticsearchMetricExporter extends elasticsearch.MetricExporter {}

/**
 * A client configured as the exporters configure theirs (options and environment variables,
 * retries off), to share one connection pool between the span, log and metric exporters via
 * their `client` option. Only the connection options are read.
 */
export function createElasticsearchClient(options: ElasticsearchExporterOptions = {}): Client {
  if (options.client !== undefined) {
    throw new InvalidConfigError(
      'client',
      'is what this function creates; pass connection options',
    );
  }
  return createClient(resolveConfig(options).connection);
}
