import { diag } from '@opentelemetry/api';
import type { Client } from '@elastic/elasticsearch';
import {
  InvalidConfigError,
  Pipeline,
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
  redact,
} from '@otelpack/batching-core';
import type { ResourceMetricsLike, Signal } from '@otelpack/batching-core';
import { encodeDocument } from './bulk/record';
import type { BulkRecord } from './bulk/record';
import { ElasticsearchBulkSender } from './bulk/sender';
import { createClient } from './client';
import { resolveConfig } from './config';
import type { ResolvedConfig } from './config';
import { mapLogRecord, mapResourceMetrics, mapSpan } from './mapping/mapper';
import type { ElasticsearchExporterOptions, ElasticsearchMetricExporterOptions } from './options';
import { IndexSetup } from './setup/runner';

/*
 * The wiring: configuration, client, sender and core pipeline, and the three SDK exporters on
 * top. Everything about time and failure is the core's.
 */

interface Wiring {
  config: ResolvedConfig;
  pipeline: Pipeline<BulkRecord>;
}

function wire(signal: Signal, options: ElasticsearchExporterOptions | undefined): Wiring {
  const config = resolveConfig(options);
  if (
    signal !== 'metrics' &&
    (options as { temporality?: unknown } | undefined)?.temporality !== undefined
  ) {
    throw new InvalidConfigError('temporality', 'is an option of ElasticsearchMetricExporter only');
  }
  const client = config.client ?? createClient(config.connection);
  const secrets = config.connection.secrets;
  const setup = config.setup
    ? new IndexSetup({
        client,
        settings: config.setup,
        signal,
        mode: config.mapping.mode,
        exporterName: config.name,
        requestTimeoutMs: config.connection.requestTimeoutMs,
        redact: (text) => redact(text, secrets),
      })
    : undefined;
  const sender = new ElasticsearchBulkSender({
    client,
    ownsClient: config.client === undefined,
    requestTimeoutMs: config.connection.requestTimeoutMs,
    secrets,
    setup,
  });
  const pipeline = new Pipeline<BulkRecord>({
    ...config.pipeline,
    name: config.name,
    signal,
    sender,
  });
  return { config, pipeline };
}

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

/** Spans (and their events) to Elasticsearch: a `SpanExporter` for the SDK's span processors. */
export class ElasticsearchSpanExporter extends PipelineSpanExporter<BulkRecord> {
  constructor(options?: ElasticsearchExporterOptions) {
    const { config, pipeline } = wire('traces', options);
    const settings = config.mapping;
    super({ pipeline, map: (span) => mapSpan(span, settings).map(encodeDocument) });
  }
}

/** Log records to Elasticsearch: a `LogRecordExporter` for the SDK's log record processors. */
export class ElasticsearchLogRecordExporter extends PipelineLogRecordExporter<BulkRecord> {
  constructor(options?: ElasticsearchExporterOptions) {
    const { config, pipeline } = wire('logs', options);
    const settings = config.mapping;
    super({ pipeline, map: (log) => encodeDocument(mapLogRecord(log, settings)) });
  }
}

/** Metrics to Elasticsearch: a `PushMetricExporter` for a PeriodicExportingMetricReader. */
export class ElasticsearchMetricExporter extends PipelineMetricExporter<BulkRecord> {
  constructor(options?: ElasticsearchMetricExporterOptions) {
    const { config, pipeline } = wire('metrics', options);
    const settings = config.mapping;
    const map = (resourceMetrics: ResourceMetricsLike): BulkRecord[] => {
      const { documents, invalid } = mapResourceMetrics(resourceMetrics, settings);
      if (invalid.length > 0) {
        // Data points that make no document still count: accepted and dropped as rejected.
        const detail = `${invalid.length} data points could not be mapped: ${invalid[0]}`;
        diag.warn(`otelpack ${config.name} metrics: ${detail}`);
        pipeline.countUnmapped(invalid.length, detail);
      }
      return documents.map(encodeDocument);
    };
    super({ pipeline, map, temporality: options?.temporality ?? 'cumulative' });
  }
}
