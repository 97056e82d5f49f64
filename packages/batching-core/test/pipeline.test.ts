import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Pipeline, InvalidConfigError, mapEach } from '../src';
import type { DeadLetter, ItemFailure, PipelineOptions, SendResult } from '../src';
import { assertLedgerBalances, deliveryLetter } from '../src/testing';
import { context, createContextKey } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from './helpers/context-manager';
import { ScriptedSender, eventually, range, sleep } from './helpers/scripted-sender';

function pipeline<R>(sender: ScriptedSender<R>, options: Partial<PipelineOptions<R>> = {}) {
  return new Pipeline<R>({
    name: 'test',
    signal: 'logs',
    sender,
    flushIntervalMs: 5,
    initialBackoffMs: 1,
    maxBackoffMs: 5,
    ...options,
  });
}

/** A send script whose first send waits until `release()`; every send delivers. */
/** A partial result: records named `retry…` fail retryably, `bad…` for good, the rest delivered. */
function retryOrReject(batch: readonly string[]): SendResult {
  return {
    kind: 'partial',
    failures: batch.flatMap((r, index): ItemFailure[] =>
      r.startsWith('retry')
        ? [{ index, retryable: true, reason: 'es_rejected_execution_exception' }]
        : r.startsWith('bad')
          ? [{ index, retryable: false, reason: 'mapper_parsing_exception' }]
          : [],
    ),
  };
}

function firstSendHeld(): {
  release: () => void;
  script: (batch: readonly number[], context: unknown, sendIndex: number) => Promise<SendResult>;
} {
  let release = (): void => undefined;
  const held = new Promise<void>((resolve) => (release = resolve));
  return {
    release: () => release(),
    script: async (_batch, _context, sendIndex) => {
      if (sendIndex === 0) await held;
      return { kind: 'delivered' };
    },
  };
}

describe('batching', () => {
  test('cuts batches by maxBatchItems and delivers every record once', async () => {
    const sender = new ScriptedSender<number>();
    const p = pipeline(sender, { maxBatchItems: 7, flushIntervalMs: 10_000 });
    await p.submit(range(70));
    await p.forceFlush();
    assert.deepEqual(
      sender.delivered.sort((a, b) => a - b),
      range(70),
    );
    assert.ok(
      sender.sends.every((s) => s.batch.length === 7),
      'full batches of 7',
    );
    assertLedgerBalances(p.stats());
    assert.equal(p.stats().delivered, 70);
  });

  test('cuts batches by maxBatchBytes', async () => {
    const sender = new ScriptedSender<number>(undefined, () => 100);
    const p = pipeline(sender, { maxBatchBytes: 350, flushIntervalMs: 10_000 });
    await p.submit(range(9));
    await p.forceFlush();
    assert.deepEqual(
      sender.sends.map((s) => s.batch.length),
      [3, 3, 3],
    );
  });

  test('sends a partial batch once the oldest record is flushIntervalMs old', async () => {
    const sender = new ScriptedSender<number>();
    const p = pipeline(sender, { maxBatchItems: 100, flushIntervalMs: 40 });
    // A lower bound on when the send began, not a look at an instant: on a loaded machine a
    // 10 ms sleep can outlast the interval, and the send is then rightly there already.
    const submittedAtMs = performance.now();
    await p.submit([1, 2, 3]);
    await eventually(() => sender.sends.length === 1, 'the timed flush');
    assert.deepEqual(sender.sends[0].batch, [1, 2, 3]);
    // Timers may fire up to 1 ms early (their clock rounds to whole milliseconds).
    const waitedMs = sender.sends[0].atMs - submittedAtMs;
    assert.ok(waitedMs >= 39, `sent ${waitedMs.toFixed(1)} ms after submit, before the interval`);
  });

  test('a record over maxBatchBytes is dropped as too_large, or split when the sender can', async () => {
    const letters: DeadLetter<string>[] = [];
    const plain = new ScriptedSender<string>(undefined, (r) => r.length);
    const p1 = pipeline(plain, {
      maxBatchBytes: 10,
      deadLetter: (l) => void letters.push(deliveryLetter(l)),
    });
    const result = await p1.submit(['short', 'x'.repeat(11)]);
    assert.deepEqual(result.dropped, { too_large: 1 });
    assert.equal(letters[0].reason, 'too_large');
    assert.equal(letters[0].items[0].record, 'x'.repeat(11));
    assertLedgerBalances(p1.stats());

    const splitting = new ScriptedSender<string>(undefined, (r) => r.length);
    (splitting as unknown as { split: (r: string, max: number) => string[] }).split = (r, max) =>
      r.match(new RegExp(`.{1,${max}}`, 'g')) ?? [];
    const p2 = pipeline(splitting, { maxBatchBytes: 10 });
    await p2.submit(['y'.repeat(25)]);
    await p2.forceFlush();
    assert.deepEqual(splitting.delivered.sort(), ['yyyyy', 'yyyyyyyyyy', 'yyyyyyyyyy']);
    assert.equal(p2.stats().dropped.too_large, 0);
    assertLedgerBalances(p2.stats());
  });
});

