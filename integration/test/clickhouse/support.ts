import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import {
  AggregationType,
  DataPointType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type {
  DataPoint,
  ExponentialHistogram,
  Histogram,
  PushMetricExporter,
  ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { ClickHouseClient } from '@clickhouse/client';
import type { PipelineStats } from '@otelpack/batching-core';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '@otelpack/exporter-clickhouse';
import type { ClickHouseExporterOptions } from '@otelpack/exporter-clickhouse';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';

/*
 * What the ClickHouse integration tests share: the three exporters set up as an application
 * would, telemetry produced through the real SDK 2.x providers, a copy of everything the SDK
 * handed over, and the read-back checks that compare the stored rows with that copy, column by
 * column.
 */

export function uniqueDatabase(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

export function nanos(time: HrTime): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

/** Reads rows as JSON with 64-bit integers as strings, so that exact values compare exactly. */
export async function select<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const result = await client.query({
    query,
    format: 'JSONEachRow',
    clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
  });
  return result.json<T>();
}

export interface Exporters {
  spans: SpanExporter;
  logs: LogRecordExporter;
  metrics: PushMetricExporter;
}

export interface Recorded {
  service: string;
  otherService: string;
  spans: ReadableSpan[];
  logs: ReadableLogRecord[];
  metrics: ResourceMetrics[];
  /** The trace that the lookup test follows: a server span, its child and a log. */
  traceId: string;
}

/** Short flush and retry waits, so that a test spends its time on the backend, not on timers. */
export const FAST_PIPELINE = { flushIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200 };

export interface ClickHouseExporters extends Exporters {
  spans: ClickHouseSpanExporter;
  logs: ClickHouseLogRecordExporter;
  metrics: ClickHouseMetricExporter;
}

/** One exporter per signal on the same options, as an application registers them. */
export function clickHouseExporters(options: ClickHouseExporterOptions): ClickHouseExporters {
  return {
    spans: new ClickHouseSpanExporter(options),
    logs: new ClickHouseLogRecordExporter(options),
    metrics: new ClickHouseMetricExporter(options),
  };
}

export function exporterStats(exporters: ClickHouseExporters): PipelineStats[] {
  return [exporters.spans.stats(), exporters.logs.stats(), exporters.metrics.stats()];
}

export async function shutdownExporters(exporters: ClickHouseExporters): Promise<void> {
  await Promise.all([
    exporters.spans.shutdown(),
    exporters.logs.shutdown(),
    exporters.metrics.shutdown(),
  ]);
}

/** Forwards to the exporter under test and keeps what the SDK handed over. */
class TeeMetricExporter implements PushMetricExporter {
  readonly copies: ResourceMetrics[] = [];
  constructor(private readonly target: PushMetricExporter) {}
  export(metrics: ResourceMetrics, callback: Parameters<PushMetricExporter['export']>[1]): void {
    this.copies.push(metrics);
    this.target.export(metrics, callback);
  }
  forceFlush(): Promise<void> {
    return this.target.forceFlush();
  }
  shutdown(): Promise<void> {
    return this.target.shutdown();
  }
  selectAggregationTemporality(
    type: Parameters<NonNullable<PushMetricExporter['selectAggregationTemporality']>>[0],
  ) {
    return this.target.selectAggregationTemporality!(type);
  }
}

/**
 * Produces a known set of spans, logs and metrics through the SDK, with two services, ugly
 * values included, and flushes everything into the exporters (their pipelines included).
 */
export async function produceTelemetry(exporters: Exporters, runId: string): Promise<Recorded> {
  const service = `checkout-${runId}`;
  const otherService = `billing-${runId}`;
  const resource = resourceFromAttributes({
    'service.name': service,
    'service.version': '1.4.2',
    'host.cpus': 2,
    // A key the Collector's logs table materializes into a column of its own.
    'deployment.environment.name': 'it',
  });

  const spanCopy = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(exporters.spans), new SimpleSpanProcessor(spanCopy)],
  });
  const logCopy = new InMemoryLogRecordExporter();
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new SimpleLogRecordProcessor({ exporter: exporters.logs }),
      new SimpleLogRecordProcessor({ exporter: logCopy }),
    ],
  });
  const otherLoggerProvider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': otherService }),
    processors: [
      new SimpleLogRecordProcessor({ exporter: exporters.logs }),
      new SimpleLogRecordProcessor({ exporter: logCopy }),
    ],
  });
  const metricTee = new TeeMetricExporter(exporters.metrics);
  const meterProvider = new MeterProvider({
    resource,
    views: [
      {
        instrumentName: 'payload.size',
        aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM },
      },
    ],
    readers: [
      new PeriodicExportingMetricReader({ exporter: metricTee, exportIntervalMillis: 3_600_000 }),
    ],
  });

  const tracer = tracerProvider.getTracer('it-http', '0.9.1');
  const logger = loggerProvider.getLogger('it-app', '3.0.0');
  const meter = meterProvider.getMeter('it-meter', '2.0.0');

  // A linked span in another trace, finished first.
  const linked = tracer.startSpan('background refresh', { kind: SpanKind.CONSUMER });
  linked.end();

  const server = tracer.startSpan('POST /checkout', {
    kind: SpanKind.SERVER,
    attributes: {
      'http.route': '/checkout',
      'http.response.status_code': 502,
      ratio: 0.25,
      cached: false,
      tags: ['a', 'b'],
      counts: [1, 2, 3],
      note: 'quote " backslash \\ newline \n tab \t ✓',
    },
    links: [{ context: linked.spanContext(), attributes: { 'link.reason': 'refresh' } }],
  });
  server.addEvent('cart loaded', { items: 3, total: 12.5 });
  server.addEvent('payment started');
  const serverContext = trace.setSpan(context.active(), server);
  const child = tracer.startSpan(
    'SELECT carts',
    { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql' } },
    serverContext,
  );
  child.end();
  // Log times with odd nanoseconds, distinct, near now (a TTL would drop rows dated in the past).
  const nowSeconds = Math.floor(Date.now() / 1000);
  const logTime = (i: number): HrTime => [nowSeconds, 100_000_001 + i * 7_919];
  logger.emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment declined by issuer for order 1234',
    attributes: { 'order.id': 1234, 'payment.method': 'card', retry: true },
    eventName: 'payment.failed',
    timestamp: logTime(0),
    context: serverContext,
  });
  server.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  server.end();

  logger.emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'checkout started',
    timestamp: logTime(1),
  });
  logger.emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: { event: 'audit', user: 'u-7', fields: { b: 2, a: 1 } },
    timestamp: logTime(2),
  });
  otherLoggerProvider.getLogger('other').emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'invoice declined (other service)',
    timestamp: logTime(3),
  });

  const requests = meter.createCounter('http.server.requests', {
    unit: '{request}',
    description: 'requests served',
  });
  requests.add(3, { route: '/checkout', code: 200 });
  requests.add(2, { route: '/checkout', code: 200 });
  requests.add(1, { route: '/cart', code: 502 });
  const inFlight = meter.createUpDownCounter('http.server.active_requests', { unit: '{request}' });
  inFlight.add(4);
  inFlight.add(-1);
  const latency = meter.createHistogram('http.server.duration', {
    unit: 'ms',
    advice: { explicitBucketBoundaries: [10, 100, 1000] },
  });
  for (const value of [3, 7, 42, 250, 999, 5000]) latency.record(value, { route: '/checkout' });
  const temperature = meter.createGauge('cpu.temperature', { unit: 'Cel' });
  temperature.record(61.5, { core: 0 });
  const payload = meter.createHistogram('payload.size', { unit: 'By' });
  for (const value of [1, 2, 4, 1000, 0]) payload.record(value);

  await Promise.all([
    tracerProvider.forceFlush(),
    loggerProvider.forceFlush(),
    otherLoggerProvider.forceFlush(),
  ]);
  await meterProvider.forceFlush();
  await Promise.all([
    exporters.spans.forceFlush?.(),
    exporters.logs.forceFlush?.(),
    exporters.metrics.forceFlush(),
  ]);

  const recorded: Recorded = {
    service,
    otherService,
    spans: spanCopy.getFinishedSpans(),
    logs: logCopy.getFinishedLogRecords(),
    metrics: metricTee.copies,
    traceId: server.spanContext().traceId,
  };
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    otherLoggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);
  return recorded;
}

