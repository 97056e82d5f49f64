import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stopBackends, startBackends } from './backends';
import { describeExit, outputTail, runCommand, stopAllCommands } from './commands';
import { COUNTERS } from './counters';
import { declaredEntryPoints } from './declared-exports';
import { installPacked, lockfileProblems, makeAppRoot } from './install';
import { installedCommandProblems } from './installed-commands';
import type { PackedTarball } from './install';
import { REPO_ROOT, childEnv } from './paths';
import { isExporterPackage, runRuntimeApp, writeRuntimeApps } from './runtime-apps';
import type { ExporterFacts } from './runtime-apps';
import { sdkMajor } from './sdk-majors';
import { planSnippets, runSnippetLanes, writeSnippetsApp } from './snippet-runs';
import {
  coverageProblems,
  location,
  missingImports,
  readmeSnippets,
  runnableSnippets,
} from './snippets';
import { TYPESCRIPT_APPS, typeCheckApp, writeTypeScriptApps } from './typescript-apps';

/*
 * The packed-install smoke test for one SDK major: `node --import tsx compat/packed/main.ts
 * sdk2|sdk3 [--keep]` (npm run test:packed:sdk2 / :sdk3). See compat/packed/README.md. Every
 * check runs even when an earlier one found a problem, and the run fails (exit 1) with the list
 * of all of them; it stops early only when nothing after could run (build, pack, install).
 */

const BUILD_TIMEOUT_MS = 300_000;

const major = sdkMajor(process.argv[2]);
const keep = process.argv.includes('--keep');
const problems: string[] = [];
let appRoot: string | undefined;
const startedAt = Date.now();

function phase(title: string): void {
  process.stdout.write(
    `\n--- packed ${major.tag}: ${title} (${((Date.now() - startedAt) / 1000).toFixed(1)} s)\n`,
  );
}