describe('overflow policies', () => {
  const stalled = () => new Promise<SendResult>(() => {});

  test('drop_newest keeps the first records and drops the rest as queue_full', async () => {
    const sender = new ScriptedSender<number>(stalled);
    const p = pipeline(sender, {
      maxQueueItems: 5,
      flushIntervalMs: 10_000,
      requestTimeoutMs: 60_000,
    });
    const result = await p.submit(range(8));
    assert.equal(result.accepted, 8);
    assert.deepEqual(result.dropped, { queue_full: 3 });
    assert.equal(result.pending, 5);
    assertLedgerBalances(p.stats());
    await p.shutdown(0);
    assert.equal(p.stats().dropped.shutdown, 5);
    assertLedgerBalances(p.stats());
  });

  test('drop_oldest evicts the oldest waiting records for the newest', async () => {
    const sender = new ScriptedSender<number>();
    const p = pipeline(sender, {
      maxQueueItems: 5,
      overflow: 'drop_oldest',
      flushIntervalMs: 10_000,
      maxBatchItems: 100,
    });
    const result = await p.submit(range(8));
    assert.equal(p.stats().dropped.queue_full, 3);
    // The three were this export's own: its result says so, and does not call them pending.
    assert.deepEqual(
      { dropped: result.dropped, pending: result.pending },
      { dropped: { queue_full: 3 }, pending: 5 },
    );
    assert.match(result.firstDropDetail ?? '', /^queue_full: evicted by drop_oldest/);
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [3, 4, 5, 6, 7]);
    assertLedgerBalances(p.stats());
  });

  test("drop_oldest: an earlier export's records evicted are not the evicting export's loss", async () => {
    const { release, script } = firstSendHeld();
    const sender = new ScriptedSender<number>(script);
    const p = pipeline(sender, {
      maxQueueItems: 5,
      overflow: 'drop_oldest',
      maxConcurrency: 1,
      maxBatchItems: 2,
      flushIntervalMs: 10_000,
    });
    await p.submit(range(2));
    await eventually(() => sender.sends.length === 1, 'the first send');
    const waiting = await p.submit(range(3, 10));
    assert.deepEqual(waiting.dropped, {});
    // Room for two: the waiting export's oldest two go (the first is in flight, never evicted).
    const evicting = await p.submit(range(2, 100));
    assert.deepEqual(
      { dropped: evicting.dropped, pending: evicting.pending },
      { dropped: {}, pending: 2 },
    );
    assert.equal(p.stats().dropped.queue_full, 2);
    release();
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [0, 1, 12, 100, 101]);
    assertLedgerBalances(p.stats());
  });

  test('drop_newest bounds bytes as well as items', async () => {
    const sender = new ScriptedSender<number>(stalled, () => 100);
    const p = pipeline(sender, {
      maxQueueBytes: 450,
      maxBatchBytes: 100,
      requestTimeoutMs: 60_000,
    });
    await p.submit(range(10));
    const stats = p.stats();
    assert.equal(stats.queuedItems, 4);
    assert.ok(stats.queuedBytes <= 450);
    assert.equal(stats.dropped.queue_full, 6);
    await p.shutdown(0);
  });

  test('block waits for room, then accepts', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sender = new ScriptedSender<number>(async () => {
      await gate;
      return { kind: 'delivered' };
    });
    const p = pipeline(sender, {
      maxQueueItems: 4,
      maxBatchItems: 4,
      overflow: 'block',
      blockTimeoutMs: 5_000,
      flushIntervalMs: 0,
    });
    await p.submit(range(4));
    let settled = false;
    const blocked = p.submit([10, 11]).then((r) => {
      settled = true;
      return r;
    });
    await sleep(30);
    assert.equal(settled, false, 'the export call waits while the queue is full');
    release();
    const result = await blocked;
    assert.deepEqual(result.dropped, {});
    await p.forceFlush();
    assert.deepEqual(
      sender.delivered.sort((a, b) => a - b),
      [0, 1, 2, 3, 10, 11],
    );
    assertLedgerBalances(p.stats());
  });

  test('block gives up after blockTimeoutMs and counts queue_full', async () => {
    const sender = new ScriptedSender<number>(stalled);
    const p = pipeline(sender, {
      maxQueueItems: 2,
      overflow: 'block',
      blockTimeoutMs: 30,
      requestTimeoutMs: 60_000,
    });
    const result = await p.submit(range(4));
    assert.deepEqual(result.dropped, { queue_full: 2 });
    assertLedgerBalances(p.stats());
    await p.shutdown(0);
  });
});

describe('delivery modes', () => {
  test('queued resolves on acceptance; direct resolves with the outcome', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sender = new ScriptedSender<number>(async (batch) => {
      await gate;
      return batch.includes(99)
        ? { kind: 'permanent', reason: 'HTTP 400: bad' }
        : { kind: 'delivered' };
    });
    const p = pipeline(sender, { flushIntervalMs: 0 });
    const queued = await p.submit([1, 2]);
    assert.equal(queued.pending, 2);
    assert.equal(queued.delivered, 0);

    let directDone = false;
    const direct = p.submit([99], { deliveryMode: 'direct' }).then((r) => {
      directDone = true;
      return r;
    });
    await sleep(20);
    assert.equal(directDone, false);
    release();
    const outcome = await direct;
    assert.deepEqual(outcome.dropped, { rejected: 1 });
    assert.equal(outcome.pending, 0);
    assert.match(outcome.firstDropDetail ?? '', /rejected: HTTP 400/);
  });
});

