import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality as SdkTemporality,
  MeterProvider,
  MetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  AggregationTemporality,
  DataPointType,
  ExportResultCode,
  InvalidConfigError,
} from '@otelpack/batching-core';
import type { DeadLetter, ExportResult, ResourceMetricsLike } from '@otelpack/batching-core';
import { assertLedgerBalances, deliveryLetter } from '@otelpack/batching-core/testing';
import type { ClickHouseRow } from '../src/encoding/encoder';
import type { ClickHouseExporterOptions } from '../src/options';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '../src/exporters';
import { jsonEachRowWriter } from '../src/encoding/json';
import { readRowBinaryBody } from '../src/encoding/row-binary-reader';
import { DEFAULT_TABLE_NAMES, INSERT_COLUMNS } from '../src/schema/tables';
import type { TableKind } from '../src/schema/tables';
import { FakeClickHouseClient } from './fake-client';
import { clearClickHouseEnv, makeSpan } from './fixtures';

clearClickHouseEnv();

const FAST = { flushIntervalMs: 10, initialBackoffMs: 5, maxBackoffMs: 10 };

/**
 * The rows of an INSERT as JSON objects, whatever its format: RowBinary (the default over HTTP)
 * is read back and written as the JSON format writes it, so that one set of assertions holds both.
 */
function rowsOf(exec: { query: string; body: Buffer }): Record<string, unknown>[] {
  const lines = exec.query.endsWith('FORMAT RowBinaryWithNamesAndTypes')
    ? rowBinaryAsJson(exec.query, exec.body)
    : exec.body.toString('utf8').trim().split('\n');
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

function rowBinaryAsJson(query: string, body: Buffer): string[] {
  const table = (Object.keys(DEFAULT_TABLE_NAMES) as TableKind[]).find((kind) =>
    query.includes(`.\`${DEFAULT_TABLE_NAMES[kind]}\` (`),
  ) as TableKind;
  const columns = INSERT_COLUMNS[table];
  const { names, rows } = readRowBinaryBody(columns, body);
  assert.deepEqual(
    names,
    columns.map((c) => c.name),
  );
  return rows.map((row) => jsonEachRowWriter(columns)(row).trim());
}

function exportOnce<T>(
  exporter: { export(items: T, cb: (r: ExportResult) => void): void },
  items: T,
): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

test('spans from the SDK land as otel_traces rows, after the schema is created once', async () => {
  const client = new FakeClickHouseClient();
  const exporter = new ClickHouseSpanExporter({ client: client.asClient(), ...FAST });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'cart' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('unit', '1.2.3');
  const parent = tracer.startSpan('checkout', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/checkout' },
  });
  parent.addEvent('validated', { items: 3 });
  parent.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  parent.end();
  await provider.forceFlush();
  await exporter.forceFlush();

  assert.deepEqual(
    client.commands.map((sql) => sql.split('\n')[0]),
    [
      'CREATE TABLE IF NOT EXISTS `default`.`otel_traces` (',
      'CREATE TABLE IF NOT EXISTS `default`.`otel_traces_trace_id_ts` (',
      'CREATE MATERIALIZED VIEW IF NOT EXISTS `default`.`otel_traces_trace_id_ts_mv`',
    ],
  );
  assert.equal(client.execs.length, 1);
  const [stored] = rowsOf(client.execs[0]);
  const context = parent.spanContext();
  assert.equal(stored.TraceId, context.traceId);
  assert.equal(stored.SpanId, context.spanId);
  assert.equal(stored.SpanName, 'checkout');
  assert.equal(stored.SpanKind, 'Server');
  assert.equal(stored.StatusCode, 'Error');
  assert.equal(stored.StatusMessage, 'card declined');
  assert.equal(stored.ServiceName, 'cart');
  assert.equal(stored.ScopeName, 'unit');
  assert.equal(stored.ScopeVersion, '1.2.3');
  assert.deepEqual(stored.SpanAttributes, { 'http.route': '/checkout' });
  assert.deepEqual(stored['Events.Name'], ['validated']);
  assert.deepEqual(stored['Events.Attributes'], [{ items: '3' }]);
  const stats = exporter.stats();
  assert.equal(stats.delivered, 1);
  assertLedgerBalances(stats);
  await provider.shutdown();
  assert.equal(client.closed, false, "the application's client stays open");
});

