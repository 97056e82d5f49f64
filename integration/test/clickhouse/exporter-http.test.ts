import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { createClient, drainStream } from '@clickhouse/client';
import {
  ClickHouseLogRecordExporter,
  DEFAULT_TABLE_NAMES,
  INSERT_COLUMNS,
  PERMANENT_ERROR_CODES,
  RETRYABLE_ERROR_CODES,
  createSchema,
} from '@otelpack/exporter-clickhouse';
import type { InsertFormat } from '@otelpack/exporter-clickhouse';
import { backendUrl } from '../../src/env';
import { assertGrafanaQueries } from './grafana-queries';
import {
  FAST_PIPELINE,
  assertAllDelivered,
  assertGrafanaLogsQuery,
  assertLogsStored,
  assertMetricsStored,
  assertTraceLookup,
  assertTracesStored,
  clickHouseExporters,
  exporterStats,
  produceTelemetry,
  recordedCounts,
  select,
  shutdownExporters,
  uniqueDatabase,
} from './support';

/*
 * REAL engine: ClickHouse 26.x (chdb) behind otelpack's HTTP front (or a ClickHouse server under
 * docker-compose). The exporters, driven by the SDK 2.x providers, write over HTTP; the rows
 * are read back with SQL and compared with what the SDK recorded.
 */

const ID = 'clickhouse';

for (const format of ['JSONEachRow', 'RowBinary'] as InsertFormat[]) {
  test(`every signal lands and reads back as recorded (${format} over HTTP)`, async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const database = uniqueDatabase(`it_http_${format.toLowerCase()}`);
    const exporters = clickHouseExporters({ url, database, format, ...FAST_PIPELINE });
    const recorded = await produceTelemetry(exporters, database);
    assertAllDelivered(exporterStats(exporters), recordedCounts(recorded));
    const client = createClient({ url });
    try {
      await assertTracesStored(client, database, recorded);
      await assertTraceLookup(client, database, recorded);
      await assertLogsStored(client, database, recorded);
      await assertGrafanaLogsQuery(client, database, recorded);
      await assertGrafanaQueries(client, database, recorded);
      await assertMetricsStored(client, database, recorded);
      const tables = await select<{ name: string }>(
        client,
        `SELECT name FROM system.tables WHERE database = '${database}' ORDER BY name`,
      );
      assert.deepEqual(
        tables.map((row) => row.name),
        [
          'otel_logs',
          'otel_metrics_exponential_histogram',
          'otel_metrics_gauge',
          'otel_metrics_histogram',
          'otel_metrics_sum',
          'otel_metrics_summary',
          'otel_traces',
          'otel_traces_trace_id_ts',
          'otel_traces_trace_id_ts_mv',
        ],
      );
    } finally {
      await client.close();
      await shutdownExporters(exporters);
    }
  });
}

test('createSchema is idempotent and safe when many processes run it at once', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const database = uniqueDatabase('it_schema');
  const clients = Array.from({ length: 4 }, () => createClient({ url }));
  try {
    await Promise.all(
      clients.map((client) => createSchema(client, { database, ttlSeconds: 7 * 86_400 })),
    );
    await createSchema(clients[0], { database, ttlSeconds: 7 * 86_400 });
    const rows = await select<{ name: string; engine: string; ttl: number }>(
      clients[0],
      `SELECT name, engine, position(create_table_query, 'TTL') > 0 AS ttl
       FROM system.tables WHERE database = '${database}' ORDER BY name`,
    );
    assert.equal(rows.length, 9);
    assert.deepEqual(
      rows.filter((row) => row.engine === 'MergeTree' && !row.ttl),
      [],
      'every table has its TTL',
    );
    // The exporter's column types are the engine's, exactly: RowBinary's header depends on it.
    const columns = await select<{ table: string; name: string; type: string }>(
      clients[0],
      `SELECT table, name, type FROM system.columns WHERE database = '${database}'`,
    );
    for (const [kind, insertColumns] of Object.entries(INSERT_COLUMNS)) {
      const table = DEFAULT_TABLE_NAMES[kind as keyof typeof DEFAULT_TABLE_NAMES];
      for (const column of insertColumns) {
        const found = columns.find((c) => c.table === table && c.name === column.name);
        assert.equal(found?.type, column.type, `${table}.${column.name}`);
      }
    }
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
});

test('a retried insert is not stored twice: the dedup token and the window work through the view', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const database = uniqueDatabase('it_dedup');
  // An exporter whose first answer is lost after the server stored the rows would resend the
  // same batch; replaying the exporter's own INSERT with its token is what that retry does.
  const client = createClient({ url });
  try {
    await createSchema(client, { database, signals: ['traces'] });
    const row = JSON.stringify({
      Timestamp: `${Math.floor(Date.now() / 1000)}.000000123`,
      TraceId: 'aa'.repeat(16),
      SpanId: 'bb'.repeat(8),
      SpanName: 'dedup',
    });
    for (let i = 0; i < 3; i++) {
      const result = await client.exec({
        query: `INSERT INTO \`${database}\`.otel_traces (Timestamp, TraceId, SpanId, SpanName) FORMAT JSONEachRow`,
        values: Readable.from([Buffer.from(`${row}\n`)], { objectMode: false }),
        clickhouse_settings: { insert_deduplication_token: 'same-batch' },
      });
      await drainStream(result.stream);
    }
    const counts = await select<{ spans: string; lookup: string }>(
      client,
      `SELECT (SELECT count() FROM \`${database}\`.otel_traces) AS spans,
              (SELECT count() FROM \`${database}\`.otel_traces_trace_id_ts) AS lookup`,
    );
    assert.deepEqual(counts, [{ spans: '1', lookup: '1' }]);
  } finally {
    await client.close();
  }
});

