import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSchemaOptions } from '../src/config';
import {
  isReplicatedEngine,
  quoteIdentifier,
  schemaStatements,
  ttlClause,
} from '../src/schema/ddl';
import { schemaSql } from '../src/schema/public';
import { DEFAULT_TABLE_NAMES, INSERT_COLUMNS } from '../src/schema/tables';
import type { TableKind } from '../src/schema/tables';
import { SCHEMA_SETTINGS, clearClickHouseEnv } from './fixtures';

clearClickHouseEnv();

test('the traces table is the Collector schema, with the dedup window in SETTINGS', () => {
  const [, traces] = schemaStatements(SCHEMA_SETTINGS, ['traces']);
  assert.equal(
    traces,
    [
      'CREATE TABLE IF NOT EXISTS `otel`.`otel_traces` (',
      '    Timestamp DateTime64(9) CODEC(Delta(8), ZSTD(1)),',
      '    TraceId String CODEC(ZSTD(1)),',
      '    SpanId String CODEC(ZSTD(1)),',
      '    ParentSpanId String CODEC(ZSTD(1)),',
      '    TraceState String CODEC(ZSTD(1)),',
      '    SpanName LowCardinality(String) CODEC(ZSTD(1)),',
      '    SpanKind LowCardinality(String) CODEC(ZSTD(1)),',
      '    ServiceName LowCardinality(String) CODEC(ZSTD(1)),',
      '    ResourceAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),',
      '    ScopeName String CODEC(ZSTD(1)),',
      '    ScopeVersion String CODEC(ZSTD(1)),',
      '    SpanAttributes Map(LowCardinality(String), String) CODEC(ZSTD(1)),',
      '    Duration UInt64 CODEC(T64, ZSTD(1)),',
      '    StatusCode LowCardinality(String) CODEC(ZSTD(1)),',
      '    StatusMessage String CODEC(ZSTD(1)),',
      '    Events Nested (',
      '        Timestamp DateTime64(9),',
      '        Name LowCardinality(String),',
      '        Attributes Map(LowCardinality(String), String)',
      '    ) CODEC(ZSTD(1)),',
      '    Links Nested (',
      '        TraceId String,',
      '        SpanId String,',
      '        TraceState String,',
      '        Attributes Map(LowCardinality(String), String)',
      '    ) CODEC(ZSTD(1)),',
      "    ResourceAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(ResourceAttributes, 'Array(Tuple(String, String))')),",
      "    SpanAttributeItems Array(String) ALIAS arrayMap(kv -> concat(kv.1, '=', kv.2), CAST(SpanAttributes, 'Array(Tuple(String, String))')),",
      '    INDEX idx_trace_id TraceId TYPE bloom_filter(0.001) GRANULARITY 1,',
      '    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,',
      '    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,',
      '    INDEX idx_span_attr_key mapKeys(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,',
      '    INDEX idx_span_attr_value mapValues(SpanAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,',
      '    INDEX idx_duration Duration TYPE minmax GRANULARITY 1,',
      '    INDEX idx_lower_span_name lower(SpanName) TYPE tokenbf_v1(32768, 3, 0) GRANULARITY 8',
      ') ENGINE = MergeTree()',
      'PARTITION BY toDate(Timestamp)',
      'PRIMARY KEY (ServiceName, SpanName, toDateTime(Timestamp))',
      'ORDER BY (ServiceName, SpanName, toDateTime(Timestamp), Timestamp)',
      'SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000',
    ].join('\n'),
  );
});

