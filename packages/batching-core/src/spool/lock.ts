import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  futimesSync,
  linkSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  readlinkSync,
  renameSync,
  statSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'lock';
/** The holder touches its lock file this often (an unref'd timer: it keeps no process alive). */
export const LOCK_REFRESH_MS = 10_000;
/** A lock not touched for this long, whose holder cannot be checked otherwise, is stale. */
export const LOCK_STALE_MS = 60_000;
/** A takeover left half done (its process died in the middle) is abandoned after this long. */
const TAKEOVER_STALE_MS = 10_000;
/** Files beside the lock: `lock.<token>.new` (being created), `.stale` (set aside), `.takeover`. */
const AUX_PREFIX = `${LOCK_FILE}.`;

/** Another live process, or another exporter of this one, holds the spool. */
export class SpoolLockedError extends Error {
  /** The holder's host name, when its lock names one. */
  readonly holderHost: string | undefined;

  constructor(
    readonly directory: string,
    readonly holderPid: number,
    holder: { host?: string; inThisProcess?: boolean; takingOver?: boolean } = {},
  ) {
    const where = holder.host === undefined ? '' : ` on host ${holder.host}`;
    super(
      holder.inThisProcess
        ? `spool ${directory} is already open in this process (two exporters with the same name and signal, or one in each of two threads?)`
        : `spool ${directory} is ${holder.takingOver ? 'being taken over' : 'in use'} by ${holderPid > 0 ? `process ${holderPid}` : 'another process'}${where}; give each process its own directory (a lock file, ${LOCK_FILE}, says who holds it; one not refreshed for ${LOCK_STALE_MS / 1000} s is taken over)`,
    );
    this.name = 'SpoolLockedError';
    this.holderHost = holder.host;
  }
}

/** What a lock file says. Older versions wrote `pid [start]` only (no token, no lease). */
interface LockRecord {
  pid: number;
  /** The holder's start time in clock ticks since boot (Linux), naming one process with the pid. */
  start?: string;
  /** Which kernel: Linux's boot id; elsewhere the platform and host name. */
  boot?: string;
  /** Which PID namespace (Linux), so that a pid means the same process to us as to the holder. */
  pidns?: string;
  /** Host name, for the error message only. */
  host?: string;
  /** Random, one per open: whose lock this is (a pid is not: threads and namespaces share it). */
  token?: string;
}

let identity: Omit<LockRecord, 'token'> | undefined;

function ourIdentity(): Omit<LockRecord, 'token'> {
  identity ??= {
    pid: process.pid,
    start: startTimeOf(process.pid),
    boot: bootId(),
    pidns: pidNamespace(),
    host: hostname(),
  };
  return identity;
}

/**
 * Takes the directory's lock: a file made whole and then linked into place (so it exists only
 * complete), naming our pid, host, PID namespace and a token of this open. The holder refreshes
 * its mtime every LOCK_REFRESH_MS. Another opener takes the lock as stale when its holder is
 * gone: on the same kernel and in the same PID namespace, by the holder's pid and start time;
 * otherwise when it has not been refreshed for LOCK_STALE_MS. A stale lock is taken over by one
 * process at a time (a `lock.takeover` file created exclusively); every other opener, this
 * process and its worker threads included, is refused with SpoolLockedError.
 *
 * Returns the release: it removes the lock only when it is still ours. The spool asks `held()`
 * before writing each export (a holder is taken over only when it has not refreshed for
 * LOCK_STALE_MS: it was stopped or frozen that long), and writes, acknowledges and deletes
 * nothing once it has answered no; the holder warns at its next refresh: see the README.
 */
export function acquireLock(directory: string): SpoolLock {
  const path = join(directory, LOCK_FILE);
  const token = randomBytes(16).toString('hex');
  const content = `${JSON.stringify({ ...ourIdentity(), token })}\n`;
  let last: LockRecord | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (create(path, content, token)) return hold(directory, path, token);
    const seen = readLock(path);
    if (seen === undefined) continue; // released in between: try again
    last = seen.record;
    if (!isStale(seen.record, seen.mtimeMs)) throw lockedError(directory, seen.record);
    const taken = takeOver(directory, path, token, content, seen);
    if (taken === 'ours') return hold(directory, path, token);
  }
  // Others kept creating and releasing it under us: they are live.
  throw lockedError(directory, last);
}