describe('retries', () => {
  test('retryable failures are retried until delivered', async () => {
    const sender = new ScriptedSender<number>((_b, _c, i) =>
      i < 3 ? { kind: 'retryable', reason: 'HTTP 503' } : { kind: 'delivered' },
    );
    const p = pipeline(sender);
    await p.submit([1, 2, 3]);
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [1, 2, 3]);
    assert.deepEqual(
      sender.sends.map((s) => s.attempt),
      [1, 2, 3, 4],
    );
    assert.equal(p.stats().retries, 9);
    assertLedgerBalances(p.stats());
  });

  test('Retry-After is honoured over backoff', async () => {
    const times: number[] = [];
    const sender = new ScriptedSender<number>((_b, _c, i) => {
      times.push(Date.now());
      return i === 0
        ? { kind: 'retryable', reason: '429', retryAfterMs: 120 }
        : { kind: 'delivered' };
    });
    const p = pipeline(sender, { initialBackoffMs: 1, maxBackoffMs: 1 });
    await p.submit([1]);
    await p.forceFlush();
    assert.ok(times[1] - times[0] >= 110, `waited ${times[1] - times[0]} ms, Retry-After said 120`);
  });

  test('a partial failure retries only the failed records and rejects the permanent ones', async () => {
    const letters: DeadLetter<string>[] = [];
    const sender = new ScriptedSender<string>((batch, ctx) => {
      if (ctx.attempt > 1) return { kind: 'delivered' };
      return retryOrReject(batch);
    });
    const p = pipeline(sender, { deadLetter: (l) => void letters.push(deliveryLetter(l)) });
    await p.submit(['ok1', 'retry1', 'bad1', 'ok2', 'retry2']);
    await p.forceFlush();
    assert.deepEqual(
      sender.sends[1].batch,
      ['retry1', 'retry2'],
      'only the failed records go again',
    );
    assert.deepEqual(sender.delivered.sort(), ['ok1', 'ok2', 'retry1', 'retry2']);
    assert.equal(p.stats().dropped.rejected, 1);
    assert.deepEqual(
      letters.map((l) => [l.reason, l.items.map((i) => [i.record, i.detail])]),
      [['rejected', [['bad1', 'mapper_parsing_exception']]]],
    );
    assertLedgerBalances(p.stats());
  });

  test('afterDelivered hears each delivered record once, when final, and never a dropped one', async () => {
    const told: string[][] = [];
    const letters: DeadLetter<string>[] = [];
    // The first send of 'slow' is abandoned at requestTimeoutMs and answers delivered only
    // later: the pipeline had retried it meanwhile, so only the retry's delivery counts.
    let slowAnswered = false;
    const sender = new ScriptedSender<string>(async (batch, ctx) => {
      if (batch.includes('slow') && ctx.attempt === 1) {
        await sleep(80);
        slowAnswered = true;
        return { kind: 'delivered' };
      }
      if (ctx.attempt > 1) return { kind: 'delivered' };
      return retryOrReject(batch);
    });
    Object.assign(sender, {
      afterDelivered: (records: readonly string[]) => {
        told.push([...records]);
        if (records.includes('ok2')) throw new Error('a sender fault must not break delivery');
      },
    });
    const p = pipeline(sender, {
      requestTimeoutMs: 30,
      deadLetter: (l) => void letters.push(deliveryLetter(l)),
    });
    await p.submit(['ok1', 'retry1', 'bad1', 'ok2', 'retry2']);
    await p.forceFlush();
    assert.deepEqual(
      told,
      [
        ['ok1', 'ok2'],
        ['retry1', 'retry2'],
      ],
      'once each, when final',
    );
    await p.submit(['slow']);
    await p.forceFlush();
    await eventually(() => slowAnswered, 'the abandoned send answered');
    assert.deepEqual(
      told.slice(2),
      [['slow']],
      'the retry delivered it; the late answer is not heard',
    );
    assert.equal(p.stats().dropped.rejected, 1);
    assert.equal(letters[0].items[0].record, 'bad1');
    assert.ok(!told.flat().includes('bad1'), 'a dropped record is never passed');
    assert.equal(p.stats().delivered, 5);
    assertLedgerBalances(p.stats());
    await p.shutdown();
  });

  test('records whose next retry falls past maxElapsedMs are dropped as expired', async () => {
    const sender = new ScriptedSender<number>(() => ({ kind: 'retryable', reason: 'HTTP 503' }));
    const letters: DeadLetter<number>[] = [];
    const p = pipeline(sender, {
      initialBackoffMs: 20,
      maxBackoffMs: 20,
      maxElapsedMs: 100,
      random: () => 0.999,
      deadLetter: (l) => void letters.push(deliveryLetter(l)),
    });
    await p.submit([1, 2]);
    await p.forceFlush();
    const stats = p.stats();
    assert.equal(stats.dropped.expired, 2);
    assert.ok(sender.sends.length >= 3 && sender.sends.length <= 7, `${sender.sends.length} sends`);
    assert.match(letters[0].items[0].detail, /maxElapsedMs/);
    assertLedgerBalances(stats);
  });

  test('a retrying batch does not stop new records from being accepted and sent', async () => {
    const sender = new ScriptedSender<string>((batch) =>
      batch.includes('stuck')
        ? { kind: 'retryable', reason: '503', retryAfterMs: 200 }
        : { kind: 'delivered' },
    );
    const p = pipeline(sender, { maxConcurrency: 1, maxBatchItems: 1 });
    await p.submit(['stuck']);
    await eventually(() => p.stats().awaitingRetryItems === 1, 'stuck record waits for its retry');
    await p.submit(['fresh']);
    await eventually(
      () => sender.delivered.includes('fresh'),
      'fresh record delivered during the wait',
    );
    assert.equal(sender.delivered.includes('stuck'), false);
    await p.shutdown(0);
    assertLedgerBalances(p.stats());
  });

  test('a sender that throws is retried; one that never answers times out and is retried', async () => {
    let calls = 0;
    const sender = new ScriptedSender<number>(() => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      if (calls === 2) return new Promise<SendResult>(() => {});
      return { kind: 'delivered' };
    });
    const p = pipeline(sender, { requestTimeoutMs: 30 });
    await p.submit([1]);
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [1]);
    assert.equal(calls, 3);
    assertLedgerBalances(p.stats());
  });

  test('a partial result naming records outside the batch cannot count them delivered', async () => {
    const sender = new ScriptedSender<number>((_b, ctx) =>
      ctx.attempt === 1
        ? {
            kind: 'partial',
            failures: [
              { index: 5, retryable: false, reason: 'x' },
              { index: 0, retryable: true, reason: 'r' },
            ],
          }
        : { kind: 'delivered' },
    );
    const p = pipeline(sender);
    await p.submit([1, 2]);
    await p.forceFlush();
    assert.deepEqual(sender.delivered.sort(), [1, 2]);
    assert.equal(p.stats().delivered, 2);
    assertLedgerBalances(p.stats());
  });
});

