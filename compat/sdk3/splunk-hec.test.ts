/*
 * @otelpack/exporter-splunk-hec, exactly as `npm pack` ships it, under OpenTelemetry JS SDK 3.x on
 * Node 24: the three exporters registered in SDK 3's providers deliver to otelpack's HEC fake
 * (FAKE: written from Splunk's HEC documentation), with and without indexer acknowledgement.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import {
  SplunkHecLogRecordExporter,
  SplunkHecMetricExporter,
  SplunkHecSpanExporter,
} from '@otelpack/exporter-splunk-hec';
import { packedExporterAgainst } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';
import { HecFake } from '../../integration/src/fakes/hec-fake.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: SplunkHecSpanExporter) => SpanExporter = (e) => e;
const _log: (e: SplunkHecLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: SplunkHecMetricExporter) => PushMetricExporter = (e) => e;

const served = packedExporterAgainst('@otelpack/exporter-splunk-hec', () => new HecFake());

for (const ack of [false, true]) {
  test(`SDK 3.x: the HEC exporters deliver spans, logs and metrics (acknowledgement ${ack ? 'on' : 'off'}, FAKE HEC)`, async () => {
    const token = randomUUID();
    served.fake.addToken({ token, ack });
    const options = {
      url: served.url,
      auth: { token },
      flushIntervalMs: 50,
      indexerAcknowledgement: ack,
      ackPollIntervalMs: 50,
    };
    const spanExporter = new SplunkHecSpanExporter(options);
    const logExporter = new SplunkHecLogRecordExporter(options);
    const metricExporter = new SplunkHecMetricExporter(options);
    const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
      resourceAttributes: { 'service.name': 'sdk3-hec' },
      spanExporter,
      logExporter,
      metricExporter,
    });
    tracerProvider.getTracer('sdk3-shop').startSpan('POST /checkout').end();
    loggerProvider.getLogger('sdk3-shop').emit({ body: 'order placed', severityNumber: 9 });
    meterProvider.getMeter('sdk3-shop').createCounter('sdk3.orders').add(2, { region: 'eu' });
    await Promise.all([
      tracerProvider.shutdown(),
      loggerProvider.shutdown(),
      meterProvider.shutdown(),
    ]);
    assertAllDelivered([spanExporter, logExporter, metricExporter], {
      traces: 1,
      logs: 1,
      metrics: 1,
    });
    const events = served.fake.events(token);
    assert.equal(events.length, 3);
    const text = JSON.stringify(events);
    for (const needle of [
      'POST /checkout',
      'order placed',
      'metric_name:sdk3.orders',
      'sdk3-hec',
    ]) {
      assert.ok(text.includes(needle), `${needle} was not received`);
    }
  });
}
