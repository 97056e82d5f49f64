import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BACKENDS } from '../../integration/src/backends';
import type { BackendCounter } from './counters/counter';
import type { PackedTarball } from './install';
import type { ExporterFacts } from './runtime-apps';
import { describeExit, outputTail, runCommand } from './commands';
import { appEnv } from './paths';
import type { RunnableSnippet, Signal } from './snippets';
import { location } from './snippets';

/*
 * Runs a README snippet as a user would paste it into a file of their app: an ES module (so
 * top-level await works) run with tsx on the SDK major's Node, its imports resolved from the
 * app's node_modules only, with nothing in its environment but the backend's URL in the
 * variable the exporter reads (and what a fake's account needs to let it in, its
 * `clientEnvironment`). It must exit 0 on its own, leave no process behind, and the
 * backend must then hold more records of each signal it sets up than before.
 */

const SNIPPET_TIMEOUT_MS = 60_000;
/** How long records may take to become visible after the snippet exited (VictoriaMetrics ~1 s). */
const ARRIVAL_TIMEOUT_MS = 15_000;
const ARRIVAL_POLL_MS = 250;

// The repository's tsx, by path: the app itself installs nothing but what a user would.
const TSX_LOADER = pathToFileURL(require.resolve('tsx')).href;

/** A snippet with the backend it runs against (its package's) and how to reach and count it. */
export interface PlannedSnippet {
  snippet: RunnableSnippet;
  backend: string;
  urlVariable: string;
  counter: BackendCounter;
  /** The backend's `clientEnvironment` (a fake's test key), beside the URL. */
  environment: Record<string, string>;
}

/**
 * Each snippet's backend: the one its exporter package's options definition names (the apps
 * report it), with the variable its URL is read from. A snippet whose backend has no counter is
 * a problem.
 */
export function planSnippets(
  snippets: RunnableSnippet[],
  exporters: ExporterFacts[],
  tarballs: PackedTarball[],
  counters: Record<string, BackendCounter>,
): { planned: PlannedSnippet[]; problems: string[] } {
  const planned: PlannedSnippet[] = [];
  const problems: string[] = [];
  for (const snippet of snippets) {
    const name = tarballs.find((t) => t.folder === snippet.packageFolder)?.name;
    const exporter = exporters.find((e) => e.name === name);
    // Reported already: a package the apps found no backend for, a snippet with no signal.
    if (!exporter?.backend || !exporter.urlVariable || snippet.signals.length === 0) continue;
    const counter = counters[exporter.backend];
    if (!counter) {
      problems.push(
        `${location(snippet)}: no counter for backend ${exporter.backend} in ` +
          `compat/packed/counters: add one, so that what its snippets write can be checked`,
      );
      continue;
    }
    planned.push({
      snippet,
      backend: exporter.backend,
      urlVariable: exporter.urlVariable,
      counter,
      environment: BACKENDS.find((b) => b.id === exporter.backend)?.clientEnvironment ?? {},
    });
  }
  return { planned, problems };
}

/**
 * Runs the planned snippets, one lane a backend in parallel; within a lane one snippet at a
 * time, so that the counts before and after a snippet see only its records. A snippet whose
 * backend has no URL (it did not start, already a problem) is skipped.
 */
export async function runSnippetLanes(
  dir: string,
  node: string,
  planned: PlannedSnippet[],
  urls: Map<string, string>,
): Promise<{ passed: string[]; problems: string[] }> {
  const passed: string[] = [];
  const problems: string[] = [];
  const backends = [...new Set(planned.map((p) => p.backend))];
  await Promise.all(
    backends.map(async (backend) => {
      const url = urls.get(backend);
      if (!url) return;
      for (const one of planned.filter((p) => p.backend === backend)) {
        try {
          const line = await runSnippet(dir, node, one, url);
          passed.push(line);
          process.stdout.write(`  ok ${line}\n`);
        } catch (error) {
          problems.push(error instanceof Error ? error.message : String(error));
        }
      }
    }),
  );
  return { passed, problems };
}

export function writeSnippetsApp(appRoot: string, snippets: RunnableSnippet[]): string {
  const dir = join(appRoot, 'snippets');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'smoke-snippets', private: true, type: 'module' }, null, 2),
  );
  for (const snippet of snippets) writeFileSync(join(dir, `${snippet.id}.ts`), `${snippet.code}\n`);
  return dir;
}

/** Runs one snippet against its backend; returns a one-line result, or throws with the problem. */
export async function runSnippet(
  dir: string,
  node: string,
  { snippet, backend, urlVariable, counter, environment }: PlannedSnippet,
  url: string,
): Promise<string> {
  const where = `${location(snippet)} [${snippet.tags.join(' ')}]`;
  const unsupported = snippet.signals.filter((s) => !counter.signals.includes(s));
  if (unsupported.length > 0) {
    throw new Error(`${where} sets up ${unsupported.join(', ')}, which ${backend} does not store`);
  }
  const countNow = () => countAll(counter, url, snippet.signals);
  const before = await countNow();
  // By absolute path, which holds the app's folder name: what .ci/run looks for in leftovers.
  const result = await runCommand(node, ['--import', TSX_LOADER, join(dir, `${snippet.id}.ts`)], {
    cwd: dir,
    env: appEnv({ ...environment, [urlVariable]: url }),
    timeoutMs: SNIPPET_TIMEOUT_MS,
  });
  if (result.code !== 0 || result.timedOut || result.leftRunning) {
    const how = result.leftRunning
      ? `${describeExit(result, SNIPPET_TIMEOUT_MS)}, and left a process running`
      : describeExit(result, SNIPPET_TIMEOUT_MS);
    throw new Error(`${where} did not run to a clean exit (${how}):\n${outputTail(result)}`);
  }
  const after = await waitForMore(countNow, snippet.signals, before);
  const missing = snippet.signals.filter((s) => !grew(before, after, s));
  const counts = snippet.signals.map((s) => `${s} ${before.get(s)} → ${after.get(s)}`).join(', ');
  if (missing.length > 0) {
    throw new Error(
      `${where} exited 0, but no new ${missing.join(', ')} reached ${backend} within ` +
        `${ARRIVAL_TIMEOUT_MS} ms (${counts}); its output:\n${outputTail(result)}`,
    );
  }
  return `${where}: ${counts} in ${backend} (${urlVariable}; ran ${(result.durationMs / 1000).toFixed(1)} s)`;
}

async function countAll(
  counter: BackendCounter,
  url: string,
  signals: Signal[],
): Promise<Map<Signal, number>> {
  const counts = new Map<Signal, number>();
  for (const signal of signals) counts.set(signal, await counter.count(url, signal));
  return counts;
}

/** Counts until every signal has grown past `before`, or the arrival time is up. */
async function waitForMore(
  countNow: () => Promise<Map<Signal, number>>,
  signals: Signal[],
  before: Map<Signal, number>,
): Promise<Map<Signal, number>> {
  const deadline = Date.now() + ARRIVAL_TIMEOUT_MS;
  for (;;) {
    const now = await countNow();
    if (signals.every((s) => grew(before, now, s)) || Date.now() >= deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, ARRIVAL_POLL_MS));
  }
}

function grew(before: Map<Signal, number>, after: Map<Signal, number>, signal: Signal): boolean {
  return (after.get(signal) ?? 0) > (before.get(signal) ?? 0);
}
