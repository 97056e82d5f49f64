import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectSpool } from '@otelpack/batching-core';
import type { ExportResult, ResourceMetricsLike } from '@otelpack/batching-core';
import { assertLedgerBalances, eventually } from '@otelpack/batching-core/testing';
import { ElasticsearchLogRecordExporter, ElasticsearchMetricExporter } from '../src';
import type { ElasticsearchExporterOptions } from '../src';
import { gauge, logRecord, point, resourceMetrics } from './helpers/fixtures';
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
function gaugeBatch(batch: number, points: number): ResourceMetricsLike {
  const at: [number, number] = [1_700_000_000 + batch, 0];
  return resourceMetrics([
    gauge(
      'queue.depth',
      Array.from({ length: points }, (_, i) => ({
        ...point(i, { worker: `w${i}` }, at),
        startTime: at,
      })),
    ),
  ]);
}

/** One SDK export call: resolves with the callback's result. */
const exportOnce = <T>(
  exporter: { export(items: T, done: (result: ExportResult) => void): void },
  items: T,
) => new Promise<ExportResult>((done) => exporter.export(items, done));

/**
 * A spool directory and a backend that takes each request and never answers (a hung node, or a
 * process stopped while its request was out): whether it stored the documents is unknown.
 */
async function hungBackendAndSpool() {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-es-spool-'));
  const hung = await startBulkSink();
  sinks.push(hung);
  hung.setFaults({ fault: { kind: 'stall' } });
  const options = {
    url: hung.url,
    spool: { directory },
    flushIntervalMs: 10,
    timeoutMs: 60_000,
    shutdownTimeoutMs: 200,
  };
  return {
    directory,
    hung,
    options,
    cleanup: () => rmSync(directory, { recursive: true, force: true }),
  };
}

test('time series 409s after a restart: delivered for documents the last process sent, rejected for those it never sent', async () => {
  const { directory, hung, options, cleanup } = await hungBackendAndSpool();
  try {
    const first = new ElasticsearchMetricExporter({ ...options, maxConcurrency: 1 });
    assert.equal((await exportOnce(first, gaugeBatch(1, 3) as never)).code, 0);
    await eventually(() => hung.bulkRequests().length === 1, 'the first request is out');
    // One request at a time: this export's documents wait, and are never sent.
    assert.equal((await exportOnce(first, gaugeBatch(2, 2) as never)).code, 0);
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
    cleanup();
  }
});

// No time series: the spool need not write down what each request carries.
const NO_TIME_SERIES = [
  {
    what: 'metrics in the ecs mode',
    send: (options: ElasticsearchExporterOptions) => {
      const exporter = new ElasticsearchMetricExporter({ ...options, mappingMode: 'ecs' });
      return { exporter, done: exportOnce(exporter, gaugeBatch(1, 2) as never) };
    },
  },
  {
    what: 'log records',
    send: (options: ElasticsearchExporterOptions) => {
      const exporter = new ElasticsearchLogRecordExporter(options);
      return { exporter, done: exportOnce(exporter, [logRecord({ body: 'held' })] as never) };
    },
  },
];

for (const { what, send } of NO_TIME_SERIES) {
  test(`${what}: no time series, so the spool does not write down what each request carries`, async () => {
    const { directory, hung, options, cleanup } = await hungBackendAndSpool();
    try {
      const { exporter, done } = send(options);
      assert.equal((await done).code, 0);
      await eventually(() => hung.bulkRequests().length === 1, 'the request is out');
      await exporter.shutdown();
      const [queue] = inspectSpool(directory);
      assert.ok(queue.waiting > 0);
      assert.equal(queue.sentBatchesWaiting, 0);
    } finally {
      cleanup();
    }
  });
}
