import { diag } from '@opentelemetry/api';
import {
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
} from '@otelpack/batching-core';
import type { ClickHouseRow } from './encoding/encoder';
import { logRecordToRow } from './mapping/logs';
import { resourceMetricsToRows } from './mapping/metrics';
import { ResourceColumnsCache } from './mapping/resource';
import { spanToRow } from './mapping/spans';
import type { ClickHouseExporterOptions, ClickHouseMetricExporterOptions } from './options';
import { buildExporterParts } from './wiring';

/**
 * A SpanExporter writing `otel_traces` rows (the lookup table fills itself through the
 * materialized view). Register it with a BatchSpanProcessor.
 */
export class ClickHouseSpanExporter extends PipelineSpanExporter<ClickHouseRow> {
  constructor(options?: ClickHouseExporterOptions) {
    const { pipeline, encoder } = buildExporterParts(options, 'traces');
    const resources = new ResourceColumnsCache();
    super({ pipeline, map: (span) => encoder.encode('traces', spanToRow(span, resources)) });
  }
}

/** A LogRecordExporter writing `otel_logs` rows. Register it with a BatchLogRecordProcessor. */
export class ClickHouseLogRecordExporter extends PipelineLogRecordExporter<ClickHouseRow> {
  constructor(options?: ClickHouseExporterOptions) {
    const { pipeline, encoder } = buildExporterParts(options, 'logs');
    const resources = new ResourceColumnsCache();
    super({
      pipeline,
      map: (record) => encoder.encode('logs', logRecordToRow(record, resources)),
    });
  }
}

/**
 * A PushMetricExporter writing one row per data point into `otel_metrics_gauge`, `_sum`,
 * `_histogram` and `_exponential_histogram`. Register it with a PeriodicExportingMetricReader.
 */
export class ClickHouseMetricExporter extends PipelineMetricExporter<ClickHouseRow> {
  constructor(options?: ClickHouseMetricExporterOptions) {
    const { pipeline, encoder } = buildExporterParts(options, 'metrics');
    const resources = new ResourceColumnsCache();
    super({
      pipeline,
      temporality: options?.temporality ?? 'cumulative',
      map: (resourceMetrics) => {
        const { rows, failures } = resourceMetricsToRows(resourceMetrics, resources);
        if (failures.length > 0) {
          // Each data point left out is a record the ledger must account for.
          diag.error(
            `otelpack clickhouse metrics: could not map ${failures.length} data points: ${failures[0]}`,
          );
          pipeline.countUnmapped(failures.length, failures[0]);
        }
        return rows.map((mapped) => encoder.encode(mapped.table, mapped.row));
      },
    });
  }
}
