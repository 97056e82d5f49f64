import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueuedRecord, RecordQueue } from '../pipeline';

type TestRecord = QueuedRecord<string>;

/** Makes a fresh, empty queue for one test; `close()` is called at the end of each test. */
export type RecordQueueFactory = () => RecordQueue<TestRecord> | Promise<RecordQueue<TestRecord>>;

/** A record the next process found in a persistent queue, as the suite compares it. */
export interface ReopenedRecord {
  record: string;
  bytes: number;
  /** Acceptance time as the queue kept it: compared between records, never to a constant. */
  acceptedAtMs: number;
  /** Records last sent together share a value (`willSend`); undefined if never sent. */
  sentBatch?: number;
}

/**
 * For a persistent queue (`persistent: true`, with `commit`): closes `queue` as a process that
 * stops does, opens it again where it was, and gives what it found to replay, in its replay
 * order, with the reopened queue (closed by the suite).
 */
export type ReopenQueue = (
  queue: RecordQueue<TestRecord>,
) => Promise<{ queue: RecordQueue<TestRecord>; replayed: ReopenedRecord[] }>;

/** What a persistent queue gives the suite for its own cases. */
export interface PersistentQueueHooks {
  reopen: ReopenQueue;
  /** It implements `willSend` (optional in `RecordQueue`): its case runs too. */
  writesSentBatches?: boolean;
}

function record(seq: number, bytes = 10): TestRecord {
  return {
    record: `r${seq}`,
    bytes,
    seq,
    acceptedAtMs: 1_700_000_000_000 + seq,
  };
}

/**
 * The behaviour every `RecordQueue` implementation owes the pipeline, as node:test cases: the
 * in-memory queue runs it, and so must a persistent one (give it a factory that opens a fresh
 * directory). Call it at the top level of a test file.
 */
