import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { ExportResult } from '@otelpack/batching-core';
import type { FaultSink } from '@otelpack/batching-core/testing';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { VictoriaMetricsExporter } from '../src';
import type { DecodedSeries } from './helpers/proto';
import { resourceMetrics, sum } from './helpers/fixtures';
import { seriesName, startRemoteWriteSink } from './helpers/sink';

/*
 * Prometheus refuses a request carrying a sample older than one it holds for the series. After an
 * outage, the default settings must therefore deliver the backlog oldest first: every retried
 * batch before anything newer (the core's ordered delivery).
 */

const sinks: FaultSink[] = [];
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

async function deliverAfterOutage(options: { maxConcurrency?: number; ordered?: boolean }) {
  const sink = await startRemoteWriteSink();
  sinks.push(sink);
  sink.setFaults({ fault: { kind: 'status', status: 503 }, times: 12 });
  const exporter = new VictoriaMetricsExporter({
    url: sink.url,
    initialBackoffMs: 5,
    maxBackoffMs: 40,
    flushIntervalMs: 0,
    targetInfo: false,
    ...options,
  });
  // Eight exports of one counter, each a second later than the one before.
  for (let i = 0; i < 8; i++) {
    const metrics = resourceMetrics([sum('orders', [[{}, i]], { end: [1_700_000_100 + i, 0] })]);
    await new Promise<ExportResult>((resolve) => exporter.export(metrics, resolve));
  }
  await exporter.forceFlush();
  await exporter.shutdown();
  assertLedgerBalances(exporter.pipeline.stats());
  const arrived = (sink.records as DecodedSeries[])
    .filter((s) => seriesName(s) === 'orders_total')
    .map((s) => s.samples[0].timestamp);
  return { arrived, stats: exporter.pipeline.stats() };
}

test('by default the backlog after an outage arrives oldest first, and all of it', async () => {
  const { arrived, stats } = await deliverAfterOutage({});
  assert.equal(stats.delivered, 8);
  assert.deepEqual(
    arrived,
    Array.from({ length: 8 }, (_, i) => (1_700_000_100 + i) * 1000),
    'samples reached the receiver in time order',
  );
});

test('raising maxConcurrency turns ordering off; asking for both is refused', () => {
  assert.throws(
    () =>
      new VictoriaMetricsExporter({ url: 'http://127.0.0.1:1', maxConcurrency: 4, ordered: true }),
    /ordered: needs maxConcurrency: 1/,
  );
  assert.doesNotThrow(
    () => new VictoriaMetricsExporter({ url: 'http://127.0.0.1:1', maxConcurrency: 4 }),
  );
});
