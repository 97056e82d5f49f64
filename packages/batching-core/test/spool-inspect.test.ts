import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SpoolLockedError, emptySpool, inspectSpool } from '../src';
import { main } from '../src/cli/otelpack-spool';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../src/spool/format';
import { ScriptedSender, eventually, range } from './helpers/scripted-sender';
import { NEVER, frameStarts, segmentFiles, spooledPipeline, tempSpoolDir } from './helpers/spool';

const pipeline = spooledPipeline;

/**
 * A spool as a stopped process leaves it: [0..4] delivered, [5..9] and [10..12] sent and never
 * answered (two batches), [13..15] accepted while the shutdown ran, never sent.
 */
async function leftBehind(directory: string): Promise<void> {
  const sender = new ScriptedSender<number>((_batch, _context, index) =>
    index === 0 ? { kind: 'delivered' } : NEVER(),
  );
  // Each request written down before it leaves, as for ClickHouse.
  sender.deduplicatesBatches = true;
  const p = pipeline(directory, sender);
  await p.submit(range(5, 0));
  await eventually(() => p.stats().delivered === 5, 'the first batch delivered');
  await p.submit(range(5, 5));
  await p.submit(range(3, 10));
  await eventually(() => sender.sends.length === 3, 'two more batches sent');
  await p.shutdown();
}

/** Every file's bytes, by name: inspecting must not change one. */
function snapshot(directory: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const name of readdirSync(directory)) {
    files.set(
      name,
      createHash('sha256')
        .update(readFileSync(join(directory, name)))
        .digest('hex'),
    );
  }
  return files;
}

describe('inspecting and emptying a spool', () => {
  test('counts what waits, how old it is and the batches sent, from the spool root', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const before = Date.now();
      await leftBehind(dir);
      const [queue, ...others] = inspectSpool(dir);
      assert.equal(others.length, 0);
      assert.equal(queue.directory, join(dir, 'spooled-logs'));
      assert.equal(queue.lock, undefined, 'a clean shutdown released the lock');
      assert.deepEqual(
        {
          records: queue.records,
          acknowledged: queue.acknowledged,
          waiting: queue.waiting,
          sentBatchesWaiting: queue.sentBatchesWaiting,
          damagedFrames: queue.damagedFrames,
        },
        { records: 13, acknowledged: 5, waiting: 8, sentBatchesWaiting: 2, damagedFrames: 0 },
      );
      assert.ok(
        queue.oldestWaitingAtMs! >= Math.floor(before) && queue.oldestWaitingAtMs! <= Date.now(),
      );
      // The next start replays exactly what inspect said waits.
      const next = pipeline(dir, new ScriptedSender<number>());
      assert.equal(next.stats().replayed, queue.waiting);
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('a torn tail and a damaged frame are reported, and not one byte is changed', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      const own = join(dir, 'spooled-logs');
      const [segment] = segmentFiles(own);
      const path = join(own, segment);
      const file = readFileSync(path);
      const starts = frameStarts(file);
      assert.equal(starts.length, 3, 'one frame per export');
      // The second export's frame: one byte of its body flipped; the last frame cut short.
      file[starts[1] + FRAME_HEADER_BYTES + 14] ^= 0xff;
      writeFileSync(path, file);
      truncateSync(path, file.length - 3);
      const files = snapshot(own);
      const [queue] = inspectSpool(own);
      assert.equal(queue.damagedFrames, 1);
      assert.equal(queue.segments[0].tornBytes, file.length - 3 - starts[2]);
      assert.equal(queue.records, 5, 'only the first frame reads whole');
      assert.ok(starts[0] >= SEGMENT_HEADER_BYTES);
      assert.deepEqual(snapshot(own), files, 'inspect wrote nothing');
    } finally {
      cleanup();
    }
  });

  test('empty refuses a spool a live exporter holds, then deletes everything under the lock', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      const live = pipeline(dir, new ScriptedSender<number>(NEVER));
      try {
        assert.throws(() => emptySpool(dir), SpoolLockedError);
        assert.equal(inspectSpool(dir)[0].lock?.pid, process.pid);
        assert.equal(inspectSpool(dir)[0].lock?.stale, false);
      } finally {
        await live.shutdown();
      }
      const [emptied] = emptySpool(dir);
      assert.equal(emptied.waiting, 8);
      assert.ok(emptied.files.some((f) => f.endsWith('.seg')));
      assert.deepEqual(
        readdirSync(join(dir, 'spooled-logs')),
        [],
        'no file left, the lock released',
      );
      const next = pipeline(dir, new ScriptedSender<number>());
      assert.equal(next.stats().replayed, 0);
      await next.shutdown();
    } finally {
      cleanup();
    }
  });

  test('otelpack-spool: inspect prints the counts, empty needs --yes, bad usage exits 2', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      const run = (...argv: string[]) => {
        const lines: string[] = [];
        const errors: string[] = [];
        const code = main(
          argv,
          (l) => lines.push(l),
          (l) => errors.push(l),
        );
        return { code, text: lines.join('\n'), errors: errors.join('\n') };
      };
      const shown = run('inspect', dir);
      assert.equal(shown.code, 0);
      assert.match(shown.text, /waiting: 8 records/);
      assert.match(shown.text, /unanswered: 2 batches/);
      assert.match(shown.text, /13 records written, 5 delivered or dropped/);
      const json = JSON.parse(run('inspect', dir, '--json').text) as {
        waiting: number;
        lock: null;
      }[];
      assert.deepEqual([json[0].waiting, json[0].lock], [8, null]);
      const dry = run('empty', dir);
      assert.match(dry.text, /would delete .*8 records waiting/);
      assert.equal(inspectSpool(dir)[0].waiting, 8, 'nothing deleted without --yes');
      assert.equal(run('empty', dir, '--yes').code, 0);
      assert.deepEqual(inspectSpool(dir), [], 'no segment, no lock: nothing left to show');
      assert.equal(run('inspect').code, 2);
      const unknown = run('inspect', dir, '--force');
      assert.equal(unknown.code, 2);
      assert.match(unknown.errors, /unknown option --force/);
      const missing = run('inspect', join(dir, 'no-such-directory'));
      assert.equal(missing.code, 1);
      assert.match(missing.errors, /ENOENT/);
    } finally {
      cleanup();
    }
  });
});