describe('concurrency', () => {
  test('never more requests in flight than maxConcurrency', async () => {
    const sender = new ScriptedSender<number>(async () => {
      await sleep(5);
      return { kind: 'delivered' };
    });
    const p = pipeline(sender, { maxConcurrency: 3, maxBatchItems: 2 });
    await p.submit(range(60));
    await p.forceFlush();
    assert.equal(sender.maxInFlight, 3);
    assert.equal(sender.delivered.length, 60);
  });
});

describe('shutdown and forceFlush', () => {
  test('a shutdown that drops a queue of 300,000 records does not overflow the stack', async () => {
    const sender = new ScriptedSender<number>(
      () => new Promise(() => {}),
      () => 1,
    );
    const p = pipeline(sender, {
      maxQueueItems: 1_000_000,
      maxQueueBytes: 1_000_000,
      flushIntervalMs: 60_000,
      maxConcurrency: 1,
    });
    await p.submit(range(300_000));
    await p.shutdown(0);
    const stats = p.stats();
    assert.equal(stats.dropped.shutdown, 300_000);
    assertLedgerBalances(stats);
  });

  test('shutdown delivers what is pending, closes the sender once, and is idempotent', async () => {
    const sender = new ScriptedSender<number>();
    const p = pipeline(sender, { flushIntervalMs: 60_000 });
    await p.submit(range(10));
    const first = p.shutdown();
    assert.equal(p.shutdown(), first);
    await first;
    assert.equal(sender.delivered.length, 10);
    assert.equal(sender.closed, 1);
    assertLedgerBalances(p.stats());
  });

  test('what cannot be delivered by the deadline is dropped as shutdown; later exports too', async () => {
    const sender = new ScriptedSender<number>(() => ({ kind: 'retryable', reason: '503' }));
    const p = pipeline(sender, { initialBackoffMs: 10, maxBackoffMs: 10 });
    await p.submit(range(5));
    await p.shutdown(50);
    let stats = p.stats();
    assert.equal(stats.dropped.shutdown, 5);
    assert.equal(stats.pending, 0);
    const after = await p.submit([100]);
    assert.deepEqual(after.dropped, { shutdown: 1 });
    stats = p.stats();
    assert.equal(stats.dropped.shutdown, 6);
    assertLedgerBalances(stats);
  });

  test('shutdown aborts an in-flight send at the deadline and counts its records', async () => {
    let aborted = false;
    const sender = new ScriptedSender<number>(
      (_b, ctx) =>
        new Promise<SendResult>((resolve) =>
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ kind: 'retryable', reason: 'aborted' });
          }),
        ),
    );
    const p = pipeline(sender, { flushIntervalMs: 0, requestTimeoutMs: 60_000 });
    await p.submit([1, 2, 3]);
    await eventually(() => p.stats().inFlightItems === 3, 'batch in flight');
    await p.shutdown(20);
    assert.equal(aborted, true);
    assert.equal(p.stats().dropped.shutdown, 3);
    assertLedgerBalances(p.stats());
  });

  test('forceFlush waits for records accepted before the call, not after', async () => {
    const sender = new ScriptedSender<number>(async (batch) => {
      await sleep(batch[0] >= 100 ? 300 : 10);
      return { kind: 'delivered' };
    });
    const p = pipeline(sender, { flushIntervalMs: 60_000, maxBatchItems: 1, maxConcurrency: 4 });
    await p.submit([1, 2]);
    const flushed = p.forceFlush();
    await p.submit([100]);
    const started = Date.now();
    await flushed;
    assert.ok(Date.now() - started < 250, 'did not wait for the record submitted after the call');
    assert.ok(sender.delivered.includes(1) && sender.delivered.includes(2));
    await p.shutdown();
  });

  test('forceFlush resolves on its timeout without dropping anything', async () => {
    const sender = new ScriptedSender<number>(() => ({ kind: 'retryable', reason: '503' }));
    const p = pipeline(sender, { initialBackoffMs: 50, maxBackoffMs: 50 });
    await p.submit([1]);
    await p.forceFlush(30);
    const stats = p.stats();
    assert.equal(stats.pending, 1);
    assert.equal(stats.droppedTotal, 0);
    await p.shutdown(0);
  });
});

test('a mapping that makes 200,000 records of one SDK item keeps them all (no spread into push)', () => {
  const { records, unmapped } = mapEach((n: number) => range(n)).map([200_000]);
  assert.equal(records.length, 200_000);
  assert.deepEqual(unmapped, []);
});

