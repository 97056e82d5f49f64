import { Worker } from 'node:worker_threads';

/*
 * A loop that never ends blocks the test's own thread, and with it every timer a test runner
 * could use to stop it: the suite hangs until CI's own limit. The watchdog is a worker thread,
 * which the blocked thread does not stop. It waits on a shared flag; if `run` has not settled
 * within the limit, it writes why straight to the process's stderr (the main thread, which
 * would relay a worker's console, is the one that is stuck) and ends the process, so that the
 * test file fails in seconds, naming what hung.
 */
const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const flag = new Int32Array(workerData.flag);
if (Atomics.wait(flag, 0, 0, workerData.limitMs) === 'timed-out') {
  writeSync(2, 'hang watchdog: ' + workerData.label + ' did not return within ' + workerData.limitMs + ' ms\\n');
  process.kill(process.pid, 'SIGKILL');
}
`;

/**
 * Runs `run` and answers what it answers; if it has not settled after `limitMs` (a synchronous
 * loop, or a promise that never settles), the process is ended with a message naming `label`.
 */
export async function withHangWatchdog<T>(
  label: string,
  limitMs: number,
  run: () => T | Promise<T>,
): Promise<T> {
  const flag = new SharedArrayBuffer(4);
  const watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    workerData: { flag, limitMs, label },
  });
  watchdog.unref();
  try {
    return await run();
  } finally {
    const done = new Int32Array(flag);
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  }
}
