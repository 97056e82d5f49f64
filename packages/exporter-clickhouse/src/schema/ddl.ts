import type { ClickHouseTableNames, TableKind } from './tables';

/** What shapes the DDL; every field is resolved (see `resolveSchemaOptions`). */
export interface SchemaSettings {
  database: string;
  tables: ClickHouseTableNames;
  /** 0: no TTL. */
  ttlSeconds: number;
  /** Empty: no `ON CLUSTER`. */
  clusterName: string;
  /** e.g. `MergeTree()` or `ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')`. */
  tableEngine: string;
  /**
   * `non_replicated_deduplication_window` of non-replicated MergeTree tables: how many recent
   * insert blocks ClickHouse remembers to drop a retried insert (0 leaves it off).
   */
  deduplicationWindow: number;
}

export type SchemaSignal = 'traces' | 'logs' | 'metrics';

/** Quotes an identifier for ClickHouse SQL, so any database or table name is safe to embed. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;
}

export function qualifiedTableName(settings: SchemaSettings, table: string): string {
  return `${quoteIdentifier(settings.database)}.${quoteIdentifier(table)}`;
}

/** The TTL clause the Collector writes: the largest whole unit of days, hours, minutes, seconds. */
export function ttlClause(ttlSeconds: number, timeExpression: string): string {
  if (ttlSeconds <= 0) return '';
  const units: [number, string][] = [
    [86_400, 'toIntervalDay'],
    [3_600, 'toIntervalHour'],
    [60, 'toIntervalMinute'],
    [1, 'toIntervalSecond'],
  ];
  const [size, fn] = units.find(([unit]) => ttlSeconds % unit === 0) as [number, string];
  return `TTL ${timeExpression} + ${fn}(${ttlSeconds / size})`;
}

function onCluster(settings: SchemaSettings): string {
  return settings.clusterName ? ` ON CLUSTER ${quoteIdentifier(settings.clusterName)}` : '';
}

export function isReplicatedEngine(engine: string): boolean {
  return /^(Replicated|Shared)/i.test(engine.trim());
}

function tableSettings(settings: SchemaSettings): string {
  const parts = ['index_granularity = 8192', 'ttl_only_drop_parts = 1'];
  // Replicated tables deduplicate by default (replicated_deduplication_window); plain MergeTree
  // only with this setting, and without it a retried insert would double its rows.
  if (settings.deduplicationWindow > 0 && !isReplicatedEngine(settings.tableEngine)) {
    parts.push(`non_replicated_deduplication_window = ${settings.deduplicationWindow}`);
  }
  return `SETTINGS ${parts.join(', ')}`;
}

function lines(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('\n');
}

const MAP = 'Map(LowCardinality(String), String)';

function attributeItems(map: string): string {
  return `arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(${map}, 'Array(Tuple(String, String))'))`;
}

/** Resource keys the Collector's logs table copies into columns of their own (MATERIALIZED). */
const MATERIALIZED_RESOURCE_KEYS = [
  'k8s.cluster.name',
  'k8s.container.name',
  'k8s.deployment.name',
  'k8s.namespace.name',
  'k8s.node.name',
  'k8s.pod.name',
  'k8s.pod.uid',
  'deployment.environment.name',
];

