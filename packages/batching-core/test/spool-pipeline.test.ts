import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { describe, test } from 'node:test';
import { Pipeline } from '../src';
import type { PipelineOptions, SendResult, SubmitResult } from '../src';
import { assertLedgerBalances, captureDiagWarnings, seededRandom } from '../src/testing';
import {
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  decodeSentBatchBody,
  scanFrames,
} from '../src/spool/format';
import type { SentBatch } from '../src/spool/format';
import { LOCK_FILE } from '../src/spool/lock';
import { openSpool } from '../src/spool/open';
import { resolveSpoolOptions } from '../src/spool/options';
import type { ResolvedSpoolOptions } from '../src/spool/options';
import { ScriptedSender, eventually as waitFor, range } from './helpers/scripted-sender';
import { NEVER, frameStarts, segmentFiles, spooledPipeline, tempSpoolDir } from './helpers/spool';

/** The pipeline's own directory in the spool: `<name>-<signal>`. */
const own = (dir: string) => join(dir, 'spooled-logs');

const DOWN: () => SendResult = () => ({ kind: 'retryable', reason: 'backend down' });
const pipeline = spooledPipeline;

/**
 * Submits exports of 30 records until one is refused (a spool of 1024 bytes holds a few), and
 * returns that refusal; the records written go to `written`.
 */