describe("the sender's memory model", () => {
  test('maxQueueBytes counts held bytes by the model; batches are still cut by wire bytes', async () => {
    const sender = Object.assign(new ScriptedSender<number>(), {
      memoryModel: { perRecordBytes: 90, perWireByte: 1 },
    });
    const p = pipeline(sender, {
      maxQueueBytes: 1_000,
      maxBatchBytes: 50,
      flushIntervalMs: 60_000,
    });
    const result = await p.submit(range(11));
    assert.equal(result.dropped.queue_full, 1, 'ten records of 10 wire bytes hold 1,000 bytes');
    assert.equal(p.stats().queuedBytes, 1_000);
    assertLedgerBalances(p.stats());
    await p.forceFlush();
    assert.deepEqual(
      sender.sends.map((s) => s.batch.length),
      [5, 5],
    );
    assert.equal(p.stats().queuedBytes, 0, 'released by the same model');
    await p.shutdown();
  });

  test('the batch bound is lowered to what the queue can hold, and a half-full queue sends at once', async () => {
    // Held: 90 + 1 × 10 = 100 bytes a record, so 1,000 bytes hold 10 records (100 wire bytes):
    // the default 4 MiB batch could never fill. Without a send, records would drop as queue_full
    // until the 60 s flush timer.
    const sender = Object.assign(new ScriptedSender<number>(), {
      memoryModel: { perRecordBytes: 90, perWireByte: 1 },
    });
    const p = pipeline(sender, { maxQueueBytes: 1_000, flushIntervalMs: 60_000 });
    await p.submit(range(4));
    await sleep(20);
    assert.equal(sender.sends.length, 0, 'under half full, the batch waits to fill');
    await p.submit(range(2, 4));
    await sleep(20);
    assert.deepEqual(sender.delivered, range(6), 'half full: sent without waiting 60 s');
    assert.equal(p.stats().droppedTotal, 0);
    await p.shutdown();
  });

  test('a record that could never be held is dropped as too_large, without evicting others', async () => {
    const sender = Object.assign(new ScriptedSender<number>(undefined, (n) => n), {
      memoryModel: { perRecordBytes: 0, perWireByte: 3 },
    });
    const p = pipeline(sender, {
      maxQueueBytes: 100,
      maxBatchBytes: 100,
      overflow: 'drop_oldest',
      flushIntervalMs: 60_000,
    });
    await p.submit([10, 10]);
    // 40 wire bytes fit a batch of 100 but hold 120 bytes: more than the whole queue.
    const result = await p.submit([40]);
    assert.equal(result.dropped.too_large, 1);
    const stats = p.stats();
    assert.equal(stats.dropped.queue_full, 0, 'nothing evicted for it');
    assert.equal(stats.queuedItems, 2);
    await p.shutdown();
  });

  test('a malformed model is refused at construction', () => {
    const sender = Object.assign(new ScriptedSender<number>(), {
      memoryModel: { perRecordBytes: -1, perWireByte: 1 },
    });
    assert.throws(
      () => pipeline(sender),
      /sender\.memoryModel: expected \{ perRecordBytes, perWireByte \}/,
    );
  });
});

describe('parts that records share (sharedPartOf)', () => {
  // Records of 100 wire bytes, held at 10 + 1 × own bytes. Records 0–99 share part A and
  // 100–199 part B: 60 of their wire bytes, held once at 200 bytes for all that refer to it
  // (50 + 200 for the first, 50 for each other). Records from 1,000 share nothing (110).
  const partA = { wireBytes: 60, heldBytes: 200 };
  const partB = { wireBytes: 60, heldBytes: 200 };
  const sharingSender = (answers = new Map<number, () => unknown>()) =>
    Object.assign(
      new ScriptedSender<number>(
        () => ({ kind: 'delivered' }),
        () => 100,
      ),
      {
        memoryModel: { perRecordBytes: 10, perWireByte: 1 },
        sharedPartOf: (n: number) =>
          (answers.has(n) ? answers.get(n)?.() : n < 100 ? partA : n < 200 ? partB : undefined) as
            { wireBytes: number; heldBytes: number } | undefined,
      },
    );

  test('a part is counted once for the records that share it, and a record that cannot share is counted whole', async () => {
    const answers = new Map<number, () => unknown>([
      [
        900,
        () => {
          throw new Error('no idea');
        },
      ],
      [901, () => ({ wireBytes: 500, heldBytes: 1 })],
      [902, () => ({ wireBytes: Number.NaN, heldBytes: 1 })],
      [903, () => 'a part'],
    ]);
    const sender = sharingSender(answers);
    const p = pipeline(sender, { maxQueueBytes: 1_000, flushIntervalMs: 60_000 });
    await p.submit([0, 1, 2]);
    assert.equal(p.stats().queuedBytes, 3 * 50 + 200);
    await p.submit([1_000]);
    assert.equal(p.stats().queuedBytes, 350 + 110);
    await p.submit([900, 901, 902, 903]);
    assert.equal(p.stats().queuedBytes, 460 + 4 * 110, 'a throw or a nonsense part: counted whole');
    // 100 bytes left: a record of part A fits (its part is held), the first of part B does not.
    const result = await p.submit([100, 3]);
    assert.deepEqual(result.dropped, { queue_full: 1 });
    assert.equal(p.stats().queuedBytes, 950);
    assertLedgerBalances(p.stats());
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [0, 1, 2, 1_000, 900, 901, 902, 903, 3]);
    assert.equal(p.stats().queuedBytes, 0, 'parts released with their last records');
    await p.shutdown();
  });

  test('a part stays counted until the last record that refers to it leaves', async () => {
    // The first send never answers: it takes the one request slot, and what comes after waits
    // in the queue, where drop_oldest can evict it.
    const sender = sharingSender();
    const stalledFirst = Object.assign(
      new ScriptedSender<number>(
        (_batch, _context, sendIndex) =>
          sendIndex === 0 ? new Promise<SendResult>(() => undefined) : { kind: 'delivered' },
        () => 100,
      ),
      { memoryModel: sender.memoryModel, sharedPartOf: sender.sharedPartOf },
    );
    const p = pipeline(stalledFirst, {
      maxQueueBytes: 410,
      overflow: 'drop_oldest',
      maxConcurrency: 1,
      maxBatchItems: 1,
      requestTimeoutMs: 60_000,
    });
    await p.submit([1_001]);
    await eventually(() => stalledFirst.sends.length === 1, 'the first send');
    await p.submit([0, 1]);
    assert.equal(p.stats().queuedBytes, 110 + 300);
    // Room for 110 more: evicting record 0 frees its own 50 (record 1 still refers to part A),
    // evicting record 1 then frees 50 and the part's 200.
    const evicting = await p.submit([1_000]);
    assert.equal(p.stats().dropped.queue_full, 2);
    assert.deepEqual(evicting.dropped, {});
    assert.equal(p.stats().queuedBytes, 220);
    // Part B for the first time: 250 more do not fit beside 220, so 1,000 goes too.
    await p.submit([100]);
    assert.equal(p.stats().dropped.queue_full, 3);
    assert.equal(p.stats().queuedBytes, 110 + 250);
    assertLedgerBalances(p.stats());
    await p.shutdown(0);
    assert.equal(p.stats().queuedBytes, 0);
    assertLedgerBalances(p.stats());
  });
});

