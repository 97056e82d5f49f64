import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { envVarFor } from './backend';
import type { BackendDefinition } from './backend';
import { BACKENDS } from './backends';
import { BackendStartError, PACKAGE_DIR, isAlive, startBackend, stopBackend } from './launcher';
import type { RunningBackend } from './launcher';

/*
 * `npm run test:integration`: starts every backend (natively, or with docker-compose when
 * OTELPACK_IT_DOCKER=1), runs every integration test with their URLs in the environment, stops
 * everything it started — also when a test fails or the run is interrupted — checks that no
 * process of it is left, and says which backends were real and which were fakes.
 */

interface Outcome {
  definition: BackendDefinition;
  /** What ran: with docker-compose every backend is the real product, fakes included. */
  kind: 'real' | 'fake';
  status: 'running' | 'unavailable' | 'failed';
  detail: string;
  url?: string;
}

const running: RunningBackend[] = [];
let stopping: Promise<void> | undefined;

async function stopAll(): Promise<void> {
  stopping ??= Promise.all(running.map((backend) => stopBackend(backend))).then(() => undefined);
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the backends…\n`);
    void stopAll().finally(() => process.exit(130));
  });
}

function testFiles(filter: string[]): string[] {
  const root = join(PACKAGE_DIR, 'test');
  return (readdirSync(root, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.test.ts'))
    .filter((file) => filter.length === 0 || filter.some((f) => file.includes(f)))
    .sort()
    .map((file) => join('test', file));
}

async function startNative(only: string[]): Promise<Outcome[]> {
  const selected = BACKENDS.filter((b) => only.length === 0 || only.includes(b.id));
  return Promise.all(
    selected.map(async (definition): Promise<Outcome> => {
      const availability = await definition.available();
      if (!availability.ok) {
        return {
          definition,
          kind: definition.kind,
          status: 'unavailable',
          detail: `${availability.reason}; install: ${availability.install}`,
        };
      }
      try {
        const backend = await startBackend(definition);
        running.push(backend);
        return {
          definition,
          kind: definition.kind,
          status: 'running',
          detail: `pid ${backend.pid}`,
          url: backend.url,
        };
      } catch (error) {
        const message = error instanceof BackendStartError ? error.message : String(error);
        return { definition, kind: definition.kind, status: 'failed', detail: message };
      }
    }),
  );
}

function startCompose(): Outcome[] {
  const up = spawnSync('docker', ['compose', 'up', '-d', '--wait'], {
    cwd: PACKAGE_DIR,
    stdio: 'inherit',
  });
  if (up.status !== 0) throw new Error('docker compose up failed (is a Docker engine running?)');
  return BACKENDS.map((definition) => ({
    definition,
    kind: 'real',
    status: 'running',
    detail: `compose service ${definition.composeService}`,
    url: definition.composeUrl,
  }));
}

function printSummary(outcomes: Outcome[]): void {
  const rows = outcomes.map((o) => [
    o.definition.id,
    o.kind === 'real' ? 'REAL' : 'FAKE',
    o.status,
    o.url ?? '',
    o.definition.description,
  ]);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), 8));
  process.stdout.write('\nbackends:\n');
  for (const row of rows) {
    process.stdout.write(
      `  ${row
        .slice(0, 4)
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')}  ${row[4]}\n`,
    );
  }
  for (const o of outcomes.filter((x) => x.status !== 'running')) {
    process.stdout.write(`\n${o.definition.id} ${o.status}: ${o.detail}\n`);
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const only = args.filter((a) => a.startsWith('--backend=')).map((a) => a.slice(10));
  const filter = args.filter((a) => !a.startsWith('--'));
  const docker = process.env.OTELPACK_IT_DOCKER === '1';

  const outcomes = docker ? startCompose() : await startNative(only);
  printSummary(outcomes);
  const failed = outcomes.filter((o) => o.status === 'failed');
  const missing = outcomes.filter((o) => o.status === 'unavailable');
  if (failed.length > 0 || (process.env.CI && missing.length > 0)) {
    process.stderr.write(
      `\n${[...failed, ...missing].map((o) => o.definition.id).join(', ')} did not start: not running the tests\n`,
    );
    return 1;
  }

  const env: Record<string, string> = { ...process.env } as Record<string, string>;
  for (const o of outcomes) if (o.url) env[envVarFor(o.definition.id)] = o.url;
  const files = testFiles(filter);
  process.stdout.write(`\nrunning ${files.length} integration test files\n\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', ...files], {
    cwd: PACKAGE_DIR,
    env,
    stdio: 'inherit',
  });
  const code: number = await new Promise((resolve) => {
    child.once('exit', (exitCode, signal) => resolve(signal ? 1 : (exitCode ?? 1)));
  });

  if (docker) {
    spawnSync('docker', ['compose', 'down', '-v'], { cwd: PACKAGE_DIR, stdio: 'inherit' });
  }
  await stopAll();
  const leftovers = running.filter((b) => isAlive(b.pid));
  if (leftovers.length > 0) {
    process.stderr.write(
      `processes left running: ${leftovers.map((b) => `${b.id} (pid ${b.pid})`).join(', ')}\n`,
    );
    return 1;
  }
  process.stdout.write(
    `\nstopped ${running.length} backend processes; none left running. ` +
      `real: ${
        outcomes
          .filter((o) => o.status === 'running' && o.kind === 'real')
          .map((o) => o.definition.id)
          .join(', ') || 'none'
      }; ` +
      `fakes: ${
        outcomes
          .filter((o) => o.status === 'running' && o.kind === 'fake')
          .map((o) => o.definition.id)
          .join(', ') || 'none'
      }\n`,
  );
  return code;
}

main().then(
  (code) => process.exit(code),
  async (error: unknown) => {
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await stopAll();
    process.exit(1);
  },
);
