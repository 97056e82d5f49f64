/*
 * @otelpack/exporter-newrelic, exactly as `npm pack` ships it, under OpenTelemetry JS SDK 3.x on
 * Node 24: the three exporters registered in SDK 3's providers deliver to otelpack's New Relic
 * fake (FAKE: written from New Relic's documentation, it checks the license key and records what
 * New Relic would drop after its 2xx), within New Relic's limits and with its temporality.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import {
  NewRelicLogRecordExporter,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
} from '@otelpack/exporter-newrelic';
import { packedExporterAgainst } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';
// protobufjs behind this import resolves from the repository's root node_modules.
import { FAKE_LICENSE_KEY, NewRelicFake } from '../../integration/src/fakes/newrelic-fake.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: NewRelicSpanExporter) => SpanExporter = (e) => e;
const _log: (e: NewRelicLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: NewRelicMetricExporter) => PushMetricExporter = (e) => e;

const served = packedExporterAgainst('@otelpack/exporter-newrelic', () => new NewRelicFake());

test('SDK 3.x: the New Relic exporters deliver spans, logs and metrics within the limits (FAKE New Relic)', async () => {
  const options = { url: served.url, auth: { apiKey: FAKE_LICENSE_KEY }, flushIntervalMs: 50 };
  const spanExporter = new NewRelicSpanExporter(options);
  const logExporter = new NewRelicLogRecordExporter(options);
  const metricExporter = new NewRelicMetricExporter(options);
  const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
    resourceAttributes: { 'service.name': 'sdk3-newrelic' },
    spanExporter,
    logExporter,
    metricExporter,
  });
  const span = tracerProvider.getTracer('sdk3-shop').startSpan('POST /checkout');
  span.setAttribute('db.statement', 'q'.repeat(5000));
  span.end();
  loggerProvider
    .getLogger('sdk3-shop')
    .emit({ body: 'order placed', attributes: { payload: 'p'.repeat(5000) } });
  meterProvider.getMeter('sdk3-shop').createCounter('sdk3.orders').add(2);
  meterProvider.getMeter('sdk3-shop').createUpDownCounter('sdk3.queue').add(-1);
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);
  assertAllDelivered([spanExporter, logExporter, metricExporter], {
    traces: 1,
    logs: 1,
    metrics: 2,
  });
  assert.deepEqual(served.fake.integrationErrors, [], 'New Relic would have dropped some');
  assert.deepEqual(served.fake.requests.map((r) => r.signal).sort(), ['logs', 'metrics', 'traces']);
  assert.ok(served.fake.requests.every((r) => r.headers['api-key'] === FAKE_LICENSE_KEY));
  const text = JSON.stringify(served.fake.requests.map((r) => r.request));
  for (const needle of ['POST /checkout', 'order placed', 'otelpack.truncated', 'sdk3-newrelic']) {
    assert.ok(text.includes(needle), `${needle} was not received`);
  }
  // 1 delta for the counter, 2 cumulative for the up-down counter.
  assert.match(text, /"name":"sdk3\.orders".*?"aggregationTemporality":1/);
  assert.match(text, /"name":"sdk3\.queue".*?"aggregationTemporality":2/);
});
