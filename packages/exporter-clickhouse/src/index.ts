export {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from './exporters';
export { CLICKHOUSE_OPTIONS, CLICKHOUSE_PIPELINE_DEFAULTS } from './options';
export type {
  ClickHouseExporterOptions,
  ClickHouseMetricExporterOptions,
  ClickHouseSchemaOptions,
} from './options';
export { createSchema, schemaSql } from './schema/public';
export type { SchemaRequest } from './schema/public';
export type { SchemaSignal } from './schema/ddl';
export { DEFAULT_TABLE_NAMES, INSERT_COLUMNS } from './schema/tables';
export type { ClickHouseTableNames, TableKind } from './schema/tables';
export {
  CHDB_MISSING_MESSAGE,
  ChdbNotInstalledError,
  createEmbeddedClickHouseClient,
} from './client/embedded';
export type { EmbeddedClickHouseOptions } from './client/embedded';
export {
  PERMANENT_CODES as PERMANENT_ERROR_CODES,
  RETRYABLE_CODES as RETRYABLE_ERROR_CODES,
} from './sender/classify';
export { INSERT_FORMATS } from './encoding/encoder';
export type { ClickHouseRow, InsertFormat } from './encoding/encoder';
export { spanToRow } from './mapping/spans';
export type { SpanRow } from './mapping/spans';
export { logRecordToRow } from './mapping/logs';
export type { LogRow } from './mapping/logs';
export { resourceMetricsToRows } from './mapping/metrics';
export type {
  ExponentialHistogramRow,
  GaugeRow,
  HistogramRow,
  MappedMetrics,
  MetricRow,
  SumRow,
} from './mapping/metrics';
export { anyValueAsString } from './mapping/values';
export type { StringMap } from './mapping/values';
export type { Timestamp9 } from './mapping/time';
