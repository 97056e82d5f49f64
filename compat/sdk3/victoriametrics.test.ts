/*
 * @otelpack/exporter-victoriametrics, exactly as `npm pack` ships it, under OpenTelemetry JS SDK
 * 3.x (sdk-metrics 3.x, api 1.10) on Node 24: a MeterProvider with a PeriodicExportingMetricReader
 * exports to a local remote-write receiver (a test fake: it checks the protocol headers, unsnappies
 * the body and looks for the series), and the exporter's ledger balances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';

// snappyjs (a dev dependency here: the exporter compresses with its own code) decodes the bodies;
// it ships no types.
const { uncompress } = createRequire(import.meta.url)('snappyjs') as {
  uncompress(compressed: Buffer): Buffer;
};

// Compile-time proof (run.sh typechecks this file): the packed exporter is SDK 3's PushMetricExporter.
const _asSdk3: (e: VictoriaMetricsExporter) => PushMetricExporter = (e) => e;

test('SDK 3.x: VictoriaMetricsExporter delivers every instrument kind as remote write', async () => {
  const bodies: Buffer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const ok =
        req.url === '/api/v1/write' &&
        req.headers['content-encoding'] === 'snappy' &&
        req.headers['content-type'] === 'application/x-protobuf' &&
        req.headers['x-prometheus-remote-write-version'] === '0.1.0';
      if (ok) bodies.push(uncompress(Buffer.concat(chunks)));
      res.writeHead(ok ? 204 : 400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const exporter = new VictoriaMetricsExporter({ url: `http://127.0.0.1:${port}` });
    assert.equal(
      exporter.selectAggregationTemporality('COUNTER' as never),
      AggregationTemporality.CUMULATIVE,
    );
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'sdk3', 'host.name': 'h' }),
      readers: [reader],
    });
    const meter = provider.getMeter('sdk3-lib', '3.0.0');
    meter.createCounter('sdk3.requests').add(5, { route: '/a' });
    meter.createUpDownCounter('sdk3.inflight').add(2);
    meter.createGauge('sdk3.level', { unit: '1' }).record(0.5);
    meter.createObservableGauge('sdk3.queue').addCallback((r) => r.observe(3));
    meter.createHistogram('sdk3.latency', { unit: 's' }).record(0.2);
    await reader.forceFlush();

    const stats = exporter.pipeline.stats();
    assert.equal(stats.pending, 0);
    assert.equal(stats.droppedTotal, 0);
    assert.equal(stats.delivered, stats.accepted);
    assert.ok(stats.delivered > 0);
    const text = Buffer.concat(bodies).toString('latin1');
    for (const name of [
      'sdk3_requests_total',
      'sdk3_inflight',
      'sdk3_level_ratio',
      'sdk3_queue',
      'sdk3_latency_seconds_bucket',
      'sdk3_latency_seconds_count',
      'target_info',
      'otel_scope_name',
    ]) {
      assert.ok(text.includes(name), `${name} was sent`);
    }
    await provider.shutdown();
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