export interface SignalCounts {
  traces: number;
  logs: number;
  metrics: number;
}

/** Every span, log and data point the SDK produced, as rows; what each exporter says it did. */
export function assertAllDelivered(stats: PipelineStats[], expected: SignalCounts) {
  for (const s of stats) {
    assertLedgerBalances(s, s.signal);
    assert.equal(s.droppedTotal, 0, `${s.signal}: dropped ${JSON.stringify(s.dropped)}`);
    assert.equal(s.pending, 0, `${s.signal}: pending`);
    assert.equal(s.delivered, expected[s.signal], `${s.signal}: delivered`);
  }
}

/** How many of each the SDK handed over: what `assertAllDelivered` expects delivered. */
export function recordedCounts(recorded: Recorded): SignalCounts {
  return {
    traces: recorded.spans.length,
    logs: recorded.logs.length,
    metrics: metricPointCount(recorded.metrics),
  };
}

export function metricPointCount(metrics: ResourceMetrics[]): number {
  return metrics
    .flatMap((rm) => rm.scopeMetrics)
    .flatMap((sm) => sm.metrics)
    .reduce((sum, metric) => sum + metric.dataPoints.length, 0);
}

interface TraceRow {
  ns: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: string;
  StatusCode: string;
  StatusMessage: string;
  eventNs: string[];
  eventNames: string[];
  eventAttributes: Record<string, string>[];
  linkTraceIds: string[];
  linkSpanIds: string[];
  linkStates: string[];
  linkAttributes: Record<string, string>[];
}

