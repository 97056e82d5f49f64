/*
 * @otelpack/exporter-elasticsearch, exactly as `npm pack` ships it, under OpenTelemetry JS SDK
 * 3.x (sdk-trace, sdk-logs, sdk-metrics 3.x, api 1.10) on Node 24: SDK 3's TracerProvider +
 * BatchSpanProcessor, LoggerProvider + BatchLogRecordProcessor and MeterProvider +
 * PeriodicExportingMetricReader export through the three packed exporters to otelpack's
 * Elasticsearch protocol FAKE (integration/src/fakes/elasticsearch-fake.ts, run in this process;
 * not Elasticsearch). The documents are read back through the fake's `_search` over HTTP and
 * compared field by field, and every exporter's ledger balances after shutdown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
} from '@otelpack/exporter-elasticsearch';
import { assertPackedExporter } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';
// Only node builtins behind this import: it loads with this folder's node_modules.
import { startElasticsearchFake } from '../../integration/src/fakes/elasticsearch-fake.ts';
import type { StartedFake } from '../../integration/src/fakes/elasticsearch-fake.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: ElasticsearchSpanExporter) => SpanExporter = (e) => e;
const _log: (e: ElasticsearchLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: ElasticsearchMetricExporter) => PushMetricExporter = (e) => e;

interface Hit {
  _index: string;
  _source: Record<string, unknown>;
}

/** Every document of `target` (a data stream pattern), refreshed first, through plain HTTP. */
async function searchAll(url: string, target: string): Promise<Hit[]> {
  const refreshed = await fetch(`${url}/${target}/_refresh?allow_no_indices=true`, {
    method: 'POST',
  });
  assert.equal(refreshed.status, 200, `refresh ${target}: ${await refreshed.text()}`);
  const answer = await fetch(`${url}/${target}/_search?allow_no_indices=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: { match_all: {} }, size: 10_000 }),
  });
  const text = await answer.text();
  assert.equal(answer.status, 200, `search ${target}: ${text}`);
  return (JSON.parse(text) as { hits: { hits: Hit[] } }).hits.hits;
}

test('SDK 3.x: @otelpack/exporter-elasticsearch is the packed tarball, on the packed core', () => {
  assertPackedExporter('@otelpack/exporter-elasticsearch');
});

let fake: StartedFake;
before(async () => {
  fake = await startElasticsearchFake();
});
after(async () => {
  await fake?.close();
});

test('SDK 3.x: the Elasticsearch exporters deliver spans, logs and metrics as documents (FAKE Elasticsearch)', async () => {
  const dataset = `sdk3_${process.pid}`;
  const options = {
    url: fake.url,
    dataset,
    flushIntervalMs: 50,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
  };
  const spanExporter = new ElasticsearchSpanExporter(options);
  const logExporter = new ElasticsearchLogRecordExporter(options);
  const metricExporter = new ElasticsearchMetricExporter(options);
  const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
    resourceAttributes: { 'service.name': 'sdk3-checkout', 'host.name': 'h1' },
    spanExporter,
    logExporter,
    metricExporter,
  });

  // Fixed times, so that timestamps and the duration compare exactly.
  const seconds = Math.floor(Date.now() / 1000);
  const span = tracerProvider.getTracer('sdk3-shop', '1.2.3').startSpan('POST /checkout', {
    kind: 1, // SERVER
    attributes: { 'http.request.method': 'POST', 'cart.items': 3 },
    startTime: [seconds, 123_456_789],
  });
  span.addEvent('payment.authorized', { amount: 12.5 }, [seconds, 500_000_000]);
  span.setStatus({ code: 2, message: 'card declined' });
  span.end([seconds + 1, 0]);
  loggerProvider.getLogger('sdk3-shop').emit({
    body: 'order placed',
    severityNumber: 13, // WARN
    severityText: 'WARN',
    attributes: { 'order.id': 'o-1' },
    timestamp: [seconds, 5],
  });
  const meter = meterProvider.getMeter('sdk3-shop');
  meter.createCounter('sdk3.orders', { unit: '{order}' }).add(2, { region: 'eu' });
  meter.createHistogram('sdk3.latency', { unit: 's' }).record(0.3, { region: 'eu' });

  // Shutdown flushes each processor, collects the metrics once, and shuts the exporters down,
  // which delivers what their pipelines still hold.
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);

  // The span exporter writes the span and its event (to the logs data stream, as the Collector
  // does); the counter and the histogram have different units, so two metric documents.
  assertAllDelivered([spanExporter, logExporter, metricExporter], {
    traces: 2,
    logs: 1,
    metrics: 2,
  });

  const { traceId, spanId } = span.spanContext();
  const traces = await searchAll(fake.url, `traces-${dataset}.otel-*`);
  assert.equal(traces.length, 1, 'one span document');
  assert.ok(
    traces[0]._index.startsWith(`.ds-traces-${dataset}.otel-default-`),
    `backing index ${traces[0]._index}`,
  );
  const spanDoc = traces[0]._source;
  assert.deepEqual(
    {
      '@timestamp': spanDoc['@timestamp'],
      trace_id: spanDoc.trace_id,
      span_id: spanDoc.span_id,
      name: spanDoc.name,
      kind: spanDoc.kind,
      duration: spanDoc.duration,
      attributes: spanDoc.attributes,
      status: spanDoc.status,
      resource: spanDoc.resource,
      scope: spanDoc.scope,
      data_stream: spanDoc.data_stream,
      links: spanDoc.links,
    },
    {
      '@timestamp': `${seconds * 1000 + 123}.456789`,
      trace_id: traceId,
      span_id: spanId,
      name: 'POST /checkout',
      kind: 'Server',
      duration: 876_543_211,
      attributes: { 'http.request.method': 'POST', 'cart.items': 3 },
      status: { code: 'Error', message: 'card declined' },
      resource: { attributes: { 'service.name': 'sdk3-checkout', 'host.name': 'h1' } },
      scope: { name: 'sdk3-shop', version: '1.2.3' },
      data_stream: { type: 'traces', dataset: `${dataset}.otel`, namespace: 'default' },
      links: [],
    },
  );

  const logs = (await searchAll(fake.url, `logs-${dataset}.otel-*`)).map((hit) => hit._source);
  assert.equal(logs.length, 2, 'the log record and the span event');
  const event = logs.find((doc) => doc.event_name === 'payment.authorized');
  assert.ok(event, 'span event document');
  assert.deepEqual(
    {
      '@timestamp': event['@timestamp'],
      trace_id: event.trace_id,
      span_id: event.span_id,
      attributes: event.attributes,
    },
    {
      '@timestamp': `${seconds * 1000 + 500}.000000`,
      trace_id: traceId,
      span_id: spanId,
      attributes: { amount: 12.5, 'event.name': 'payment.authorized' },
    },
  );
  const log = logs.find((doc) => doc.body !== undefined);
  assert.ok(log, 'log document');
  assert.deepEqual(
    {
      '@timestamp': log['@timestamp'],
      body: log.body,
      severity_text: log.severity_text,
      severity_number: log.severity_number,
      attributes: log.attributes,
      resource: log.resource,
      data_stream: log.data_stream,
    },
    {
      '@timestamp': `${seconds * 1000}.000005`,
      body: { text: 'order placed' },
      severity_text: 'WARN',
      severity_number: 13,
      attributes: { 'order.id': 'o-1' },
      resource: { attributes: { 'service.name': 'sdk3-checkout', 'host.name': 'h1' } },
      data_stream: { type: 'logs', dataset: `${dataset}.otel`, namespace: 'default' },
    },
  );
  assert.match(String(log.observed_timestamp), /^\d{13}\.\d{6}$/);

  // The counter and the histogram have different units: two documents.
  const metrics = (await searchAll(fake.url, `metrics-${dataset}.otel-*`)).map((h) => h._source);
  assert.equal(metrics.length, 2, JSON.stringify(metrics));
  const orders = metrics.find((doc) => doc.unit === '{order}');
  const latency = metrics.find((doc) => doc.unit === 's');
  assert.deepEqual(orders?.metrics, { 'sdk3.orders': 2 });
  assert.deepEqual(orders?.attributes, { region: 'eu' });
  assert.deepEqual(orders?.data_stream, {
    type: 'metrics',
    dataset: `${dataset}.otel`,
    namespace: 'default',
  });
  assert.equal(typeof orders?.['@timestamp'], 'number');
  // Default buckets 0, 5, 10, …: 0.3 falls in (0, 5], whose centroid is 2.5.
  assert.deepEqual(latency?.metrics, { 'sdk3.latency': { counts: [1], values: [2.5] } });
});
