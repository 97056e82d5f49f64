/**
 * Compares this checkout's core with the core at another git ref, in one run: the pipeline
 * throughput and memory scenarios run alternately against both builds, each in its own process,
 * and the report gives each figure for both and their ratio (this / baseline).
 *
 * Usage (after the root `npm run build`): `npm run bench:compare -- <git-ref>`, e.g. a commit
 * from before a refactoring. The baseline is checked out with `git worktree` into a temporary
 * folder and built there with this checkout's TypeScript; nothing of it is kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { runInChild } from './lib/child';
import { PACKAGE_DIR } from './lib/core-build';
import { renderTable } from './lib/table';
import type { MemoryResult } from './memory';
import type { ThroughputResult } from './pipeline-throughput';
import { median } from './lib/stats';

/** Alternating rounds; BENCH_COMPARE_ROUNDS raises it when the figures are close to their spread. */
const ROUNDS = Number(process.env.BENCH_COMPARE_ROUNDS ?? 3);
const REPO_ROOT = resolve(PACKAGE_DIR, '..', '..');

function buildBaseline(ref: string): { dir: string; cleanup: () => void } {
  const tree = mkdtempSync(join(os.tmpdir(), 'otelpack-bench-baseline-'));
  execFileSync('git', ['worktree', 'add', '--detach', tree, ref], {
    cwd: REPO_ROOT,
    stdio: 'ignore',
  });
  const cleanup = () => {
    execFileSync('git', ['worktree', 'remove', '--force', tree], {
      cwd: REPO_ROOT,
      stdio: 'ignore',
    });
    rmSync(tree, { recursive: true, force: true });
  };
  try {
    // The baseline compiles with this checkout's dependencies (TypeScript, @opentelemetry/api).
    symlinkSync(join(REPO_ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
    execFileSync(join(REPO_ROOT, 'node_modules', '.bin', 'tsc'), ['-b', 'packages/batching-core'], {
      cwd: tree,
      stdio: 'inherit',
    });
  } catch (error) {
    cleanup();
    throw error;
  }
  return { dir: join(tree, 'packages', 'batching-core', 'dist'), cleanup };
}

/** Records/s of every throughput variant, by name, and heap bytes per queued record. */
type Figures = Record<string, number>;

async function measure(coreDir: string): Promise<Figures> {
  process.env.BENCH_CORE_DIR = coreDir;
  const throughput = await runInChild<ThroughputResult>(
    resolve(__dirname, 'pipeline-throughput.ts'),
    60_000,
  );
  const memory = await runInChild<MemoryResult>(resolve(__dirname, 'memory.ts'), 30_000);
  const figures: Figures = {};
  for (const variant of throughput.variants) figures[variant.name] = variant.recordsPerSec;
  figures['heap bytes per queued record (lower is better)'] = memory.pipeline.bytesPerRecord;
  return figures;
}

async function main(): Promise<void> {
  const ref = process.argv[2];
  if (!ref) throw new Error('usage: npm run bench:compare -- <git-ref>');
  const current = join(PACKAGE_DIR, 'dist');
  const baseline = buildBaseline(ref);
  try {
    const runs: { current: Figures[]; baseline: Figures[] } = { current: [], baseline: [] };
    for (let round = 0; round < ROUNDS; round++) {
      process.stderr.write(`bench:compare round ${round + 1}/${ROUNDS}\n`);
      // Alternate which goes first, so that drift in the machine's load favours neither.
      const order =
        round % 2 === 0 ? (['baseline', 'current'] as const) : (['current', 'baseline'] as const);
      for (const which of order) {
        runs[which].push(await measure(which === 'current' ? current : baseline.dir));
      }
    }
    const rows = Object.keys(runs.current[0]).map((key) => {
      const now = median(runs.current.map((f) => f[key]));
      const before = median(runs.baseline.map((f) => f[key]));
      return [key, Math.round(before), Math.round(now), Math.round((now / before) * 100) / 100];
    });
    process.stdout.write(
      renderTable(
        `Pipeline, this checkout vs ${ref} (median of ${ROUNDS} alternating rounds, each in its own processes; records/s unless said)\n` +
          `anchor: the ${ref} build`,
        ['figure', ref, 'this checkout', 'x anchor'],
        rows,
      ) + '\n',
    );
  } finally {
    baseline.cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench:compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