describe('parts that records share, with each overflow policy', () => {
  const partA = { wireBytes: 60, heldBytes: 200 };
  const sharing = (
    script?: (
      batch: readonly number[],
      context: unknown,
      sendIndex: number,
    ) => SendResult | Promise<SendResult>,
    partOf: (n: number) => unknown = (n) => (n < 100 ? partA : undefined),
  ) =>
    Object.assign(new ScriptedSender<number>(script, () => 100), {
      memoryModel: { perRecordBytes: 10, perWireByte: 1 },
      sharedPartOf: partOf as (n: number) => { wireBytes: number; heldBytes: number } | undefined,
    });

  test('block: a record whose part is not held yet waits for room for the part too', async () => {
    const { release, script } = firstSendHeld();
    const sender = sharing(script);
    // Record 1,000 (110 bytes) in flight; record 0 needs 50 and its part 200: 360 > 300.
    const p = pipeline(sender, {
      maxQueueBytes: 300,
      overflow: 'block',
      maxBatchItems: 1,
      maxConcurrency: 1,
      blockTimeoutMs: 10_000,
    });
    await p.submit([1_000]);
    await eventually(() => sender.sends.length === 1, 'the first send');
    let answered = false;
    const waiting = p.submit([0]).then((result) => {
      answered = true;
      return result;
    });
    await sleep(30);
    assert.equal(answered, false, 'waiting for room');
    release();
    assert.deepEqual((await waiting).dropped, {}, 'accepted once there was room');
    await p.forceFlush();
    assert.deepEqual(sender.delivered, [1_000, 0]);
    assert.equal(p.stats().queuedBytes, 0);
    await p.shutdown();
  });

  test('a record that could be held only without its part is too_large, evicting nothing', async () => {
    const sender = sharing(
      () => new Promise<SendResult>(() => undefined),
      (n) => (n === 7 ? { wireBytes: 60, heldBytes: 5_000 } : undefined),
    );
    const p = pipeline(sender, {
      maxQueueBytes: 1_000,
      overflow: 'drop_oldest',
      flushIntervalMs: 60_000,
    });
    await p.submit([1, 2, 3]);
    const result = await p.submit([7]);
    assert.deepEqual(result.dropped, { too_large: 1 });
    assert.match(result.firstDropDetail ?? '', /record holds 5050 bytes in memory/);
    assert.equal(p.stats().dropped.queue_full, 0, 'nothing evicted for it');
    await p.shutdown(0);
  });

  test('parts of fractional sizes are not parts: those records are counted whole', async () => {
    const sender = sharing(undefined, (n) =>
      n % 2 === 0 ? { wireBytes: 0.1, heldBytes: 0.7 } : { wireBytes: 0.3, heldBytes: 1.1 },
    );
    const p = pipeline(sender, { flushIntervalMs: 60_000 });
    await p.submit(range(1_000));
    assert.equal(p.stats().queuedBytes, 1_000 * 110);
    await p.forceFlush();
    assert.equal(p.stats().queuedBytes, 0);
    assertLedgerBalances(p.stats());
    await p.shutdown();
  });

  test('a sharedPartOf that is not a function is refused at construction', () => {
    const sender = Object.assign(new ScriptedSender<number>(), { sharedPartOf: 5 });
    assert.throws(() => pipeline(sender as never), /sender\.sharedPartOf: expected a function/);
  });
});

describe('ordered delivery and defaults', () => {
  test("ordered: true from the user over an exporter's default concurrency means one request", async () => {
    const p = pipeline(new ScriptedSender<number>(), {
      ordered: true,
      defaults: { maxConcurrency: 2 },
    });
    assert.equal(p.stats().concurrencyLimit, 1);
    await p.shutdown();
  });

  test("a concurrency the user raised turns an exporter's default order off", async () => {
    const p = pipeline(new ScriptedSender<number>(), {
      maxConcurrency: 4,
      defaults: { ordered: true, maxConcurrency: 1 },
    });
    assert.equal(p.stats().concurrencyLimit, 4);
    await p.shutdown();
  });
});

describe('the clock', () => {
  test('a wall-clock step backwards delays nothing: timers run on the monotonic clock', async () => {
    const realNow = Date.now;
    try {
      const sender = new ScriptedSender<number>();
      const p = new Pipeline<number>({ name: 't', signal: 'logs', sender, flushIntervalMs: 20 });
      const stepped = realNow() - 30_000;
      Date.now = () => stepped;
      await p.submit([1, 2]);
      await eventually(() => sender.delivered.length === 2, 'both records delivered', 1_000);
      await p.shutdown();
    } finally {
      Date.now = realNow;
    }
  });
});

describe('unmapped items', () => {
  test('rejectUnmapped counts them as accepted and rejected, and hands them to the dead-letter handler', async () => {
    const letters: unknown[] = [];
    const p = pipeline(new ScriptedSender<number>(), { deadLetter: (l) => void letters.push(l) });
    p.rejectUnmapped([
      { item: { name: 'a' }, detail: 'no timestamp' },
      { item: { name: 'b' }, detail: 'NaN value' },
    ]);
    const stats = p.stats();
    assert.equal(stats.accepted, 2);
    assert.equal(stats.dropped.rejected, 2);
    assertLedgerBalances(stats);
    assert.deepEqual(letters, [
      {
        stage: 'mapping',
        exporter: 'test',
        signal: 'logs',
        reason: 'rejected',
        items: [
          { item: { name: 'a' }, detail: 'no timestamp' },
          { item: { name: 'b' }, detail: 'NaN value' },
        ],
      },
    ]);
    await p.shutdown();
  });
});

