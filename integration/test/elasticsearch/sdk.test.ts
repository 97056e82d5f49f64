import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
  createElasticsearchClient,
} from '@otelpack/exporter-elasticsearch';
import type { ElasticsearchExporterOptions } from '@otelpack/exporter-elasticsearch';
import { backendUrl } from '../../src/env';
import { searchAll } from './helpers';
import type { Hit } from './helpers';

/*
 * FAKE natively (otelpack's Elasticsearch protocol fake), REAL Elasticsearch with docker-compose.
 *
 * The OpenTelemetry SDK's own providers and processors (BasicTracerProvider + BatchSpanProcessor,
 * LoggerProvider + BatchLogRecordProcessor, MeterProvider + PeriodicExportingMetricReader) export
 * through @otelpack/exporter-elasticsearch; the documents are read back with `_search` and
 * compared field by field with the mapping the README documents. Each run writes to its own
 * dataset, so runs and parallel test files never see each other's documents.
 */

const ID = 'elasticsearch';
const FAST = { flushIntervalMs: 50, initialBackoffMs: 100, maxBackoffMs: 500 };

interface Run {
  spanId: string;
  traceId: string;
  hits: { traces: Hit[]; logs: Hit[]; metrics: Hit[] };
}

async function runSdk(
  url: string,
  options: ElasticsearchExporterOptions,
  indices: { traces: string; logs: string; metrics: string },
): Promise<Run> {
  const client = createElasticsearchClient({ url });
  const common = { client, ...FAST, ...options };
  const spanExporter = new ElasticsearchSpanExporter(common);
  const logExporter = new ElasticsearchLogRecordExporter(common);
  const metricExporter = new ElasticsearchMetricExporter(common);
  const resource = resourceFromAttributes({
    'service.name': 'it-checkout',
    'host.name': 'it-host',
  });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 50 })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 50 })],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 }),
    ],
  });

  const tracer = tracerProvider.getTracer('it-shop', '1.2.3');
  const span = tracer.startSpan('POST /checkout', {
    kind: 1,
    attributes: { 'http.request.method': 'POST', 'cart.items': 3 },
  });
  span.addEvent('payment.authorized', { amount: 12.5 });
  span.setStatus({ code: 2, message: 'card declined' });
  span.end();
  loggerProvider.getLogger('it-shop').emit({
    body: 'order placed',
    severityNumber: SeverityNumber.WARN,
    severityText: 'WARN',
    attributes: { 'order.id': 'o-1' },
  });
  const meter = meterProvider.getMeter('it-shop');
  meter.createCounter('it.orders', { unit: '{order}' }).add(2, { region: 'eu' });
  meter.createHistogram('it.latency', { unit: 's' }).record(0.3, { region: 'eu' });

  await Promise.all([
    tracerProvider.forceFlush(),
    loggerProvider.forceFlush(),
    meterProvider.forceFlush(),
  ]);
  await Promise.all([
    spanExporter.forceFlush(),
    logExporter.forceFlush(),
    metricExporter.forceFlush(),
  ]);
  for (const exporter of [spanExporter, logExporter, metricExporter]) {
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.droppedTotal, 0, JSON.stringify(stats));
  }
  const hits = {
    traces: await searchAll(url, indices.traces),
    logs: await searchAll(url, indices.logs),
    metrics: await searchAll(url, indices.metrics),
  };
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);
  await client.close();
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId, hits };
}

