// Packs every publishable package under packages/ with `npm pack`, exactly as a user's
// `npm install` receives it, for the checks that install the packed form (compat/sdk3,
// compat/packed).
//
// A package is publishable when its folder has a package.json without `"private": true`. The
// list is read from the folder, so a package added later is packed without editing anything.
// Every file the manifest points at (`main`, `types`, each `exports` target) must be in the
// tarball: a target left out of `files`, or not built, fails here, not in a user's install.
//
// Usage: node scripts/pack-packages.mjs DEST   (packs into DEST, prints one tarball path a line)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `{ folder, name, dir, manifest }` of every publishable package, sorted by folder. */
export function publishablePackages(root = REPO_ROOT) {
  const packages = [];
  for (const folder of readdirSync(join(root, 'packages')).sort()) {
    const manifestPath = join(root, 'packages', folder, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    if (manifest.private === true) continue;
    packages.push({ folder, name: manifest.name, dir: dirname(manifestPath), manifest });
  }
  if (packages.length === 0) throw new Error(`no publishable package under ${root}/packages`);
  return packages;
}

/** Every file path the manifest promises a user: `main`, `types`, each `exports` target. */
export function manifestTargets(manifest) {
  const targets = [manifest.main, manifest.types, manifest.typings].filter(Boolean);
  const visit = (value) => {
    if (typeof value === 'string') targets.push(value);
    else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(manifest.exports);
  return [...new Set(targets.map((target) => target.replace(/^\.\//, '')))];
}

/** Targets (a `*` pattern counts when it matches a file) that are not in `packedPaths`. */
function missingTargets(manifest, packedPaths) {
  return manifestTargets(manifest).filter((target) => {
    if (!target.includes('*')) return !packedPaths.has(target);
    const pattern = new RegExp(
      `^${target
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    );
    return ![...packedPaths].some((path) => pattern.test(path));
  });
}

/**
 * Packs every publishable package into `destination` (one `npm pack` for all of them) and
 * returns `{ name, folder, tarball }` for each. Throws when a package's tarball lacks a file its
 * manifest points at.
 */
export function packPackages(destination, root = REPO_ROOT) {
  const packages = publishablePackages(root);
  mkdirSync(destination, { recursive: true });
  const npm = spawnSync(
    'npm',
    [
      'pack',
      '--json',
      '--pack-destination',
      destination,
      ...packages.flatMap((p) => ['--workspace', p.name]),
    ],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  if (npm.status !== 0) throw new Error(`npm pack failed (exit ${npm.status ?? npm.signal})`);
  const reports = JSON.parse(npm.stdout);
  const problems = [];
  const packed = packages.map((p) => {
    const report = reports.find((r) => r.name === p.name);
    if (!report) throw new Error(`npm pack reported no tarball for ${p.name}`);
    const missing = missingTargets(p.manifest, new Set(report.files.map((f) => f.path)));
    for (const target of missing) {
      problems.push(`${p.name}: ${target} is named in package.json but is not in the tarball`);
    }
    return { name: p.name, folder: p.folder, tarball: join(destination, report.filename) };
  });
  if (problems.length > 0) {
    throw new Error(`${problems.join('\n')}\n(was the build run? is it under "files"?)`);
  }
  return packed;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = process.argv[2];
  if (!destination) {
    process.stderr.write('usage: node scripts/pack-packages.mjs DEST\n');
    process.exit(2);
  }
  try {
    for (const p of packPackages(resolve(destination))) process.stdout.write(`${p.tarball}\n`);
  } catch (error) {
    process.stderr.write(`pack-packages: ${error.message}\n`);
    process.exit(1);
  }
}
