// Are the Types Wrong? on every package under packages/ (the private ones aside), as npm packs
// it: every entry point, under every module resolution TypeScript users have (node10, node16 from
// CommonJS and from ESM, bundler: the "strict" profile). Any problem fails the check. The
// packages ship their own types, so no @types package is looked up: one must never stand in for
// declarations a package lost.
//
// Usage: node scripts/check-attw.mjs   (after `npm run build`)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { publishablePackages, REPO_ROOT } from './workspace-packages.mjs';

const attw = join(REPO_ROOT, 'node_modules', '.bin', 'attw');
const failed = [];
for (const { dir, manifest } of publishablePackages()) {
  const run = spawnSync(
    attw,
    [
      '--pack',
      dir,
      '--profile',
      'strict',
      '--no-definitely-typed',
      '--format',
      'table-flipped',
      '--no-color',
      '--no-emoji',
    ],
    { stdio: 'inherit' },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) failed.push(manifest.name);
}
if (failed.length > 0) {
  process.stderr.write(`attw: problems in ${failed.join(', ')}\n`);
  process.exit(1);
}
process.stdout.write('attw: no problem in any package\n');