export function recordQueueConformance(
  name: string,
  makeQueue: RecordQueueFactory,
  persistent?: PersistentQueueHooks,
): void {
  const withQueue = (
    title: string,
    body: (queue: RecordQueue<TestRecord>) => Promise<void> | void,
  ) =>
    test(title, async () => {
      const queue = await makeQueue();
      try {
        await body(queue);
      } finally {
        // `close()` is called once: a reopen closed it already.
        if (!reopened.has(queue)) await queue.close();
      }
    });
  /** Queues `reopen` has closed. */
  const reopened = new WeakSet<RecordQueue<TestRecord>>();

  describe(`RecordQueue conformance: ${name}`, () => {
    withQueue('a new queue is empty', (queue) => {
      assert.equal(queue.length, 0);
      assert.equal(queue.bytes, 0);
      assert.equal(queue.peek(), undefined);
      assert.equal(queue.shift(), undefined);
      assert.deepEqual(queue.drain(), []);
    });

    withQueue('first in, first out, with every field kept', (queue) => {
      const records = [record(1, 5), record(2, 7), record(3, 11)];
      for (const r of records) queue.push(r);
      assert.deepEqual(queue.shift(), records[0]);
      assert.deepEqual(queue.shift(), records[1]);
      assert.deepEqual(queue.shift(), records[2]);
      assert.equal(queue.shift(), undefined);
    });

    withQueue('length and bytes follow push, shift and drain (their wire bytes)', (queue) => {
      queue.push(record(1, 5));
      queue.push(record(2, 7));
      assert.equal(queue.length, 2);
      assert.equal(queue.bytes, 12);
      queue.shift();
      assert.equal(queue.length, 1);
      assert.equal(queue.bytes, 7);
      queue.push(record(3, 100));
      assert.deepEqual(
        queue.drain().map((r) => r.seq),
        [2, 3],
      );
      assert.equal(queue.length, 0);
      assert.equal(queue.bytes, 0);
    });

    withQueue('peek shows the oldest and leaves it in place', (queue) => {
      queue.push(record(1));
      queue.push(record(2));
      assert.equal(queue.peek()?.seq, 1);
      assert.equal(queue.peek()?.seq, 1);
      assert.equal(queue.length, 2);
    });

    withQueue('keeps order across many pushes and shifts interleaved', (queue) => {
      const taken: number[] = [];
      let next = 1;
      for (let round = 0; round < 50; round++) {
        for (let i = 0; i < 7; i++) queue.push(record(next++));
        for (let i = 0; i < 5; i++) taken.push((queue.shift() as TestRecord).seq);
      }
      taken.push(...queue.drain().map((r) => r.seq));
      assert.deepEqual(
        taken,
        Array.from({ length: next - 1 }, (_, i) => i + 1),
      );
    });

    withQueue('acknowledging records taken earlier changes nothing waiting', (queue) => {
      for (let seq = 1; seq <= 4; seq++) queue.push(record(seq));
      const taken = [queue.shift() as TestRecord, queue.shift() as TestRecord];
      queue.acknowledge(taken);
      assert.equal(queue.length, 2);
      assert.deepEqual(
        queue.drain().map((r) => r.seq),
        [3, 4],
      );
    });

    if (!persistent) return;
    const { reopen, writesSentBatches } = persistent;

    /** Pushes and commits one export; fails the test if the queue refuses it. */
    const accept = (queue: RecordQueue<TestRecord>, records: TestRecord[]) => {
      for (const r of records) queue.push(r);
      const failure = queue.commit?.();
      assert.equal(failure, undefined, `commit refused: ${failure?.reason}`);
    };
    const replayedAfter = async (
      queue: RecordQueue<TestRecord>,
      check: (r: ReopenedRecord[]) => void,
    ) => {
      reopened.add(queue);
      const next = await reopen(queue);
      try {
        check(next.replayed);
      } finally {
        await next.queue.close();
      }
    };
    const names = (records: readonly ReopenedRecord[]) => records.map((r) => r.record);

    withQueue('persistent: it says so, and can commit', (queue) => {
      assert.equal(queue.persistent, true);
      assert.equal(typeof queue.commit, 'function');
      assert.equal(
        queue.commit?.(),
        undefined,
        'nothing pushed: nothing to write, nothing refused',
      );
    });

    withQueue(
      'persistent: committed records come back after a reopen, in order, with their bytes',
      async (queue) => {
        accept(queue, [record(1, 5), record(2, 7)]);
        accept(queue, [record(3, 11)]);
        await replayedAfter(queue, (replayed) => {
          assert.deepEqual(
            replayed.map((r) => [r.record, r.bytes]),
            [
              ['r1', 5],
              ['r2', 7],
              ['r3', 11],
            ],
          );
          assert.ok(replayed[0].acceptedAtMs < replayed[2].acceptedAtMs, 'acceptance times kept');
        });
      },
    );

    withQueue(
      'persistent: what was pushed and never committed is not there after a reopen',
      async (queue) => {
        accept(queue, [record(1)]);
        queue.push(record(2));
        await replayedAfter(queue, (replayed) => assert.deepEqual(names(replayed), ['r1']));
      },
    );

    withQueue(
      'persistent: acknowledged records are forgotten, taken and unacknowledged ones replayed',
      async (queue) => {
        accept(queue, [record(1), record(2), record(3), record(4)]);
        const taken = [queue.shift(), queue.shift(), queue.shift()] as TestRecord[];
        queue.acknowledge([taken[0], taken[2]]);
        await replayedAfter(queue, (replayed) => assert.deepEqual(names(replayed), ['r2', 'r4']));
      },
    );

    withQueue(
      'persistent: a record acknowledged before its commit (evicted) is never written',
      async (queue) => {
        const records = [record(1), record(2), record(3)];
        for (const r of records) queue.push(r);
        queue.shift();
        queue.acknowledge([records[0]]);
        assert.equal(queue.commit?.(), undefined);
        await replayedAfter(queue, (replayed) => assert.deepEqual(names(replayed), ['r2', 'r3']));
      },
    );

    // Only for a queue that writes down what it sends (an optional part of the interface).
    if (writesSentBatches) {
      withQueue(
        'persistent: records sent together (willSend) come back next to each other, marked so',
        async (queue) => {
          assert.ok(queue.willSend, 'writesSentBatches: true, and no willSend');
          accept(queue, [record(1), record(2), record(3)]);
          accept(queue, [record(4), record(5)]);
          const taken = Array.from({ length: 5 }, () => queue.shift() as TestRecord);
          queue.willSend([taken[1], taken[3]]);
          queue.willSend([taken[0]]);
          await replayedAfter(queue, (replayed) => {
            assert.deepEqual([...names(replayed)].sort(), ['r1', 'r2', 'r3', 'r4', 'r5']);
            const at = (name: string) => names(replayed).indexOf(name);
            assert.equal(Math.abs(at('r2') - at('r4')), 1, 'r2 and r4 next to each other');
            assert.ok(at('r1') < at('r3') && at('r3') < at('r5'), 'the rest in acceptance order');
            const batchOf = (name: string) => replayed[at(name)].sentBatch;
            assert.ok(batchOf('r2') !== undefined && batchOf('r2') === batchOf('r4'));
            assert.ok(batchOf('r1') !== undefined && batchOf('r1') !== batchOf('r2'));
            assert.deepEqual([batchOf('r3'), batchOf('r5')], [undefined, undefined], 'never sent');
          });
        },
      );
    }

    withQueue('persistent: everything acknowledged leaves nothing to replay', async (queue) => {
      accept(queue, [record(1), record(2)]);
      queue.acknowledge(queue.drain());
      await replayedAfter(queue, (replayed) => assert.deepEqual(replayed, []));
    });
  });
}
