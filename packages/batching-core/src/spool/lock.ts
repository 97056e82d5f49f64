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
 * Takes the directory's lock: a file created exclusively, holding our pid. A lock left by a
 * process that is gone (a crash never removes it) is taken over; one of a live process is not.
 */
export function acquireLock(directory: string): () => void {
  const path = join(directory, LOCK_FILE);
  if (heldHere.has(path)) throw new SpoolLockedError(directory, process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = Number.parseInt(readFileSync(path, 'utf8'), 10);
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
