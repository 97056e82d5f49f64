import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The integration harness's ClickHouse HTTP front (the real engine from chdb behind otelpack's
 * HTTP layer), started in its own process for the benchmark, as the tests start it.
 */
export interface Front {
  url: string;
  /** The front's process, whose CPU time the benchmark reads (the engine's parsing included). */
  pid: number;
  stop(): Promise<void>;
}

const FRONT = resolve(__dirname, '../../../../integration/src/fakes/clickhouse-front.ts');

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function ping(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/ping`);
    return response.ok && (await response.text()) === 'Ok.\n';
  } catch {
    return false;
  }
}

export async function startFront(): Promise<Front> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'otelpack-ch-bench-'));
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', FRONT, '--port', String(port), '--dir', dir],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: resolve(FRONT, '../../..') },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await ping(url))) {
    if (child.exitCode !== null) throw new Error(`the ClickHouse front exited (${child.exitCode})`);
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('the ClickHouse front did not answer /ping within 60 s');
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return {
    url,
    pid: child.pid as number,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** CPU time (user + system) a process has used, in microseconds, from /proc (Linux). */
export function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1_000_000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS_PER_SECOND = 100;
