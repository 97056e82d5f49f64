import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as NodeFs from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { Pipeline } from '../src';
import type { PipelineStats, SendResult } from '../src';
import { assertLedgerBalances, captureDiagWarnings } from '../src/testing';
import { range } from './helpers/scripted-sender';
import { SegmentLog } from '../src/spool/segment-log';
import {
  diskBytesAfter,
  openDiskQueue,
  segmentFiles,
  take,
  tempSpoolDir,
  testRecord,
  writeExport,
} from './helpers/spool';

const HOLDER = resolve(__dirname, 'fixtures/spool-holder.ts');
const NODE_ARGS = ['--import', 'tsx', HOLDER];

interface HolderReport {
  stats: PipelineStats;
  result: { accepted: number; dropped: Record<string, number> };
}

function parseReport(text: string): HolderReport {
  return JSON.parse(text.trim().split('\n').pop() as string) as HolderReport;
}

const isRoot = process.getuid?.() === 0;

describe('spool errors: clear errors, counted drops, never a crash', () => {
  test('permission denied: the exporter runs in memory and says why', () => {
    const { dir, cleanup } = tempSpoolDir('eacces');
    try {
      const locked = join(dir, 'locked');
      mkdirSync(locked, { mode: 0o500 });
      chmodSync(locked, 0o500);
      // Root may write anywhere: the holder then runs as nobody, for whom the directory is shut.
      const run = spawnSync(process.execPath, [...NODE_ARGS, locked], {
        encoding: 'utf8',
        cwd: __dirname,
        ...(isRoot ? { uid: 65534, gid: 65534 } : {}),
      });
      assert.equal(run.status, 0, run.stderr);
      const report = parseReport(run.stdout);
      const spool = report.stats.spool as { error?: string };
      assert.match(spool.error ?? '', /EACCES/);
      assert.equal(report.result.accepted, 3, 'records are still accepted, in memory');
      assert.match(run.stderr + run.stdout, /EACCES/);
    } finally {
      cleanup();
    }
  });

  test('two processes, one directory: the second is refused by the lock, and takes over once the first is killed', async () => {
    const { dir, cleanup } = tempSpoolDir('two');
    const first = spawn(process.execPath, [...NODE_ARGS, dir, 'hold'], { cwd: __dirname });
    try {
      const line = await new Promise<string>((done, fail) => {
        createInterface({ input: first.stdout }).once('line', done);
        first.once('exit', (code) => fail(new Error(`holder exited ${code}`)));
      });
      assert.equal((parseReport(line).stats.spool as { error?: string }).error, undefined);
      const second = spawnSync(process.execPath, [...NODE_ARGS, dir], {
        encoding: 'utf8',
        cwd: __dirname,
      });
      assert.equal(second.status, 0, second.stderr);
      const refused = parseReport(second.stdout).stats.spool as { error?: string };
      assert.match(refused.error ?? '', new RegExp(`in use by process ${first.pid}`));
      first.kill('SIGKILL');
      await new Promise((done) => first.once('exit', done));
      const third = spawnSync(process.execPath, [...NODE_ARGS, dir], {
        encoding: 'utf8',
        cwd: __dirname,
      });
      const report = parseReport(third.stdout);
      assert.equal((report.stats.spool as { error?: string }).error, undefined, third.stderr);
      assert.equal(report.stats.replayed, 3, 'what the killed holder accepted is replayed');
    } finally {
      first.kill('SIGKILL');
      cleanup();
    }
  });

  test('disk full: what does not fit is dropped queue_full with ENOSPC, what fits is kept', async (t) => {
    // A 64 KiB tmpfs where this test may mount one (root); else the spool's own bound, which
    // takes the same path through the pipeline (a refused write).
    const base = mkdtempSync(join(tmpdir(), 'otelpack-full-'));
    const mounted =
      isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', base]).status === 0;
    t.diagnostic(mounted ? 'on a 64 KiB tmpfs' : 'on spool.maxBytes (no tmpfs without root)');
    try {
      const p = new Pipeline<number>({
        name: 'full',
        signal: 'logs',
        sender: { sizeOf: () => 10, send: (): Promise<SendResult> => new Promise(() => undefined) },
        maxQueueItems: 1_000_000,
        spool: { directory: base, fsync: 'never', ...(mounted ? {} : { maxBytes: 64 * 1024 }) },
      });
      let dropped = 0;
      let detail = '';
      for (let i = 0; i < 200; i++) {
        const result = await p.submit(range(100, i * 100));
        dropped += result.dropped.queue_full ?? 0;
        detail ||= result.firstDropDetail ?? '';
      }
      const stats = p.stats();
      assert.ok(dropped > 0, 'some exports did not fit');
      assert.ok(stats.pending > 0, 'those that fit are held');
      assert.match(detail, mounted ? /ENOSPC/ : /spool full/);
      assertLedgerBalances(stats);
      await p.shutdown(10);
      assertLedgerBalances(p.stats());
    } finally {
      if (mounted) spawnSync('umount', [base]);
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('spool errors an independent review found', () => {
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;

  test("fsync 'always' whose fdatasync fails: the export is taken back off the disk and dropped, counted", async () => {
    const { dir, cleanup } = tempSpoolDir();
    const real = fs.fdatasyncSync;
    let fail = false;
    fs.fdatasyncSync = (fd: number) => {
      if (fail) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
      return real(fd);
    };
    try {
      const p = new Pipeline<number>({
        name: 'eio',
        signal: 'logs',
        sender: { sizeOf: () => 10, send: (): Promise<SendResult> => new Promise(() => undefined) },
        spool: { directory: dir, fsync: 'always' },
      });
      assert.deepEqual((await p.submit([1, 2])).dropped, {});
      fail = true;
      const refused = await p.submit([3, 4, 5]);
      fail = false;
      assert.equal(refused.dropped.queue_full, 3);
      assert.match(refused.firstDropDetail ?? '', /spool write failed: EIO/);
      assert.equal((p.stats().spool as { fsyncFailures: number }).fsyncFailures, 1);
      // The next export follows the last good frame: no hole where the refused one was cut off
      // (the descriptor's offset stays past a cut, so writes go at the size the spool counts).
      assert.deepEqual((await p.submit([6, 7])).dropped, {});
      const spoolDir = join(dir, 'eio-logs');
      const onDisk = segmentFiles(spoolDir).reduce(
        (sum, name) => sum + statSync(join(spoolDir, name)).size,
        0,
      );
      assert.equal(onDisk, (p.stats().spool as { diskBytes: number }).diskBytes);
      assertLedgerBalances(p.stats());
      await p.shutdown(10);
      const again = new Pipeline<number>({
        name: 'eio',
        signal: 'logs',
        sender: { sizeOf: () => 10, send: (): Promise<SendResult> => new Promise(() => undefined) },
        spool: { directory: dir, fsync: 'always' },
      });
      assert.equal(again.stats().replayed, 4, 'the refused export is not on disk to come back');
      assert.equal(again.stats().dropped.corrupt ?? 0, 0);
      await again.shutdown(10);
    } finally {
      fs.fdatasyncSync = real;
      cleanup();
    }
  });

  test('a full disk (ENOSPC): the delivered segment being written gives its space back and the export is written', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const real = { writeSync: fs.writeSync, writevSync: fs.writevSync };
    let full = false;
    const diskFull = () => {
      full = false; // the space the reclaimed segment held is free again
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    };
    fs.writeSync = ((...args: Parameters<typeof fs.writeSync>) =>
      full ? diskFull() : real.writeSync(...args)) as typeof fs.writeSync;
    fs.writevSync = ((...args: Parameters<typeof fs.writevSync>) =>
      full ? diskFull() : real.writevSync(...args)) as typeof fs.writevSync;
    const queue = openDiskQueue(dir);
    try {
      writeExport(queue, 1, 4);
      queue.acknowledge(take(queue, 4));
      const [held] = segmentFiles(dir);
      full = true;
      assert.deepEqual(writeExport(queue, 5, 2).length, 2, 'accepted, not refused');
      assert.equal(full, false, 'the write met a full disk once');
      assert.ok(!segmentFiles(dir).includes(held), 'the delivered segment was deleted');
      assert.equal(segmentFiles(dir).length, 1);
      // A full disk with nothing delivered to give back: refused, with the reason.
      full = true;
      for (const r of [7, 8].map((seq) => testRecord(seq))) queue.push(r);
      const refused = queue.commit();
      assert.match(refused?.reason ?? '', /spool write failed: ENOSPC/);
      assert.equal(refused?.records.length, 2);
    } finally {
      Object.assign(fs, real);
      await queue.close();
      cleanup();
    }
  });

  test('maxBytes smaller than the default segment: a fully delivered spool takes exports again', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const p = new Pipeline<number>({
        name: 'small',
        signal: 'logs',
        sender: { sizeOf: () => 10, send: () => Promise.resolve({ kind: 'delivered' }) },
        maxBatchItems: 100,
        // The default segment size (16 MiB) would fill this spool with one segment never rolled.
        spool: { directory: dir, fsync: 'never', maxBytes: 64 * 1024 },
      });
      let refused = 0;
      for (let round = 0; round < 40; round++) {
        const result = await p.submit(range(100, round * 100));
        refused += result.dropped.queue_full ?? 0;
        await p.forceFlush(5_000);
      }
      assert.equal(refused, 0, 'every export delivered before the next, none refused');
      assert.equal(p.stats().delivered, 4_000);
      assert.ok((p.stats().spool as { diskBytes: number }).diskBytes <= 64 * 1024);
      await p.shutdown(10);
    } finally {
      cleanup();
    }
  });

  test('a segment size past half of maxBytes is cut to half, with a warning', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const warnings = captureDiagWarnings();
    try {
      const p = new Pipeline<number>({
        name: 'seg',
        signal: 'logs',
        sender: { sizeOf: () => 1, send: () => Promise.resolve({ kind: 'delivered' }) },
        spool: { directory: dir, maxBytes: 4 * 1024 * 1024, segmentBytes: 16 * 1024 * 1024 },
      });
      assert.ok(
        warnings.lines.some((line) => /spool\.segmentBytes 16777216 .* 2097152 is used/.test(line)),
        warnings.lines.join('\n'),
      );
      await p.shutdown(10);
    } finally {
      warnings.stop();
      cleanup();
    }
  });

  test('acknowledging segment after segment keeps no descriptor open per segment', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const open = () => fs.readdirSync('/proc/self/fd').length;
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      const before = open();
      const exports = Array.from({ length: 300 }, (_, e) => writeExport(queue, e * 2 + 1, 2));
      for (let i = 0; i < 600; i++) queue.shift();
      // One record of each export delivered: every segment keeps an acknowledgement file.
      queue.acknowledge(exports.map((records) => records[0]));
      assert.ok(open() - before <= 2, `${open() - before} more descriptors`);
      await queue.close();
    } finally {
      cleanup();
    }
  });
});