describe('Elasticsearch (fake natively, real with compose): SDK providers to documents', () => {
  it('otel mode: every signal lands in its *.otel data stream with the documented fields', async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const dataset = `it_sdk_${randomUUID().slice(0, 8)}`;
    const run = await runSdk(
      url,
      { dataset },
      {
        traces: `traces-${dataset}.otel-default`,
        logs: `logs-${dataset}.otel-default`,
        metrics: `metrics-${dataset}.otel-default`,
      },
    );

    assert.equal(run.hits.traces.length, 1);
    const spanDoc = run.hits.traces[0]._source;
    assert.deepEqual(
      {
        trace_id: spanDoc.trace_id,
        span_id: spanDoc.span_id,
        name: spanDoc.name,
        kind: spanDoc.kind,
        attributes: spanDoc.attributes,
        status: spanDoc.status,
        resource: spanDoc.resource,
        scope: spanDoc.scope,
        data_stream: spanDoc.data_stream,
        links: spanDoc.links,
      },
      {
        trace_id: run.traceId,
        span_id: run.spanId,
        name: 'POST /checkout',
        kind: 'Server',
        attributes: { 'http.request.method': 'POST', 'cart.items': 3 },
        status: { code: 'Error', message: 'card declined' },
        resource: { attributes: { 'service.name': 'it-checkout', 'host.name': 'it-host' } },
        scope: { name: 'it-shop', version: '1.2.3' },
        data_stream: { type: 'traces', dataset: `${dataset}.otel`, namespace: 'default' },
        links: [],
      },
    );
    assert.equal(typeof spanDoc.duration, 'number');
    assert.ok((spanDoc.duration as number) >= 0);
    assert.match(String(spanDoc['@timestamp']), /^\d{13}\.\d{6}$/);

    assert.equal(run.hits.logs.length, 2, 'the log record and the span event');
    const event = run.hits.logs.find((h) => h._source.event_name === 'payment.authorized')?._source;
    assert.ok(event, 'span event document');
    assert.deepEqual(event.attributes, { amount: 12.5, 'event.name': 'payment.authorized' });
    assert.equal(event.trace_id, run.traceId);
    assert.equal(event.span_id, run.spanId);
    const log = run.hits.logs.find((h) => h._source.body !== undefined)?._source;
    assert.ok(log, 'log document');
    assert.deepEqual(
      {
        body: log.body,
        severity_text: log.severity_text,
        severity_number: log.severity_number,
        attributes: log.attributes,
      },
      {
        body: { text: 'order placed' },
        severity_text: 'WARN',
        severity_number: 13,
        attributes: { 'order.id': 'o-1' },
      },
    );
    assert.match(String(log.observed_timestamp), /^\d{13}\.\d{6}$/);

    // The counter and the histogram have different units: two documents.
    const metrics = run.hits.metrics.map((h) => h._source);
    assert.equal(metrics.length, 2);
    const orders = metrics.find((m) => m.unit === '{order}');
    const latency = metrics.find((m) => m.unit === 's');
    assert.deepEqual(orders?.metrics, { 'it.orders': 2 });
    assert.deepEqual(orders?.attributes, { region: 'eu' });
    assert.equal(typeof orders?.['@timestamp'], 'number');
    // Default buckets 0, 5, 10, …: 0.3 falls in (0, 5], whose centroid is 2.5.
    assert.deepEqual(latency?.metrics, { 'it.latency': { counts: [1], values: [2.5] } });
  });

  it('ecs mode: ECS field names in the generic data streams', async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const dataset = `it_ecs_${randomUUID().slice(0, 8)}`;
    const run = await runSdk(
      url,
      { dataset, mappingMode: 'ecs' },
      {
        traces: `traces-${dataset}-default`,
        logs: `logs-${dataset}-default`,
        metrics: `metrics-${dataset}-default`,
      },
    );
    const spanDoc = run.hits.traces[0]._source as Record<string, Record<string, unknown>>;
    assert.deepEqual(spanDoc.trace, { id: run.traceId });
    assert.deepEqual(
      { id: spanDoc.span.id, name: spanDoc.span.name, kind: spanDoc.span.kind },
      { id: run.spanId, name: 'POST /checkout', kind: 'SERVER' },
    );
    assert.equal(spanDoc.event.outcome, 'failure');
    assert.deepEqual(spanDoc.service, { name: 'it-checkout' });
    assert.deepEqual(spanDoc.host, { hostname: 'it-host', name: 'it-host' });
    const log = run.hits.logs.find((h) => h._source.message !== undefined)?._source as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(log.message, 'order placed' as never);
    assert.deepEqual(log.log, { level: 'WARN' });
    const orders = run.hits.metrics.map((h) => h._source).find((m) => m.it !== undefined) as {
      it: { orders?: number };
    };
    assert.equal(orders.it.orders, 2);
  });

  it('raw mode: flat OTLP-style fields', async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const dataset = `it_raw_${randomUUID().slice(0, 8)}`;
    const run = await runSdk(
      url,
      { dataset, mappingMode: 'raw' },
      {
        traces: `traces-${dataset}-default`,
        logs: `logs-${dataset}-default`,
        metrics: `metrics-${dataset}-default`,
      },
    );
    const spanDoc = run.hits.traces[0]._source;
    assert.equal(spanDoc.TraceId, run.traceId);
    assert.equal(spanDoc.Kind, 'SPAN_KIND_SERVER');
    assert.equal(spanDoc['Attributes.cart.items'], 3);
    assert.equal(spanDoc['Events.payment.authorized.amount'], 12.5);
    const log = run.hits.logs[0]._source;
    assert.equal(log.Body, 'order placed');
    assert.equal(log.SeverityNumber, 13);
  });
});