async function cleanUp(): Promise<void> {
  stopAllCommands();
  problems.push(...(await stopBackends()));
  if (appRoot && !keep) rmSync(appRoot, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping what the smoke test started…\n`);
    void cleanUp().finally(() => process.exit(130));
  });
}

async function build(): Promise<void> {
  phase('build (npm run build)');
  const result = await runCommand('npm', ['run', 'build'], {
    cwd: REPO_ROOT,
    env: childEnv(),
    timeoutMs: BUILD_TIMEOUT_MS,
  });
  if (result.code !== 0 || result.timedOut) {
    throw new Error(
      `npm run build: ${describeExit(result, BUILD_TIMEOUT_MS)}\n${outputTail(result)}`,
    );
  }
}

async function pack(root: string): Promise<PackedTarball[]> {
  phase('pack every publishable package (scripts/pack-packages.mjs)');
  const packer = (await import(
    pathToFileURL(join(REPO_ROOT, 'scripts', 'pack-packages.mjs')).href
  )) as { packPackages(destination: string): PackedTarball[] };
  const tarballs = packer.packPackages(join(root, 'packs'));
  for (const t of tarballs) process.stdout.write(`  ${t.name}: ${t.tarball}\n`);
  return tarballs;
}

/** The exporter packages, each with its folder and what the apps found out about it. */
function exporterPackages(tarballs: PackedTarball[], exporters: ExporterFacts[]) {
  return tarballs
    .filter((t) => isExporterPackage(t.name))
    .map((t) => ({
      folder: t.folder,
      urlVariable: exporters.find((e) => e.name === t.name)?.urlVariable,
    }));
}

/** The exporter facts both apps agree on; a disagreement is a problem (two different loads). */
function exporterFacts(cjs: ExporterFacts[], esm: ExporterFacts[]): ExporterFacts[] {
  for (const facts of cjs) {
    const other = esm.find((e) => e.name === facts.name);
    if (other && JSON.stringify(other) !== JSON.stringify(facts)) {
      problems.push(
        `${facts.name}: require() and import disagree: ${JSON.stringify({ cjs: facts, esm: other })}`,
      );
    }
  }
  return cjs;
}

async function main(): Promise<void> {
  process.stdout.write(`packed-install smoke test: ${major.title}\n`);
  await build();
  appRoot = makeAppRoot(major.tag);
  const tarballs = await pack(appRoot);

  phase('README snippets (scripts/readme-snippets.mjs)');
  const snippets = runnableSnippets(await readmeSnippets(), major.tag);
  for (const s of snippets) {
    process.stdout.write(
      `  ${location(s)} [${s.tags.join(' ')}] ${s.signals.join(', ') || '(no signal)'}\n`,
    );
  }

  phase(`Node for ${major.title}`);
  const node = await major.node();
  const nodeVersion = await runCommand(node, ['--version'], {
    cwd: appRoot,
    env: childEnv(),
    timeoutMs: 10_000,
  });
  process.stdout.write(`  ${node} ${nodeVersion.output.trim()}\n`);

  phase(`npm install of the tarballs and the SDK into ${appRoot}`);
  const nodeMajor = nodeVersion.output.trim().replace(/^v(\d+)\..*$/s, '$1');
  const installed = await installPacked(appRoot, tarballs, [
    ...major.packages(),
    `@types/node@${nodeMajor}`,
  ]);
  problems.push(...lockfileProblems(appRoot, tarballs));
  const api = JSON.parse(
    readFileSync(join(appRoot, 'node_modules', '@opentelemetry', 'api', 'package.json'), 'utf8'),
  ) as { version: string };
  process.stdout.write(
    `  @opentelemetry/api ${api.version}; ${Object.keys(installed.dependencies).join(', ')}\n`,
  );
  // A snippet importing what the app lacks would fail for a user too; it is not run.
  const runnable = snippets.filter((snippet) => {
    const missing = missingImports(snippet, Object.keys(installed.dependencies));
    if (missing.length > 0) {
      problems.push(
        `${location(snippet)} imports ${missing.join(', ')}, which the ${major.tag} app does not install ` +
          `(it has ${Object.keys(installed.dependencies).join(', ')})`,
      );
    }
    return missing.length === 0;
  });

  phase('entry points and their declared exports');
  const declared = declaredEntryPoints(
    appRoot,
    tarballs.map((t) => t.name),
  );
  const packages = declared.packages;
  problems.push(...declared.problems);
  for (const p of packages) {
    for (const e of p.entries) {
      process.stdout.write(
        `  ${e.specifier}: ${e.values.length} values (${e.classes.length} classes), ${e.types.length} types\n`,
      );
    }
  }
  writeRuntimeApps(appRoot, packages);
  writeTypeScriptApps(appRoot, packages);
  const snippetsDir = writeSnippetsApp(appRoot, runnable);

  phase('CommonJS app (require) and ES module app (import)');
  const cjs = await runRuntimeApp(appRoot, 'cjs', node);
  const esm = await runRuntimeApp(appRoot, 'esm', node);
  problems.push(...cjs.problems, ...esm.problems);
  const exporters = exporterFacts(cjs.exporters, esm.exporters);
  problems.push(...coverageProblems(snippets, exporterPackages(tarballs, exporters), major.tag));
  for (const e of exporters) {
    process.stdout.write(
      `  ${e.name}: constructed ${e.constructed.join(', ') || 'nothing'}; backend ${e.backend ?? '?'} at ${e.urlVariable ?? '?'}\n`,
    );
  }

  phase('installed commands (bin)');
  problems.push(...(await installedCommandProblems(appRoot, tarballs, node)));

  phase(
    `TypeScript apps (${TYPESCRIPT_APPS.map((a) => a.folder).join(', ')}) while the snippets run`,
  );
  const root = appRoot;
  const typeChecks = Promise.all(TYPESCRIPT_APPS.map((app) => typeCheckApp(root, app)));

  phase(`README snippets tagged runnable for ${major.tag} (${runnable.length} to run)`);
  const plan = planSnippets(runnable, exporters, tarballs, COUNTERS);
  problems.push(...plan.problems);
  const started = await startBackends([...new Set(plan.planned.map((p) => p.backend))]);
  problems.push(...started.problems);
  const ran = await runSnippetLanes(snippetsDir, node, plan.planned, started.urls);
  problems.push(...ran.problems);
  const typeProblems = (await typeChecks).filter((p): p is string => p !== undefined);
  problems.push(...typeProblems);
  phase(
    `TypeScript apps done: ${TYPESCRIPT_APPS.length - typeProblems.length} of ${TYPESCRIPT_APPS.length} type-check`,
  );
}

main()
  .catch((error: unknown) => {
    // Thrown where nothing after can run (build, pack, Node, install): the message says why. An
    // error of another kind is a bug here, and its stack says where.
    const ours = error instanceof Error && error.constructor === Error;
    problems.push(
      ours ? error.message : error instanceof Error ? String(error.stack) : String(error),
    );
  })
  .then(() => cleanUp())
  .then(() => {
    const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
    if (problems.length > 0) {
      process.stderr.write(
        `\npacked ${major.tag}: FAILED after ${seconds} s, ${problems.length} problem(s):\n`,
      );
      for (const problem of problems)
        process.stderr.write(`\n- ${problem.replace(/\n/g, '\n    ')}\n`);
      if (appRoot && keep) process.stderr.write(`\nthe apps are kept in ${appRoot}\n`);
      process.exit(1);
    }
    process.stdout.write(
      `\npacked ${major.tag}: all checks passed in ${seconds} s${keep ? ` (apps kept in ${appRoot})` : ''}\n`,
    );
    process.exit(0);
  });