const EXPECTED_RESOURCE = (service: string) => ({
  'deployment.environment.name': 'it',
  'host.cpus': '2',
  'service.name': service,
  'service.version': '1.4.2',
});

const KIND_NAMES = ['Internal', 'Server', 'Client', 'Producer', 'Consumer'];

/** The stored spans equal what the SDK recorded: ids, nanosecond times, attributes, events, links. */
export async function assertTracesStored(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
) {
  const rows = await select<TraceRow>(
    client,
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, TraceId, SpanId, ParentSpanId, TraceState,
            SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes,
            Duration, StatusCode, StatusMessage,
            arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventNs,
            Events.Name AS eventNames, Events.Attributes AS eventAttributes,
            Links.TraceId AS linkTraceIds, Links.SpanId AS linkSpanIds, Links.TraceState AS linkStates,
            Links.Attributes AS linkAttributes
     FROM \`${database}\`.otel_traces ORDER BY SpanId`,
  );
  const spans = [...recorded.spans].sort((a, b) =>
    a.spanContext().spanId < b.spanContext().spanId ? -1 : 1,
  );
  assert.equal(rows.length, spans.length, 'one row per span');
  spans.forEach((span, i) => {
    const row = rows[i];
    const what = `span ${span.name}`;
    assert.equal(row.ns, nanos(span.startTime), `${what} Timestamp`);
    assert.equal(row.TraceId, span.spanContext().traceId, `${what} TraceId`);
    assert.equal(row.SpanId, span.spanContext().spanId, `${what} SpanId`);
    assert.equal(row.ParentSpanId, span.parentSpanContext?.spanId ?? '', `${what} ParentSpanId`);
    assert.equal(row.TraceState, '', `${what} TraceState`);
    assert.equal(row.SpanName, span.name);
    assert.equal(row.SpanKind, KIND_NAMES[span.kind], `${what} SpanKind`);
    assert.equal(row.ServiceName, recorded.service);
    assert.deepEqual(
      row.ResourceAttributes,
      EXPECTED_RESOURCE(recorded.service),
      `${what} ResourceAttributes`,
    );
    assert.equal(row.ScopeName, 'it-http');
    assert.equal(row.ScopeVersion, '0.9.1');
    assert.equal(
      row.Duration,
      (BigInt(nanos(span.endTime)) - BigInt(nanos(span.startTime))).toString(),
      `${what} Duration`,
    );
    assert.deepEqual(
      row.eventNs,
      span.events.map((e) => nanos(e.time)),
      `${what} event times`,
    );
    assert.deepEqual(
      row.eventNames,
      span.events.map((e) => e.name),
    );
    assert.deepEqual(
      row.linkTraceIds,
      span.links.map((l) => l.context.traceId),
    );
    assert.deepEqual(
      row.linkSpanIds,
      span.links.map((l) => l.context.spanId),
    );
  });
  const server = rows.find((row) => row.SpanName === 'POST /checkout') as TraceRow;
  assert.deepEqual(server.SpanAttributes, {
    cached: 'false',
    counts: '[1,2,3]',
    'http.response.status_code': '502',
    'http.route': '/checkout',
    note: 'quote " backslash \\ newline \n tab \t ✓',
    ratio: '0.25',
    tags: '["a","b"]',
  });
  assert.equal(server.StatusCode, 'Error');
  assert.equal(server.StatusMessage, 'payment declined');
  assert.deepEqual(server.eventAttributes, [{ items: '3', total: '12.5' }, {}]);
  assert.deepEqual(server.linkAttributes, [{ 'link.reason': 'refresh' }]);
  assert.deepEqual(server.linkStates, ['']);
  const clientSpan = rows.find((row) => row.SpanName === 'SELECT carts') as TraceRow;
  assert.equal(clientSpan.ParentSpanId, server.SpanId);
  assert.deepEqual(clientSpan.SpanAttributes, { 'db.system': 'postgresql' });
  assert.equal(clientSpan.StatusCode, 'Unset');
}