function tracesTable(s: SchemaSettings): string {
  return lines(
    `CREATE TABLE IF NOT EXISTS ${qualifiedTableName(s, s.tables.traces)}${onCluster(s)} (`,
    `    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),`,
    `    TraceId String CODEC(ZSTD(1)),`,
    `    SpanId String CODEC(ZSTD(1)),`,
    `    ParentSpanId String CODEC(ZSTD(1)),`,
    `    TraceState String CODEC(ZSTD(1)),`,
    `    SpanName LowCardinality(String) CODEC(ZSTD(1)),`,
    `    SpanKind LowCardinality(String) CODEC(ZSTD(1)),`,
    `    ServiceName LowCardinality(String) CODEC(ZSTD(1)),`,
    `    ResourceAttributes ${MAP} CODEC(ZSTD(1)),`,
    `    ScopeName String CODEC(ZSTD(1)),`,
    `    ScopeVersion String CODEC(ZSTD(1)),`,
    `    SpanAttributes ${MAP} CODEC(ZSTD(1)),`,
    `    Duration UInt64 CODEC(T64, ZSTD(1)),`,
    `    StatusCode LowCardinality(String) CODEC(ZSTD(1)),`,
    `    StatusMessage String CODEC(ZSTD(1)),`,
    `    Events Nested (`,
    `        Timestamp DateTime64(9),`,
    `        Name LowCardinality(String),`,
    `        Attributes ${MAP}`,
    `    ) CODEC(ZSTD(1)),`,
    `    Links Nested (`,
    `        TraceId String,`,
    `        SpanId String,`,
    `        TraceState String,`,
    `        Attributes ${MAP}`,
    `    ) CODEC(ZSTD(1)),`,
    // key=value items, computed at read time (ALIAS, nothing stored): what ClickStack rewrites
    // an attribute filter into.
    `    ResourceAttributeItems Array(String) ALIAS ${attributeItems('ResourceAttributes')},`,
    `    SpanAttributeItems Array(String) ALIAS ${attributeItems('SpanAttributes')},`,
    `    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,`,
    `    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,`,
    `    INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8`,
    `) ENGINE = ${s.tableEngine}`,
    `PARTITION BY toDate(Timestamp)`,
    `PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))`,
    `ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)`,
    ttlClause(s.ttlSeconds, 'toDateTime(Timestamp)'),
    tableSettings(s),
  );
}

function traceIdLookupTable(s: SchemaSettings): string {
  return lines(
    `CREATE TABLE IF NOT EXISTS ${qualifiedTableName(s, `${s.tables.traces}_trace_id_ts`)}${onCluster(s)} (`,
    `    TraceId String CODEC(ZSTD(1)),`,
    `    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),`,
    `    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))`,
    `) ENGINE = ${s.tableEngine}`,
    `PARTITION BY toStartOfWeek(Start)`,
    `ORDER BY (TraceId)`,
    ttlClause(s.ttlSeconds, 'toDateTime(Start)'),
    // The view's rows are deduplicated with their source insert only if this table remembers
    // blocks too: without it a retried span insert adds lookup rows twice.
    tableSettings(s),
  );
}

function traceIdLookupView(s: SchemaSettings): string {
  return lines(
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualifiedTableName(s, `${s.tables.traces}_trace_id_ts_mv`)}${onCluster(s)}`,
    `TO ${qualifiedTableName(s, `${s.tables.traces}_trace_id_ts`)}`,
    `AS SELECT`,
    `    TraceId,`,
    `    min(Timestamp) AS Start,`,
    `    max(Timestamp) AS End`,
    `FROM ${qualifiedTableName(s, s.tables.traces)}`,
    `WHERE TraceId != ''`,
    `GROUP BY TraceId`,
  );
}

function logsTable(s: SchemaSettings): string {
  return lines(
    `CREATE TABLE IF NOT EXISTS ${qualifiedTableName(s, s.tables.logs)}${onCluster(s)} (`,
    `    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),`,
    `    TraceId String CODEC(ZSTD(1)),`,
    `    SpanId String CODEC(ZSTD(1)),`,
    `    TraceFlags UInt8,`,
    `    SeverityText LowCardinality(String) CODEC(ZSTD(1)),`,
    `    SeverityNumber UInt8,`,
    `    ServiceName LowCardinality(String) CODEC(ZSTD(1)),`,
    `    Body String CODEC(ZSTD(1)),`,
    `    ResourceSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),`,
    `    ResourceAttributes ${MAP} CODEC(ZSTD(1)),`,
    `    ScopeSchemaUrl LowCardinality(String) CODEC(ZSTD(1)),`,
    `    ScopeName String CODEC(ZSTD(1)),`,
    `    ScopeVersion LowCardinality(String) CODEC(ZSTD(1)),`,
    `    ScopeAttributes ${MAP} CODEC(ZSTD(1)),`,
    `    LogAttributes ${MAP} CODEC(ZSTD(1)),`,
    `    EventName String CODEC(ZSTD(1)),`,
    ...MATERIALIZED_RESOURCE_KEYS.map(
      (key) =>
        `    ${quoteIdentifier(`__otel_materialized_${key}`)} LowCardinality(String) MATERIALIZED ResourceAttributes['${key}'] CODEC(ZSTD(1)),`,
    ),
    `    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,`,
    `    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_log_attr_key mapKeys(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_log_attr_value mapValues(LogAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
    `    INDEX idx_lower_body lower(Body) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8`,
    `) ENGINE = ${s.tableEngine}`,
    `PARTITION BY toDate(Timestamp)`,
    // Since Collector v0.151: five-minute buckets first, so a time range prunes granules
    // across services (there is no TimestampTime column any more).
    `ORDER BY (toStartOfFiveMinutes(Timestamp), ServiceName, Timestamp)`,
    ttlClause(s.ttlSeconds, 'toDateTime(Timestamp)'),
    tableSettings(s),
  );
}

