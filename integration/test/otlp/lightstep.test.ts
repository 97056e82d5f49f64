import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LightstepMetricExporter, LightstepSpanExporter } from '@otelpack/exporter-lightstep';
import { SCOPE_HEADER } from '../../src/fakes/otlp-fake';
import { FAST, assertAllDelivered, newScope, receiverUrl, storedRequests } from './helpers';

/*
 * FAKE natively (otelpack's OTLP receiver fake standing in for the Cloud Observability ingest,
 * which no test can reach), REAL Collector with OTELPACK_IT_DOCKER=1: the Lightstep preset's
 * traces and metrics arrive with the access-token header and LS_SERVICE_NAME on a resource
 * without a name.
 */

describe('Lightstep preset into an OTLP receiver', () => {
  it('spans and metrics delivered, with lightstep-access-token and the service name filled in', async (t) => {
    const receiver = await receiverUrl(t);
    if (!receiver) return;
    const scope = newScope();
    const token = 't'.repeat(84);
    const options = {
      auth: { token },
      serviceName: `ls-${scope}`,
      headers: { [SCOPE_HEADER]: scope },
      ...FAST,
    };
    const spanExporter = new LightstepSpanExporter({
      ...options,
      url: `${receiver.url}/v1/traces`,
    });
    const metricExporter = new LightstepMetricExporter({
      ...options,
      url: `${receiver.url}/v1/metrics`,
    });
    const resource = resourceFromAttributes({ 'service.name': 'unknown_service:node' });
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(spanExporter)],
    });
    const meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: metricExporter,
          exportIntervalMillis: 3_600_000,
        }),
      ],
    });
    for (let i = 0; i < 5; i++) tracerProvider.getTracer('ls').startSpan(`ls span ${i}`).end();
    meterProvider.getMeter('ls').createCounter('ls.orders').add(3);
    await Promise.all([tracerProvider.shutdown(), meterProvider.shutdown()]);
    assertAllDelivered(spanExporter.stats(), 5);
    assertAllDelivered(metricExporter.stats(), 1);
    if (!receiver.fake) return;
    for (const signal of ['traces', 'metrics'] as const) {
      const requests = await storedRequests(receiver.url, signal, scope);
      assert.ok(requests.length > 0, signal);
      assert.ok(requests.every((r) => r.headers['lightstep-access-token'] === token));
      assert.match(JSON.stringify(requests[0].request), new RegExp(`"stringValue":"ls-${scope}"`));
    }
  });
});
