import assert from 'node:assert/strict';
import type { ClickHouseClient } from '@clickhouse/client';
import { select } from './support';
import type { Recorded } from './support';

/*
 * The SQL Grafana's ClickHouse data source (grafana/clickhouse-datasource) runs for its trace
 * view, trace search and log view on the OpenTelemetry tables, as its own tests expect it
 * (src/data/sqlGenerator.test.ts at 1d04063a, the case named in each function), with the
 * database, trace id and filter values of this run put in. The time macros are expanded as the
 * plugin's backend does (pkg/macros/macros.go: $__fromTime is toDateTime(<unix seconds>)).
 */

/** The Grafana time range of a query: the last hour up to a minute from now. */
function timeRange(): { from: string; to: string } {
  const now = Math.floor(Date.now() / 1000);
  return { from: `toDateTime(${now - 3_600})`, to: `toDateTime(${now + 60})` };
}

/** 'generates trace ID query with OTel enabled' (otelVersion latest, hasTraceTimestampTable). */
export function traceIdQuery(database: string, traceId: string): string {
  const db = `"${database}"`;
  return [
    `WITH '${traceId}' as __gf_trace_id, (SELECT min(Start) FROM ${db}."otel_traces_trace_id_ts" WHERE TraceId = __gf_trace_id) as __gf_trace_start,`,
    `(SELECT max(End) + 1 FROM ${db}."otel_traces_trace_id_ts" WHERE TraceId = __gf_trace_id) as __gf_trace_end`,
    'SELECT "TraceId" as traceID, "SpanId" as spanID, "ParentSpanId" as parentSpanID,',
    '"ServiceName" as serviceName, "SpanName" as operationName, multiply(toUnixTimestamp64Nano("Timestamp"), 0.000001) as startTime,',
    'multiply("Duration", 0.000001) as duration,',
    `arrayMap(key -> map('key', key, 'value',"SpanAttributes"[key]),`,
    `mapKeys("SpanAttributes")) as tags,`,
    `arrayMap(key -> map('key', key, 'value',"ResourceAttributes"[key]), mapKeys("ResourceAttributes")) as serviceTags,`,
    `if("StatusCode" IN ('Error', 'STATUS_CODE_ERROR'), 2, 0) as statusCode`,
    `FROM ${db}."otel_traces" WHERE traceID = __gf_trace_id AND "Timestamp" >= __gf_trace_start AND "Timestamp" <= __gf_trace_end`,
  ].join(' ');
}

/**
 * 'generates trace search query': root spans in the time range, longest first; with the
 * service-name filter given a value (the same `( column = 'value' )` form as the logs level
 * filter of 'generates logs query') and a duration threshold.
 */
export function traceSearchQuery(database: string, service: string, minDurationNs: number): string {
  const { from, to } = timeRange();
  return [
    'SELECT "TraceId" as traceID, "ServiceName" as serviceName, "SpanName" as operationName,',
    `"Timestamp" as startTime, multiply("Duration", 0.000001) as duration`,
    `FROM "${database}"."otel_traces" WHERE ( Timestamp >= ${from} AND Timestamp <= ${to} )`,
    `AND ( ParentSpanId = '' ) AND ( Duration > ${minDurationNs} ) AND ( ServiceName = '${service}' )`,
    'ORDER BY Timestamp DESC, Duration DESC LIMIT 1000',
  ].join(' ');
}

/**
 * 'falls back to Time column when FilterTime is unmapped (collector-contrib v0.151.0+ schema)',
 * with the level filter of 'generates logs query'.
 */
export function logsQuery(database: string, level: string): string {
  const { from, to } = timeRange();
  return [
    'SELECT Timestamp as "timestamp", Body as "body", SeverityText as "level"',
    `FROM "${database}"."otel_logs"`,
    `WHERE ( timestamp >= ${from} AND timestamp <= ${to} )`,
    `AND ( level = '${level}' )`,
    'ORDER BY timestamp DESC LIMIT 1000',
  ].join(' ');
}

/** Grafana's trace view, trace search and log view find what the SDK recorded. */
export async function assertGrafanaQueries(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
): Promise<void> {
  const trace = await select<{ operationName: string; serviceName: string; statusCode: number }>(
    client,
    traceIdQuery(database, recorded.traceId),
  );
  assert.deepEqual(
    trace.map((span) => [span.operationName, span.serviceName, span.statusCode]).sort(),
    [
      ['POST /checkout', recorded.service, 2],
      ['SELECT carts', recorded.service, 0],
    ],
    "Grafana's trace view",
  );

  const durationNs = (span: Recorded['spans'][number]): number =>
    (span.endTime[0] - span.startTime[0]) * 1e9 + span.endTime[1] - span.startTime[1];
  const expectedRoots = recorded.spans
    .filter(
      (span) =>
        !span.parentSpanContext &&
        span.resource.attributes['service.name'] === recorded.service &&
        durationNs(span) > 0,
    )
    .map((span) => span.name)
    .sort();
  const roots = await select<{ operationName: string }>(
    client,
    traceSearchQuery(database, recorded.service, 0),
  );
  assert.ok(expectedRoots.length > 0);
  assert.deepEqual(roots.map((row) => row.operationName).sort(), expectedRoots, 'trace search');
  const none = await select(client, traceSearchQuery(database, recorded.service, 3_600e9));
  assert.deepEqual(none, [], 'trace search: the duration threshold filters');

  const logs = await select<{ body: string; level: string }>(client, logsQuery(database, 'ERROR'));
  const expectedLogs = recorded.logs
    .filter((log) => log.severityText === 'ERROR')
    .map((log) => String(log.body))
    .sort();
  assert.ok(expectedLogs.length > 0);
  assert.deepEqual(logs.map((row) => row.body).sort(), expectedLogs, "Grafana's log view");
}
