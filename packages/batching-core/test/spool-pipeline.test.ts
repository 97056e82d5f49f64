import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { Pipeline } from '../src';
import type { PipelineOptions, SendResult } from '../src';
import { assertLedgerBalances, seededRandom } from '../src/testing';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../src/spool/format';
import { LOCK_FILE } from '../src/spool/lock';
import { ScriptedSender, eventually as waitFor, range } from './helpers/scripted-sender';
import { frameStarts, segmentFiles, tempSpoolDir } from './helpers/spool';

/** The pipeline's own directory in the spool: `<name>-<signal>`. */
const own = (dir: string) => join(dir, 'spooled-logs');

const NEVER: () => Promise<SendResult> = () => new Promise(() => undefined);
const DOWN: () => SendResult = () => ({ kind: 'retryable', reason: 'backend down' });

function pipeline(
  directory: string,
  sender: ScriptedSender<number>,
  options: Partial<PipelineOptions<number>> = {},
): Pipeline<number> {
  return new Pipeline<number>({
    name: 'spooled',
    signal: 'logs',
    sender,
    maxBatchItems: 5,
    flushIntervalMs: 5,
    initialBackoffMs: 10_000,
    maxBackoffMs: 10_000,
    shutdownTimeoutMs: 50,
    spool: { directory, fsync: 'never' },
    ...options,
  });
}

/** Runs a process's worth: submits `exports`, and shuts down while the backend is down. */
async function leaveInSpool(directory: string, exports: number[][]): Promise<void> {
  const sender = new ScriptedSender<number>(DOWN);
  const p = pipeline(directory, sender);
  for (const records of exports) {
    const result = await p.submit(records);
    assert.equal(result.accepted, records.length);
  }
  await p.shutdown();
  const stats = p.stats();
  const total = exports.flat().length;
  assert.equal(stats.leftInSpool, total, 'kept for the next start, not dropped');
  assert.equal(stats.droppedTotal, 0);
  assertLedgerBalances(stats);
}

