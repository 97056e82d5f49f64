import { defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import type { ClickHouseRow } from './encoding/encoder';
import { CLICKHOUSE_OPTIONS } from './options';
import type { ClickHouseExporterOptions, ClickHouseMetricExporterOptions } from './options';
import type { ClickHouseSender } from './sender/sender';
import { createClickHouseSender, logMapping, metricMapping, spanMapping } from './wiring';

/** The kit makes the SDK classes from the options, the sender and a mapping per signal. */
export const clickHouse: ExporterClasses<
  ClickHouseExporterOptions,
  ClickHouseRow,
  ClickHouseSender,
  ClickHouseMetricExporterOptions
> = defineExporter({
  packageName: '@otelpack/exporter-clickhouse',
  options: CLICKHOUSE_OPTIONS,
  // A client of the user's (or the embedded engine) may point anywhere: report no server then.
  serverUrl: (config) => (config.own.client ? undefined : config.displayUrls[0]),
  sender: createClickHouseSender,
  traces: spanMapping,
  logs: logMapping,
  metrics: metricMapping,
});

/** A SpanExporter writing `otel_traces` rows. Register it with a BatchSpanProcessor. */
export class ClickHouseSpanExporter extends clickHouse.SpanExporter {}

/** A LogRecordExporter writing `otel_logs` rows. Register it with a BatchLogRecordProcessor. */
export class ClickHouseLogRecordExporter extends clickHouse.LogRecordExporter {}

/**
 * A PushMetricExporter writing one row per data point into `otel_metrics_gauge`, `_sum`,
 * `_histogram` and `_exponential_histogram`. Register it with a PeriodicExportingMetricReader.
 */
export class ClickHouseMetricExporter extends clickHouse.MetricExporter {}