describe('configuration', () => {
  test("the user's values win over the exporter's defaults, and the batch never outgrows the queue", async () => {
    const sender = new ScriptedSender<number>(undefined, (n) => n);
    const p = pipeline(sender, {
      maxQueueBytes: 100,
      defaults: { maxQueueBytes: 5_000, maxBatchBytes: 1_000, maxBatchItems: 3 },
    });
    assert.equal(p.stats().maxQueueBytes, 100);
    // 150 bytes fits the exporter's batch default but not the user's queue: too large for both.
    const result = await p.submit([150, 20, 20, 20, 20]);
    assert.equal(result.dropped.too_large, 1);
    await p.forceFlush();
    // The exporter's maxBatchItems applied where the user gave none.
    assert.deepEqual(
      sender.sends.map((s) => s.batch.length),
      [3, 1],
    );
    await p.shutdown();
  });

  const sender = new ScriptedSender<number>();
  const cases: [string, Partial<PipelineOptions<number>>, RegExp][] = [
    ['maxQueueItems', { maxQueueItems: 0 }, /maxQueueItems: expected an integer from 1/],
    [
      'overflow',
      { overflow: 'spill' as never },
      /overflow: expected one of 'drop_newest', 'drop_oldest', 'block', got "spill"/,
    ],
    ['multiplier', { multiplier: 0.5 }, /multiplier: expected a number from 1/],
    [
      'deliveryMode',
      { deliveryMode: 'sync' as never },
      /deliveryMode: expected one of 'queued', 'direct'/,
    ],
    [
      'maxBackoffMs',
      { initialBackoffMs: 100, maxBackoffMs: 10 },
      /maxBackoffMs: must be at least initialBackoffMs/,
    ],
    [
      'deadLetterReasons',
      { deadLetterReasons: ['lost' as never] },
      /deadLetterReasons\[\]: expected one of/,
    ],
    [
      'adaptiveConcurrency',
      { adaptiveConcurrency: { decreaseRatio: 2 } },
      /adaptiveConcurrency.decreaseRatio/,
    ],
  ];
  for (const [name, options, message] of cases) {
    test(`invalid ${name} throws InvalidConfigError naming it`, () => {
      assert.throws(
        () => new Pipeline({ name: 't', signal: 'logs', sender, ...options }),
        (error: unknown) =>
          error instanceof InvalidConfigError &&
          message.test(error.message) &&
          error.code === 'OTELPACK_ERR_INVALID_CONFIG',
      );
    });
  }
});

describe('ordered delivery', () => {
  // Batch [0..4] is refused twice with a Retry-After; meanwhile newer records keep arriving.
  async function run(ordered: boolean) {
    const sender = new ScriptedSender<number>((batch, ctx) =>
      batch[0] === 0 && ctx.attempt <= 2
        ? { kind: 'retryable', reason: '503', retryAfterMs: 30 }
        : { kind: 'delivered' },
    );
    const p = pipeline(sender, {
      maxConcurrency: 1,
      maxBatchItems: 5,
      flushIntervalMs: 0,
      ordered,
    });
    await p.submit(range(5));
    await sleep(5);
    await p.submit(range(5, 5));
    await p.submit(range(5, 10));
    await p.forceFlush();
    assertLedgerBalances(p.stats());
    return sender.sends.map((s) => s.batch[0]);
  }

  test('ordered: nothing newer is sent while the oldest batch waits for its retry', async () => {
    assert.deepEqual(await run(true), [0, 0, 0, 5, 10]);
  });

  test('unordered: newer batches go on during the wait (the default)', async () => {
    const order = await run(false);
    assert.ok(order.indexOf(5) < order.lastIndexOf(0), `order ${order.join(',')}`);
  });

  test('ordered refuses settings that could reorder requests', () => {
    const sender = new ScriptedSender<number>();
    for (const extra of [{ maxConcurrency: 2 }, { adaptiveConcurrency: true }]) {
      assert.throws(
        () => new Pipeline({ name: 't', signal: 'metrics', sender, ordered: true, ...extra }),
        /ordered: needs maxConcurrency: 1 and no adaptiveConcurrency/,
      );
    }
    assert.equal(
      new Pipeline({ name: 't', signal: 'metrics', sender, ordered: true }).stats()
        .concurrencyLimit,
      1,
    );
  });
});

describe('answers about size, load and tracing', () => {
  test('too_large splits the batch in halves until it fits; a lone record too large is dropped', async () => {
    const letters: DeadLetter<number>[] = [];
    // The backend takes at most 3 records per request and never record 13.
    const sender = new ScriptedSender<number>((batch) =>
      batch.length > 3 || batch.includes(13)
        ? { kind: 'too_large', reason: 'HTTP 413' }
        : { kind: 'delivered' },
    );
    const p = pipeline(sender, {
      maxBatchItems: 16,
      deadLetter: (l) => void letters.push(deliveryLetter(l)),
    });
    await p.submit(range(16));
    await p.forceFlush();
    const stats = p.stats();
    assert.deepEqual(
      sender.delivered.sort((a, b) => a - b),
      range(16).filter((n) => n !== 13),
    );
    assert.equal(stats.dropped.too_large, 1);
    assert.equal(letters[0].items[0].record, 13);
    assert.match(letters[0].items[0].detail, /refused a single record for its size: HTTP 413/);
    assert.equal(stats.retries, 0, 'splitting is not a retry: no backoff was waited');
    assertLedgerBalances(stats);
  });

  test('a partial result with back-pressure lowers the adaptive limit', async () => {
    let calls = 0;
    // The limit each send starts under, read by the send itself: a timer sampling it would
    // miss a short dip on a loaded machine.
    const limits: number[] = [];
    const startedMs = performance.now();
    const sender = new ScriptedSender<number>(async (): Promise<SendResult> => {
      calls++;
      limits.push(p.stats().concurrencyLimit);
      await sleep(2);
      // Back-pressure from the 41st send on, until the limit comes down (the failed record is
      // sent again, so sends go on). The limiter decides at the end of a window one past RTT
      // long: 40 answers could all fall in one window that a loaded machine's first slow sends
      // made longer than the rest of the run. 5 s bounds a limiter that never decides.
      const pressing: boolean =
        calls > 40 && p.stats().concurrencyLimit >= 16 && performance.now() - startedMs < 5_000;
      return pressing
        ? {
            kind: 'partial',
            backpressure: true,
            failures: [{ index: 0, retryable: true, reason: '429' }],
          }
        : { kind: 'delivered' };
    });
    const p = pipeline(sender, {
      maxBatchItems: 2,
      adaptiveConcurrency: { maxConcurrency: 32, initialConcurrency: 16 },
      initialBackoffMs: 1,
      maxBackoffMs: 2,
    });
    await p.submit(range(400));
    await p.forceFlush();
    assert.ok(Math.min(...limits) < 16, `limit stayed at ${Math.min(...limits)} or above`);
    assertLedgerBalances(p.stats());
  });

  test('sends run with tracing suppressed, so exporting never traces itself', async () => {
    const manager = new AsyncLocalStorageContextManager();
    context.setGlobalContextManager(manager);
    try {
      const key = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
      const seen: unknown[] = [];
      const sender = new ScriptedSender<number>(() => {
        seen.push(context.active().getValue(key));
        return { kind: 'delivered' };
      });
      const p = pipeline(sender);
      await p.submit([1]);
      await p.forceFlush();
      assert.deepEqual(seen, [true]);
    } finally {
      context.disable();
    }
  });
});

