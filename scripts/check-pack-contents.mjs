// Checks what `npm pack` would publish of every package under packages/ (the private ones
// aside), from the tarball's file list:
//   - nothing from src/, no tests, test fixtures or benchmarks, no *.tsbuildinfo;
//   - LICENSE and README.md are in;
//   - every file that main/types/exports/typesVersions/bin name is in, and so is every file that
//     a nested package.json stub (the node10 resolution of a subpath such as ./testing) names;
//   - every source map either carries its sources (sourcesContent) or points at packed files;
//   - what each entry point loads at load time: packed files only, packages the package.json
//     declares (dependencies, peerDependencies), and from the main entry no test-runner module
//     (node:test), no file of another subpath's folder (the test kit) and no optional peer.
//
// Usage: node scripts/check-pack-contents.mjs   (after `npm run build`)
import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { entryGraph, isBuiltin, packageNameOf } from './entry-graph.mjs';
import { packListing } from './pack-listing.mjs';
import { publishablePackages } from './workspace-packages.mjs';

const REQUIRED_FILES = ['LICENSE', 'README.md'];

const LEFT_OUT = [
  { pattern: /^src\//, why: 'sources stay in the repository (the maps carry them)' },
  {
    pattern: /(^|\/)(test|tests|__tests__|fixtures|__fixtures__|bench)\//,
    why: 'tests, their fixtures and benchmarks stay in the repository',
  },
  { pattern: /\.(test|spec)\.(d\.)?[cm]?[jt]s(\.map)?$/, why: 'a test file' },
  { pattern: /\.tsbuildinfo$/, why: "tsc's incremental build state" },
];

// A build that lost its sources breaks every map at once; a few lines say it.
const MAP_PROBLEMS_SHOWN = 3;

const isTestRunnerModule = (specifier) =>
  specifier === 'node:test' || specifier.startsWith('node:test/');

/** A package.json path as the pack lists files: no leading ./, forward slashes. */
function packedPath(path, from = '.') {
  return posix.normalize(posix.join(from, path));
}

/** Every string leaf of an exports/typesVersions/bin value. */
function leaves(value) {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leaves);
  return [];
}

/** The paths a manifest names for its consumers, each with the field that names it. */
function declaredPaths(manifest, from = '.') {
  const named = [];
  for (const field of ['main', 'types', 'typings', 'module']) {
    if (typeof manifest[field] === 'string') named.push({ field, path: manifest[field] });
  }
  for (const path of leaves(manifest.bin)) named.push({ field: 'bin', path });
  for (const path of leaves(manifest.exports)) named.push({ field: 'exports', path });
  for (const path of leaves(manifest.typesVersions)) named.push({ field: 'typesVersions', path });
  return named.map(({ field, path }) => ({ field, path: packedPath(path, from) }));
}

/** Whether a named path (possibly a `*` pattern) matches a packed file. */
function isPacked(path, files) {
  if (!path.includes('*')) return files.has(path);
  const pattern = new RegExp(
    `^${path
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.+')}$`,
  );
  return [...files].some((file) => pattern.test(file));
}

function sourceMapProblems(dir, mapFile, files) {
  const map = JSON.parse(readFileSync(join(dir, mapFile), 'utf8'));
  const problems = [];
  (map.sources ?? []).forEach((source, index) => {
    if (typeof map.sourcesContent?.[index] === 'string') return;
    const sourceFile = packedPath(posix.join(map.sourceRoot ?? '', source), posix.dirname(mapFile));
    if (!files.has(sourceFile)) {
      problems.push(
        `${mapFile}: points at ${sourceFile}, which is not packed, without sourcesContent`,
      );
    }
  });
  return problems;
}

/** The JavaScript files each `exports` subpath loads (or `main`'s, without exports). */
function entryFiles(manifest) {
  if (!manifest.exports) return manifest.main ? [['.', [packedPath(manifest.main)]]] : [];
  const entries =
    typeof manifest.exports === 'string' ? { '.': manifest.exports } : manifest.exports;
  return Object.entries(entries)
    .filter(([subpath]) => !subpath.includes('*'))
    .map(([subpath, target]) => [
      subpath,
      [
        ...new Set(
          leaves(target)
            .filter((path) => /\.[cm]?js$/.test(path))
            .map((path) => packedPath(path)),
        ),
      ],
    ])
    .filter(([, paths]) => paths.length > 0);
}

