import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'lock';

/** Another live process, or another exporter of this one, holds the spool. */
export class SpoolLockedError extends Error {
  constructor(
    readonly directory: string,
    readonly holderPid: number,
  ) {
    super(
      holderPid === process.pid
        ? `spool ${directory} is already open in this process (two exporters with the same name and signal?)`
        : `spool ${directory} is in use by process ${holderPid}; give each process its own directory (a lock file, ${LOCK_FILE}, says who holds it)`,
    );
    this.name = 'SpoolLockedError';
  }
}

/** Open spools of this process: a lock file naming our own pid is not stale. */
const heldHere = new Set<string>();

/**
 * Takes the directory's lock: a file created exclusively, holding our pid and start time. A
 * lock left by a process that is gone (a crash never removes it), or whose pid now belongs to
 * another process, is taken over; one of a live process is not.
 */
export function acquireLock(directory: string): () => void {
  const path = join(directory, LOCK_FILE);
  if (heldHere.has(path)) throw new SpoolLockedError(directory, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid} ${startTimeOf(process.pid) ?? '-'}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const [pidText, startText] = readFileSync(path, 'utf8').trim().split(/\s+/);
      const holder = Number.parseInt(pidText, 10);
      if (
        Number.isInteger(holder) &&
        holder > 0 &&
        holder !== process.pid &&
        isAlive(holder) &&
        sameProcess(holder, startText)
      ) {
        throw new SpoolLockedError(directory, holder);
      }
      // Stale: the holder is gone (or the file was cut short by a crash while it was written).
      unlinkSync(path);
    }
  }
  heldHere.add(path);
  return () => {
    heldHere.delete(path);
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
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
  if (recordedStart === undefined || recordedStart === '-') return true;
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