test('a queue whose one segment reaches maxBytes: once all of it is delivered, its space comes back', async () => {
  const { dir, cleanup } = tempSpoolDir();
  try {
    // Past the options' check (a queue made directly): the segment would never roll.
    const queue = openDiskQueue(dir, { maxBytes: 4096, segmentBytes: 1 << 20 });
    for (let e = 0; e < 200; e++) {
      const records = writeExport(queue, e * 4 + 1, 4);
      for (let i = 0; i < records.length; i++) queue.shift();
      queue.acknowledge(records);
    }
    assert.ok(queue.state().diskBytes <= 4096, `${queue.state().diskBytes} bytes`);
    await queue.close();
  } finally {
    cleanup();
  }
});

test('a spool takes an export that fits exactly: a segment header is counted only when one is begun', async () => {
  // Two exports of four records whose names are as long (r1–r4, r5–r8): frames of one length.
  const [oneFrame, twoFrames] = await diskBytesAfter([
    [1, 4],
    [5, 4],
  ]);
  const { dir, cleanup } = tempSpoolDir();
  try {
    const queue = openDiskQueue(dir, { maxBytes: twoFrames });
    writeExport(queue, 1, 4);
    assert.equal(queue.state().diskBytes, oneFrame);
    // The second frame goes after the first, in the same segment: room for it, to the byte.
    writeExport(queue, 5, 4);
    assert.equal(queue.state().diskBytes, twoFrames);
    for (let i = 9; i <= 12; i++) queue.push(testRecord(i));
    const refused = queue.commit();
    assert.equal(refused?.cause, 'spool full');
    assert.match(
      refused?.reason ?? '',
      new RegExp(
        `^spool full \\(${twoFrames} of ${twoFrames} bytes on disk, the export needs \\d+\\)$`,
      ),
    );
    await queue.close();
  } finally {
    cleanup();
  }
});

