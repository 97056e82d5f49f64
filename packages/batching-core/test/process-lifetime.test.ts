import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * An exporter never keeps a process alive by itself (its background timers are unref'd), but a
 * process that awaits forceFlush or shutdown lives until that work is done. Each case runs in
 * its own Node process so that the test sees whether the process exits.
 */

const core = JSON.stringify(join(__dirname, '..', 'src', 'index.ts'));

function runScript(body: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    const { Pipeline } = require(${core});
    const sent = [];
    const sender = {
      sizeOf: () => 10,
      send: async (batch, ctx) => {
        sent.push(...batch);
        return ctx.attempt < 3 ? { kind: 'retryable', reason: '503' } : { kind: 'delivered' };
      },
    };
    ${body}
  `;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

test('pending records and retry timers do not keep the process alive', () => {
  const result = runScript(`
    const p = new Pipeline({ name: 't', signal: 'logs', sender, flushIntervalMs: 60000, initialBackoffMs: 60000, maxBackoffMs: 60000 });
    p.submit([1, 2, 3]).then(() => p.forceFlush(1)).then(() => console.log('submitted', p.stats().pending));
  `);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /submitted 3/, 'exited on its own with records pending');
});

test('awaiting shutdown keeps the process alive until the retries have delivered', () => {
  const result = runScript(`
    const p = new Pipeline({ name: 't', signal: 'logs', sender, flushIntervalMs: 60000, initialBackoffMs: 200, maxBackoffMs: 200, random: () => 1 });
    p.submit([1, 2, 3])
      .then(() => p.shutdown(10000))
      .then(() => console.log(JSON.stringify(p.stats())));
  `);
  assert.equal(result.status, 0, result.stderr);
  const stats = JSON.parse(result.stdout.trim()) as { delivered: number; pending: number };
  assert.equal(stats.delivered, 3);
  assert.equal(stats.pending, 0);
});
