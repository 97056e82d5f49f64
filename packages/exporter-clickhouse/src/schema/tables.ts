/** The tables the exporter writes, by what they hold. */
export type TableKind =
  'traces' | 'logs' | 'gauge' | 'sum' | 'histogram' | 'exponentialHistogram' | 'summary';

export const METRIC_TABLE_KINDS: readonly TableKind[] = [
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
];

/** Table names; every one can be changed (the Collector's `*_table_name` / `metrics_tables`). */
export interface ClickHouseTableNames {
  traces: string;
  logs: string;
  gauge: string;
  sum: string;
  histogram: string;
  exponentialHistogram: string;
  summary: string;
}

/** The Collector's defaults, which Grafana's ClickHouse data source assumes. */
export const DEFAULT_TABLE_NAMES: Readonly<ClickHouseTableNames> = Object.freeze({
  traces: 'otel_traces',
  logs: 'otel_logs',
  gauge: 'otel_metrics_gauge',
  sum: 'otel_metrics_sum',
  histogram: 'otel_metrics_histogram',
  exponentialHistogram: 'otel_metrics_exponential_histogram',
  summary: 'otel_metrics_summary',
});

/** How a column's value is written; the encoders switch on it. */
export type ColumnKind =
  | 'string'
  | 'datetime64'
  /** A `DateTime` column (the Collector's metric times): whole seconds, the nanoseconds cut. */
  | 'datetime'
  | 'uint8'
  | 'uint32'
  | 'int32'
  | 'uint64'
  | 'float64'
  | 'bool'
  | 'map'
  | 'string[]'
  | 'datetime64[]'
  | 'datetime[]'
  | 'map[]'
  | 'uint64[]'
  | 'float64[]';

export interface InsertColumn {
  /** As in the INSERT column list; Nested sub-columns are `Parent.Child` arrays. */
  name: string;
  kind: ColumnKind;
  /**
   * The column's exact type in the DDL (a Nested sub-column as its Array), as RowBinary's
   * header states it: ClickHouse refuses the insert if the table's type differs.
   */
  type: string;
}

const LC = 'LowCardinality(String)';
const MAP = 'Map(LowCardinality(String), String)';

const RESOURCE_AND_SCOPE: InsertColumn[] = [
  { name: 'ResourceAttributes', kind: 'map', type: MAP },
  { name: 'ResourceSchemaUrl', kind: 'string', type: 'String' },
  { name: 'ScopeName', kind: 'string', type: 'String' },
  { name: 'ScopeVersion', kind: 'string', type: 'String' },
  { name: 'ScopeAttributes', kind: 'map', type: MAP },
  { name: 'ScopeDroppedAttrCount', kind: 'uint32', type: 'UInt32' },
  { name: 'ScopeSchemaUrl', kind: 'string', type: 'String' },
  { name: 'ServiceName', kind: 'string', type: LC },
  { name: 'MetricName', kind: 'string', type: LC },
  { name: 'MetricDescription', kind: 'string', type: 'String' },
  { name: 'MetricUnit', kind: 'string', type: 'String' },
  { name: 'Attributes', kind: 'map', type: MAP },
  { name: 'StartTimeUnix', kind: 'datetime64', type: 'DateTime64(9)' },
  { name: 'TimeUnix', kind: 'datetime64', type: 'DateTime64(9)' },
];

const EXEMPLARS: InsertColumn[] = [
  { name: 'Exemplars.FilteredAttributes', kind: 'map[]', type: `Array(${MAP})` },
  { name: 'Exemplars.TimeUnix', kind: 'datetime64[]', type: 'Array(DateTime64(9))' },
  { name: 'Exemplars.Value', kind: 'float64[]', type: 'Array(Float64)' },
  { name: 'Exemplars.SpanId', kind: 'string[]', type: 'Array(String)' },
  { name: 'Exemplars.TraceId', kind: 'string[]', type: 'Array(String)' },
];

/**
 * The columns each INSERT names, in order: the Collector's insert statements
 * (internal/sqltemplates/*_insert.sql), EventName included for logs. Columns with a DEFAULT or
 * MATERIALIZED expression (the logs' `__otel_materialized_*`, or the TimestampTime of tables
 * made before Collector v0.151) are left to the server.
 */