/** Who holds a spool's lock, as a process other than the holder sees it (`inspectSpool`). */
export interface LockHolder {
  /** 0 when the lock cannot be read (cut short, another user's). */
  pid: number;
  host: string | undefined;
  /** The lock's mtime: its holder's last refresh. */
  refreshedAtMs: number;
  /**
   * Whether the holder is gone, as far as a tool can tell: by its pid where that names the same
   * process here, else only once its lease ran out. (An exporter opening the spool takes over a
   * holder in another PID namespace of this kernel at once, as a container restarted after a
   * crash must; a tool run from the host or a sidecar sees a live exporter there.)
   */
  stale: boolean;
}

/** The holder of the directory's lock; undefined when there is no lock. */
export function lockHolder(directory: string): LockHolder | undefined {
  const seen = readLockQuietly(join(directory, LOCK_FILE));
  if (!seen) return undefined;
  const holder = seen.record;
  const pidTells =
    holder === undefined || holder.token === undefined || sameKernelAndPidNamespace(holder);
  return {
    pid: holder?.pid ?? 0,
    host: holder?.host,
    refreshedAtMs: seen.mtimeMs,
    stale: pidTells ? isStale(holder, seen.mtimeMs) : Date.now() - seen.mtimeMs > LOCK_STALE_MS,
  };
}

function lockedError(directory: string, holder: LockRecord | undefined): SpoolLockedError {
  const pid = holder?.pid ?? 0;
  return new SpoolLockedError(directory, pid, {
    host: holder?.host,
    inThisProcess: holder !== undefined && pid === process.pid && sameKernelAndPidNamespace(holder),
  });
}

/** Creates the lock, complete, where there is none; false when there is one. */
function create(path: string, content: string, token: string): boolean {
  const draft = `${path}.${token}.new`;
  writeFileSync(draft, content, { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EOPNOTSUPP') {
      throw error;
    }
    // A file system without hard links: created exclusively, then written (briefly empty, which
    // a reader takes as a live lock until LOCK_STALE_MS has passed).
    return createInPlace(path, content);
  } finally {
    unlinkQuietly(draft);
  }
}

function createInPlace(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
  return true;
}

interface SeenLock {
  text: string;
  record: LockRecord | undefined;
  mtimeMs: number;
  ino: number;
  dev: number;
}

/** The lock's content and times, read through one descriptor; undefined when there is none. */
function readLock(path: string): SeenLock | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const buffer = Buffer.alloc(Math.min(stat.size, 4096));
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, length);
    return { text, record: parseLock(text), mtimeMs: stat.mtimeMs, ino: stat.ino, dev: stat.dev };
  } finally {
    closeSync(fd);
  }
}

/**
 * `readLock` for a holder that only wants to know whose the lock is now: what it cannot read (a
 * holder of another user, EACCES; not a file, EISDIR) is no one it can name. Thrown in the lease
 * timer, the error would end the process.
 */
function readLockQuietly(path: string): SeenLock | undefined {
  try {
    return readLock(path);
  } catch {
    return undefined;
  }
}

function parseLock(text: string): LockRecord | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const record = JSON.parse(trimmed) as LockRecord;
      return Number.isInteger(record.pid) && typeof record.token === 'string' ? record : undefined;
    } catch {
      return undefined; // cut short: judged by its age
    }
  }
  const [pidText, startText] = trimmed.split(/\s+/);
  const pid = Number.parseInt(pidText, 10);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return { pid, start: startText === undefined || startText === '-' ? undefined : startText };
}

