import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { DatadogMetricExporter } from '@otelpack/exporter-datadog';
import { DogStatsDFake } from '../../src/fakes/dogstatsd-fake';

/*
 * FAKE (the DogStatsD fake, labelled; no Datadog Agent runs here): the OpenTelemetry SDK records
 * known values; DatadogMetricExporter maps them and sends them with hot-shots over UDP; the fake
 * parses the datagrams as the Agent does and reads back counts, gauges, distributions, tags and
 * timestamps.
 */
describe('DatadogMetricExporter → DogStatsD over UDP (FAKE)', () => {
  const fake = new DogStatsDFake();
  let port = 0;
  before(async () => {
    ({ port } = await fake.listenUdp());
  });
  after(() => fake.close());

  it('counts as timestamped deltas, gauges, histograms as weighted distributions, unified service tags', async () => {
    const exporter = new DatadogMetricExporter({
      dogstatsdUrl: `udp://127.0.0.1:${port}`,
      deliveryMode: 'direct',
      tags: ['team:core'],
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({
        'service.name': 'checkout',
        'deployment.environment.name': 'test',
        'service.version': '1.2.3',
        'k8s.pod.name': 'pod-1',
        'not.mapped': 'x',
      }),
      readers: [reader],
    });
    const meter = provider.getMeter('it');
    const requests = meter.createCounter('it.requests');
    const inFlight = meter.createUpDownCounter('it.in_flight');
    const temperature = meter.createGauge('it.temperature');
    const latency = meter.createHistogram('it.latency', {
      advice: { explicitBucketBoundaries: [10, 100] },
    });

    const before = Math.floor(Date.now() / 1000);
    requests.add(3, { route: '/a' });
    requests.add(2, { route: '/a' });
    inFlight.add(4);
    temperature.record(21.5, { room: 'b' });
    for (const v of [1, 5, 50, 500]) latency.record(v);
    await reader.forceFlush();
    requests.add(1, { route: '/a' });
    await reader.forceFlush();
    await fake.waitForSamples(8);
    const afterS = Math.ceil(Date.now() / 1000);

    const base = ['service:checkout', 'env:test', 'version:1.2.3', 'pod_name:pod-1', 'team:core'];
    assert.deepEqual(fake.refused, []);
    const count = fake.context('it.requests', ['route:/a', ...base]);
    assert.ok(count, JSON.stringify(fake.contexts().map((c) => [c.name, c.tags])));
    // Delta temporality: 5 then 1, summed to the 6 recorded, never 5 + 6.
    assert.equal(count.type, 'c');
    assert.equal(count.value, 6);
    assert.equal(count.timestamps.length, 2);
    for (const ts of count.timestamps) assert.ok(ts >= before && ts <= afterS, `timestamp ${ts}`);
    const upDown = fake.context('it.in_flight', base);
    assert.equal(upDown?.type, 'g');
    assert.equal(upDown?.value, 4);
    assert.equal(fake.context('it.temperature', ['room:b', ...base])?.value, 21.5);
    const latencyView = fake.contexts().find((c) => c.name === 'it.latency' && c.type === 'd');
    assert.ok(latencyView);
    // 4 values in 3 buckets: (-inf,10] 2 values at min 1, (10,100] 1 at 55, (100,inf) 1 at max 500.
    const weights = latencyView.weighted.map((w) => [w.value, Math.trunc(w.weight)]);
    assert.deepEqual(weights, [
      [1, 2],
      [55, 1],
      [500, 1],
    ]);
    assert.ok(!fake.samples.some((s) => s.tags.some((t) => t.startsWith('not.mapped'))));
    for (const datagram of fake.datagrams) assert.ok(Buffer.byteLength(datagram) <= 1_432);

    await provider.shutdown();
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.droppedTotal, 0);
    assert.ok(exporter.sender.stats().datagrams >= 2);
  });

  it('an unreachable socket: retried, then dropped as expired and counted, with the send errors by code', async () => {
    const exporter = new DatadogMetricExporter({
      dogstatsdUrl: 'unixgram:///nonexistent/otelpack-dsd.sock',
      deliveryMode: 'direct',
      maxElapsedMs: 200,
      initialBackoffMs: 10,
    });
    const provider = new MeterProvider({
      readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 })],
    });
    provider.getMeter('it').createCounter('it.lost').add(1);
    await provider.forceFlush().catch(() => undefined);
    await provider.shutdown().catch(() => undefined);
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 0);
    assert.equal(stats.dropped.expired, 1, JSON.stringify(stats));
    assert.ok(Object.values(exporter.sender.stats().errors).reduce((a, b) => a + b, 0) >= 1);
  });
});

describe('DatadogMetricExporter → DogStatsD over a Unix datagram socket (FAKE)', () => {
  it('packs datagrams up to 8,192 bytes over UDS and delivers every line', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const fake = new DogStatsDFake();
    const path = await fake.listenUds(
      join(mkdtempSync(join(tmpdir(), 'otelpack-dsd-')), 'dsd.socket'),
    );
    const exporter = new DatadogMetricExporter({ dogstatsdSocket: path, deliveryMode: 'direct' });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const counter = provider.getMeter('it').createCounter('it.uds');
    for (let i = 0; i < 400; i++) counter.add(1, { series: `s-${i}` });
    await reader.forceFlush();
    await fake.waitForSamples(400);
    await provider.shutdown();
    await fake.close();
    assert.deepEqual(fake.refused, []);
    assert.equal(fake.samples.length, 400);
    assert.ok(fake.datagrams.length > 1);
    for (const datagram of fake.datagrams) assert.ok(Buffer.byteLength(datagram) <= 8_192);
    // Packed full: more than 1,432 bytes (the UDP limit) in the first datagram.
    assert.ok(Buffer.byteLength(fake.datagrams[0]) > 1_432);
    assertLedgerBalances(exporter.stats());
    assert.equal(exporter.stats().delivered, 400);
  });
});

describe("hot-shots' Datadog mode stays off when DD_* variables are set (FAKE)", () => {
  it('no container-id or external-data fields, no client telemetry metrics, no DD_TAGS added by hot-shots', async () => {
    const fake = new DogStatsDFake();
    const { port } = await fake.listenUdp();
    const saved = { ...process.env };
    Object.assign(process.env, {
      DD_ENV: 'from-env',
      DD_SERVICE: 'svc-env',
      DD_TAGS: 'hs:tag',
      DD_EXTERNAL_ENV: 'it-false,cn-x,pu-y',
      DD_ORIGIN_DETECTION_ENABLED: 'true',
    });
    try {
      const exporter = new DatadogMetricExporter({
        dogstatsdUrl: `udp://127.0.0.1:${port}`,
        deliveryMode: 'direct',
      });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
      const provider = new MeterProvider({ readers: [reader] });
      provider.getMeter('it').createCounter('it.mode').add(1);
      await reader.forceFlush();
      await fake.waitForSamples(1);
      await provider.shutdown();
      // hot-shots' telemetry would flush datadog.dogstatsd.client.* on close.
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await fake.close();
    }
    assert.deepEqual(
      fake.samples.map((s) => s.name),
      ['it.mode'],
    );
    const [sample] = fake.samples;
    assert.equal(sample.containerId, undefined);
    assert.ok(!fake.datagrams.some((d) => /\|e:|\|card:/.test(d)), fake.datagrams.join('\n'));
    // The exporter's own reading of DD_ENV / DD_SERVICE / DD_TAGS, once each, in its order.
    assert.deepEqual(sample.tags, ['service:svc-env', 'env:from-env', 'hs:tag']);
  });
});