test('a frame that begins a segment is counted with its header: exactly full is taken, a byte less refused', async () => {
  // A segment's header and one frame.
  const [oneFrame] = await diskBytesAfter([[1, 4]]);
  for (const [spare, taken] of [
    [0, true],
    [-1, false],
  ] as const) {
    const { dir, cleanup } = tempSpoolDir();
    try {
      // Segments of one frame: the second export begins a segment of its own.
      const queue = openDiskQueue(dir, { segmentBytes: oneFrame, maxBytes: 2 * oneFrame + spare });
      writeExport(queue, 1, 4);
      for (let i = 5; i <= 8; i++) queue.push(testRecord(i));
      const refused = queue.commit();
      if (taken) {
        assert.equal(refused, undefined, 'exactly full: taken');
        assert.equal(queue.state().diskBytes, 2 * oneFrame);
        assert.equal(segmentFiles(dir).length, 2);
      } else {
        assert.equal(refused?.cause, 'spool full', 'a byte short: refused');
        assert.match(refused?.reason ?? '', new RegExp(`the export needs ${oneFrame}\\)$`));
      }
      await queue.close();
    } finally {
      cleanup();
    }
  }
});

test("reclaiming the segment being written while another segment's fsync runs closes its descriptor", async () => {
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  const { dir, cleanup } = tempSpoolDir();
  const real = fs.fdatasync;
  const held: (() => void)[] = [];
  // A slow disk: the rolled segment's fsync has not finished when the reclaim comes.
  fs.fdatasync = ((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
    held.push(() => real(fd, done));
  }) as typeof fs.fdatasync;
  const openOnSpool = () =>
    fs
      .readdirSync('/proc/self/fd')
      .map((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      })
      .filter((target) => target.startsWith(dir));
  try {
    const log = new SegmentLog(
      {
        directory: dir,
        maxBytes: 1 << 20,
        fsync: 'interval',
        fsyncIntervalMs: 60_000,
        segmentBytes: 200,
      },
      [],
      1,
    );
    const frame = () => ({ head: Buffer.alloc(150, 1), payload: new Uint8Array(0), length: 150 });
    log.write(frame(), 1);
    log.write(frame(), 1); // rolls: the first segment's fsync is held
    log.forget([1, 2]);
    assert.equal(log.reclaimActive(), true);
    fs.fdatasync = real;
    for (const go of held.splice(0)) go();
    await log.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(openOnSpool(), [], 'no descriptor left on a deleted segment');
  } finally {
    fs.fdatasync = real;
    cleanup();
  }
});