test('traces come with the trace-id lookup table and its materialized view', () => {
  const statements = schemaStatements(SCHEMA_SETTINGS, ['traces']);
  assert.equal(statements.length, 4);
  assert.equal(statements[0], 'CREATE DATABASE IF NOT EXISTS `otel`');
  assert.match(statements[2], /^CREATE TABLE IF NOT EXISTS `otel`\.`otel_traces_trace_id_ts` \(/);
  // traces_id_ts_lookup_table.sql: aggregate-typed bounds, one key per trace, weekly parts.
  assert.match(
    statements[2],
    /Start SimpleAggregateFunction\(min, DateTime\) CODEC\(ZSTD\(1\)\),\n {4}End SimpleAggregateFunction\(max, DateTime\)/,
  );
  assert.match(statements[2], /PARTITION BY toStartOfWeek\(Start\)\nORDER BY \(TraceId\)/);
  assert.match(statements[2], /non_replicated_deduplication_window = 1000/);
  assert.equal(
    statements[3],
    [
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `otel`.`otel_traces_trace_id_ts_mv`',
      'TO `otel`.`otel_traces_trace_id_ts`',
      'AS SELECT',
      '    TraceId,',
      '    min(Timestamp) AS Start,',
      '    max(Timestamp) AS End',
      'FROM `otel`.`otel_traces`',
      "WHERE TraceId != ''",
      'GROUP BY TraceId',
    ].join('\n'),
  );
});

test('every column an INSERT names exists in its CREATE TABLE, with exactly its type', () => {
  const statements = schemaStatements(SCHEMA_SETTINGS);
  const tableStatement = (kind: TableKind): string =>
    statements.find((s) =>
      s.startsWith(`CREATE TABLE IF NOT EXISTS \`otel\`.\`${DEFAULT_TABLE_NAMES[kind]}\` (`),
    ) as string;
  for (const kind of Object.keys(INSERT_COLUMNS) as TableKind[]) {
    const ddl = tableStatement(kind).replace(/Map\(LowCardinality\(String\), String\)/g, 'MAP');
    assert.ok(ddl, `no CREATE TABLE for ${kind}`);
    for (const column of INSERT_COLUMNS[kind]) {
      const nested = column.name.includes('.');
      const leaf = column.name.split('.').at(-1) as string;
      const indent = nested ? ' {8}' : ' {4}';
      const line = new RegExp(`^${indent}${leaf} (\\S+?)(?:,| CODEC|$)`, 'm').exec(ddl);
      assert.ok(line, `${kind}: no column ${column.name}`);
      const ddlType = line[1]
        .replace('MAP', 'Map(LowCardinality(String), String)')
        .replace(/^Boolean$/, 'Bool');
      assert.equal(nested ? `Array(${ddlType})` : ddlType, column.type, `${kind}.${column.name}`);
    }
  }
});

test('the metric tables share the Collector columns and its v0.160 sort key', () => {
  const statements = schemaStatements(SCHEMA_SETTINGS, ['metrics']);
  assert.deepEqual(
    statements.map((s) => /`otel`\.`([a-z_]+)`/.exec(s)?.[1]),
    [
      'otel',
      'otel_metrics_gauge',
      'otel_metrics_sum',
      'otel_metrics_histogram',
      'otel_metrics_exponential_histogram',
      'otel_metrics_summary',
    ].map((name, i) => (i === 0 ? undefined : name)),
  );
  for (const statement of statements.slice(1)) {
    assert.match(
      statement,
      /StartTimeUnix DateTime64\(9\) CODEC\(Delta, ZSTD\(1\)\),\n {4}TimeUnix DateTime64\(9\)/,
    );
    assert.match(
      statement,
      /ORDER BY \(ServiceName, MetricName, toStartOfHour\(TimeUnix\), cityHash64\(Attributes\), TimeUnix\)/,
    );
    assert.match(statement, /PARTITION BY toDate\(TimeUnix\)/);
  }
});

test('TTL uses the largest whole unit, as the Collector writes it', () => {
  assert.equal(ttlClause(0, 'x'), '');
  assert.equal(
    ttlClause(3 * 86_400, 'toDateTime(Timestamp)'),
    'TTL toDateTime(Timestamp) + toIntervalDay(3)',
  );
  assert.equal(ttlClause(36 * 3_600, 'x'), 'TTL x + toIntervalHour(36)');
  assert.equal(ttlClause(90 * 60, 'x'), 'TTL x + toIntervalMinute(90)');
  assert.equal(ttlClause(61, 'x'), 'TTL x + toIntervalSecond(61)');
  const logs = schemaStatements({ ...SCHEMA_SETTINGS, ttlSeconds: 72 * 3_600 }, ['logs'])[1];
  assert.match(logs, /\nTTL toDateTime\(Timestamp\) \+ toIntervalDay\(3\)\nSETTINGS/);
});

test('ON CLUSTER, the engine and the database go where the Collector puts them', () => {
  const statements = schemaStatements(
    {
      ...SCHEMA_SETTINGS,
      database: 'default',
      clusterName: 'prod cluster',
      tableEngine:
        "ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}')",
    },
    ['logs'],
  );
  assert.equal(statements.length, 2, 'no CREATE DATABASE for default');
  assert.equal(
    statements[1],
    'ALTER TABLE `default`.`otel_logs` ON CLUSTER `prod cluster` ADD COLUMN IF NOT EXISTS EventName String CODEC(ZSTD(1))',
  );
  assert.match(
    statements[0],
    /^CREATE TABLE IF NOT EXISTS `default`\.`otel_logs` ON CLUSTER `prod cluster` \(/,
  );
  assert.match(
    statements[0],
    /\) ENGINE = ReplicatedMergeTree\('\/clickhouse\/tables\/\{shard\}\/\{database\}\/\{table\}', '\{replica\}'\)\n/,
  );
  assert.doesNotMatch(
    statements[0],
    /non_replicated_deduplication_window/,
    'replicated tables deduplicate already',
  );
});

test('identifiers are quoted so that any name is safe', () => {
  assert.equal(quoteIdentifier('plain'), '`plain`');
  assert.equal(quoteIdentifier('we`ird\\name; DROP'), '`we\\`ird\\\\name; DROP`');
  assert.ok(isReplicatedEngine('ReplicatedReplacingMergeTree()'));
  assert.ok(isReplicatedEngine('SharedMergeTree'));
  assert.ok(!isReplicatedEngine('MergeTree()'));
});

test('a deduplication window of 0 leaves the setting out', () => {
  const [logs] = schemaStatements(
    { ...SCHEMA_SETTINGS, database: 'default', deduplicationWindow: 0 },
    ['logs'],
  );
  assert.match(logs, /SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1$/);
});

test('schemaSql is the whole script for a DBA, statements ended with semicolons', () => {
  const sql = schemaSql({ database: 'otel' });
  assert.equal(sql.match(/;\n/g)?.length, 11);
  assert.ok(
    sql.startsWith(
      'CREATE DATABASE IF NOT EXISTS `otel`;\n\nCREATE TABLE IF NOT EXISTS `otel`.`otel_traces`',
    ),
  );
  assert.ok(
    sql.endsWith(
      'Flags UInt32 CODEC(ZSTD(1)),\n    INDEX idx_res_attr_key mapKeys(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_res_attr_value mapValues(ResourceAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_scope_attr_key mapKeys(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_scope_attr_value mapValues(ScopeAttributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_attr_key mapKeys(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_attr_value mapValues(Attributes) TYPE bloom_filter(0.01) GRANULARITY 1,\n    INDEX idx_time_minmax TimeUnix TYPE minmax GRANULARITY 1\n) ENGINE = MergeTree()\nPARTITION BY toDate(TimeUnix)\nORDER BY (ServiceName, MetricName, toStartOfHour(TimeUnix), cityHash64(Attributes), TimeUnix)\nSETTINGS index_granularity = 8192, ttl_only_drop_parts = 1, non_replicated_deduplication_window = 1000;\n',
    ),
  );
  assert.equal(
    schemaSql({ signals: ['logs'], tables: { logs: 'app_logs' } }).match(
      /CREATE TABLE IF NOT EXISTS `default`\.`app_logs`/,
    )?.length,
    1,
  );
  assert.deepEqual(
    resolveSchemaOptions({ tableEngine: 'ReplacingMergeTree' }).tableEngine,
    'ReplacingMergeTree()',
  );
});

/*
 * The logs table as TestRenderCreateLogsTableSQL checks the Collector's (exporter_logs_test.go in
 * exporter/clickhouseexporter, "bloom filter indexes for CH < 26.2" and "no TTL when zero"): each
 * row is one of its Contains / NotContains assertions.
 */
const COLLECTOR_LOGS_TABLE_CHECKS: { contains: boolean; text: string }[] = [
  { contains: true, text: 'TYPE bloom_filter' },
  { contains: true, text: 'TYPE tokenbf_v1' },
  { contains: false, text: 'TYPE text(' },
  { contains: true, text: 'toStartOfFiveMinutes(Timestamp)' },
  { contains: false, text: 'TimestampTime' },
  { contains: true, text: 'EventName' },
  { contains: true, text: '__otel_materialized_k8s.namespace.name' },
  { contains: true, text: '__otel_materialized_deployment.environment.name' },
  { contains: true, text: 'toDateTime(Timestamp)' },
];

for (const check of COLLECTOR_LOGS_TABLE_CHECKS) {
  test(`exporter_logs_test.go: the logs table ${check.contains ? 'has' : 'has no'} ${check.text}`, () => {
    const logs = schemaStatements({ ...SCHEMA_SETTINGS, ttlSeconds: 72 * 3_600 }, ['logs'])[1];
    assert.equal(logs.includes(check.text), check.contains, logs);
  });
}

test('exporter_logs_test.go: no TTL when zero', () => {
  const logs = schemaStatements({ ...SCHEMA_SETTINGS, ttlSeconds: 0 }, ['logs'])[1];
  assert.ok(!logs.includes('TTL'));
});