/**
 * A pipeline whose first batch (records 0–3) fails with a minute's Retry-After, then records
 * 10–12 that drop_oldest makes room for by evicting it (the queue holds 6).
 */
async function evictedRetry(options: Partial<PipelineOptions<number>> = {}) {
  const sender = new ScriptedSender<number>((batch) =>
    batch.includes(0)
      ? { kind: 'retryable', reason: '503', retryAfterMs: 60_000 }
      : { kind: 'delivered' },
  );
  const p = pipeline(sender, {
    maxQueueItems: 6,
    maxBatchItems: 4,
    overflow: 'drop_oldest',
    flushIntervalMs: 0,
    maxConcurrency: 1,
    ...options,
  });
  await p.submit(range(4));
  await eventually(() => p.stats().awaitingRetryItems === 4, 'first batch waits for its retry');
  await p.submit([10, 11, 12]);
  return { sender, p };
}

test('drop_oldest evicts a batch waiting for its retry whole, never part of it', async () => {
  const { p } = await evictedRetry();
  const stats = p.stats();
  assert.equal(stats.dropped.queue_full, 4, 'the whole waiting batch went, not just one record');
  assert.equal(stats.awaitingRetryItems, 0);
  assertLedgerBalances(stats);
  await p.shutdown(0);
});

// Found by an independent review: a retry evicted whole by drop_oldest left its wait behind, and
// ordered delivery held every newer batch back until the wait's timer (here a minute).
test('ordered delivery: a waiting retry evicted by drop_oldest no longer holds newer batches back', async () => {
  const { sender, p } = await evictedRetry({ ordered: true });
  assert.equal(p.stats().dropped.queue_full, 4, 'the waiting batch evicted');
  await eventually(() => p.stats().delivered === 3, 'the newer batch delivered', 2_000);
  assert.deepEqual(sender.delivered, [10, 11, 12]);
  await p.shutdown(0);
});

// Found by an independent review: with every send in flight and the oldest waiting record past
// its flush interval, each pump armed a 0 ms timer that fired, found no room and armed again.
/**
 * A pipeline of small batches flushed at 5 ms on a clock that counts its reads, and
 * `readsOver(ms)`: how many reads happen in the next `ms`. Nothing the pipeline does is free of
 * a clock read, so a count near zero shows that it slept.
 */
function clockCountingPipeline(
  sender: ScriptedSender<number>,
  options: Partial<PipelineOptions<number>>,
) {
  let clockReads = 0;
  const p = new Pipeline<number>({
    name: 'counted',
    signal: 'logs',
    sender,
    maxBatchItems: 5,
    flushIntervalMs: 5,
    now: () => {
      clockReads++;
      return performance.now();
    },
    ...options,
  });
  const readsOver = async (ms: number) => {
    const before = clockReads;
    await sleep(ms);
    return clockReads - before;
  };
  return { p, readsOver };
}

test('a due batch waiting for a free send does not wake the pipeline until one is free', async () => {
  const sender = new ScriptedSender<number>(() => new Promise(() => undefined));
  const { p, readsOver } = clockCountingPipeline(sender, {
    maxConcurrency: 1,
    shutdownTimeoutMs: 20,
  });
  await p.submit(range(10, 0));
  await eventually(() => sender.sends.length === 1, 'the one send allowed in flight');
  await sleep(30);
  const during = await readsOver(200);
  await p.shutdown();
  // Nothing happens in the pipeline meanwhile; the spinning timer read the clock ~160 times.
  assert.ok(during <= 5, `the clock was read ${during} times while nothing could be sent`);
});

test('ordered delivery: new batches held behind a waiting retry do not wake the pipeline', async () => {
  // A Retry-After, not the backoff: its jitter could fire the retry inside the window watched.
  const sender = new ScriptedSender<number>((_batch, _context, index) =>
    index === 0
      ? { kind: 'retryable', reason: 'busy', retryAfterMs: 1_500 }
      : { kind: 'delivered' },
  );
  const { p, readsOver } = clockCountingPipeline(sender, {
    ordered: true,
    shutdownTimeoutMs: 2_000,
  });
  await p.submit(range(5, 0));
  await eventually(() => sender.sends.length === 1, 'the first send, failed');
  await p.submit(range(5, 5));
  await sleep(30);
  const during = await readsOver(150);
  await p.forceFlush();
  assert.deepEqual(sender.delivered, range(10, 0), 'in order once the retry went through');
  await p.shutdown();
  assert.ok(during <= 5, `the clock was read ${during} times while the retry waited`);
});