export const INSERT_COLUMNS: Readonly<Record<TableKind, readonly InsertColumn[]>> = {
  traces: [
    { name: 'Timestamp', kind: 'datetime64', type: 'DateTime64(9)' },
    { name: 'TraceId', kind: 'string', type: 'String' },
    { name: 'SpanId', kind: 'string', type: 'String' },
    { name: 'ParentSpanId', kind: 'string', type: 'String' },
    { name: 'TraceState', kind: 'string', type: 'String' },
    { name: 'SpanName', kind: 'string', type: LC },
    { name: 'SpanKind', kind: 'string', type: LC },
    { name: 'ServiceName', kind: 'string', type: LC },
    { name: 'ResourceAttributes', kind: 'map', type: MAP },
    { name: 'ScopeName', kind: 'string', type: 'String' },
    { name: 'ScopeVersion', kind: 'string', type: 'String' },
    { name: 'SpanAttributes', kind: 'map', type: MAP },
    { name: 'Duration', kind: 'uint64', type: 'UInt64' },
    { name: 'StatusCode', kind: 'string', type: LC },
    { name: 'StatusMessage', kind: 'string', type: 'String' },
    { name: 'Events.Timestamp', kind: 'datetime64[]', type: 'Array(DateTime64(9))' },
    { name: 'Events.Name', kind: 'string[]', type: 'Array(LowCardinality(String))' },
    { name: 'Events.Attributes', kind: 'map[]', type: `Array(${MAP})` },
    { name: 'Links.TraceId', kind: 'string[]', type: 'Array(String)' },
    { name: 'Links.SpanId', kind: 'string[]', type: 'Array(String)' },
    { name: 'Links.TraceState', kind: 'string[]', type: 'Array(String)' },
    { name: 'Links.Attributes', kind: 'map[]', type: `Array(${MAP})` },
  ],
  logs: [
    { name: 'Timestamp', kind: 'datetime64', type: 'DateTime64(9)' },
    { name: 'TraceId', kind: 'string', type: 'String' },
    { name: 'SpanId', kind: 'string', type: 'String' },
    { name: 'TraceFlags', kind: 'uint8', type: 'UInt8' },
    { name: 'SeverityText', kind: 'string', type: LC },
    { name: 'SeverityNumber', kind: 'uint8', type: 'UInt8' },
    { name: 'ServiceName', kind: 'string', type: LC },
    { name: 'Body', kind: 'string', type: 'String' },
    { name: 'ResourceSchemaUrl', kind: 'string', type: LC },
    { name: 'ResourceAttributes', kind: 'map', type: MAP },
    { name: 'ScopeSchemaUrl', kind: 'string', type: LC },
    { name: 'ScopeName', kind: 'string', type: 'String' },
    { name: 'ScopeVersion', kind: 'string', type: LC },
    { name: 'ScopeAttributes', kind: 'map', type: MAP },
    { name: 'LogAttributes', kind: 'map', type: MAP },
    { name: 'EventName', kind: 'string', type: 'String' },
  ],
  gauge: [
    ...RESOURCE_AND_SCOPE,
    { name: 'Value', kind: 'float64', type: 'Float64' },
    { name: 'Flags', kind: 'uint32', type: 'UInt32' },
    ...EXEMPLARS,
  ],
  sum: [
    ...RESOURCE_AND_SCOPE,
    { name: 'Value', kind: 'float64', type: 'Float64' },
    { name: 'Flags', kind: 'uint32', type: 'UInt32' },
    ...EXEMPLARS,
    { name: 'AggregationTemporality', kind: 'int32', type: 'Int32' },
    { name: 'IsMonotonic', kind: 'bool', type: 'Bool' },
  ],
  histogram: [
    ...RESOURCE_AND_SCOPE,
    { name: 'Count', kind: 'uint64', type: 'UInt64' },
    { name: 'Sum', kind: 'float64', type: 'Float64' },
    { name: 'BucketCounts', kind: 'uint64[]', type: 'Array(UInt64)' },
    { name: 'ExplicitBounds', kind: 'float64[]', type: 'Array(Float64)' },
    ...EXEMPLARS,
    { name: 'Flags', kind: 'uint32', type: 'UInt32' },
    { name: 'Min', kind: 'float64', type: 'Float64' },
    { name: 'Max', kind: 'float64', type: 'Float64' },
    { name: 'AggregationTemporality', kind: 'int32', type: 'Int32' },
  ],
  exponentialHistogram: [
    ...RESOURCE_AND_SCOPE,
    { name: 'Count', kind: 'uint64', type: 'UInt64' },
    { name: 'Sum', kind: 'float64', type: 'Float64' },
    { name: 'Scale', kind: 'int32', type: 'Int32' },
    { name: 'ZeroCount', kind: 'uint64', type: 'UInt64' },
    { name: 'PositiveOffset', kind: 'int32', type: 'Int32' },
    { name: 'PositiveBucketCounts', kind: 'uint64[]', type: 'Array(UInt64)' },
    { name: 'NegativeOffset', kind: 'int32', type: 'Int32' },
    { name: 'NegativeBucketCounts', kind: 'uint64[]', type: 'Array(UInt64)' },
    ...EXEMPLARS,
    { name: 'Flags', kind: 'uint32', type: 'UInt32' },
    { name: 'Min', kind: 'float64', type: 'Float64' },
    { name: 'Max', kind: 'float64', type: 'Float64' },
    { name: 'AggregationTemporality', kind: 'int32', type: 'Int32' },
  ],
  summary: [
    ...RESOURCE_AND_SCOPE,
    { name: 'Count', kind: 'uint64', type: 'UInt64' },
    { name: 'Sum', kind: 'float64', type: 'Float64' },
    { name: 'ValueAtQuantiles.Quantile', kind: 'float64[]', type: 'Array(Float64)' },
    { name: 'ValueAtQuantiles.Value', kind: 'float64[]', type: 'Array(Float64)' },
    { name: 'Flags', kind: 'uint32', type: 'UInt32' },
  ],
};

/** The consecutive insert columns of a table from `first` to `last`, both included. */
export function insertColumnRun(
  kind: TableKind,
  first: string,
  last: string,
): readonly InsertColumn[] {
  const columns = INSERT_COLUMNS[kind];
  const from = columns.findIndex((column) => column.name === first);
  const to = columns.findIndex((column) => column.name === last);
  if (from < 0 || to < from) throw new Error(`no columns ${first}…${last} in ${kind}`);
  return columns.slice(from, to + 1);
}