describe('Pipeline with a spool', () => {
  test('what shutdown could not send is replayed by the next start, first, in order, counted apart', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leaveInSpool(dir, [range(7, 1), range(5, 8)]);
      const sender = new ScriptedSender<number>();
      const next = pipeline(dir, sender);
      assert.equal(next.stats().replayed, 12);
      assert.equal(next.stats().accepted, 12);
      await next.submit([100, 101]);
      await next.forceFlush();
      assert.deepEqual(sender.delivered, [...range(12, 1), 100, 101]);
      await next.shutdown();
      const stats = next.stats();
      assert.deepEqual(
        {
          accepted: stats.accepted,
          replayed: stats.replayed,
          delivered: stats.delivered,
          left: stats.leftInSpool,
        },
        { accepted: 14, replayed: 12, delivered: 14, left: 0 },
      );
      assertLedgerBalances(stats);
      assert.deepEqual(segmentFiles(own(dir)), [], 'everything acknowledged: no segment left');
      const third = pipeline(dir, new ScriptedSender<number>());
      assert.equal(third.stats().replayed, 0, 'delivered records are not replayed again');
      await third.shutdown();
    } finally {
      cleanup();
    }
  });

  test('records in flight at the shutdown deadline stay in the spool', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const p = pipeline(dir, new ScriptedSender<number>(NEVER));
      await p.submit(range(10, 1));
      await waitFor(() => p.stats().inFlightItems > 0, 'a send in flight');
      await p.shutdown();
      assert.equal(p.stats().leftInSpool, 10);
      const sender = new ScriptedSender<number>();
      const next = pipeline(dir, sender);
      await next.forceFlush();
      assert.deepEqual(sender.delivered, range(10, 1));
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('damaged records are dropped as corrupt, the rest delivered, the ledger balanced', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leaveInSpool(dir, [range(4, 1), range(4, 5), range(4, 9)]);
      const [segment] = segmentFiles(own(dir));
      const path = join(own(dir), segment);
      const file = readFileSync(path);
      const second =
        SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + file.readUInt32LE(SEGMENT_HEADER_BYTES);
      file[second + FRAME_HEADER_BYTES + 12 + 4 * 12 + 1] ^= 0xff;
      writeFileSync(path, file);
      const sender = new ScriptedSender<number>();
      const next = pipeline(dir, sender);
      await next.forceFlush();
      assert.deepEqual(sender.delivered, [...range(4, 1), ...range(4, 9)]);
      const stats = next.stats();
      assert.equal(stats.dropped.corrupt, 4);
      assert.equal(stats.replayed, 12, 'the corrupt ones were accepted from the spool too');
      assertLedgerBalances(stats);
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  // The torn-write test: the last segment cut at a random offset and one record's bytes
  // corrupted; the next start drops only the damaged records (corrupt) and delivers the rest.
  test('torn tail at random offsets plus one corrupted export: only the damaged dropped, counted corrupt', async () => {
    const random = seededRandom(5);
    for (let round = 0; round < 8; round++) {
      const { dir, cleanup } = tempSpoolDir();
      try {
        const exports = Array.from({ length: 6 }, (_, e) => range(5, e * 5 + 1));
        await leaveInSpool(dir, exports);
        const [segment] = segmentFiles(own(dir));
        const path = join(own(dir), segment);
        const file = readFileSync(path);
        const starts = frameStarts(file);
        const corrupted = Math.floor(random() * 3);
        file[starts[corrupted] + FRAME_HEADER_BYTES + 12 + 5 * 12 + 1] ^= 0xff;
        const cut = starts[3] + Math.floor(random() * (file.length - starts[3]));
        writeFileSync(path, file.subarray(0, cut));
        const sender = new ScriptedSender<number>();
        const next = pipeline(dir, sender);
        await next.forceFlush();
        const whole = starts.filter((s, i) => (starts[i + 1] ?? file.length) <= cut).length;
        const expected = exports
          .slice(0, whole)
          .filter((_, e) => e !== corrupted)
          .flat();
        const context = `round ${round}: export ${corrupted} corrupted, cut at ${cut} (${whole} whole)`;
        assert.deepEqual(sender.delivered, expected, context);
        const stats = next.stats();
        // A cut frame whose header (and so its count) survived: its 5 records; one whose header
        // was cut too: one, the least a frame holds.
        const cutFrame = whole < 6 && cut > starts[whole];
        const cutHeaderReadable = cutFrame && cut - starts[whole] >= FRAME_HEADER_BYTES + 12;
        const cutCounted = cutHeaderReadable ? 5 : cutFrame ? 1 : 0;
        assert.equal(stats.dropped.corrupt, 5 + cutCounted, context);
        assert.equal(stats.droppedTotal, stats.dropped.corrupt, context);
        assertLedgerBalances(stats);
        await next.shutdown();
      } finally {
        cleanup();
      }
    }
  });

  test('a damaged last frame whose count cannot be read is counted corrupt once, not at every start', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leaveInSpool(dir, [range(5, 1), range(5, 6)]);
      const [segment] = segmentFiles(own(dir));
      const path = join(own(dir), segment);
      const file = readFileSync(path);
      const starts = frameStarts(file);
      const last = starts[starts.length - 1];
      // Its frame header (length, checksum) intact, its data header (first id, count) zeroed.
      file.fill(0, last + FRAME_HEADER_BYTES, last + FRAME_HEADER_BYTES + 12);
      writeFileSync(path, file);
      const counted: number[] = [];
      for (let start = 0; start < 3; start++) {
        const next = pipeline(dir, new ScriptedSender<number>(DOWN));
        counted.push(next.stats().dropped.corrupt ?? 0);
        assert.equal(next.stats().replayed - (next.stats().dropped.corrupt ?? 0), 5);
        await next.shutdown();
        assertLedgerBalances(next.stats());
      }
      assert.deepEqual(counted, [1, 0, 0]);
    } finally {
      cleanup();
    }
  });

  test('drop_oldest evicting records of the export being accepted: the evicted are never written', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const p = pipeline(dir, new ScriptedSender<number>(NEVER), {
        maxQueueItems: 4,
        maxBatchItems: 4,
        overflow: 'drop_oldest',
      });
      await p.submit(range(10, 1));
      assert.equal(p.stats().dropped.queue_full, 6, 'six evicted to make room for the last four');
      await p.shutdown();
      assert.equal(p.stats().leftInSpool, 4);
      const sender = new ScriptedSender<number>();
      const next = pipeline(dir, sender);
      await next.forceFlush();
      assert.deepEqual(sender.delivered, [7, 8, 9, 10], 'only what was held was written');
      assert.equal(next.stats().replayed, 4);
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('a spool over maxBytes refuses the export: dropped queue_full, in the submit result', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const p = pipeline(dir, new ScriptedSender<number>(NEVER), {
        spool: { directory: dir, maxBytes: 1024, fsync: 'never' },
      });
      const first = await p.submit(range(5, 1));
      assert.deepEqual(first.dropped, {});
      let refused = await p.submit(range(200, 10));
      assert.equal(refused.dropped.queue_full, 200);
      assert.match(refused.firstDropDetail ?? '', /spool full/);
      refused = await p.submit(range(1, 500));
      assertLedgerBalances(p.stats());
      assert.ok(p.stats().spool && 'diskBytes' in p.stats().spool!);
      await p.shutdown();
      assertLedgerBalances(p.stats());
    } finally {
      cleanup();
    }
  });

  test('fsync always: one fsync per accepted export; never: none', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      for (const [fsync, expected] of [
        ['always', 3],
        ['never', 0],
      ] as const) {
        const p = pipeline(dir, new ScriptedSender<number>(NEVER), {
          name: `fsync-${fsync}`,
          spool: { directory: dir, fsync },
        });
        for (let i = 0; i < 3; i++) await p.submit([i]);
        const spool = p.stats().spool;
        assert.ok(spool && 'fsyncs' in spool);
        assert.equal(spool.fsyncs, expected, fsync);
        await p.shutdown();
      }
    } finally {
      cleanup();
    }
  });

  test('two exporters of one name and signal on one directory: the second runs in memory and says why', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = pipeline(dir, new ScriptedSender<number>());
      const second = pipeline(dir, new ScriptedSender<number>());
      const spool = second.stats().spool;
      assert.ok(spool && 'error' in spool, 'the second has no spool');
      assert.match(String(spool.error), /already open in this process/);
      const result = await second.submit([1, 2]);
      assert.equal(result.accepted, 2);
      await first.shutdown();
      await second.shutdown();
    } finally {
      cleanup();
    }
  });

  test('a constructor that throws after opening the spool lets its lock go', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      // The self-telemetry is made after the spool is opened; a meter provider that throws
      // makes the constructor throw there.
      const throwing = {
        getMeter: () => {
          throw new Error('meter provider broken');
        },
      } as unknown as PipelineOptions<number>['selfObsMeterProvider'];
      assert.throws(
        () => pipeline(dir, new ScriptedSender<number>(), { selfObsMeterProvider: throwing }),
        /meter provider broken/,
      );
      await waitFor(() => !existsSync(join(own(dir), LOCK_FILE)), 'the lock file removed', 5_000);
      const next = pipeline(dir, new ScriptedSender<number>());
      try {
        assert.equal((next.stats().spool as { error?: string }).error, undefined);
      } finally {
        await next.shutdown();
      }
    } finally {
      cleanup();
    }
  });
});
