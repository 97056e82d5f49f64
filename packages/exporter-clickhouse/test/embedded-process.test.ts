import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * The embedded engine in a process of its own, with its own TMPDIR: what the README's snippet
 * prints, and what is left in the temporary directory when the process exits without close().
 * Needs the chdb package (a devDependency of the workspace, for these tests).
 */

const PACKAGE_DIR = join(__dirname, '..');

/** Runs an ES module from the package directory (so that the package and its deps resolve). */
function runModule(source: string): { stdout: string; tmp: string[] } {
  const tmp = mkdtempSync(join(tmpdir(), 'otelpack-embedded-'));
  const file = join(PACKAGE_DIR, `.embedded-process-${process.pid}.mjs`);
  writeFileSync(file, source);
  try {
    const run = spawnSync(process.execPath, [file], {
      cwd: PACKAGE_DIR,
      env: { ...process.env, TMPDIR: tmp },
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    return { stdout: run.stdout, tmp: readdirSync(tmp) };
  } finally {
    rmSync(file, { force: true });
    rmSync(tmp, { recursive: true, force: true });
  }
}

test("the README's embedded snippet runs as written and prints the span it wrote", () => {
  const readme = readFileSync(join(PACKAGE_DIR, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embedded ClickHouse (chdb)'));
  const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(snippet, 'the snippet');
  const { stdout, tmp } = runModule(snippet);
  assert.equal(stdout.trim(), '[ { spans: 1 } ]');
  assert.deepEqual(tmp, [], 'nothing left in the temporary directory');
});

test('a process that exits without close() leaves no chdb-node-mem-* directory', () => {
  const { stdout, tmp } = runModule(`
    import { readdirSync } from 'node:fs';
    import { tmpdir } from 'node:os';
    import { createEmbeddedClickHouseClient } from '@otelpack/exporter-clickhouse';
    const client = createEmbeddedClickHouseClient();
    const result = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow' });
    console.log(JSON.stringify({ rows: await result.json(), tmp: readdirSync(tmpdir()) }));
  `);
  const seen = JSON.parse(stdout) as { rows: unknown; tmp: string[] };
  assert.deepEqual(seen.rows, [{ one: 1 }]);
  assert.equal(seen.tmp.filter((name) => name.startsWith('chdb-node-mem-')).length, 1);
  assert.deepEqual(tmp, [], 'removed at exit');
});