test("ClickHouse's errors keep their code and message, and are classified by code", async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const database = uniqueDatabase('it_errors');
  const client = createClient({ url });
  try {
    await client.command({ query: `CREATE DATABASE \`${database}\`` });
    // Tables of the right names but the wrong shape: the insert is refused with TYPE_MISMATCH
    // or NO_SUCH_COLUMN, which must drop the rows as rejected, not retry them.
    await client.command({
      query: `CREATE TABLE \`${database}\`.otel_logs (Timestamp DateTime64(9), Body UInt8) ENGINE = MergeTree ORDER BY Timestamp`,
    });
    const details: string[] = [];
    const exporter = new ClickHouseLogRecordExporter({
      url,
      database,
      createSchema: false,
      ...FAST_PIPELINE,
      deadLetter: (letter) => void details.push(...letter.items.map((item) => item.detail)),
    });
    const { LoggerProvider, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
    const provider = new LoggerProvider({
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    provider.getLogger('x').emit({ body: 'not a number' });
    await provider.forceFlush();
    await exporter.forceFlush();
    const stats = exporter.stats();
    assert.equal(stats.dropped.rejected, 1);
    assert.equal(stats.retries, 0, 'a schema mismatch is not retried');
    assert.equal(details.length, 1);
    assert.match(
      details[0],
      /^ClickHouse error 16 NO_SUCH_COLUMN_IN_TABLE \(HTTP \d{3}\): .*TraceId/,
    );
    await provider.shutdown();

    const names = await select<Record<string, string>>(
      client,
      `SELECT ${[...RETRYABLE_ERROR_CODES.keys(), ...PERMANENT_ERROR_CODES.keys()]
        .map((code) => `errorCodeToName(${code}) AS c${code}`)
        .join(', ')}`,
    );
    for (const [code, { name }] of RETRYABLE_ERROR_CODES)
      assert.equal(names[0][`c${code}`], name, `code ${code}`);
    for (const [code, name] of PERMANENT_ERROR_CODES)
      assert.equal(names[0][`c${code}`], name, `code ${code}`);
  } finally {
    await client.close();
  }
});

test('a logs table from an older Collector: JSONEachRow converts and the column is added; RowBinary rows go to it as JSON', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const database = uniqueDatabase('it_old_schema');
  const client = createClient({ url });
  const { LoggerProvider, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
  try {
    await client.command({ query: `CREATE DATABASE \`${database}\`` });
    // The Collector's earlier logs DDL: TraceFlags UInt32, SeverityNumber Int32, plain String
    // schema URLs, and no EventName column.
    await client.command({
      query: `CREATE TABLE \`${database}\`.otel_logs (
        Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)), TraceId String, SpanId String, TraceFlags UInt32,
        SeverityText LowCardinality(String), SeverityNumber Int32, ServiceName LowCardinality(String),
        Body String, ResourceSchemaUrl String, ResourceAttributes Map(LowCardinality(String), String),
        ScopeSchemaUrl String, ScopeName String, ScopeVersion String,
        ScopeAttributes Map(LowCardinality(String), String), LogAttributes Map(LowCardinality(String), String)
      ) ENGINE = MergeTree ORDER BY (ServiceName, Timestamp)`,
    });
    const emitThrough = async (format: InsertFormat, body: string) => {
      const details: string[] = [];
      const exporter = new ClickHouseLogRecordExporter({
        url,
        database,
        format,
        ...FAST_PIPELINE,
        deadLetter: (letter) => void details.push(...letter.items.map((i) => i.detail)),
      });
      const provider = new LoggerProvider({
        processors: [new SimpleLogRecordProcessor({ exporter })],
      });
      provider
        .getLogger('old')
        .emit({ severityNumber: 21, severityText: 'FATAL', body, eventName: 'boom' });
      await provider.forceFlush();
      await exporter.forceFlush();
      const stats = exporter.stats();
      await provider.shutdown();
      return { stats, details };
    };
    const json = await emitThrough('JSONEachRow', 'through json');
    assert.equal(json.stats.delivered, 1);
    // The table's TraceFlags UInt32 and SeverityNumber Int32 are not RowBinary's UInt8: the
    // exporter reads those rows back and sends them as JSON (error 117 before).
    const binary = await emitThrough('RowBinary', 'through rowbinary');
    assert.equal(binary.stats.delivered, 1, JSON.stringify(binary.details));
    const rows = await select<{ Body: string; SeverityNumber: number; EventName: string }>(
      client,
      `SELECT Body, SeverityNumber, EventName FROM \`${database}\`.otel_logs ORDER BY Body`,
    );
    assert.deepEqual(rows, [
      { Body: 'through json', SeverityNumber: 21, EventName: 'boom' },
      { Body: 'through rowbinary', SeverityNumber: 21, EventName: 'boom' },
    ]);
  } finally {
    await client.close();
  }
});