test('a failed insert is retried with the same rows and the same dedup token', async () => {
  const client = new FakeClickHouseClient().answer(
    Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
    { status: 503, body: 'busy' },
  );
  const exporter = new ClickHouseSpanExporter({
    client: client.asClient(),
    createSchema: false,
    ...FAST,
  });
  const result = await exportOnce(exporter, [makeSpan(), makeSpan({ name: 'second' })]);
  assert.equal(result.code, ExportResultCode.SUCCESS);
  await exporter.forceFlush();
  assert.equal(client.execs.length, 3);
  const tokens = new Set(client.execs.map((call) => call.querySettings.insert_deduplication_token));
  assert.equal(tokens.size, 1);
  assert.equal(client.execs[2].body.toString(), client.execs[0].body.toString());
  const stats = exporter.stats();
  assert.equal(stats.delivered, 2);
  assert.equal(stats.retries, 4);
  assertLedgerBalances(stats);
  await exporter.shutdown();
});

test('a permanent refusal drops the batch as rejected, with ClickHouse words, to the dead letters', async () => {
  const client = new FakeClickHouseClient().answer(
    Object.assign(new Error('Table default.otel_traces does not exist.'), {
      code: '60',
      type: 'UNKNOWN_TABLE',
    }),
  );
  const letters: DeadLetter<ClickHouseRow>[] = [];
  const exporter = new ClickHouseSpanExporter({
    client: client.asClient(),
    createSchema: false,
    ...FAST,
    deadLetter: (letter) => void letters.push(deliveryLetter(letter)),
  });
  await exportOnce(exporter, [makeSpan()]);
  await exporter.forceFlush();
  const stats = exporter.stats();
  assert.equal(stats.dropped.rejected, 1);
  assertLedgerBalances(stats);
  assert.equal(letters.length, 1);
  assert.equal(letters[0].reason, 'rejected');
  assert.equal(
    letters[0].items[0].detail,
    'ClickHouse error 60 UNKNOWN_TABLE: Table default.otel_traces does not exist.',
  );
  assert.equal(letters[0].items[0].record.table, 'traces');
  await exporter.shutdown();
});

test('a span that cannot be mapped is counted as rejected; the rest of the export goes on', async () => {
  const client = new FakeClickHouseClient();
  const exporter = new ClickHouseSpanExporter({
    client: client.asClient(),
    createSchema: false,
    ...FAST,
  });
  const result = await exportOnce(exporter, [makeSpan({ startTime: [NaN, 0] }), makeSpan()]);
  assert.equal(result.code, ExportResultCode.FAILED);
  assert.match(String(result.error?.message), /1 of 2 items could not be mapped/);
  await exporter.forceFlush();
  const stats = exporter.stats();
  assert.equal(stats.accepted, 2);
  assert.equal(stats.delivered, 1);
  assert.equal(stats.dropped.rejected, 1);
  assertLedgerBalances(stats);
  await exporter.shutdown();
});

test('log records from the SDK land as otel_logs rows', async () => {
  const client = new FakeClickHouseClient();
  const exporter = new ClickHouseLogRecordExporter({
    client: client.asClient(),
    database: 'otel',
    ...FAST,
  });
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'billing' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  provider.getLogger('app').emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: { message: 'declined', code: 51 },
    attributes: { 'user.id': 7 },
    timestamp: [1_700_000_123, 456_789_012],
  });
  await provider.forceFlush();
  await exporter.forceFlush();
  assert.equal(client.commands[0], 'CREATE DATABASE IF NOT EXISTS `otel`');
  const [stored] = rowsOf(client.execs[0]);
  assert.equal(stored.Timestamp, '1700000123.456789012');
  assert.equal(stored.SeverityText, 'ERROR');
  assert.equal(stored.SeverityNumber, 17);
  assert.equal(stored.Body, '{"code":51,"message":"declined"}');
  assert.equal(stored.ServiceName, 'billing');
  assert.deepEqual(stored.LogAttributes, { 'user.id': '7' });
  assertLedgerBalances(exporter.stats());
  await provider.shutdown();
});

