import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { withHangWatchdog } from '../src/testing';

test('the hang watchdog answers what the run answers, sync or async, and passes its error on', async () => {
  assert.equal(await withHangWatchdog('sync', 5_000, () => 42), 42);
  assert.equal(
    await withHangWatchdog('async', 5_000, async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return 'later';
    }),
    'later',
  );
  await assert.rejects(
    withHangWatchdog('throws', 5_000, () => {
      throw new Error('boom');
    }),
    /boom/,
  );
});

test('a run that never returns ends the process within the limit, naming what hung', () => {
  // In a child: the watchdog ends the whole process, as it would end a test file.
  const child = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `require(${JSON.stringify(require.resolve('../src/testing'))}).withHangWatchdog('the endless loop', 300, () => { for (;;); })`,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(child.signal, 'SIGKILL', `status ${child.status}, signal ${child.signal}`);
  assert.match(child.stderr, /hang watchdog: the endless loop did not return within 300 ms/);
});
