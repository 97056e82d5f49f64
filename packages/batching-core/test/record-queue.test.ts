import { after } from 'node:test';
import { MemoryRecordQueue } from '../src';
import { recordQueueConformance } from '../src/testing';
import { openDiskQueue, tempSpoolDir } from './helpers/spool';

recordQueueConformance('MemoryRecordQueue', () => new MemoryRecordQueue());

// Each test gets a fresh directory (a spool with records from another test would not be empty).
const dirs: (() => void)[] = [];
after(() => dirs.forEach((cleanup) => cleanup()));
const opened = new WeakMap<object, string>();
recordQueueConformance(
  'DiskRecordQueue',
  () => {
    const { dir, cleanup } = tempSpoolDir('conformance');
    dirs.push(cleanup);
    const queue = openDiskQueue(dir);
    opened.set(queue, dir);
    return queue;
  },
  {
    reopen: async (queue) => {
      await queue.close();
      const next = openDiskQueue(opened.get(queue) as string);
      const replayed = next.takeRecovery().records.map((found) => ({
        record: found.record,
        bytes: found.bytes,
        acceptedAtMs: found.acceptedAtWallMs,
        sentBatch: found.sentBatch,
      }));
      return { queue: next, replayed };
    },
    writesSentBatches: true,
  },
);
