import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../src';
import type { DeadLetter, PipelineOptions } from '../src';
import { FaultSink, NdjsonSinkSender, assertLedgerBalances, deliveryLetter } from '../src/testing';
import type { FaultRule } from '../src/testing';

/*
 * 10,000 records through a pipeline to the FaultSink for each fault: retryable faults lose
 * nothing and duplicate nothing (the sink's records are exactly the ids sent), permanent ones
 * are counted as rejected and reach the dead-letter hook, and the ledger balances throughout.
 */

const TOTAL = 10_000;

interface Row {
  id: number;
  body: string;
}

const rows = (): Row[] =>
  Array.from({ length: TOTAL }, (_, id) => ({ id, body: `record ${id} ${'x'.repeat(id % 50)}` }));

let sink: FaultSink;
before(async () => {
  sink = await FaultSink.start();
});
after(async () => {
  await sink.close();
});

async function run(rules: FaultRule[], options: Partial<PipelineOptions<Row>> = {}) {
  sink.reset();
  sink.setFaults(...rules);
  const letters: DeadLetter<Row>[] = [];
  // Deadlines far above a request's time even on a loaded machine: a request the client gave up
  // on would spend a scripted fault the test counts on (the stall cases set their own).
  const sender = new NdjsonSinkSender<Row>({ url: sink.url, timeoutMs: 15_000 });
  const pipeline = new Pipeline<Row>({
    name: 'fault-suite',
    signal: 'logs',
    sender,
    maxBatchItems: 500,
    maxConcurrency: 4,
    flushIntervalMs: 5,
    initialBackoffMs: 5,
    maxBackoffMs: 50,
    requestTimeoutMs: 10_000,
    deadLetter: (letter) => void letters.push(deliveryLetter(letter)),
    ...options,
  });
  const checks = setInterval(() => assertLedgerBalances(pipeline.stats(), 'during the run'), 10);
  try {
    for (let i = 0; i < TOTAL; i += 1_000) {
      await pipeline.submit(rows().slice(i, i + 1_000));
      assertLedgerBalances(pipeline.stats(), `after submitting ${i + 1_000}`);
    }
    await pipeline.forceFlush(60_000);
    await pipeline.shutdown(5_000);
  } finally {
    clearInterval(checks);
  }
  const stats = pipeline.stats();
  assertLedgerBalances(stats, 'at the end');
  assert.equal(stats.accepted, TOTAL);
  assert.equal(stats.pending, 0);
  const storedIds = (sink.records as Row[]).map((r) => r.id);
  return { stats, letters, storedIds, faultedRequests: sink.requests.length };
}

function assertAllStoredOnce(storedIds: number[]): void {
  const unique = new Set(storedIds);
  assert.equal(unique.size, TOTAL, `${TOTAL - unique.size} records lost`);
  assert.equal(storedIds.length, TOTAL, `${storedIds.length - TOTAL} records stored twice`);
}

describe('retryable faults lose nothing', () => {
  const retryable: [string, FaultRule[]][] = [
    [
      '429 with Retry-After',
      [{ fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 6 }],
    ],
    ['503', [{ fault: { kind: 'status', status: 503 }, times: 8 }]],
    ['500', [{ fault: { kind: 'status', status: 500 }, times: 8 }]],
    ['connection reset mid-body', [{ fault: { kind: 'reset' }, times: 6 }]],
    ['stall past the request timeout', [{ fault: { kind: 'stall' }, times: 4 }]],
  ];
  for (const [name, rules] of retryable) {
    test(name, async () => {
      const { stats, storedIds } = await run(
        rules,
        name.startsWith('stall') ? { requestTimeoutMs: 300 } : {},
      );
      assertAllStoredOnce(storedIds);
      assert.equal(stats.delivered, TOTAL);
      assert.equal(stats.droppedTotal, 0);
      assert.ok(stats.retries > 0, 'the fault was met and retried');
    });
  }

  test('Retry-After is waited out before the retry', async () => {
    sink.reset();
    const { storedIds } = await run(
      [{ fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 1 }],
      {
        maxConcurrency: 1,
      },
    );
    assertAllStoredOnce(storedIds);
    // Other batches go on meanwhile; the retry is the next request carrying the first one's records.
    const firstId = (body: Buffer) => (JSON.parse(body.toString().split('\n')[0]) as Row).id;
    const [first, ...rest] = sink.requests;
    const retry = rest.find((r) => firstId(r.body) === firstId(first.body));
    assert.ok(retry, 'the refused batch was sent again');
    const waitedMs = retry.receivedAtMs - first.receivedAtMs;
    assert.ok(waitedMs >= 950, `retried after ${waitedMs} ms; Retry-After said 1 s`);
  });
});

describe('permanent faults are counted and dead-lettered', () => {
  test('400 rejects the faulted batches, the rest arrive', async () => {
    const { stats, letters, storedIds } = await run([
      { fault: { kind: 'status', status: 400, body: '{"error":"bad request"}' }, times: 3 },
    ]);
    const rejected = letters.flatMap((l) => l.items);
    assert.equal(stats.dropped.rejected, 1_500, 'three batches of 500');
    assert.equal(rejected.length, 1_500);
    assert.ok(letters.every((l) => l.reason === 'rejected'));
    assert.match(rejected[0].detail, /HTTP 400: \{"error":"bad request"\}/);
    assert.equal(storedIds.length, TOTAL - 1_500);
    const lost = new Set([...storedIds, ...rejected.map((i) => i.record.id)]);
    assert.equal(lost.size, TOTAL, 'every record is either stored or dead-lettered');
    assert.equal(stats.delivered, TOTAL - 1_500);
  });
});

describe('partial acceptance', () => {
  test('only failed items are retried; rejected items reach the dead-letter hook', async () => {
    const retriedOnce = new Set<number>();
    const decide = (record: unknown): 'ok' | 'retry' | 'reject' => {
      const { id } = record as Row;
      if (id % 100 === 1) return 'reject';
      if (id % 10 === 0 && !retriedOnce.has(id)) {
        retriedOnce.add(id);
        return 'retry';
      }
      return 'ok';
    };
    const { stats, letters, storedIds } = await run([{ fault: { kind: 'partial', decide } }]);
    const rejectedIds = letters
      .flatMap((l) => l.items.map((i) => i.record.id))
      .sort((a, b) => a - b);
    assert.equal(rejectedIds.length, 100);
    assert.ok(rejectedIds.every((id) => id % 100 === 1));
    assert.equal(stats.dropped.rejected, 100);
    assert.equal(retriedOnce.size, 1_000);
    assert.equal(stats.retries, 1_000, 'exactly the 429 items were retried');
    assert.equal(new Set(storedIds).size, storedIds.length, 'no duplicates');
    assert.equal(storedIds.length, TOTAL - 100);
  });
});
