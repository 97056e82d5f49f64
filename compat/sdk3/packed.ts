/*
 * What the exporter suites here check before their scenario: the exporter is the installed
 * tarball (not a link into packages/), and its @otelpack/batching-core is the packed core next to
 * it, not a copy from the registry nested under it.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_MODULES = join(dirname(fileURLToPath(import.meta.url)), 'node_modules') + sep;

export function assertPackedExporter(name: string): void {
  const entry = fileURLToPath(import.meta.resolve(name));
  assert.ok(entry.startsWith(OWN_MODULES), `${name} loaded from ${entry}`);
  assert.equal(realpathSync(entry), entry, `${name} must be the installed tarball, not a link`);
  const core = createRequire(entry).resolve('@otelpack/batching-core');
  assert.ok(
    core.startsWith(join(OWN_MODULES, '@otelpack', 'batching-core') + sep),
    `${name} uses the core at ${core}, not the packed one`,
  );
}