/** Grafana's trace lookup: the time window from otel_traces_trace_id_ts, then the spans in it. */
export async function assertTraceLookup(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
) {
  const rows = await select<{ SpanName: string; TraceId: string }>(
    client,
    `WITH '${recorded.traceId}' AS trace_id,
          (SELECT min(Start) FROM \`${database}\`.otel_traces_trace_id_ts WHERE TraceId = trace_id) AS start,
          (SELECT max(End) + 1 FROM \`${database}\`.otel_traces_trace_id_ts WHERE TraceId = trace_id) AS end
     SELECT SpanName, TraceId FROM \`${database}\`.otel_traces
     WHERE TraceId = trace_id AND Timestamp >= start AND Timestamp <= end
     ORDER BY SpanName`,
  );
  assert.deepEqual(rows, [
    { SpanName: 'POST /checkout', TraceId: recorded.traceId },
    { SpanName: 'SELECT carts', TraceId: recorded.traceId },
  ]);
  const lookup = await select<{ n: string }>(
    client,
    `SELECT count() AS n FROM \`${database}\`.otel_traces_trace_id_ts WHERE TraceId = '${recorded.traceId}'`,
  );
  assert.ok(Number(lookup[0].n) >= 1, 'the materialized view filled the lookup table');
}

interface LogRow {
  ns: string;
  TraceId: string;
  SpanId: string;
  TraceFlags: number;
  SeverityText: string;
  SeverityNumber: number;
  ServiceName: string;
  Body: string;
  ScopeName: string;
  ScopeVersion: string;
  LogAttributes: Record<string, string>;
  ResourceAttributes: Record<string, string>;
  EventName: string;
}