function entryProblems(pkg, files, summary) {
  const { manifest, dir } = pkg;
  const declared = new Set([
    manifest.name,
    ...Object.keys(manifest.dependencies ?? {}),
    ...Object.keys(manifest.peerDependencies ?? {}),
    ...Object.keys(manifest.optionalDependencies ?? {}),
  ]);
  const optionalPeers = new Set(
    Object.entries(manifest.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta?.optional)
      .map(([name]) => name),
  );
  const entries = entryFiles(manifest);
  const mainFolders = (entries.find(([subpath]) => subpath === '.')?.[1] ?? []).map((file) =>
    posix.dirname(file),
  );
  // The folders of the other subpaths (the test kit's dist/testing/): the main entry stays out.
  const otherFolders = new Set(
    entries
      .filter(([subpath]) => subpath !== '.')
      .flatMap(([, paths]) => paths.map((path) => posix.dirname(path)))
      .filter((folder) => !mainFolders.includes(folder)),
  );
  const problems = [];
  for (const [subpath, paths] of entries) {
    const unpacked = paths.filter((path) => !files.has(path)); // reported as missing named files
    if (unpacked.length > 0) continue;
    const where = `${subpath} (${paths.join(', ')})`;
    const graph = entryGraph(dir, paths, files);
    for (const { from, specifier } of graph.unresolved) {
      problems.push(`${where}: ${from} loads ${specifier}, which is not packed`);
    }
    for (const [specifier, from] of graph.modules) {
      if (isBuiltin(specifier)) {
        if (subpath === '.' && isTestRunnerModule(specifier)) {
          problems.push(`${where}: ${from} loads the test runner ${specifier}`);
        }
        continue;
      }
      const name = packageNameOf(specifier);
      if (!declared.has(name)) {
        problems.push(
          `${where}: ${from} loads ${name}, which is neither a dependency nor a peer dependency`,
        );
      } else if (subpath === '.' && optionalPeers.has(name)) {
        problems.push(
          `${where}: ${from} loads the optional peer ${name} on load; load it when asked for`,
        );
      }
    }
    if (subpath === '.') {
      for (const folder of otherFolders) {
        const intruders = [...graph.files].filter((file) => file.startsWith(`${folder}/`));
        if (intruders.length > 0) {
          problems.push(
            `${where}: loads ${intruders.length} file(s) of another subpath's ${folder}/: ${intruders.join(', ')}`,
          );
        }
      }
    }
    const packages = [...graph.modules.keys()].filter((specifier) => !isBuiltin(specifier));
    summary.push(
      `  ${where} loads ${graph.files.size} packed files` +
        (packages.length ? ` and ${[...new Set(packages.map(packageNameOf))].join(', ')}` : ''),
    );
  }
  return problems;
}

function packageProblems(pkg) {
  const { dir, manifest } = pkg;
  const listing = packListing(dir);
  const { files } = listing;
  const problems = [];
  for (const file of files) {
    const rule = LEFT_OUT.find(({ pattern }) => pattern.test(file));
    if (rule) problems.push(`${file}: packed, but ${rule.why}`);
  }
  for (const required of REQUIRED_FILES) {
    if (!files.has(required)) problems.push(`${required}: not packed`);
  }
  const named = declaredPaths(manifest);
  for (const stub of [...files].filter((file) => file.endsWith('/package.json'))) {
    const stubManifest = JSON.parse(readFileSync(join(dir, stub), 'utf8'));
    named.push(
      ...declaredPaths(stubManifest, posix.dirname(stub)).map((entry) => ({
        ...entry,
        field: `${stub} ${entry.field}`,
      })),
    );
  }
  for (const { field, path } of named) {
    if (isPacked(path, files)) continue;
    const hint = existsSync(join(dir, path)) ? '' : ' (and not built: run `npm run build`)';
    problems.push(`${path}: named by ${field}, but not packed${hint}`);
  }
  const mapProblems = [...files]
    .filter((file) => file.endsWith('.map'))
    .flatMap((mapFile) => sourceMapProblems(dir, mapFile, files));
  problems.push(...mapProblems.slice(0, MAP_PROBLEMS_SHOWN));
  if (mapProblems.length > MAP_PROBLEMS_SHOWN) {
    problems.push(
      `${mapProblems.length - MAP_PROBLEMS_SHOWN} more source map problems like these ` +
        '(declaration maps are no longer built: if dist/ still has *.d.ts.map files from an ' +
        'older build, remove dist/ and build again)',
    );
  }
  const summary = [
    `${manifest.name}: ${listing.entryCount} files, ${Math.round(listing.size / 1024)} kB packed, ` +
      `${Math.round(listing.unpackedSize / 1024)} kB unpacked`,
  ];
  problems.push(...entryProblems(pkg, files, summary));
  return { problems, summary };
}

let failed = 0;
for (const pkg of publishablePackages()) {
  const { problems, summary } = packageProblems(pkg);
  process.stdout.write(`${summary.join('\n')}\n`);
  for (const problem of problems) process.stderr.write(`  ${pkg.manifest.name}: ${problem}\n`);
  if (problems.length > 0) failed++;
}
if (failed > 0) {
  process.stderr.write(`pack contents: ${failed} package(s) would publish something wrong\n`);
  process.exit(1);
}
process.stdout.write('pack contents: ok\n');
