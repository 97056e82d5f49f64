import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { DatadogMetricExporter } from '@otelpack/exporter-datadog';

/*
 * REAL statsd (the Etsy daemon, npm `statsd` 0.9.0, run from node_modules): it reads DogStatsD
 * tags (`|#`) but not `|T` timestamps or distributions, so the exporter runs with
 * `timestamps: false` and the test reads counts and gauges, through a backend module that prints
 * each flush (integration/src/statsd/json-backend.cjs). statsd writes tags into its key
 * (`name;k=v`), with its own key sanitising.
 */

interface Flush {
  counters: Record<string, number>;
  gauges: Record<string, number>;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

describe('DatadogMetricExporter → the real statsd daemon (REAL, plain StatsD)', () => {
  const flushes: Flush[] = [];
  let child: ReturnType<typeof spawn> | undefined;
  let port = 0;

  before(async () => {
    port = await freeUdpPort();
    const mgmtPort = await freeUdpPort();
    const dir = mkdtempSync(join(tmpdir(), 'otelpack-statsd-'));
    const config = join(dir, 'config.js');
    writeFileSync(
      config,
      JSON.stringify({
        address: '127.0.0.1',
        port,
        mgmt_address: '127.0.0.1',
        mgmt_port: mgmtPort,
        flushInterval: 200,
        automaticConfigReload: false,
        backends: [join(__dirname, '..', '..', 'src', 'statsd', 'json-backend.cjs')],
      }),
    );
    const main = require.resolve('statsd/stats.js');
    const started = spawn(process.execPath, [main, config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let buffered = '';
    let up: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (up = resolve));
    started.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, at);
        buffered = buffered.slice(at + 1);
        if (line.includes('server is up')) up();
        if (line.startsWith('STATSD_FLUSH ')) flushes.push(JSON.parse(line.slice(13)) as Flush);
      }
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      ready,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('statsd did not start')), 10_000);
      }),
    ]).finally(() => clearTimeout(timer));
  });

  after(async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  });

  it('counts and gauges with their tags arrive in the real daemon', async () => {
    const exporter = new DatadogMetricExporter({
      dogstatsdUrl: `udp://127.0.0.1:${port}`,
      timestamps: false,
      deliveryMode: 'direct',
    });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop' }),
      readers: [reader],
    });
    const meter = provider.getMeter('it');
    meter.createCounter('it.orders').add(4, { route: '/buy' });
    meter.createGauge('it.queue').record(12);
    await reader.forceFlush();
    meter.createCounter('it.orders').add(3, { route: '/buy' });
    await reader.forceFlush();

    const deadline = Date.now() + 5_000;
    const counted = () =>
      flushes.reduce((sum, f) => sum + (f.counters['it.orders;route=-buy;service=shop'] ?? 0), 0);
    while (counted() < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await provider.shutdown();
    assert.equal(counted(), 7, JSON.stringify(flushes.slice(-3)));
    const gauge = flushes
      .map((f) => f.gauges['it.queue;service=shop'])
      .find((v) => v !== undefined);
    assert.equal(gauge, 12);
    assert.equal(exporter.stats().droppedTotal, 0);
  });
});