/**
 * Brings a logs table made by a Collector from before its EventName column up to date, as the
 * Collector's README tells its users to: a no-op on a table that has the column.
 */
function logsEventNameColumn(s: SchemaSettings): string {
  return `ALTER TABLE ${qualifiedTableName(s, s.tables.logs)}${onCluster(s)} ADD COLUMN IF NOT EXISTS EventName String CODEC(ZSTD(1))`;
}

const METRIC_COMMON_COLUMNS = [
  `    ResourceAttributes ${MAP} CODEC(ZSTD(1)),`,
  `    ResourceSchemaUrl String CODEC(ZSTD(1)),`,
  `    ScopeName String CODEC(ZSTD(1)),`,
  `    ScopeVersion String CODEC(ZSTD(1)),`,
  `    ScopeAttributes ${MAP} CODEC(ZSTD(1)),`,
  `    ScopeDroppedAttrCount UInt32 CODEC(ZSTD(1)),`,
  `    ScopeSchemaUrl String CODEC(ZSTD(1)),`,
  `    ServiceName LowCardinality(String) CODEC(ZSTD(1)),`,
  `    MetricName LowCardinality(String) CODEC(ZSTD(1)),`,
  `    MetricDescription String CODEC(ZSTD(1)),`,
  `    MetricUnit String CODEC(ZSTD(1)),`,
  `    Attributes ${MAP} CODEC(ZSTD(1)),`,
  `    StartTimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),`,
  `    TimeUnix DateTime64(9) CODEC(Delta, ZSTD(1)),`,
];

const EXEMPLAR_COLUMNS = [
  `    Exemplars Nested (`,
  `        FilteredAttributes ${MAP},`,
  `        TimeUnix DateTime64(9),`,
  `        Value Float64,`,
  `        SpanId String,`,
  `        TraceId String`,
  `    ) CODEC(ZSTD(1)),`,
];

const METRIC_INDEXES = [
  `    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,`,
  `    INDEX idx_time_minmax TimeUnix TYPE minmax GRANULARITY 1`,
];

function metricTable(s: SchemaSettings, table: string, typeColumns: string[]): string {
  return lines(
    `CREATE TABLE IF NOT EXISTS ${qualifiedTableName(s, table)}${onCluster(s)} (`,
    ...METRIC_COMMON_COLUMNS,
    ...typeColumns,
    ...METRIC_INDEXES,
    `) ENGINE = ${s.tableEngine}`,
    `PARTITION BY toDate(TimeUnix)`,
    // The Collector's key since v0.160: time before the attributes, so a dashboard's time range
    // prunes granules; the hash keeps a series' rows together without a whole map in the index.
    `ORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)`,
    ttlClause(s.ttlSeconds, 'toDateTime(TimeUnix)'),
    tableSettings(s),
  );
}

