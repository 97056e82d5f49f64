/*
 * @otelpack/exporter-otlp, exactly as `npm pack` ships it, under OpenTelemetry JS SDK 3.x on
 * Node 24: the three exporters registered in SDK 3's providers deliver to otelpack's OTLP
 * receiver fake (FAKE: it decodes with the official .proto files), in both encodings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
} from '@otelpack/exporter-otlp';
import { packedExporterAgainst } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';
// protobufjs behind this import resolves from the repository's root node_modules.
import { OtlpFake } from '../../integration/src/fakes/otlp-fake.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: OtlpSpanExporter) => SpanExporter = (e) => e;
const _log: (e: OtlpLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: OtlpMetricExporter) => PushMetricExporter = (e) => e;

const served = packedExporterAgainst('@otelpack/exporter-otlp', () => new OtlpFake());

for (const encoding of ['protobuf', 'json'] as const) {
  test(`SDK 3.x: the OTLP exporters deliver spans, logs and metrics (${encoding}, FAKE receiver)`, async () => {
    const options = { url: served.url, encoding, flushIntervalMs: 50 };
    const spanExporter = new OtlpSpanExporter(options);
    const logExporter = new OtlpLogRecordExporter(options);
    const metricExporter = new OtlpMetricExporter(options);
    const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
      resourceAttributes: { 'service.name': `sdk3-${encoding}` },
      spanExporter,
      logExporter,
      metricExporter,
    });
    const span = tracerProvider.getTracer('sdk3-shop').startSpan('POST /checkout');
    span.addEvent('paid', { amount: 12.5 });
    span.end();
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
    const mine = served.fake.requests.filter((r) => r.encoding === encoding);
    assert.deepEqual(mine.map((r) => r.signal).sort(), ['logs', 'metrics', 'traces']);
    const text = JSON.stringify(mine.map((r) => r.request));
    for (const needle of ['POST /checkout', 'order placed', 'sdk3.orders', `sdk3-${encoding}`]) {
      assert.ok(text.includes(needle), `${needle} was not received`);
    }
  });
}
