import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { BackendDefinition } from './backend';

export const PACKAGE_DIR = resolve(__dirname, '..');

export interface RunningBackend {
  id: string;
  kind: 'real' | 'fake';
  description: string;
  url: string;
  pid: number;
  dir: string;
  logPath: string;
}

/** A backend that did not come up; the message names it and carries the tail of its log. */
export class BackendStartError extends Error {
  constructor(
    readonly backendId: string,
    message: string,
  ) {
    super(message);
    this.name = 'BackendStartError';
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

export function logTail(path: string, lines = 40): string {
  if (!existsSync(path)) return '(no log written)';
  const text = readFileSync(path, 'utf8').trimEnd();
  if (text === '') return '(log is empty)';
  return text.split('\n').slice(-lines).join('\n');
}

/**
 * Starts one backend on 127.0.0.1 on a free port, in a temporary directory, as its own process
 * group (so that stopping it also stops anything it forked), and waits until it answers.
 */
export async function startBackend(definition: BackendDefinition): Promise<RunningBackend> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), `otelpack-it-${definition.id}-`));
  const logPath = join(dir, `${definition.id}.log`);
  const launch = definition.command({ port, dir, packageDir: PACKAGE_DIR });
  const url = launch.url ?? `http://127.0.0.1:${port}`;

  const logFd = openSync(logPath, 'a');
  const child = spawn(launch.command, launch.args, {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', logFd, logFd],
    detached: true,
  });
  closeSync(logFd);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.once('exit', (code, signal) => {
    exited = signal ? `killed by ${signal}` : `exited with code ${code}`;
  });
  child.once('error', (error) => {
    spawnError = error;
  });
  // The launcher must not wait for its backends to exit before it can exit itself.
  child.unref();

  const running: RunningBackend = {
    id: definition.id,
    kind: definition.kind,
    description: definition.description,
    url,
    pid: child.pid ?? -1,
    dir,
    logPath,
  };
  if (child.pid === undefined) {
    // spawn() reports a missing program through an 'error' event on a later tick.
    await new Promise<void>((resolveSpawn) => {
      if (spawnError) resolveSpawn();
      else child.once('error', () => resolveSpawn());
    });
  }
  const deadline = Date.now() + (definition.startTimeoutMs ?? 30_000);
  for (;;) {
    if (spawnError || exited || child.pid === undefined) {
      const why = spawnError
        ? `could not be started: ${spawnError.message}`
        : `${exited} before it was ready`;
      const tail = logTail(logPath);
      await stopBackend(running).catch(() => undefined);
      throw new BackendStartError(
        definition.id,
        `backend ${definition.id} ${why} (${launch.command} ${launch.args.join(' ')})\n--- last lines of its log ---\n${tail}`,
      );
    }
    if (await definition.ready(url).catch(() => false)) return running;
    if (Date.now() > deadline) {
      const tail = logTail(logPath);
      await stopBackend(running).catch(() => undefined);
      throw new BackendStartError(
        definition.id,
        `backend ${definition.id} did not answer at ${url} within ${definition.startTimeoutMs ?? 30_000} ms\n--- last lines of its log ---\n${tail}`,
      );
    }
    await sleep(100);
  }
}

/** Stops the backend's process group: SIGTERM, then SIGKILL after `graceMs`; removes its directory. */
export async function stopBackend(backend: RunningBackend, graceMs = 5_000): Promise<void> {
  if (backend.pid > 0 && isAlive(backend.pid)) {
    signalGroup(backend.pid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(backend.pid) && Date.now() < deadline) await sleep(50);
    if (isAlive(backend.pid)) {
      signalGroup(backend.pid, 'SIGKILL');
      const killDeadline = Date.now() + 2_000;
      while (isAlive(backend.pid) && Date.now() < killDeadline) await sleep(20);
    }
  }
  rmSync(backend.dir, { recursive: true, force: true });
}

/** True while the process (or a zombie of it that is not ours to reap) exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it holds no port or memory, so it counts as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}

/** A GET that resolves to the response (status and text), or undefined when nothing answered. */
export async function probe(
  url: string,
  timeoutMs = 1_000,
): Promise<{ status: number; text: string; headers: Headers } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, text: await response.text(), headers: response.headers };
  } catch {
    return undefined;
  }
}
