import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { Pipeline } from '../src';
import type { PipelineStats, SendResult } from '../src';
import { assertLedgerBalances } from '../src/testing';
import { range } from './helpers/scripted-sender';
import { tempSpoolDir } from './helpers/spool';

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