describe('spool errors: the acknowledgement file kept open', () => {
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  /** Our descriptors open on acknowledgement files, deleted ones included. */
  const ackDescriptors = () =>
    fs.readdirSync('/proc/self/fd').flatMap((fd) => {
      try {
        const target = fs.readlinkSync(`/proc/self/fd/${fd}`);
        return /\.ack( \(deleted\))?$/.test(target) ? [target] : [];
      } catch {
        return [];
      }
    });

  test('a write cut short is cut back off: the file keeps whole frames, later acknowledgements hold', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const warnings = captureDiagWarnings();
    const real = fs.writeSync;
    let failNext = false;
    // The disk fills in the middle of one acknowledgement frame: half of it written, then ENOSPC.
    fs.writeSync = ((fd: number, data: Buffer, offset: number, length: number) => {
      if (failNext && fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.ack')) {
        failNext = false;
        real(fd, data, offset, Math.floor(length / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      }
      return real(fd, data, offset, length);
    }) as typeof fs.writeSync;
    try {
      const queue = openDiskQueue(dir);
      writeExport(queue, 1, 6);
      const records = take(queue, 6);
      queue.acknowledge([records[0]]);
      const ackFile = join(
        dir,
        fs.readdirSync(dir).find((name) => name.endsWith('.ack')) as string,
      );
      const frameBytes = fs.statSync(ackFile).size;
      failNext = true;
      queue.acknowledge([records[2]]);
      assert.equal(fs.statSync(ackFile).size, frameBytes, 'the half frame is cut back off');
      queue.acknowledge([records[4]]);
      assert.equal(fs.statSync(ackFile).size, 2 * frameBytes, 'the next frame follows, whole');
      assert.equal(warnings.lines.filter((l) => /acknowledgements failed/.test(l)).length, 1);
      await queue.close();
      const again = openDiskQueue(dir);
      assert.deepEqual(
        again.takeRecovery().records.map((r) => r.record),
        ['r2', 'r3', 'r4', 'r6'],
        'the failed acknowledgement is sent again; the ones around it hold',
      );
      await again.close();
    } finally {
      fs.writeSync = real;
      warnings.stop();
      cleanup();
    }
  });

  test('a segment deleted while its acknowledgement file is the one kept leaves no descriptor on it', async () => {
    const { dir, cleanup } = tempSpoolDir();
    try {
      const queue = openDiskQueue(dir, { segmentBytes: 200 });
      for (let e = 0; e < 10; e++) writeExport(queue, e * 3 + 1, 3);
      const records = take(queue, 30);
      // One by one: each segment's file is the one kept when its last record deletes it.
      for (const record of records.slice(0, 27)) {
        queue.acknowledge([record]);
        assert.ok(ackDescriptors().length <= 1, ackDescriptors().join(', '));
        assert.ok(
          !ackDescriptors().some((target) => target.endsWith('(deleted)')),
          ackDescriptors().join(', '),
        );
      }
      await queue.close();
      assert.deepEqual(ackDescriptors(), [], 'none after close');
    } finally {
      cleanup();
    }
  });

  test('an error the file system gives only at close (NFS, CIFS) is said like a failed write', async () => {
    const { dir, cleanup } = tempSpoolDir();
    const warnings = captureDiagWarnings();
    const real = fs.closeSync;
    fs.closeSync = ((fd: number) => {
      let target = '';
      try {
        target = fs.readlinkSync(`/proc/self/fd/${fd}`);
      } catch {
        // Not ours to name.
      }
      real(fd);
      if (target.endsWith('.ack')) {
        throw Object.assign(new Error('EIO: i/o error, close'), { code: 'EIO' });
      }
    }) as typeof fs.closeSync;
    try {
      const queue = openDiskQueue(dir);
      writeExport(queue, 1, 2);
      queue.acknowledge([take(queue, 2)[0]]);
      await queue.close();
      assert.ok(
        warnings.lines.some((l) => /acknowledgements failed \(EIO/.test(l)),
        warnings.lines.join('\n'),
      );
    } finally {
      fs.closeSync = real;
      warnings.stop();
      cleanup();
    }
  });
});
