import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import {
  LOCK_FILE,
  LOCK_REFRESH_MS,
  LOCK_STALE_MS,
  SpoolLockedError,
  acquireLock,
} from '../src/spool/lock';
import { captureDiagWarnings } from '../src/testing';
import {
  openDiskQueue,
  segmentFiles,
  take,
  tempSpoolDir,
  testRecord,
  writeExport,
} from './helpers/spool';

const LOCK_MODULE = resolve(__dirname, '../src/spool/lock.ts');
/** Far above any pid_max: never a live process. */
const DEAD_PID = 2147483646;

function lockOf(dir: string): string {
  return join(dir, LOCK_FILE);
}

/** This process's start time (Linux), as a lock names it. */
function ourStart(): string | undefined {
  try {
    const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** What this process's own lock says of its kernel and PID namespace. */
function ourPlace(): { boot?: string; pidns?: string } {
  const { dir, cleanup } = tempSpoolDir('place');
  try {
    const release = acquireLock(dir);
    const record = JSON.parse(readFileSync(lockOf(dir), 'utf8')) as {
      boot?: string;
      pidns?: string;
    };
    release();
    return { boot: record.boot, pidns: record.pidns };
  } finally {
    cleanup();
  }
}

function writeLock(dir: string, record: object | string, ageMs = 0): void {
  writeFileSync(lockOf(dir), typeof record === 'string' ? record : `${JSON.stringify(record)}\n`);
  if (ageMs > 0) {
    const then = new Date(Date.now() - ageMs);
    utimesSync(lockOf(dir), then, then);
  }
}

/**
 * A child process that, for each `<directory> <startAtMs>` line on its stdin, spins until the
 * time and takes the lock, printing HELD or REFUSED <error name>; it keeps what it took (a live
 * holder) until its stdin ends.
 */
function spawnTaker(): { child: ChildProcess; lines: AsyncIterator<string> } {
  const code = `
    const { acquireLock } = require(${JSON.stringify(LOCK_MODULE)});
    const held = [];
    require('node:readline').createInterface({ input: process.stdin }).on('line', (line) => {
      const [dir, at] = line.split(' ');
      while (Date.now() < Number(at)) {}
      try { held.push(acquireLock(dir)); console.log('HELD'); }
      catch (e) { console.log('REFUSED ' + e.name + ' ' + (e.code ?? '')); }
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', code], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

/** The `SpoolLockLostWarning`s this process emits until `stop()`. */
function captureLockLostWarnings(): { seen: Error[]; stop(): void } {
  const seen: Error[] = [];
  const onWarning = (warning: Error): void => {
    if (warning.name === 'SpoolLockLostWarning') seen.push(warning);
  };
  process.on('warning', onWarning);
  return { seen, stop: () => process.off('warning', onWarning) };
}

describe('spool lock: one holder, whoever asks', () => {
  test('several processes starting on a stale lock at once: exactly one takes it, every round', async () => {
    const takers = Array.from({ length: 5 }, spawnTaker);
    try {
      // Ready: each answers a first round on a directory of its own.
      const warmups = takers.map(() => tempSpoolDir('lock-warm'));
      takers.forEach(({ child }, i) => child.stdin!.write(`${warmups[i].dir} 0\n`));
      for (const { lines } of takers) assert.equal((await lines.next()).value, 'HELD');
      warmups.forEach(({ cleanup }) => cleanup());
      for (let round = 0; round < 20; round++) {
        const { dir, cleanup } = tempSpoolDir('lock-race');
        try {
          writeLock(dir, `${DEAD_PID} 12345\n`);
          const at = Date.now() + 30;
          for (const { child } of takers) child.stdin!.write(`${dir} ${at}\n`);
          const outcomes = await Promise.all(
            takers.map(async ({ lines }) => (await lines.next()).value as string),
          );
          assert.equal(
            outcomes.filter((o) => o === 'HELD').length,
            1,
            `round ${round}: ${outcomes.join(', ')}`,
          );
          for (const outcome of outcomes.filter((o) => o !== 'HELD')) {
            assert.match(outcome, /^REFUSED SpoolLockedError/, `round ${round}`);
          }
        } finally {
          cleanup();
        }
      }
    } finally {
      for (const { child } of takers) child.kill('SIGKILL');
    }
  });

  test('a worker thread opening a directory the main thread holds is refused', async () => {
    const { dir, cleanup } = tempSpoolDir('lock-worker');
    const release = acquireLock(dir);
    try {
      const code = `
        const { parentPort, workerData } = require('node:worker_threads');
        require('tsx/cjs/api').register();
        const { acquireLock } = require(workerData.module);
        try { acquireLock(workerData.dir); parentPort.postMessage('HELD'); }
        catch (e) { parentPort.postMessage(e.name + ': ' + e.message); }`;
      const worker = new Worker(code, {
        eval: true,
        workerData: { dir, module: LOCK_MODULE },
      });
      const answer = await new Promise<string>((done, fail) => {
        worker.once('message', done);
        worker.once('error', fail);
      });
      await worker.terminate();
      assert.match(answer, /^SpoolLockedError: .*already open in this process/);
      // The main thread's lock is untouched, and released at its close.
      release();
      assert.equal(existsSync(lockOf(dir)), false);
    } finally {
      release();
      cleanup();
    }
  });

  test('a second open in this process is refused, naming this process', () => {
    const { dir, cleanup } = tempSpoolDir('lock-twice');
    try {
      const release = acquireLock(dir);
      assert.throws(() => acquireLock(dir), /already open in this process/);
      release();
      acquireLock(dir)();
    } finally {
      cleanup();
    }
  });

  test('a lock naming our own pid but not our token is not stale while its lease is fresh', () => {
    const { dir, cleanup } = tempSpoolDir('lock-ownpid');
    try {
      const start = ourStart();
      // Another PID namespace (a second container on the same volume, also pid 1 there).
      const elsewhere = {
        pid: process.pid,
        start,
        boot: 'another-kernel',
        pidns: 'pid:[1]',
        host: 'other-pod',
        token: 'f'.repeat(32),
      };
      writeLock(dir, elsewhere);
      assert.throws(
        () => acquireLock(dir),
        (error: unknown) =>
          error instanceof SpoolLockedError &&
          error.holderPid === process.pid &&
          error.holderHost === 'other-pod' &&
          /in use by process \d+ on host other-pod/.test(error.message),
      );
      assert.equal(JSON.parse(readFileSync(lockOf(dir), 'utf8')).token, elsewhere.token);
      // An older version's lock (pid and start time) naming our pid with our start time.
      if (start !== undefined) {
        writeLock(dir, `${process.pid} ${start}\n`);
        assert.throws(() => acquireLock(dir), SpoolLockedError);
      }
      // This kernel and namespace: our pid is this process, another open of it.
      writeLock(dir, { ...elsewhere, ...ourPlace(), host: hostname() });
      assert.throws(() => acquireLock(dir), /already open in this process/);
      // Unless it is not refreshed: a worker thread that held it ended without closing it.
      writeLock(dir, { ...elsewhere, ...ourPlace(), host: hostname() }, LOCK_STALE_MS + 5_000);
      acquireLock(dir)();
    } finally {
      cleanup();
    }
  });

  test('this kernel, another PID namespace (the container restarted after a crash): taken over at once', () => {
    const { dir, cleanup } = tempSpoolDir('lock-restart');
    try {
      const before = {
        pid: process.pid,
        boot: ourPlace().boot,
        pidns: 'pid:[4026532999]',
        host: hostname(),
        token: 'c'.repeat(32),
      };
      if (before.boot === undefined) return; // no boot id here: only the lease applies
      writeLock(dir, before); // refreshed a moment ago, as a crashed holder's may be
      acquireLock(dir)();
      // The same host name under another boot id: the host rebooted since.
      writeLock(dir, { ...before, boot: 'a-boot-before-this-one', pidns: ourPlace().pidns });
      acquireLock(dir)();
      // A namespace that could not be read is no evidence: the lease decides.
      const { pidns: _unread, ...unread } = before;
      writeLock(dir, { ...unread, pid: process.pid + 1 });
      assert.throws(() => acquireLock(dir), SpoolLockedError);
    } finally {
      cleanup();
    }
  });

  test('a dead holder is taken over: an expired lease, or a dead pid on this kernel', () => {
    const { dir, cleanup } = tempSpoolDir('lock-dead');
    try {
      const foreign = {
        pid: 4242,
        boot: 'another-kernel',
        pidns: 'pid:[1]',
        host: 'other-pod',
        token: 'e'.repeat(32),
      };
      writeLock(dir, foreign, LOCK_STALE_MS - 5_000);
      assert.throws(() => acquireLock(dir), /in use by process 4242 on host other-pod/);
      writeLock(dir, foreign, LOCK_STALE_MS + 5_000);
      let release = acquireLock(dir);
      release();
      writeLock(dir, { ...foreign, ...ourPlace(), pid: DEAD_PID });
      release = acquireLock(dir);
      release();
      assert.deepEqual(readdirSync(dir), [], 'nothing left beside the lock');
    } finally {
      cleanup();
    }
  });

  test('a takeover under way refuses the others; one left by a dead process is abandoned', () => {
    const { dir, cleanup } = tempSpoolDir('lock-claim');
    try {
      writeLock(dir, `${DEAD_PID} 12345\n`);
      const claim = join(dir, `${LOCK_FILE}.takeover`);
      writeFileSync(claim, `${JSON.stringify({ pid: 4343, host: 'h', token: 'b'.repeat(32) })}\n`);
      assert.throws(() => acquireLock(dir), /being taken over by process 4343 on host h/);
      const then = new Date(Date.now() - 20_000);
      utimesSync(claim, then, then);
      const release = acquireLock(dir);
      assert.equal(existsSync(claim), false);
      release();
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      cleanup();
    }
  });

  test('release removes only our own lock', () => {
    const { dir, cleanup } = tempSpoolDir('lock-release');
    try {
      const release = acquireLock(dir);
      assert.equal(release.held(), true);
      // Taken over while we were stopped: the lock is another's now.
      writeFileSync(join(dir, 'other'), `${JSON.stringify({ pid: 7, token: 'd'.repeat(32) })}\n`);
      renameSync(join(dir, 'other'), lockOf(dir));
      assert.equal(release.held(), false);
      release();
      assert.equal(existsSync(lockOf(dir)), true, "another's lock is left in place");
      assert.match(readFileSync(lockOf(dir), 'utf8'), /"token":"d{32}"/);
    } finally {
      cleanup();
    }
  });

  test('the holder refreshes its lease, and warns when its lock was taken over', async (t) => {
    t.mock.timers.enable({ apis: ['setInterval'] });
    const { dir, cleanup } = tempSpoolDir('lock-lease');
    const warnings = captureLockLostWarnings();
    try {
      const release = acquireLock(dir);
      const old = new Date(Date.now() - LOCK_STALE_MS);
      utimesSync(lockOf(dir), old, old);
      t.mock.timers.tick(LOCK_REFRESH_MS);
      assert.ok(Date.now() - statSync(lockOf(dir)).mtimeMs < LOCK_REFRESH_MS, 'refreshed');
      writeFileSync(join(dir, 'other'), `${JSON.stringify({ pid: 7, token: 'c'.repeat(32) })}\n`);
      renameSync(join(dir, 'other'), lockOf(dir));
      t.mock.timers.tick(LOCK_REFRESH_MS);
      release();
      assert.ok(existsSync(lockOf(dir)), "another's lock is left in place");
      await new Promise<void>((done) => setImmediate(done));
      assert.equal(warnings.seen.length, 1);
      assert.equal(warnings.seen[0].name, 'SpoolLockLostWarning');
      assert.match(warnings.seen[0].message, /taken over by process 7/);
    } finally {
      warnings.stop();
      cleanup();
    }
  });
});

test('a lock taken over by one this process cannot read: the warning names no holder, the process goes on', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { dir, cleanup } = tempSpoolDir('lock-unreadable');
  const warnings = captureLockLostWarnings();
  try {
    const release = acquireLock(dir);
    // What the holder finds in place of its lock cannot be read (here a directory: EISDIR; a
    // root process's 0600 file gives EACCES). Read in the lease timer, it used to throw there.
    rmSync(lockOf(dir));
    mkdirSync(lockOf(dir));
    t.mock.timers.tick(LOCK_REFRESH_MS);
    release();
    await new Promise<void>((done) => setImmediate(done));
    assert.equal(warnings.seen.length, 1);
    assert.match(warnings.seen[0].message, /its lock was taken over while this process held it/);
  } finally {
    warnings.stop();
    cleanup();
  }
});

test('a lock taken over between exports: acknowledging and closing write and delete nothing', async () => {
  const { dir, cleanup } = tempSpoolDir('lock-lost-between');
  const warnings = captureDiagWarnings();
  try {
    // Small segments: the exports fill three, which acknowledging all of them would delete.
    const queue = openDiskQueue(dir, { segmentBytes: 200 });
    const written = [writeExport(queue, 1, 4), writeExport(queue, 5, 4), writeExport(queue, 9, 4)];
    const segments = segmentFiles(dir);
    assert.ok(segments.length >= 2, segments.join());
    const other = `${JSON.stringify({ pid: 1, host: 'elsewhere', token: 'd'.repeat(32) })}\n`;
    rmSync(lockOf(dir));
    writeFileSync(lockOf(dir), other);
    for (let i = 0; i < 12; i++) queue.shift();
    // No export between the takeover and these: nothing checked the lock before.
    queue.acknowledge(written.flat());
    assert.deepEqual(segmentFiles(dir), segments, 'no segment deleted');
    assert.ok(!readdirSync(dir).some((name) => name.endsWith('.ack')), 'no acknowledgement');
    assert.match(String(queue.state().error), /taken over by another process/);
    await queue.close();
    assert.deepEqual(segmentFiles(dir), segments);
    assert.equal(readFileSync(lockOf(dir), 'utf8'), other, "the other's lock is left in place");
  } finally {
    warnings.stop();
    cleanup();
  }
});

test('a lock taken over after the last acknowledgement: closing deletes and syncs nothing of the new owner', async () => {
  const { dir, cleanup } = tempSpoolDir('lock-lost-close');
  const warnings = captureDiagWarnings();
  try {
    const queue = openDiskQueue(dir);
    writeExport(queue, 1, 3);
    // Delivered while the lock was ours: a close now would delete the fully delivered segment.
    queue.acknowledge(take(queue, 3));
    const segments = segmentFiles(dir);
    const other = `${JSON.stringify({ pid: 1, host: 'elsewhere', token: 'd'.repeat(32) })}\n`;
    rmSync(lockOf(dir));
    writeFileSync(lockOf(dir), other);
    await queue.close();
    assert.deepEqual(segmentFiles(dir), segments, "the new owner's files are left as they are");
    assert.equal(readFileSync(lockOf(dir), 'utf8'), other);
  } finally {
    warnings.stop();
    cleanup();
  }
});

test('a queue whose lock was taken over writes nothing more to the directory, and keeps its records in memory', async () => {
  const { dir, cleanup } = tempSpoolDir('lock-lost');
  const warnings = captureDiagWarnings();
  try {
    const queue = openDiskQueue(dir);
    const first = writeExport(queue, 1, 2);
    const [segment] = segmentFiles(dir);
    const size = statSync(join(dir, segment)).size;
    // Another process took the lock over (this one was paused past the lease): a lock of its own.
    const other = `${JSON.stringify({ pid: 1, host: 'elsewhere', token: 'd'.repeat(32) })}\n`;
    rmSync(lockOf(dir));
    writeFileSync(lockOf(dir), other);
    const later = [testRecord(3), testRecord(4)];
    for (const record of later) queue.push(record);
    assert.equal(queue.commit(), undefined, 'accepted, in memory');
    assert.equal(statSync(join(dir, segment)).size, size, 'nothing more written');
    const onSpoolFiles = readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return /\.(seg|ack)( \(deleted\))?$/.test(readlinkSync(`/proc/self/fd/${fd}`));
      } catch {
        return false;
      }
    });
    assert.deepEqual(onSpoolFiles, [], "no descriptor left on files that are the other's now");
    const taken = [1, 2, 3, 4].map(() => queue.shift());
    assert.deepEqual(
      taken.map((r) => r?.record),
      ['r1', 'r2', 'r3', 'r4'],
    );
    queue.acknowledge([...first, ...later]);
    assert.deepEqual(segmentFiles(dir), [segment], 'no acknowledgement written, nothing deleted');
    assert.ok(!readdirSync(dir).some((name) => name.endsWith('.ack')));
    assert.match(String(queue.state().error), /taken over by another process/);
    assert.ok(warnings.lines.some((line) => /taken over by another process/.test(line)));
    await queue.close();
    assert.deepEqual(segmentFiles(dir), [segment]);
    assert.equal(readFileSync(lockOf(dir), 'utf8'), other, "the other's lock is left in place");
  } finally {
    warnings.stop();
    cleanup();
  }
});
