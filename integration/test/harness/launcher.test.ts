import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { BackendDefinition } from '../../src/backend';
import { envVarFor } from '../../src/backend';
import { BackendStartError, isAlive, probe, startBackend, stopBackend } from '../../src/launcher';

/*
 * The launcher against tiny stand-in backends (Node one-liners): it must start on a free port,
 * stop the whole process group, clean up, and report a failed start by name with its log tail.
 */

function nodeBackend(
  id: string,
  script: string,
  extra: Partial<BackendDefinition> = {},
): BackendDefinition {
  return {
    id,
    kind: 'fake',
    description: `test stand-in ${id}`,
    composeService: id,
    composeUrl: 'http://127.0.0.1:1',
    available: async () => ({ ok: true }),
    command: ({ port }) => ({
      command: process.execPath,
      args: ['-e', script.replace('PORT', String(port))],
    }),
    ready: async (url) => (await probe(url))?.status === 200,
    startTimeoutMs: 10_000,
    ...extra,
  };
}

const server = `
  const http = require('node:http');
  http.createServer((req, res) => res.end('up')).listen(PORT, '127.0.0.1');
`;

test('starts on a free port, answers, and stops with its forked children and its directory', async () => {
  const withChild = `
    require('node:child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    ${server}
  `;
  const backend = await startBackend(nodeBackend('standin', withChild));
  try {
    assert.match(backend.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await probe(backend.url))?.text, 'up');
    assert.ok(existsSync(backend.dir));
  } finally {
    await stopBackend(backend);
  }
  assert.equal(isAlive(backend.pid), false);
  assert.equal(existsSync(backend.dir), false, 'temporary directory removed');
  assert.equal(await probe(backend.url, 300), undefined, 'nothing answers any more');
});

test('a backend that exits at start is reported by name with the tail of its log', async () => {
  const crashing = nodeBackend(
    'crashy',
    `console.error('config error: no such port option'); process.exit(3);`,
  );
  await assert.rejects(startBackend(crashing), (error: unknown) => {
    assert.ok(error instanceof BackendStartError);
    assert.equal(error.backendId, 'crashy');
    assert.match(error.message, /backend crashy exited with code 3 before it was ready/);
    assert.match(error.message, /config error: no such port option/);
    return true;
  });
});

test('a backend that never becomes ready is stopped and reported after its timeout', async () => {
  const silent = nodeBackend(
    'silent',
    `console.log('starting slowly'); setInterval(() => {}, 1000);`,
    {
      startTimeoutMs: 500,
    },
  );
  let pid = 0;
  await assert.rejects(startBackend(silent), (error: unknown) => {
    assert.ok(error instanceof BackendStartError);
    assert.match(
      error.message,
      /backend silent did not answer at http:\/\/127\.0\.0\.1:\d+ within 500 ms/,
    );
    assert.match(error.message, /starting slowly/);
    pid = Number(/pid (\d+)/.exec(error.message)?.[1] ?? 0);
    return true;
  });
  assert.equal(pid, 0, 'message does not need a pid');
});

test('a missing program is a start failure naming the backend', async () => {
  const missing: BackendDefinition = {
    ...nodeBackend('ghost', ''),
    command: () => ({ command: '/nonexistent/otelpack-backend', args: [] }),
  };
  await assert.rejects(
    startBackend(missing),
    /backend ghost could not be started: spawn \/nonexistent\/otelpack-backend ENOENT/,
  );
});

test('environment variable names follow OTELPACK_IT_<ID>_URL', () => {
  assert.equal(envVarFor('victoriametrics'), 'OTELPACK_IT_VICTORIAMETRICS_URL');
  assert.equal(envVarFor('splunk-hec'), 'OTELPACK_IT_SPLUNK_HEC_URL');
});
