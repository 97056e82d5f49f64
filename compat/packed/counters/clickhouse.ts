import type { Signal } from '../snippets';
import type { BackendCounter } from './counter';
import { getText } from './counter';

// The Collector's table names, which the exporter writes by default, in any database.
const TABLES: Record<Signal, string> = {
  traces: "name = 'otel_traces'",
  logs: "name = 'otel_logs'",
  metrics: "startsWith(name, 'otel_metrics_')",
};

/**
 * ClickHouse (the real engine behind the harness's HTTP front): the rows of the signal's tables
 * in every database, from system.tables (exact for the MergeTree family the exporter creates).
 */
export const clickhouse: BackendCounter = {
  signals: ['traces', 'logs', 'metrics'],
  async count(url, signal) {
    const query =
      'SELECT toUInt64(ifNull(sum(total_rows), 0)) AS rows FROM system.tables ' +
      `WHERE engine LIKE '%MergeTree' AND ${TABLES[signal]} FORMAT JSONEachRow`;
    const text = await getText(`${url}/?${new URLSearchParams({ query })}`);
    return Number((JSON.parse(text) as { rows: string | number }).rows);
  },
};