test('metrics: one row per data point, one INSERT per table, unmappable points counted', async () => {
  const client = new FakeClickHouseClient();
  const exporter = new ClickHouseMetricExporter({
    client: client.asClient(),
    createSchema: false,
    ...FAST,
  });
  const point = {
    startTime: [1_700_000_000, 0] as [number, number],
    endTime: [1_700_000_010, 0] as [number, number],
    attributes: {},
  };
  const metrics: ResourceMetricsLike = {
    resource: { attributes: { 'service.name': 'svc' } },
    scopeMetrics: [
      {
        scope: { name: 'm' },
        metrics: [
          {
            descriptor: { name: 'requests', description: '', unit: '1', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [
              { ...point, value: 5 },
              { ...point, endTime: [Infinity, 0], value: 6 },
            ],
          },
          {
            descriptor: { name: 'latency', description: '', unit: 'ms', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: [
              {
                ...point,
                value: { buckets: { boundaries: [10], counts: [1, 2] }, count: 3, sum: 40 },
              },
            ],
          },
        ],
      },
    ],
  };
  const result = await exportOnce(exporter, metrics);
  assert.equal(result.code, ExportResultCode.SUCCESS, 'the data points that mapped were accepted');
  await exporter.forceFlush();
  assert.deepEqual(
    client.execs.map((call) => [call.query.split(' (')[0], rowsOf(call).length]),
    [
      ['INSERT INTO `default`.`otel_metrics_sum`', 1],
      ['INSERT INTO `default`.`otel_metrics_histogram`', 1],
    ],
  );
  assert.deepEqual(rowsOf(client.execs[1])[0].BucketCounts, [1, 2]);
  const stats = exporter.stats();
  assert.equal(stats.accepted, 3);
  assert.equal(stats.delivered, 2);
  assert.equal(stats.dropped.rejected, 1);
  assertLedgerBalances(stats);
  await exporter.shutdown();
});

test('the metric exporter asks the SDK for cumulative temporality unless told otherwise', async () => {
  const client = new FakeClickHouseClient();
  const cumulative = new ClickHouseMetricExporter({ client: client.asClient() });
  const delta = new ClickHouseMetricExporter({ client: client.asClient(), temporality: 'delta' });
  assert.equal(cumulative.selectAggregationTemporality('COUNTER'), SdkTemporality.CUMULATIVE);
  assert.equal(delta.selectAggregationTemporality('COUNTER'), SdkTemporality.DELTA);
  assert.equal(delta.selectAggregationTemporality('UP_DOWN_COUNTER'), SdkTemporality.CUMULATIVE);
  await Promise.all([cumulative.shutdown(), delta.shutdown()]);
});

test('an SDK MeterProvider collection goes through the exporter unchanged', async () => {
  const client = new FakeClickHouseClient();
  const exporter = new ClickHouseMetricExporter({
    client: client.asClient(),
    createSchema: false,
    ...FAST,
  });
  class ManualReader extends MetricReader {
    protected async onShutdown() {}
    protected async onForceFlush() {}
  }
  const reader = new ManualReader({
    aggregationTemporalitySelector: (t) => exporter.selectAggregationTemporality(t),
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'm' }),
    readers: [reader],
  });
  const counter = provider.getMeter('meter').createCounter('jobs', { unit: '{job}' });
  counter.add(2, { queue: 'a' });
  counter.add(3, { queue: 'a' });
  const { resourceMetrics } = await reader.collect();
  await exportOnce(exporter, resourceMetrics as unknown as ResourceMetricsLike);
  await exporter.forceFlush();
  const [stored] = rowsOf(client.execs[0]);
  assert.equal(stored.MetricName, 'jobs');
  assert.equal(stored.MetricUnit, '{job}');
  assert.equal(stored.Value, 5);
  assert.equal(stored.IsMonotonic, true);
  assert.equal(stored.AggregationTemporality, 2);
  assert.deepEqual(stored.Attributes, { queue: 'a' });
  await provider.shutdown();
  await exporter.shutdown();
});

test("the core's options are taken at the top level; a misspelt one throws at construction", async () => {
  const client = new FakeClickHouseClient().asClient();
  const tuned = new ClickHouseSpanExporter({ client, maxQueueItems: 1_234, maxConcurrency: 3 });
  assert.equal(tuned.pipeline.stats().maxQueueItems, 1_234);
  assert.equal(tuned.pipeline.stats().concurrencyLimit, 3);
  const plain = new ClickHouseLogRecordExporter({ client });
  assert.equal(plain.pipeline.stats().maxQueueItems, 100_000, "the exporter's default");
  assert.equal(plain.pipeline.stats().concurrencyLimit, 2, "the exporter's default");
  await Promise.all([tuned.shutdown(), plain.shutdown()]);

  assert.throws(
    () => new ClickHouseSpanExporter({ client, maxBatchItem: 500 } as ClickHouseExporterOptions),
    (error: unknown) =>
      error instanceof InvalidConfigError &&
      error.option === 'maxBatchItem' &&
      error.message === "maxBatchItem: unknown option (did you mean 'maxBatchItems'?)",
  );
  assert.throws(
    () =>
      new ClickHouseLogRecordExporter({
        client,
        temporality: 'delta',
      } as ClickHouseExporterOptions),
    (error: unknown) => error instanceof InvalidConfigError && error.option === 'temporality',
  );
});