function metricTables(s: SchemaSettings): string[] {
  return [
    metricTable(s, s.tables.gauge, [
      `    Value Float64 CODEC(ZSTD(1)),`,
      `    Flags UInt32 CODEC(ZSTD(1)),`,
      ...EXEMPLAR_COLUMNS,
    ]),
    metricTable(s, s.tables.sum, [
      `    Value Float64 CODEC(ZSTD(1)),`,
      `    Flags UInt32 CODEC(ZSTD(1)),`,
      ...EXEMPLAR_COLUMNS,
      `    AggregationTemporality Int32 CODEC(ZSTD(1)),`,
      `    IsMonotonic Boolean CODEC(Delta, ZSTD(1)),`,
    ]),
    metricTable(s, s.tables.histogram, [
      `    Count UInt64 CODEC(Delta, ZSTD(1)),`,
      `    Sum Float64 CODEC(ZSTD(1)),`,
      `    BucketCounts Array(UInt64) CODEC(ZSTD(1)),`,
      `    ExplicitBounds Array(Float64) CODEC(ZSTD(1)),`,
      ...EXEMPLAR_COLUMNS,
      `    Flags UInt32 CODEC(ZSTD(1)),`,
      `    Min Float64 CODEC(ZSTD(1)),`,
      `    Max Float64 CODEC(ZSTD(1)),`,
      `    AggregationTemporality Int32 CODEC(ZSTD(1)),`,
    ]),
    metricTable(s, s.tables.exponentialHistogram, [
      `    Count UInt64 CODEC(Delta, ZSTD(1)),`,
      `    Sum Float64 CODEC(ZSTD(1)),`,
      `    Scale Int32 CODEC(ZSTD(1)),`,
      `    ZeroCount UInt64 CODEC(ZSTD(1)),`,
      `    PositiveOffset Int32 CODEC(ZSTD(1)),`,
      `    PositiveBucketCounts Array(UInt64) CODEC(ZSTD(1)),`,
      `    NegativeOffset Int32 CODEC(ZSTD(1)),`,
      `    NegativeBucketCounts Array(UInt64) CODEC(ZSTD(1)),`,
      ...EXEMPLAR_COLUMNS,
      `    Flags UInt32 CODEC(ZSTD(1)),`,
      `    Min Float64 CODEC(ZSTD(1)),`,
      `    Max Float64 CODEC(ZSTD(1)),`,
      `    AggregationTemporality Int32 CODEC(ZSTD(1)),`,
    ]),
    metricTable(s, s.tables.summary, [
      `    Count UInt64 CODEC(Delta, ZSTD(1)),`,
      `    Sum Float64 CODEC(ZSTD(1)),`,
      `    ValueAtQuantiles Nested (`,
      `        Quantile Float64,`,
      `        Value Float64`,
      `    ) CODEC(ZSTD(1)),`,
      `    Flags UInt32 CODEC(ZSTD(1)),`,
    ]),
  ];
}

/**
 * Every statement that creates what the given signals need, in the order to run them: the
 * database (unless `default`), the tables, then the trace-id view. Each is idempotent
 * (`IF NOT EXISTS`).
 */
export function schemaStatements(
  settings: SchemaSettings,
  signals: readonly SchemaSignal[] = ['traces', 'logs', 'metrics'],
): string[] {
  const statements: string[] = [];
  if (settings.database !== 'default') {
    statements.push(
      `CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(settings.database)}${onCluster(settings)}`,
    );
  }
  if (signals.includes('traces')) {
    statements.push(
      tracesTable(settings),
      traceIdLookupTable(settings),
      traceIdLookupView(settings),
    );
  }
  if (signals.includes('logs')) statements.push(logsTable(settings), logsEventNameColumn(settings));
  if (signals.includes('metrics')) statements.push(...metricTables(settings));
  return statements;
}

/** The tables (with the lookup table and view for traces) a signal writes or needs. */
export function tableKindsOf(signal: SchemaSignal): TableKind[] {
  if (signal === 'traces') return ['traces'];
  if (signal === 'logs') return ['logs'];
  return ['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary'];
}
