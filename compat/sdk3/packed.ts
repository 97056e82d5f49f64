/*
 * What the exporter suites here check before their scenario: the exporter is the installed
 * tarball (not a link into packages/), and its @otelpack/batching-core is the packed core next to
 * it, not a copy from the registry nested under it.
 */
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { after, before, test } from 'node:test';
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

interface Fake {
  listen(port: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The opening of an exporter suite against a fake: the test that `name` is the packed tarball,
 * and the fake, listening on a free port for the suite's duration. Read `fake` and `url` from the
 * returned object inside tests (they are set once the suite's `before` has run).
 */
export function packedExporterAgainst<F extends Fake>(
  name: string,
  makeFake: () => F,
): { readonly fake: F; readonly url: string } {
  const served = {} as { fake: F; url: string };
  test(`SDK 3.x: ${name} is the packed tarball, on the packed core`, () => {
    assertPackedExporter(name);
  });
  before(async () => {
    served.fake = makeFake();
    served.url = await served.fake.listen(0);
  });
  after(async () => {
    await served.fake?.close();
  });
  return served;
}
