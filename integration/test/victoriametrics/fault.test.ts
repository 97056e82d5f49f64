import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import type { ResourceMetricsLike } from '@otelpack/batching-core';
import {
  DEFAULT_MAPPING_OPTIONS,
  VictoriaMetricsExporter,
  mapResourceMetrics,
} from '@otelpack/exporter-victoriametrics';
import type { BackendDefinition } from '../../src/backend';
import { victoriametrics } from '../../src/backends/victoriametrics';
import { backendUrl } from '../../src/env';
import { freePort, sleep, startBackend, stopBackend } from '../../src/launcher';
import type { RunningBackend } from '../../src/launcher';
import { exportVm, forceFlushVm, seriesKey } from './helpers';

/*
 * REAL backend, started by this test: its own VictoriaMetrics (Debian package), so that it can
 * be stopped and started again on the same port and data directory while the SDK keeps
 * exporting. Runs under the harness (it needs the harness's VictoriaMetrics to be available,
 * and skips by hand without it, like every integration test).
 *
 * What must hold: every sample the exporter accepted is in VictoriaMetrics after the restart,
 * counted one by one (series and timestamp), and the ledger balances with nothing dropped.
 */

const EXPORT_INTERVAL_MS = 200;

it('VictoriaMetrics stopped for several export intervals and started again: nothing accepted is lost', async (t) => {
  if (!backendUrl(t, 'victoriametrics')) return;
  const availability = await victoriametrics.available();
  assert.ok(availability.ok, 'victoria-metrics is installed');

  // The same port and data directory for both runs of the process.
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'otelpack-it-vm-fault-'));
  const url = `http://127.0.0.1:${port}`;
  const definition: BackendDefinition = {
    ...victoriametrics,
    id: 'victoriametrics-fault',
    command: (context) => ({
      ...victoriametrics.command({ ...context, port, dir: dataDir }),
      url,
    }),
  };
  let vm: RunningBackend | undefined = await startBackend(definition);

  const job = `fault_${Date.now()}`;
  const exporter = new VictoriaMetricsExporter({
    url,
    flushIntervalMs: 50,
    initialBackoffMs: 100,
    maxBackoffMs: 500,
    maxElapsedMs: 120_000,
    // One request's deadline; the pipeline's send deadline is 1 s later (5 s).
    timeoutMs: 4_000,
  });
  // What the exporter was handed, as the series its (pure) mapping makes of it: the samples it
  // accepts. Mapped at once, as the SDK's objects are not ours to keep.
  const expected = new Map<string, number>();
  let exports = 0;
  const exportOriginal = exporter.export.bind(exporter);
  exporter.export = (metrics: ResourceMetricsLike, callback) => {
    exports++;
    for (const series of mapResourceMetrics(metrics, DEFAULT_MAPPING_OPTIONS).series) {
      const labels = Object.fromEntries(series.labels.map((l) => [l.name, l.value]));
      expected.set(
        `${seriesKey(labels)}@${series.samples[0].timestampMs}`,
        series.samples[0].value,
      );
    }
    exportOriginal(metrics, callback);
  };
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: EXPORT_INTERVAL_MS,
    exportTimeoutMillis: EXPORT_INTERVAL_MS,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': job,
      'service.instance.id': 'i-1',
      'host.name': 'h',
    }),
    readers: [reader],
  });
  const meter = provider.getMeter('fault-test');
  const counter = meter.createCounter('fault.ops');
  const gauge = meter.createGauge('fault.level');
  let tick = 0;
  const work = setInterval(() => {
    tick++;
    for (let w = 0; w < 20; w++) counter.add(1, { worker: `w${w}` });
    gauge.record(tick);
  }, 20);

  try {
    await sleep(6 * EXPORT_INTERVAL_MS);
    const before = exporter.pipeline.stats();
    assert.ok(before.delivered > 0, 'delivered before the outage');

    await stopBackend(vm);
    vm = undefined;
    await sleep(10 * EXPORT_INTERVAL_MS); // ten export intervals with VictoriaMetrics down
    const during = exporter.pipeline.stats();
    assertLedgerBalances(during);
    assert.ok(during.accepted > before.accepted, 'the SDK kept exporting');
    assert.ok(during.pending > 0, `records wait for the backend (pending ${during.pending})`);
    assert.equal(during.droppedTotal, 0);

    vm = await startBackend(definition);
    await sleep(6 * EXPORT_INTERVAL_MS);
    clearInterval(work);
    // Shutting the provider down makes a last export and then shuts the exporter down, which
    // delivers what it holds: after it, no export can add to `expected`.
    await provider.shutdown();

    const after = exporter.pipeline.stats();
    assertLedgerBalances(after);
    assert.equal(after.pending, 0);
    assert.equal(after.droppedTotal, 0, JSON.stringify(after.dropped));
    assert.equal(after.delivered, after.accepted);
    assert.ok(after.retries > 0, 'the outage caused retries');

    // Every accepted sample, by series and timestamp, with its value.
    assert.equal(expected.size, after.accepted, 'each accepted record is one distinct sample');

    await forceFlushVm(url);
    let stored = new Map<string, number>();
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      stored = new Map();
      for (const series of await exportVm(url, `{job="${job}"}`)) {
        const key = seriesKey(series.metric);
        series.timestamps.forEach((ts, i) => stored.set(`${key}@${ts}`, series.values[i]));
      }
      if (stored.size >= expected.size) break;
      await sleep(250);
    }
    const missing = [...expected.keys()].filter((k) => !stored.has(k));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} accepted samples are missing`);
    for (const [key, value] of expected) assert.equal(stored.get(key), value, key);
    assert.equal(stored.size, expected.size, 'no sample that was not accepted');
    t.diagnostic(
      `accepted ${after.accepted} samples, delivered ${after.delivered}, retries ${after.retries}, ` +
        `stored ${stored.size} distinct samples from ${exports} exports`,
    );
  } finally {
    clearInterval(work);
    await provider.shutdown().catch(() => undefined);
    if (vm) await stopBackend(vm);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

it('two VictoriaMetrics endpoints: when the first goes down, the exporter fails over to the second and loses nothing', async (t) => {
  if (!backendUrl(t, 'victoriametrics')) return;
  const first = await startBackend(victoriametrics);
  const second = await startBackend(victoriametrics);
  let firstRunning = true;
  const job = `failover_${Date.now()}`;
  const exporter = new VictoriaMetricsExporter({
    url: [first.url, second.url],
    flushIntervalMs: 50,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
  });
  const reader = new PeriodicExportingMetricReader({
    exporter,
    exportIntervalMillis: EXPORT_INTERVAL_MS,
    exportTimeoutMillis: EXPORT_INTERVAL_MS,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': job, 'service.instance.id': 'i-1' }),
    readers: [reader],
  });
  const counter = provider.getMeter('failover-test').createCounter('failover.ops');
  const work = setInterval(() => counter.add(1), 20);
  try {
    await sleep(4 * EXPORT_INTERVAL_MS);
    assert.equal(exporter.sender.currentEndpoint, `${first.url}/api/v1/write`);
    await stopBackend(first);
    firstRunning = false;
    await sleep(6 * EXPORT_INTERVAL_MS);
    assert.equal(exporter.sender.currentEndpoint, `${second.url}/api/v1/write`);
    clearInterval(work);
    await provider.shutdown();
    const stats = exporter.pipeline.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.droppedTotal, 0);
    assert.equal(stats.delivered, stats.accepted);
    assert.equal(exporter.sender.failovers, 1);
    // The second endpoint holds at least everything sent after the failover: the counter's last
    // value is there.
    await forceFlushVm(second.url);
    let last = 0;
    for (let i = 0; i < 50 && last === 0; i++) {
      const series = await exportVm(second.url, `{__name__="failover_ops_total",job="${job}"}`);
      last = series[0]?.values.at(-1) ?? 0;
      if (last === 0) await sleep(200);
    }
    assert.ok(last > 0, 'the second endpoint has the counter');
    t.diagnostic(
      `accepted ${stats.accepted}, delivered ${stats.delivered}; counter on the second endpoint: ${last}`,
    );
  } finally {
    clearInterval(work);
    await provider.shutdown().catch(() => undefined);
    if (firstRunning) await stopBackend(first);
    await stopBackend(second);
  }
});
