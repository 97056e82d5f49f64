import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  readFileSync,
  readdirSync,
  symlinkSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SpoolLockedError, emptySpool, inspectSpool } from '../src';
import { main } from '../src/cli/otelpack-spool';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../src/spool/format';
import { ScriptedSender, eventually, range } from './helpers/scripted-sender';
import {
  NEVER,
  frameStarts,
  openDiskQueue,
  segmentFiles,
  spooledPipeline,
  take,
  tempSpoolDir,
  writeExport,
} from './helpers/spool';

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

/** otelpack-spool with `argv`: its exit code, stdout and stderr. */
function runCli(...argv: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = main(
    argv,
    (l) => lines.push(l),
    (l) => errors.push(l),
  );
  return { code, text: lines.join('\n'), errors: errors.join('\n') };
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
        const refused = emptySpool(dir);
        assert.deepEqual(refused.emptied, []);
        assert.ok(refused.refused[0].error instanceof SpoolLockedError);
        assert.equal(inspectSpool(dir)[0].lock?.pid, process.pid);
        assert.equal(inspectSpool(dir)[0].lock?.stale, false);
      } finally {
        await live.shutdown();
      }
      const {
        emptied: [emptied],
      } = emptySpool(dir);
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
      const shown = runCli('inspect', dir);
      assert.equal(shown.code, 0);
      assert.match(shown.text, /waiting: 8 records/);
      assert.match(shown.text, /unanswered: 2 batches/);
      assert.match(shown.text, /13 records written, 5 delivered or dropped/);
      const json = JSON.parse(runCli('inspect', dir, '--json').text) as {
        waiting: number;
        lock: null;
      }[];
      assert.deepEqual([json[0].waiting, json[0].lock], [8, null]);
      const dry = runCli('empty', dir);
      assert.match(dry.text, /would delete .*8 records waiting/);
      assert.equal(inspectSpool(dir)[0].waiting, 8, 'nothing deleted without --yes');
      assert.equal(runCli('empty', dir, '--yes').code, 0);
      assert.deepEqual(inspectSpool(dir), [], 'no segment, no lock: nothing left to show');
      assert.equal(runCli('inspect').code, 2);
      const unknown = runCli('inspect', dir, '--force');
      assert.equal(unknown.code, 2);
      assert.match(unknown.errors, /unknown option --force/);
      const missing = runCli('inspect', join(dir, 'no-such-directory'));
      assert.equal(missing.code, 1);
      assert.match(missing.errors, /ENOENT/);
    } finally {
      cleanup();
    }
  });

  test('a holder in another PID namespace of this kernel is live until its lease runs out', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      const own = join(dir, 'spooled-logs');
      // What an exporter in a container writes, seen from the host: this kernel's boot id, its
      // own PID namespace, pid 1. An exporter would take it over at once (a restarted
      // container); an operator's tool must not empty it under a live one.
      const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      const lock = join(own, 'lock');
      const record = {
        pid: 1,
        boot: bootId,
        pidns: 'pid:[4026599999]',
        host: 'pod-7',
        token: 'f'.repeat(32),
      };
      writeFileSync(lock, `${JSON.stringify(record)}\n`);
      const [queue] = inspectSpool(dir);
      assert.deepEqual([queue.lock?.pid, queue.lock?.host, queue.lock?.stale], [1, 'pod-7', false]);
      const refused = emptySpool(dir);
      assert.equal(refused.emptied.length, 0);
      assert.match(refused.refused[0].error.message, /in use by process 1 on host pod-7/);
      assert.equal(inspectSpool(dir)[0].waiting, 8, 'nothing deleted');
      // Not refreshed for two minutes: gone, and emptied.
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      utimesSync(lock, twoMinutesAgo, twoMinutesAgo);
      assert.equal(inspectSpool(dir)[0].lock?.stale, true);
      assert.equal(emptySpool(dir).emptied[0].waiting, 8);
    } finally {
      cleanup();
    }
  });

  test('waiting records are counted in the batch that last carried them', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir);
      const records = writeExport(queue, 1, 5);
      take(queue, 5);
      queue.willSend(records);
      // A partial success: 1, 3 and 5 delivered, 2 and 4 sent again on their own.
      queue.acknowledge([records[0], records[2], records[4]]);
      queue.willSend([records[1], records[3]]);
      await queue.close();
      const [inspected] = inspectSpool(dir);
      assert.equal(inspected.waiting, 2);
      const again = openDiskQueue(dir);
      const labels = new Set(again.takeRecovery().records.map((r) => r.sentBatch));
      await again.close();
      assert.equal(labels.size, 1);
      assert.equal(inspected.sentBatchesWaiting, labels.size, 'as the next start replays them');
    } finally {
      cleanup();
    }
  });

  test('empty goes on past a queue it must refuse, and says what it did', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      const held = pipeline(dir, new ScriptedSender<number>(NEVER), { name: 'held' });
      try {
        await held.submit([1, 2]);
        // Through a symbolic link too: a queue directory may be one.
        symlinkSync(join(dir, 'spooled-logs'), join(dir, 'linked-logs'));
        const { code, text, errors } = runCli('empty', '--yes', dir);
        assert.equal(code, 1);
        // The link sorts first; the directory it leads to is the same queue, emptied once.
        assert.deepEqual(text.split('\n'), [
          `emptied ${join(dir, 'linked-logs')}: 2 files, 8 records that were waiting deleted`,
        ]);
        assert.match(errors, /not emptied: spool .*held-logs is in use by process \d+/);
        assert.equal(inspectSpool(join(dir, 'held-logs'))[0].waiting, 2, 'the held queue kept');
      } finally {
        await held.shutdown();
      }
    } finally {
      cleanup();
    }
  });

  test('otelpack-spool: flags anywhere, --help, options of the other command refused, one error line', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      await leftBehind(dir);
      assert.match(runCli('inspect', '--json', dir).text, /"waiting": 8/);
      const help = runCli('--help');
      assert.deepEqual([help.code, help.errors], [0, '']);
      assert.match(help.text, /^usage: otelpack-spool inspect/);
      assert.equal(runCli('inspect', dir, '--yes').code, 2);
      assert.equal(runCli('empty', dir, '--json').code, 2);
      assert.equal(runCli('inspect', dir, dir).code, 2, 'one directory');
      const file = join(dir, 'a-file');
      writeFileSync(file, 'x');
      const notDirectory = runCli('inspect', file);
      assert.equal(notDirectory.code, 1);
      assert.equal(notDirectory.errors.match(/ENOTDIR/g)?.length, 1, notDirectory.errors);
      const nothing = tempSpoolDir();
      try {
        assert.match(runCli('empty', '--yes', nothing.dir).text, /no spool here/);
      } finally {
        nothing.cleanup();
      }
    } finally {
      cleanup();
    }
  });
});
