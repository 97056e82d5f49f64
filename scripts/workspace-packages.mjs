// The packages under packages/, as every package check sees them: a folder counts when it has a
// package.json, so a package added later is checked without editing any check.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export function readManifest(dir) {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** Every package under packages/: `{ folder, dir, manifest }`, sorted by folder. */
export function workspacePackages(root = REPO_ROOT) {
  return readdirSync(join(root, 'packages'))
    .sort()
    .map((folder) => ({ folder, dir: join(root, 'packages', folder) }))
    .filter(({ dir }) => existsSync(join(dir, 'package.json')))
    .map((pkg) => ({ ...pkg, manifest: readManifest(pkg.dir) }));
}

/** The packages that npm would publish: the private ones are left out. */
export function publishablePackages(root = REPO_ROOT) {
  return workspacePackages(root).filter(({ manifest }) => manifest.private !== true);
}