async function fillSpool(p: Pipeline<number>, written: number[] = []): Promise<SubmitResult> {
  for (let i = 0; i < 40; i++) {
    const records = range(30, 100 + 30 * i);
    const result = await p.submit(records);
    if ((result.dropped.queue_full ?? 0) > 0) {
      assert.ok(i > 0, 'an export of 30 records fits in the empty spool');
      return result;
    }
    written.push(...records);
  }
  throw new Error('the spool never filled');
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
      const result = await p.submit(range(10, 1));
      assert.equal(p.stats().dropped.queue_full, 6, 'six evicted to make room for the last four');
      assert.deepEqual(
        { dropped: result.dropped, pending: result.pending },
        { dropped: { queue_full: 6 }, pending: 4 },
      );
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
      const refused = await fillSpool(p);
      assert.equal(refused.dropped.queue_full, 30);
      assert.match(refused.firstDropDetail ?? '', /^queue_full: spool full \(\d+ of 1024 bytes/);
      assertLedgerBalances(p.stats());
      // An export that could never fit, however much were delivered, says so.
      const tooLarge = await p.submit(range(1_000, 1_000));
      assert.equal(tooLarge.dropped.queue_full, 1_000);
      assert.match(
        tooLarge.firstDropDetail ?? '',
        /^queue_full: an export of 1000 records needs \d+ bytes on disk, more than spool\.maxBytes \(1024\) holds: raise spool\.maxBytes/,
      );
      assert.ok(p.stats().spool && 'diskBytes' in p.stats().spool!);
      await p.shutdown();
      assertLedgerBalances(p.stats());
    } finally {
      cleanup();
    }
  });

  test('a spool refusing exports warns when refusals begin and once they are over, not for each', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const warnings = captureDiagWarnings();
    try {
      let openBackend = (): void => undefined;
      const backendUp = new Promise<void>((resolve) => (openBackend = resolve));
      const sender = new ScriptedSender<number>(async () => {
        await backendUp;
        return { kind: 'delivered' };
      });
      // The pipeline's clock, moved on by hand past the quiet period that ends refusals.
      let skippedMs = 0;
      const p = pipeline(dir, sender, {
        spool: { directory: dir, maxBytes: 1024, fsync: 'never' },
        now: () => performance.now() + skippedMs,
      });
      assert.deepEqual((await p.submit(range(5, 1))).dropped, {});
      const written = [...range(5, 1)];
      await fillSpool(p, written);
      // Exports of different sizes: reasons with different figures, one cause.
      let refused = 30;
      for (let i = 1; i < 6; i++) {
        const size = 20 + 3 * i;
        assert.equal((await p.submit(range(size, 1_000 * i))).dropped.queue_full, size);
        refused += size;
      }
      // An empty export, past the quiet period, holds nothing: it says nothing of the refusals,
      // which go on.
      skippedMs += 61_000;
      await p.submit([]);
      assert.equal((await p.submit(range(30, 9_000))).dropped.queue_full, 30);
      refused += 30;
      // The refusal warnings (not the shutdown summary, which counts drops too).
      const refusals = () =>
        warnings.lines.filter((line) => /queue_full/.test(line) && !/: shut down:/.test(line));
      assert.equal(refusals().length, 1, refusals().join('\n'));
      assert.match(
        refusals()[0],
        /^otelpack spooled logs: dropped 30 records \(queue_full\): spool full \(/,
      );
      // The backend answers: the first exports are delivered, their segment gives its space back,
      // and the next export is written, past the quiet period: the refusals are over.
      openBackend();
      await p.forceFlush();
      skippedMs += 61_000;
      assert.deepEqual((await p.submit(range(5, 10_000))).dropped, {});
      assert.equal(refusals().length, 2, refusals().join('\n'));
      assert.match(
        refusals()[1],
        new RegExp(
          `exports accepted again, 6\\d s after the last refusal; refusals for \\d+ s \\(spool full\\): ${refused} records of 7 exports dropped \\(queue_full\\) in all`,
        ),
      );
      await p.forceFlush();
      assert.deepEqual(sender.delivered, [...written, ...range(5, 10_000)]);
      // Refusals going on at shutdown are summed up.
      assert.equal((await p.submit(range(1_000, 20_000))).dropped.queue_full, 1_000);
      await p.shutdown();
      assert.equal(refusals().length, 4, refusals().join('\n'));
      assert.match(refusals()[2], /dropped 1000 records \(queue_full\): an export of 1000 records/);
      assert.match(
        refusals()[3],
        /shutting down, \d+ s after the last refusal; refusals for 0 s \(export larger than spool\.maxBytes\): 1000 records of 1 export/,
      );
      assert.equal(p.stats().dropped.queue_full, refused + 1_000);
      assertLedgerBalances(p.stats());
    } finally {
      warnings.stop();
      cleanup();
    }
  });

  test('an export fits a spool of exactly its size on disk; one byte less could never hold it', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const probe = pipeline(join(dir, 'probe'), new ScriptedSender<number>(NEVER));
      await probe.submit(range(100));
      const spool = probe.stats().spool;
      assert.ok(spool && 'diskBytes' in spool);
      const needed = spool.diskBytes; // the segment's header and the export's frame
      await probe.shutdown(0);
      const fits = pipeline(join(dir, 'fits'), new ScriptedSender<number>(NEVER), {
        spool: { directory: join(dir, 'fits'), maxBytes: needed, fsync: 'never' },
      });
      assert.deepEqual((await fits.submit(range(100))).dropped, {});
      await fits.shutdown(0);
      const short = pipeline(join(dir, 'short'), new ScriptedSender<number>(NEVER), {
        spool: { directory: join(dir, 'short'), maxBytes: needed - 1, fsync: 'never' },
      });
      const result = await short.submit(range(100));
      assert.equal(result.dropped.queue_full, 100);
      assert.equal(
        result.firstDropDetail,
        `queue_full: an export of 100 records needs ${needed} bytes on disk, more than spool.maxBytes (${needed - 1}) holds: raise spool.maxBytes, or export fewer records at a time`,
      );
      await short.shutdown(0);
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

/** The sent-batch frames in a spool directory's acknowledgement files, by sequence. */
function sentBatches(directory: string): SentBatch[] {
  const found = new Map<number, SentBatch>();
  for (const name of readdirSync(directory).filter((n) => n.endsWith('.ack'))) {
    for (const { body } of scanFrames(readFileSync(join(directory, name)), 0).frames) {
      const batch = decodeSentBatchBody(body);
      if (batch) found.set(batch.sequence, batch);
    }
  }
  return [...found.values()].sort((a, b) => a.sequence - b.sequence);
}

/**
 * A process's worth whose backend never answers: exports of 3, 4 and 2 records, each sent alone
 * as its flush interval passes (batches hold 5), then a shutdown that keeps all nine.
 */
async function leaveTimerCutBatches(
  directory: string,
  sender: ScriptedSender<number>,
): Promise<Pipeline<number>> {
  const p = pipeline(directory, sender, { maxBatchItems: 5 });
  for (const [n, start, sends] of [
    [3, 0, 1],
    [4, 3, 2],
    [2, 7, 3],
  ]) {
    await p.submit(range(n, start));
    await waitFor(() => sender.sends.length === sends, `send ${sends}`);
  }
  await p.shutdown();
  return p;
}

describe('Pipeline with a spool: a batch sent before a restart is replayed as it was cut', () => {
  /** A sender whose backend deduplicates a request by its records, as ClickHouse's does. */
  const deduplicating = (sender: ScriptedSender<number>) => {
    sender.deduplicatesBatches = true;
    return sender;
  };

  // The token ClickHouse deduplicates an insert by names the batch's rows: a batch stored before
  // a crash, whose answer the crash cut, is dropped as a copy only if the next process sends
  // exactly those rows together again.
  test('batches cut by the flush timer, in flight at the end, are sent again as they were', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = deduplicating(new ScriptedSender<number>(NEVER));
      const p = await leaveTimerCutBatches(dir, first);
      assert.equal(p.stats().leftInSpool, 9);
      const sentBefore = first.sends.map((s) => s.batch);
      assert.deepEqual(sentBefore, [range(3, 0), range(4, 3), range(2, 7)]);

      const sender = deduplicating(new ScriptedSender<number>());
      const next = pipeline(dir, sender, { maxBatchItems: 5 });
      await next.submit([100, 101]);
      await next.forceFlush();
      // Cut afresh, the nine would go as [0..4] and [5..8], and 100 would join the last.
      assert.deepEqual(
        sender.sends.map((s) => s.batch),
        [...sentBefore, [100, 101]],
      );
      await next.shutdown();
      assertLedgerBalances(next.stats());
    } finally {
      cleanup();
    }
  });

  test('the part of a batch left to retry, and a batch in flight, each go alone; records never sent are cut afresh', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      // [0..4]: 1 and 3 fail, to be retried in 10 s (after the shutdown); [5..9] never answered.
      const first = deduplicating(
        new ScriptedSender<number>((batch, _context, index) =>
          index === 0
            ? {
                kind: 'partial',
                failures: [1, 3].map((i) => ({ index: i, retryable: true, reason: 'busy' })),
              }
            : new Promise(() => undefined),
        ),
      );
      const p = pipeline(dir, first, { maxBatchItems: 5 });
      await p.submit(range(5, 0));
      await waitFor(() => p.stats().delivered === 3, 'three of the first batch delivered');
      await p.submit(range(5, 5));
      await waitFor(() => first.sends.length === 2, 'the second batch sent');
      p.submit(range(3, 10)).catch(() => undefined);
      await p.shutdown();
      assert.equal(p.stats().leftInSpool + p.stats().droppedTotal, 10);

      const sender = deduplicating(new ScriptedSender<number>());
      const next = pipeline(dir, sender, { maxBatchItems: 5 });
      await next.forceFlush();
      const stats = next.stats();
      const replayedSends = sender.sends.map((s) => s.batch);
      // 10..12 were accepted after the shutdown began, or never sent: cut afresh, alone.
      const neverSent = stats.replayed - 7;
      assert.deepEqual(replayedSends.slice(0, 2), [
        [1, 3],
        [5, 6, 7, 8, 9],
      ]);
      assert.deepEqual(replayedSends.slice(2).flat(), range(neverSent, 10));
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('a batch retried whole is written down once; a smaller retry once more, later', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const sender = deduplicating(
        new ScriptedSender<number>((_batch, _context, index) =>
          index < 3
            ? DOWN()
            : index === 3
              ? {
                  kind: 'partial',
                  failures: [{ index: 4, retryable: true, reason: 'busy' }],
                }
              : new Promise(() => undefined),
        ),
      );
      const p = pipeline(dir, sender, {
        maxBatchItems: 5,
        initialBackoffMs: 1,
        maxBackoffMs: 1,
      });
      await p.submit(range(5, 0));
      await waitFor(
        () => sender.sends.length === 5,
        'four sends of the batch, then its last record',
      );
      const batches = sentBatches(own(dir));
      assert.deepEqual(
        batches.map((b) => b.ranges),
        [[{ first: 1, count: 5 }], [{ first: 5, count: 1 }]],
        'spool ids 1..5 sent four times: written down once; id 5 alone: once more',
      );
      assert.ok(batches[1].sequence > batches[0].sequence);
      await p.shutdown();
      const next = deduplicating(new ScriptedSender<number>());
      const again = pipeline(dir, next);
      await again.forceFlush();
      assert.deepEqual(
        next.sends.map((s) => s.batch),
        [[4]],
      );
      await again.shutdown();
    } finally {
      cleanup();
    }
  });

  test('a replayed batch larger than the new limits is cut by them, and nothing is lost', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const first = deduplicating(new ScriptedSender<number>(NEVER));
      const p = pipeline(dir, first, { maxBatchItems: 8 });
      await p.submit(range(8, 0));
      await waitFor(() => first.sends.length === 1, 'sent');
      await p.shutdown();
      const sender = deduplicating(new ScriptedSender<number>());
      const next = pipeline(dir, sender, { maxBatchItems: 3 });
      await next.submit([100]);
      await next.forceFlush();
      assert.deepEqual(
        sender.sends.map((s) => s.batch),
        [[0, 1, 2], [3, 4, 5], [6, 7], [100]],
      );
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('sentBeforeRestart: told once, before any send, of the replayed records a request had carried, and only those', async () => {
    const { dir, cleanup } = tempSpoolDir();
    /**
     * A sender that wants to know (Elasticsearch's, for time series documents); each telling
     * noted with the sends made before it (asserted outside: the pipeline logs what a hook throws).
     */
    const listening = (
      sender: ScriptedSender<number>,
      told: { records: number[]; sendsBefore: number }[] = [],
    ) =>
      Object.assign(sender, {
        sentBeforeRestart(records: readonly number[]) {
          told.push({ records: [...records], sendsBefore: sender.sends.length });
        },
      });
    try {
      // One request at a time, never answered: [0..4] goes out, [5..7] waits and never does.
      const first = listening(new ScriptedSender<number>(NEVER));
      const p = pipeline(dir, first, { maxConcurrency: 1 });
      await p.submit(range(5, 0));
      await waitFor(() => first.sends.length === 1, 'the first batch sent');
      await p.submit(range(3, 5));
      await p.shutdown();
      assert.equal(p.stats().leftInSpool, 8);
      assert.equal(sentBatches(own(dir)).length, 1, 'the request written down before it left');

      const told: { records: number[]; sendsBefore: number }[] = [];
      const sender = listening(new ScriptedSender<number>(), told);
      const next = pipeline(dir, sender);
      await next.forceFlush();
      assert.deepEqual(told, [{ records: range(5, 0), sendsBefore: 0 }], 'once, before any send');
      assert.deepEqual(
        sender.delivered.sort((a, b) => a - b),
        range(8, 0),
      );
      await next.shutdown();

      // A sender without the hook, in the third process: nothing was left to tell, nothing breaks.
      const third = pipeline(dir, new ScriptedSender<number>());
      assert.equal(third.stats().replayed, 0);
      await third.shutdown();
    } finally {
      cleanup();
    }
  });

  test('sentBeforeRestart that throws: said at ERROR, and the replay goes on', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const throwing = (sender: ScriptedSender<number>) =>
      Object.assign(sender, {
        sentBeforeRestart(): void {
          throw new Error('hook bug');
        },
      });
    const warnings = captureDiagWarnings();
    try {
      const first = throwing(new ScriptedSender<number>(NEVER));
      const p = pipeline(dir, first);
      await p.submit(range(3, 0));
      await waitFor(() => first.sends.length === 1, 'sent');
      await p.shutdown();
      const sender = throwing(new ScriptedSender<number>());
      const next = pipeline(dir, sender);
      await next.forceFlush();
      assert.deepEqual(sender.delivered, range(3, 0));
      assert.ok(
        warnings.lines.some((line) => /sentBeforeRestart threw/.test(line)),
        warnings.lines.join('\n'),
      );
      await next.shutdown();
    } finally {
      warnings.stop();
      cleanup();
    }
  });

  test('a sender whose backend keeps every request: replayed records are cut afresh, in full batches', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leaveTimerCutBatches(dir, new ScriptedSender<number>(NEVER));
      assert.deepEqual(sentBatches(own(dir)), [], 'nothing written down');
      const sender = new ScriptedSender<number>();
      const next = pipeline(dir, sender, { maxBatchItems: 5 });
      await next.forceFlush();
      assert.deepEqual(
        sender.sends.map((s) => s.batch),
        [range(5, 0), range(4, 5)],
      );
      await next.shutdown();
    } finally {
      cleanup();
    }
  });
});

