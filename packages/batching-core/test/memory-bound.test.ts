import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Pipeline } from '../src';
import { NdjsonSinkSender, assertLedgerBalances } from '../src/testing';

/** A port on 127.0.0.1 that nothing listens on: every connection is refused. */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('with the backend down and drop_newest, held bytes never exceed maxQueueBytes', async (t) => {
  const maxQueueBytes = 256 * 1024;
  const pipeline = new Pipeline<{ id: number; text: string }>({
    name: 'memory',
    signal: 'logs',
    sender: new NdjsonSinkSender({ url: `http://127.0.0.1:${await deadPort()}` }),
    maxQueueBytes,
    maxQueueItems: 1_000_000,
    maxBatchBytes: 16 * 1024,
    flushIntervalMs: 1,
    initialBackoffMs: 1,
    maxBackoffMs: 10,
  });
  let peakBytes = 0;
  let submitted = 0;
  for (let round = 0; round < 200; round++) {
    const records = Array.from({ length: 100 }, () => ({
      id: submitted++,
      text: 'y'.repeat(100 + (submitted % 200)),
    }));
    await pipeline.submit(records);
    const stats = pipeline.stats();
    assertLedgerBalances(stats, `round ${round}`);
    assert.ok(stats.queuedBytes <= maxQueueBytes, `${stats.queuedBytes} > ${maxQueueBytes}`);
    peakBytes = Math.max(peakBytes, stats.queuedBytes);
    if (round % 20 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  const stats = pipeline.stats();
  t.diagnostic(
    `submitted ${submitted} records, peak held ${peakBytes} B of ${maxQueueBytes} B, dropped queue_full ${stats.dropped.queue_full}, retries ${stats.retries}`,
  );
  assert.ok(stats.dropped.queue_full > 0, 'the queue filled and shed load');
  assert.ok(stats.retries > 0, 'connection refusals were retried');
  assert.ok(peakBytes > maxQueueBytes * 0.9, 'the test did fill the queue');
  await pipeline.shutdown(50);
  assertLedgerBalances(pipeline.stats());
  assert.equal(pipeline.stats().pending, 0);
});