function isStale(holder: LockRecord | undefined, mtimeMs: number): boolean {
  const leaseExpired = Date.now() - mtimeMs > LOCK_STALE_MS;
  // Unreadable (cut short, or an empty file being written where there are no hard links).
  if (holder === undefined) return leaseExpired;
  if (holder.token === undefined) {
    // An older version's lock, without a lease: its pid and start time are all there is.
    if (holder.pid === process.pid && holder.start === undefined) return true;
    return !(isAlive(holder.pid) && sameProcess(holder.pid, holder.start));
  }
  if (!sameKernelAndPidNamespace(holder)) {
    const us = ourIdentity();
    // This kernel, another PID namespace (both known: one unread is no evidence): a pid there
    // cannot be checked from here. Most often it is this same container restarted after a crash
    // or an OOM kill (a restart gets a new namespace), whose spool must be replayed now, not in
    // a minute; a live sibling container sharing the directory is what the README rules out.
    const sameKernel = us.boot !== undefined && holder.boot === us.boot;
    if (sameKernel && us.pidns !== undefined && holder.pidns !== undefined) return true;
    // The same host under another boot id: the host has rebooted since, and its holder with it.
    if (
      holder.host !== undefined &&
      holder.host === us.host &&
      us.boot !== undefined &&
      holder.boot !== undefined &&
      holder.boot !== us.boot
    ) {
      return true;
    }
    // Another host (a shared network file system): only the lease tells.
    return leaseExpired;
  }
  // The pid means the same process to us as to the holder: ask the kernel.
  // Another open of this process (any thread); not refreshed, one of a thread that ended unclosed.
  if (holder.pid === process.pid) return leaseExpired;
  if (!isAlive(holder.pid)) return true;
  if (holder.start !== undefined) {
    const start = startTimeOf(holder.pid);
    if (start !== undefined) return start !== holder.start; // a reused pid
  }
  // Alive, with no start time to tell: a holder refreshes, a process that reused the pid does not.
  return leaseExpired;
}

type Takeover = 'ours' | 'again';

/**
 * Replaces a stale lock with ours, one process at a time: the `lock.takeover` file is created
 * exclusively; under it the lock is checked to be still the one judged stale, set aside by
 * rename (and checked again), removed, and ours created. Throws SpoolLockedError while another
 * process is doing the same.
 */