export async function assertLogsStored(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
) {
  const rows = await select<LogRow>(
    client,
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, TraceId, SpanId, TraceFlags, SeverityText,
            SeverityNumber, ServiceName, Body, ScopeName, ScopeVersion, LogAttributes, ResourceAttributes, EventName
     FROM \`${database}\`.otel_logs ORDER BY ns`,
  );
  const logs = [...recorded.logs].sort((a, b) =>
    BigInt(nanos(a.hrTime)) < BigInt(nanos(b.hrTime)) ? -1 : 1,
  );
  assert.equal(rows.length, logs.length, 'one row per log record');
  logs.forEach((log, i) => {
    const row = rows[i];
    assert.equal(row.ns, nanos(log.hrTime), 'log Timestamp to the nanosecond');
    assert.equal(row.SeverityNumber, log.severityNumber);
    assert.equal(row.SeverityText, log.severityText);
    assert.equal(row.ServiceName, log.resource.attributes['service.name']);
    assert.equal(row.TraceId, log.spanContext?.traceId ?? '');
    assert.equal(row.SpanId, log.spanContext?.spanId ?? '');
    assert.equal(row.TraceFlags, log.spanContext?.traceFlags ?? 0);
    assert.equal(row.EventName, log.eventName ?? '');
  });
  const error = rows.find((row) => row.EventName === 'payment.failed') as LogRow;
  assert.equal(error.Body, 'payment declined by issuer for order 1234');
  assert.equal(error.TraceId, recorded.traceId);
  assert.deepEqual(error.LogAttributes, {
    'order.id': '1234',
    'payment.method': 'card',
    retry: 'true',
  });
  assert.equal(error.ScopeName, 'it-app');
  assert.equal(error.ScopeVersion, '3.0.0');
  const audit = rows.find((row) => row.Body.startsWith('{')) as LogRow;
  assert.equal(audit.Body, '{"event":"audit","fields":{"a":1,"b":2},"user":"u-7"}');
}

/** The logs query Grafana's ClickHouse data source builds: a service and a token in the body. */
export async function assertGrafanaLogsQuery(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
) {
  const rows = await select<{ log_time: string; Body: string; SeverityText: string }>(
    client,
    `SELECT Timestamp AS log_time, Body, SeverityText
     FROM \`${database}\`.otel_logs
     WHERE ServiceName = '${recorded.service}'
       AND hasToken(Body, 'declined')
       AND Timestamp >= now() - INTERVAL 1 HOUR
     ORDER BY Timestamp DESC
     LIMIT 100`,
  );
  assert.deepEqual(
    rows.map((row) => [row.Body, row.SeverityText]),
    [['payment declined by issuer for order 1234', 'ERROR']],
  );
}

interface MetricRow {
  table: string;
  MetricName: string;
  MetricUnit: string;
  MetricDescription: string;
  ServiceName: string;
  ScopeName: string;
  Attributes: Record<string, string>;
  start: string;
  time: string;
  Value?: number;
  IsMonotonic?: boolean;
  AggregationTemporality?: number;
  Count?: string;
  Sum?: number;
  BucketCounts?: string[];
  ExplicitBounds?: number[];
  Min?: number;
  Max?: number;
  Scale?: number;
  ZeroCount?: string;
  PositiveOffset?: number;
  PositiveBucketCounts?: string[];
}

// toDateTime64(…, 9): the same read for the exporter's DateTime64(9) and the Collector's DateTime.
const COMMON = `MetricName, MetricUnit, MetricDescription, ServiceName, ScopeName, Attributes,
  toString(toUnixTimestamp64Nano(toDateTime64(StartTimeUnix, 9))) AS start,
  toString(toUnixTimestamp64Nano(toDateTime64(TimeUnix, 9))) AS time`;

/**
 * Every data point is a row with the recorded values: sums, gauges, histogram buckets. With
 * `seconds`, the times are compared to the second (the Collector's DateTime columns).
 */
