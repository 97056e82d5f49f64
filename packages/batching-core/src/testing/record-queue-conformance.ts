import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { QueuedRecord, RecordQueue } from '../pipeline';

type TestRecord = QueuedRecord<string>;

/** Makes a fresh, empty queue for one test; `close()` is called at the end of each test. */
export type RecordQueueFactory = () => RecordQueue<TestRecord> | Promise<RecordQueue<TestRecord>>;

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
export function recordQueueConformance(name: string, makeQueue: RecordQueueFactory): void {
  const withQueue = (
    title: string,
    body: (queue: RecordQueue<TestRecord>) => Promise<void> | void,
  ) =>
    test(title, async () => {
      const queue = await makeQueue();
      try {
        await body(queue);
      } finally {
        await queue.close();
      }
    });

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
  });
}
