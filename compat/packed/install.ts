import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describeExit, outputTail, runCommand } from './commands';
import { REPO_ROOT, childEnv } from './paths';

/*
 * The apps' shared install: a fresh folder outside the repository (so that nothing resolves
 * from the workspace's node_modules), where npm installs the tarballs and the SDK major's
 * packages as a user's `npm install` would. The apps are subfolders of it, each with its own
 * package.json (module type) and tsconfig; one install serves them all, which keeps the run
 * short.
 */

export interface PackedTarball {
  name: string;
  folder: string;
  tarball: string;
}

export interface Installed {
  root: string;
  /** name → version of every direct dependency npm installed (the app's package.json). */
  dependencies: Record<string, string>;
}

const NPM_INSTALL_TIMEOUT_MS = 300_000;

export function makeAppRoot(tag: string): string {
  const root = mkdtempSync(join(tmpdir(), `otelpack-packed-${tag}-`));
  if (!relative(REPO_ROOT, root).startsWith('..')) {
    throw new Error(`the apps' folder ${root} is inside the repository: set TMPDIR elsewhere`);
  }
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: `otelpack-packed-${tag}`, version: '0.0.0', private: true }, null, 2),
  );
  return root;
}

/**
 * `npm install` of the tarballs (together, so that an exporter's dependency on the core is the
 * packed core) and `specs`; returns what went in, or throws with npm's output.
 */
export async function installPacked(
  root: string,
  tarballs: PackedTarball[],
  specs: string[],
): Promise<Installed> {
  const result = await runCommand(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...tarballs.map((t) => t.tarball),
      ...specs,
    ],
    { cwd: root, env: childEnv(), timeoutMs: NPM_INSTALL_TIMEOUT_MS, echo: true },
  );
  if (result.code !== 0 || result.timedOut) {
    throw new Error(
      `npm install in ${root}: ${describeExit(result, NPM_INSTALL_TIMEOUT_MS)}\n${outputTail(result)}`,
    );
  }
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  return { root, dependencies: manifest.dependencies ?? {} };
}

interface LockEntry {
  version?: string;
  resolved?: string;
}

/**
 * What the lockfile says about the packed packages: each must be installed once, at the top of
 * node_modules, from its tarball. A second copy (say, an exporter's own @otelpack/batching-core
 * from the registry) would give the app two cores, two ledgers and two option vocabularies.
 */
export function lockfileProblems(root: string, tarballs: PackedTarball[]): string[] {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, LockEntry>;
  };
  const entries = Object.entries(lock.packages ?? {});
  const problems: string[] = [];
  for (const { name, tarball } of tarballs) {
    const copies = entries.filter(([path]) => path.endsWith(`node_modules/${name}`));
    const top = copies.find(([path]) => path === `node_modules/${name}`)?.[1];
    if (!top) {
      problems.push(`${name} is not installed at the top of node_modules`);
    } else if (
      !top.resolved?.startsWith('file:') ||
      resolve(root, top.resolved.slice('file:'.length)) !== tarball
    ) {
      problems.push(`${name} was installed from ${top.resolved}, not from ${tarball}`);
    }
    for (const [path, entry] of copies.filter(([p]) => p !== `node_modules/${name}`)) {
      problems.push(
        `a second ${name} (${entry.version} from ${entry.resolved ?? '?'}) is installed at ${path}`,
      );
    }
  }
  return problems;
}
