/*
 * @otelpack/exporter-datadog, exactly as `npm pack` ships it, under OpenTelemetry JS SDK 3.x on
 * Node 24: the three exporters registered in SDK 3's providers deliver to otelpack's FAKES of the
 * DogStatsD server, the trace Agent's /v0.4/traces and the logs intake (integration/src/fakes).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import {
  DatadogLogRecordExporter,
  DatadogMetricExporter,
  DatadogSpanExporter,
} from '@otelpack/exporter-datadog';
import { assertPackedExporter } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';
import { DogStatsDFake } from '../../integration/src/fakes/dogstatsd-fake.ts';
import { LogsIntakeFake } from '../../integration/src/fakes/datadog-logs-fake.ts';
import { TraceAgentFake } from '../../integration/src/fakes/datadog-trace-agent-fake.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: DatadogSpanExporter) => SpanExporter = (e) => e;
const _log: (e: DatadogLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: DatadogMetricExporter) => PushMetricExporter = (e) => e;

const API_KEY = 'sdk3-fake-api-key-0123';

test('SDK 3.x: @otelpack/exporter-datadog is the packed tarball, on the packed core', () => {
  assertPackedExporter('@otelpack/exporter-datadog');
});

const dogstatsd = new DogStatsDFake();
const agent = new TraceAgentFake();
const intake = new LogsIntakeFake(API_KEY);
let options: object;
before(async () => {
  const { port } = await dogstatsd.listenUdp();
  const agentUrl = await agent.listen();
  const intakeUrl = await intake.listen();
  options = { dogstatsdUrl: `udp://127.0.0.1:${port}`, agentUrl, intakeUrl, flushIntervalMs: 50 };
});
after(async () => {
  await Promise.all([dogstatsd.close(), agent.close(), intake.close()]);
});

test('SDK 3.x: metrics over DogStatsD, spans to the trace Agent, logs to the intake (FAKES)', async () => {
  const { agentUrl, intakeUrl, ...common } = options as Record<string, string | number>;
  const spanExporter = new DatadogSpanExporter({ ...common, url: String(agentUrl) });
  const logExporter = new DatadogLogRecordExporter({
    ...common,
    url: String(intakeUrl),
    auth: { apiKey: API_KEY },
  });
  const metricExporter = new DatadogMetricExporter(common);
  const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
    resourceAttributes: { 'service.name': 'sdk3-datadog', 'deployment.environment.name': 'ci' },
    spanExporter,
    logExporter,
    metricExporter,
  });
  tracerProvider
    .getTracer('sdk3')
    .startSpan('work', { attributes: { 'http.request.method': 'GET' } })
    .end();
  loggerProvider.getLogger('sdk3').emit({ body: 'hello', severityText: 'INFO' });
  meterProvider.getMeter('sdk3').createCounter('sdk3.count').add(5, { k: 'v' });
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

  const span = agent.spans()[0];
  assert.equal(span?.service, 'sdk3-datadog');
  assert.equal(span?.resource, 'GET');
  assert.equal(intake.entries[0]?.message, 'hello');
  assert.equal(intake.entries[0]?.service, 'sdk3-datadog');
  await dogstatsd.waitForSamples(1);
  const count = dogstatsd.context('sdk3.count', ['k:v', 'service:sdk3-datadog', 'env:ci']);
  assert.equal(count?.value, 5);
  assert.equal(count?.timestamps.length, 1);
});
