import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../src';
import type { PipelineOptions } from '../src';
import { FaultSink, NdjsonSinkSender, assertLedgerBalances } from '../src/testing';

/*
 * Against a backend that serves up to N requests at once at a fixed latency and sheds any more
 * with 503, the adaptive limiter must find N, beat a fixed limit of 1, and back off when the
 * backend starts refusing. Throughput is compared as a ratio of two runs in the same test, never
 * against an absolute time.
 */

const OPTIMAL = 8;
const LATENCY_MS = 20;
const RECORDS = 3_000;
const BATCH = 20;

let sink: FaultSink;
before(async () => {
  sink = await FaultSink.start();
});
after(async () => {
  await sink.close();
});

function pipelineTo(options: Partial<PipelineOptions<{ id: number }>>) {
  return new Pipeline<{ id: number }>({
    name: 'adaptive',
    signal: 'traces',
    sender: new NdjsonSinkSender({ url: sink.url, connections: 64 }),
    maxBatchItems: BATCH,
    flushIntervalMs: 1,
    initialBackoffMs: 2,
    maxBackoffMs: 20,
    ...options,
  });
}

async function deliverAll(pipeline: Pipeline<{ id: number }>, from: number, count: number) {
  const records = Array.from({ length: count }, (_, i) => ({ id: from + i }));
  await pipeline.submit(records);
  await pipeline.forceFlush(60_000);
}

test('adaptive concurrency converges near the backend optimum, beats a limit of 1, and backs off on 503', async (t) => {
  sink.reset();
  sink.setFaults({
    fault: { kind: 'scaling', optimalConcurrency: OPTIMAL, latencyMs: LATENCY_MS },
  });

  const single = pipelineTo({ maxConcurrency: 1 });
  const singleStart = performance.now();
  await deliverAll(single, 0, RECORDS);
  const singleMs = performance.now() - singleStart;
  await single.shutdown();

  const adaptive = pipelineTo({ adaptiveConcurrency: { maxConcurrency: 64 } });
  const limits: number[] = [];
  const sampler = setInterval(() => limits.push(adaptive.stats().concurrencyLimit), 5);
  const adaptiveStart = performance.now();
  await deliverAll(adaptive, RECORDS, RECORDS * 3);
  const adaptiveMs = performance.now() - adaptiveStart;
  clearInterval(sampler);

  const singleRate = RECORDS / singleMs;
  const adaptiveRate = (RECORDS * 3) / adaptiveMs;
  assert.ok(
    adaptiveRate > 2.5 * singleRate,
    `adaptive ${adaptiveRate.toFixed(1)} records/ms vs fixed-1 ${singleRate.toFixed(1)}: expected > 2.5x`,
  );

  const settled = limits.slice(Math.floor(limits.length / 2));
  const meanLimit = settled.reduce((a, b) => a + b, 0) / settled.length;
  assert.ok(
    meanLimit >= OPTIMAL * 0.5 && meanLimit <= OPTIMAL * 1.75,
    `mean limit once settled ${meanLimit.toFixed(1)}, backend optimum ${OPTIMAL}`,
  );
  assert.ok(Math.max(...limits) < 64, 'never ran away to the ceiling');
  t.diagnostic(
    `throughput adaptive/fixed-1 = ${(adaptiveRate / singleRate).toFixed(2)}; mean settled limit ${meanLimit.toFixed(1)} (optimum ${OPTIMAL}); peak ${Math.max(...limits)}`,
  );

  const before503 = adaptive.stats().concurrencyLimit;
  sink.setFaults(
    { fault: { kind: 'status', status: 503 }, times: 150 },
    {
      fault: { kind: 'scaling', optimalConcurrency: OPTIMAL, latencyMs: LATENCY_MS },
    },
  );
  const during: number[] = [];
  const sampler2 = setInterval(() => during.push(adaptive.stats().concurrencyLimit), 2);
  await deliverAll(adaptive, RECORDS * 4, 600);
  clearInterval(sampler2);
  const lowest = Math.min(...during);
  t.diagnostic(`limit before the 503s ${before503}, lowest during them ${lowest}`);
  assert.ok(
    lowest <= Math.floor(before503 * 0.75),
    `limit fell only from ${before503} to ${lowest} while the backend answered 503`,
  );

  await adaptive.shutdown();
  const stats = adaptive.stats();
  assertLedgerBalances(stats);
  assert.equal(stats.delivered, RECORDS * 3 + 600, 'all delivered despite the 503s');
  const ids = new Set((sink.records as { id: number }[]).map((r) => r.id));
  assert.equal(ids.size, RECORDS * 4 + 600);
});