test('a queue of the same signal left under another name is said at WARN; one opened meanwhile, or of another signal, is not', async () => {
  const { dir, cleanup } = tempSpoolDir('renamed');
  const warnings = captureDiagWarnings();
  const pipeline = (name: string, signal: 'logs' | 'traces' = 'logs') =>
    new Pipeline<number>({
      name,
      signal,
      sender: new ScriptedSender<number>(NEVER),
      shutdownTimeoutMs: 20,
      spool: { directory: dir },
    });
  const open = (name: string, delayMs: number) => {
    const opened = openSpool(
      resolveSpoolOptions<number>(dir, name, 'logs') as ResolvedSpoolOptions<number>,
      undefined,
      Date.now(),
      name,
      () => undefined,
      delayMs,
    );
    assert.ok('queue' in opened);
    return opened.queue;
  };
  const said = () => warnings.lines.filter((line) => line.includes('no running exporter reads'));
  try {
    // `before` and `sibling` leave undelivered records; so does a traces exporter.
    for (const [name, signal] of [
      ['before', 'logs'],
      ['sibling', 'logs'],
      ['tracer', 'traces'],
    ] as const) {
      const p = pipeline(name, signal);
      await p.submit([1, 2]);
      await p.shutdown();
    }
    // `after` looks 50 ms after it opened; `sibling` (the same process's other exporter) opens
    // meanwhile, so only `before`, renamed away, is said.
    const after = open('after', 50);
    const sibling = open('sibling', 60_000);
    await setTimeout(150);
    assert.equal(said().length, 1, warnings.lines.join('\n'));
    assert.ok(said()[0].includes(join(dir, 'before-logs')), said()[0]);
    assert.ok(said()[0].includes('otelpack-spool inspect'), said()[0]);
    // A queue closed before its look says nothing.
    const closed = open('closed', 50);
    await closed.close();
    await setTimeout(150);
    assert.equal(said().length, 1);
    await after.close();
    await sibling.close();
  } finally {
    warnings.stop();
    cleanup();
  }
});
