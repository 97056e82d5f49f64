import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AggregationTemporality, DataPointType, inspectSpool } from '@otelpack/batching-core';
import type { ExportResult, ResourceMetricsLike } from '@otelpack/batching-core';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { ElasticsearchLogRecordExporter, ElasticsearchMetricExporter } from '../src';
import { logRecord } from './helpers/fixtures';
import { startBulkSink } from './helpers/bulk-sink';
import type { BulkSink } from './helpers/bulk-sink';

/*
 * Time series documents and the disk spool. A time series data stream answers 409 to a document
 * whose series and timestamp it holds: our own earlier write when the document was sent before,
 * another writer's on a first send. A process killed (or stopped at its deadline) while a request
 * was out never heard whether it was stored; the next process replays the spool, and its 409s
 * for those documents are its own.
 */

const sinks: BulkSink[] = [];
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});

/** A gauge of `points` series (one document each), at a time of its own per `batch`. */
function gauge(batch: number, points: number): ResourceMetricsLike {
  return {
    resource: { attributes: { 'service.name': 'checkout' } },
    scopeMetrics: [
      {
        scope: { name: 'spool' },
        metrics: [
          {
            descriptor: { name: 'queue.depth', description: '', unit: '', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: Array.from({ length: points }, (_, i) => ({
              startTime: [1_700_000_000 + batch, 0] as [number, number],
              endTime: [1_700_000_000 + batch, 0] as [number, number],
              attributes: { worker: `w${i}` },
              value: i,
            })),
          },
        ],
      },
    ],
  };
}

const exportOnce = (exporter: ElasticsearchMetricExporter, metrics: ResourceMetricsLike) =>
  new Promise<ExportResult>((done) => exporter.export(metrics as never, done));

async function eventually(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 5_000) assert.fail(`not within 5 s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('time series 409s after a restart: delivered for documents the last process sent, rejected for those it never sent', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-es-tsdb-spool-'));
  try {
    // The first process's backend takes each request and never answers (a hung node, or a
    // process stopped while its request was out): whether it stored the documents is unknown.
    const hung = await startBulkSink();
    sinks.push(hung);
    hung.setFaults({ fault: { kind: 'stall' } });
    const first = new ElasticsearchMetricExporter({
      url: hung.url,
      spool: { directory },
      maxConcurrency: 1,
      flushIntervalMs: 10,
      timeoutMs: 60_000,
      shutdownTimeoutMs: 200,
    });
    assert.equal((await exportOnce(first, gauge(1, 3))).code, 0);
    await eventually(() => hung.bulkRequests().length === 1, 'the first request is out');
    // One request at a time: this export's documents wait, and are never sent.
    assert.equal((await exportOnce(first, gauge(2, 2))).code, 0);
    await first.shutdown();
    assert.equal(first.stats().leftInSpool, 5);
    const [queue] = inspectSpool(directory);
    assert.deepEqual([queue.waiting, queue.sentBatchesWaiting], [5, 1], 'the request written down');
    assert.equal(hung.bulkRequests().length, 1);
    const [action] = hung.bulkRequests()[0].body.toString().split('\n');
    const meta = (JSON.parse(action) as { create: Record<string, unknown> }).create;
    assert.equal(meta._id, undefined, 'a time series document: created without an id');
    assert.equal(meta.require_data_stream, true);

    // The next process's backend holds a document of every series and time: all 409.
    const holding = await startBulkSink(() => ({
      status: 409,
      error: {
        type: 'version_conflict_engine_exception',
        reason: '[tsid@2023-11-14T22:13:21.000Z]: version conflict, document already exists',
      },
    }));
    sinks.push(holding);
    const next = new ElasticsearchMetricExporter({
      url: holding.url,
      spool: { directory },
      flushIntervalMs: 10,
      shutdownTimeoutMs: 1_000,
    });
    await next.forceFlush();
    const stats = next.stats();
    assert.equal(stats.replayed, 5);
    assert.equal(stats.delivered, 3, 'the three sent before: their 409 is our own write');
    assert.equal(stats.dropped.rejected, 2, 'the two never sent: their 409 is another writer');
    assert.equal(stats.pending, 0);
    assertLedgerBalances(stats);
    await next.shutdown();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('metrics in the ecs mode: no time series, so nothing is written down either', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-es-ecs-spool-'));
  try {
    const hung = await startBulkSink();
    sinks.push(hung);
    hung.setFaults({ fault: { kind: 'stall' } });
    const exporter = new ElasticsearchMetricExporter({
      url: hung.url,
      mappingMode: 'ecs',
      spool: { directory },
      flushIntervalMs: 10,
      timeoutMs: 60_000,
      shutdownTimeoutMs: 200,
    });
    assert.equal((await exportOnce(exporter, gauge(1, 2))).code, 0);
    await eventually(() => hung.bulkRequests().length === 1, 'the request is out');
    await exporter.shutdown();
    const [queue] = inspectSpool(directory);
    assert.ok(queue.waiting > 0);
    assert.equal(queue.sentBatchesWaiting, 0);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});

test('log records: no time series, so the spool does not write down what each request carries', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-es-logs-spool-'));
  try {
    const hung = await startBulkSink();
    sinks.push(hung);
    hung.setFaults({ fault: { kind: 'stall' } });
    const exporter = new ElasticsearchLogRecordExporter({
      url: hung.url,
      spool: { directory },
      flushIntervalMs: 10,
      timeoutMs: 60_000,
      shutdownTimeoutMs: 200,
    });
    const done = new Promise<ExportResult>((resolve) =>
      exporter.export([logRecord({ body: 'held' })] as never, resolve),
    );
    assert.equal((await done).code, 0);
    await eventually(() => hung.bulkRequests().length === 1, 'the request is out');
    await exporter.shutdown();
    const [queue] = inspectSpool(directory);
    assert.equal(queue.waiting, 1);
    assert.equal(queue.sentBatchesWaiting, 0);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