export async function assertMetricsStored(
  client: ClickHouseClient,
  database: string,
  recorded: Recorded,
  { seconds = false }: { seconds?: boolean } = {},
) {
  const time = (t: HrTime): string => (seconds ? nanos([t[0], 0]) : nanos(t));
  const db = `\`${database}\``;
  const rows = [
    ...(await select<MetricRow>(
      client,
      `SELECT 'sum' AS table, ${COMMON}, Value, IsMonotonic, AggregationTemporality FROM ${db}.otel_metrics_sum`,
    )),
    ...(await select<MetricRow>(
      client,
      `SELECT 'gauge' AS table, ${COMMON}, Value FROM ${db}.otel_metrics_gauge`,
    )),
    ...(await select<MetricRow>(
      client,
      `SELECT 'histogram' AS table, ${COMMON}, Count, Sum, BucketCounts, ExplicitBounds, Min, Max, AggregationTemporality FROM ${db}.otel_metrics_histogram`,
    )),
    ...(await select<MetricRow>(
      client,
      `SELECT 'exponential' AS table, ${COMMON}, Count, Sum, Scale, ZeroCount, PositiveOffset, PositiveBucketCounts, Min, Max FROM ${db}.otel_metrics_exponential_histogram`,
    )),
  ];
  assert.equal(rows.length, metricPointCount(recorded.metrics), 'one row per data point');
  // A collection may have run twice (forceFlush, then shutdown): a point is known by its time too.
  const find = (name: string, attributes: Record<string, string> = {}, time?: string) => {
    const row = rows.find(
      (r) =>
        r.MetricName === name &&
        JSON.stringify(r.Attributes) === JSON.stringify(attributes) &&
        (time === undefined || r.time === time),
    );
    assert.ok(row, `no row for ${name} ${JSON.stringify(attributes)}`);
    return row;
  };
  for (const scope of recorded.metrics.flatMap((rm) => rm.scopeMetrics)) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints as DataPoint<unknown>[]) {
        const attributes = Object.fromEntries(
          Object.entries(point.attributes)
            .map(([k, v]) => [k, String(v)])
            .sort(([a], [b]) => (a < b ? -1 : 1)),
        );
        const row = find(metric.descriptor.name, attributes, time(point.endTime));
        assert.equal(row.start, time(point.startTime), `${metric.descriptor.name} StartTimeUnix`);
        assert.equal(row.MetricUnit, metric.descriptor.unit);
        assert.equal(row.MetricDescription, metric.descriptor.description);
        assert.equal(row.ServiceName, recorded.service);
        assert.equal(row.ScopeName, 'it-meter');
        if (
          metric.dataPointType === DataPointType.SUM ||
          metric.dataPointType === DataPointType.GAUGE
        ) {
          assert.equal(row.Value, point.value);
        } else if (metric.dataPointType === DataPointType.HISTOGRAM) {
          const value = point.value as Histogram;
          assert.equal(row.Count, String(value.count));
          assert.equal(row.Sum, value.sum);
          assert.deepEqual(row.BucketCounts, value.buckets.counts.map(String));
          assert.deepEqual(row.ExplicitBounds, value.buckets.boundaries);
          assert.equal(row.Min, value.min);
          assert.equal(row.Max, value.max);
        } else if (metric.dataPointType === DataPointType.EXPONENTIAL_HISTOGRAM) {
          const value = point.value as ExponentialHistogram;
          assert.equal(row.Count, String(value.count));
          assert.equal(row.Scale, value.scale);
          assert.equal(row.ZeroCount, String(value.zeroCount));
          assert.equal(row.PositiveOffset, value.positive.offset);
          assert.deepEqual(row.PositiveBucketCounts, value.positive.bucketCounts.map(String));
        }
      }
    }
  }
  // The values themselves, spelled out.
  assert.equal(find('http.server.requests', { code: '200', route: '/checkout' }).Value, 5);
  assert.equal(find('http.server.requests', { code: '200', route: '/checkout' }).IsMonotonic, true);
  assert.equal(
    find('http.server.requests', { code: '200', route: '/checkout' }).AggregationTemporality,
    2,
  );
  assert.equal(find('http.server.active_requests').Value, 3);
  assert.equal(find('http.server.active_requests').IsMonotonic, false);
  const latency = find('http.server.duration', { route: '/checkout' });
  assert.deepEqual(latency.BucketCounts, ['2', '1', '2', '1']);
  assert.deepEqual(latency.ExplicitBounds, [10, 100, 1000]);
  assert.equal(latency.Sum, 6301);
  assert.equal(latency.Min, 3);
  assert.equal(latency.Max, 5000);
  assert.equal(find('cpu.temperature', { core: '0' }).Value, 61.5);
  assert.equal(find('payload.size').Count, '5');
  assert.equal(find('payload.size').ZeroCount, '1');
}
