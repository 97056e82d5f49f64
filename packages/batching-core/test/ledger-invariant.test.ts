import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline } from '../src';
import type { OverflowPolicy, SendResult } from '../src';
import { assertLedgerBalances, seededRandom as prng } from '../src/testing';
import { ScriptedSender, sleep } from './helpers/scripted-sender';

const POLICIES: OverflowPolicy[] = ['drop_newest', 'drop_oldest', 'block'];

for (const seed of [1, 2, 3, 4, 5, 6]) {
  test(`ledger balances after every step of a random sequence (seed ${seed})`, async () => {
    const random = prng(seed);
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const answer = (batch: readonly number[]): SendResult | Promise<SendResult> => {
      const roll = random();
      if (roll < 0.45) return { kind: 'delivered' };
      if (roll < 0.6) return { kind: 'retryable', reason: 'HTTP 503', backpressure: true };
      if (roll < 0.65)
        return { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: Math.floor(random() * 5) };
      if (roll < 0.72) return { kind: 'permanent', reason: 'HTTP 400' };
      if (roll < 0.85) {
        return {
          kind: 'partial',
          failures: batch.flatMap((_, index) =>
            random() < 0.3 ? [{ index, retryable: random() < 0.7, reason: 'item failed' }] : [],
          ),
        };
      }
      if (roll < 0.9) throw new Error('ECONNRESET');
      // Slow answers, some slower than requestTimeoutMs.
      return sleep(Math.floor(random() * 30)).then(() => ({ kind: 'delivered' }) as SendResult);
    };
    const sender = new ScriptedSender<number>(
      (batch) => answer(batch),
      () => 1 + Math.floor(random() * 50),
    );
    if (seed % 2 === 0) {
      // Half the seeds count held bytes by a model, with parts that records share: three of
      // every four records refer to one of three parts, each counted once while it is referred to.
      const parts = [20, 90, 400].map((heldBytes) => ({ wireBytes: 1, heldBytes }));
      Object.assign(sender, {
        memoryModel: { perRecordBytes: 5, perWireByte: 1 },
        sharedPartOf: (n: number) => parts[n % 4],
      });
    }
    const pipeline = new Pipeline<number>({
      name: 'random',
      signal: 'traces',
      sender,
      maxQueueItems: 50 + Math.floor(random() * 200),
      maxQueueBytes: 2_000 + Math.floor(random() * 6_000),
      maxBatchItems: 1 + Math.floor(random() * 40),
      maxBatchBytes: 60 + Math.floor(random() * 1_000),
      overflow: pick(POLICIES),
      blockTimeoutMs: 20,
      flushIntervalMs: Math.floor(random() * 10),
      initialBackoffMs: 1,
      maxBackoffMs: 10,
      maxElapsedMs: 200,
      requestTimeoutMs: 20,
      ...(random() < 0.3
        ? { ordered: true, maxConcurrency: 1 }
        : { maxConcurrency: 1 + Math.floor(random() * 4), adaptiveConcurrency: random() < 0.5 }),
      deliveryMode: random() < 0.5 ? 'queued' : 'direct',
      random,
    });

    let next = 0;
    const steps = 150;
    const shutdownAt = Math.floor(steps * (0.6 + random() * 0.3));
    const inflightSubmits: Promise<unknown>[] = [];
    for (let step = 0; step < steps; step++) {
      if (step === shutdownAt) {
        inflightSubmits.push(pipeline.shutdown(Math.floor(random() * 50)));
      }
      const action = random();
      if (action < 0.7) {
        const count = Math.floor(random() * 60);
        const records = Array.from({ length: count }, () => next++);
        const submitted = pipeline.submit(records);
        if (random() < 0.5) await submitted;
        else inflightSubmits.push(submitted);
      } else if (action < 0.8) {
        await pipeline.forceFlush(Math.floor(random() * 30));
      } else {
        await sleep(Math.floor(random() * 8));
      }
      assertLedgerBalances(pipeline.stats(), `seed ${seed}, step ${step}`);
    }
    await withTimeout(Promise.all(inflightSubmits), 5_000, `seed ${seed}: submits never resolved`);
    await pipeline.shutdown();
    const stats = pipeline.stats();
    assertLedgerBalances(stats, `seed ${seed}, end`);
    assert.equal(stats.pending, 0, 'nothing pending after shutdown');
    assert.equal(stats.queuedBytes, 0);
    assert.equal(stats.accepted, next, 'every submitted record is in the ledger');
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(what)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
