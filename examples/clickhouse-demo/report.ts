import type { ClickHouseClient } from '@clickhouse/client';

/** Prints query results as an aligned text table. */
export function printTable(title: string, rows: Record<string, unknown>[]): void {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) {
    process.stdout.write('  (no rows)\n');
    return;
  }
  const columns = Object.keys(rows[0]);
  const cells = rows.map((row) => columns.map((column) => String(row[column] ?? '')));
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...cells.map((cell) => cell[i].length)),
  );
  const line = (values: string[]) =>
    `  ${values.map((value, i) => (/^-?[\d.]+$/.test(value) ? value.padStart(widths[i]) : value.padEnd(widths[i]))).join('  ')}\n`;
  process.stdout.write(line(columns));
  process.stdout.write(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of cells) process.stdout.write(line(row));
}

async function select(client: ClickHouseClient, query: string): Promise<Record<string, unknown>[]> {
  const result = await client.query({ query, format: 'JSONEachRow' });
  return result.json<Record<string, unknown>>();
}

/** What landed, read back with SQL, the way one would query the Collector's tables. */
export async function report(
  client: ClickHouseClient,
  database: string,
  runId: string,
): Promise<void> {
  const db = `\`${database}\``;
  const thisRun = `ResourceAttributes['service.instance.id'] = '${runId}'`;

  printTable(
    `Requests and latency per route (from ${database}.otel_traces, SERVER spans)`,
    await select(
      client,
      `SELECT SpanName AS route,
              count() AS requests,
              countIf(StatusCode = 'Error') AS errors,
              round(quantile(0.5)(Duration) / 1e6, 2) AS p50_ms,
              round(quantile(0.95)(Duration) / 1e6, 2) AS p95_ms
       FROM ${db}.otel_traces
       WHERE SpanKind = 'Server' AND ${thisRun}
       GROUP BY route ORDER BY route`,
    ),
  );

  printTable(
    `Error logs (from ${database}.otel_logs, SeverityNumber >= 17), latest 5`,
    await select(
      client,
      `SELECT formatDateTime(Timestamp, '%H:%i:%S.%f') AS time, SeverityText AS level, Body AS body,
              LogAttributes['error.type'] AS error_type, substring(TraceId, 1, 12) AS trace
       FROM ${db}.otel_logs
       WHERE SeverityNumber >= 17 AND ${thisRun}
       ORDER BY Timestamp DESC LIMIT 5`,
    ),
  );

  printTable(
    `Metric http.server.requests by route and status (from ${database}.otel_metrics_sum, latest cumulative value)`,
    await select(
      client,
      `SELECT Attributes['http.route'] AS route, Attributes['http.response.status_code'] AS status,
              argMax(Value, TimeUnix) AS requests
       FROM ${db}.otel_metrics_sum
       WHERE MetricName = 'http.server.requests' AND ${thisRun}
       GROUP BY route, status ORDER BY route, status`,
    ),
  );

  const [failed] = await select(
    client,
    `SELECT TraceId FROM ${db}.otel_traces
     WHERE SpanName = 'POST /checkout' AND StatusCode = 'Error' AND ${thisRun} LIMIT 1`,
  );
  if (failed) {
    const traceId = String(failed.TraceId);
    printTable(
      `One failed checkout, found by TraceId through ${database}.otel_traces_trace_id_ts`,
      await select(
        client,
        `WITH '${traceId}' AS trace_id,
              (SELECT min(Start) FROM ${db}.otel_traces_trace_id_ts WHERE TraceId = trace_id) AS start,
              (SELECT max(End) + 1 FROM ${db}.otel_traces_trace_id_ts WHERE TraceId = trace_id) AS end
         SELECT SpanName AS span, SpanKind AS kind, StatusCode AS status, round(Duration / 1e6, 2) AS ms,
                if(ParentSpanId = '', '(root)', substring(ParentSpanId, 1, 8)) AS parent
         FROM ${db}.otel_traces
         WHERE TraceId = trace_id AND Timestamp >= start AND Timestamp <= end
         ORDER BY Timestamp`,
      ),
    );
  }
}