function takeOver(
  directory: string,
  path: string,
  token: string,
  content: string,
  seen: SeenLock,
): Takeover {
  const claim = `${path}.takeover`;
  try {
    writeFileSync(claim, content, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readLock(claim);
    if (other === undefined) return 'again';
    if (Date.now() - other.mtimeMs > TAKEOVER_STALE_MS) {
      // Its process died in the middle of the takeover.
      if (readLock(claim)?.text === other.text) unlinkQuietly(claim);
      return 'again';
    }
    throw new SpoolLockedError(directory, other.record?.pid ?? 0, {
      host: other.record?.host,
      takingOver: true,
    });
  }
  try {
    const now = readLock(path);
    if (now === undefined) return create(path, content, token) ? 'ours' : 'again';
    if (now.text !== seen.text || now.ino !== seen.ino || now.dev !== seen.dev) return 'again';
    const aside = `${path}.${token}.stale`;
    try {
      renameSync(path, aside);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'again';
      throw error;
    }
    let moved: string | undefined;
    try {
      moved = readFileSync(aside, 'utf8');
    } catch {
      moved = undefined;
    }
    if (moved !== seen.text) {
      // Not the lock judged stale (a process that does not take the claim replaced it): put back.
      try {
        linkSync(aside, path);
      } catch {
        // Another lock is there now: it is the live one.
      }
      unlinkQuietly(aside);
      return 'again';
    }
    unlinkQuietly(aside);
    return create(path, content, token) ? 'ours' : 'again';
  } finally {
    unlinkQuietly(claim);
  }
}

/** The lock's release; `held()` says whether it is still ours (one stat call). */
export type SpoolLock = (() => void) & { held(): boolean };

/** Keeps the lock fresh while it is held; returns its release. */
function hold(directory: string, path: string, token: string): SpoolLock {
  let fd: number | undefined = openHeld(path);
  if (readLock(path)?.record?.token !== token) {
    // Taken from under us between its creation and this open (only a stale lock is taken).
    closeSync(fd);
    throw lockedError(directory, readLock(path)?.record);
  }
  // The identity of the file we hold: an open descriptor's inode never changes, so it is read
  // once, and each check (before every spool write) is one `stat` of the name.
  let mine: { ino: number; dev: number };
  try {
    mine = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    // Ours and never to be refreshed: left, it would refuse every opener for LOCK_STALE_MS.
    if (readLock(path)?.record?.token === token) unlinkQuietly(path);
    throw error;
  }
  removeLeftovers(directory, token);
  let lost = false;
  const held = (): boolean => {
    if (fd === undefined || lost) return false;
    try {
      const there = statSync(path);
      return mine.ino === there.ino && mine.dev === there.dev;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
  };
  const timer = setInterval(() => {
    if (fd === undefined || lost) return;
    if (!held()) {
      lost = true;
      clearInterval(timer);
      const holder = readLockQuietly(path)?.record;
      const by = holder
        ? ` by process ${holder.pid}${holder.host === undefined ? '' : ` on host ${holder.host}`}`
        : '';
      process.emitWarning(
        `spool ${directory}: its lock was taken over${by} while this process held it (not refreshed for ${LOCK_STALE_MS / 1000} s: was the process stopped or paused that long?); this process no longer holds the spool`,
        'SpoolLockLostWarning',
      );
      return;
    }
    const now = new Date();
    try {
      futimesSync(fd, now, now);
    } catch {
      try {
        utimesSync(path, now, now); // opened read-only
      } catch {
        // Refreshed at the next tick: the lease has LOCK_STALE_MS / LOCK_REFRESH_MS chances.
      }
    }
  }, LOCK_REFRESH_MS);
  timer.unref();
  const release = (): void => {
    clearInterval(timer);
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
    // Only our own lock is removed: one taken over while we were stopped is another's.
    if (readLockQuietly(path)?.record?.token === token) unlinkQuietly(path);
  };
  return Object.assign(release, { held });
}

/** Our lock, open for as long as we hold it: its identity (inode) tells whether it is still ours. */
function openHeld(path: string): number {
  try {
    return openSync(path, 'r+');
  } catch {
    return openSync(path, 'r');
  }
}

/** Drafts and set-aside locks of processes that died creating or taking over the lock. */
function removeLeftovers(directory: string, token: string): void {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(AUX_PREFIX) || name.includes(token)) continue;
    if (!name.endsWith('.new') && !name.endsWith('.stale')) continue;
    try {
      if (Date.now() - statSync(join(directory, name)).mtimeMs > LOCK_STALE_MS) {
        unlinkSync(join(directory, name));
      }
    } catch {
      // Gone already.
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** The holder's pid means the same process here: same kernel, same PID namespace. */
function sameKernelAndPidNamespace(holder: LockRecord): boolean {
  const us = ourIdentity();
  return (
    us.boot !== undefined &&
    us.pidns !== undefined &&
    holder.boot === us.boot &&
    holder.pidns === us.pidns
  );
}

/** Linux's boot id (shared by the containers of one kernel); elsewhere platform and host name. */
function bootId(): string | undefined {
  if (process.platform !== 'linux') return `${process.platform}:${hostname()}`;
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Linux's PID namespace of this process (`pid:[inode]`); other platforms have one. */
function pidNamespace(): string | undefined {
  if (process.platform !== 'linux') return 'none';
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

/**
 * When the process started, in clock ticks since boot (Linux's /proc/<pid>/stat, field 22):
 * with the pid it names one process, so a pid reused by another (a container restarted on
 * the same volume) does not pass for the lock's holder. Undefined where there is no /proc.
 */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name, in parentheses, may hold spaces: fields are counted after it.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** The live process `pid` is the one that wrote the lock (when both start times are known). */
function sameProcess(pid: number, recordedStart: string | undefined): boolean {
  if (recordedStart === undefined) return true;
  const start = startTimeOf(pid);
  return start === undefined || start === recordedStart;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
