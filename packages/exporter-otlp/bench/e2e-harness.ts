/**
 * The parent side of the end-to-end benchmarks that put an exporter beside the official one
 * (this package's, exporter-clickhouse's): the loopback sink in a process of its own, and runs
 * of a child (see e2e-loop.ts) per variant, alternating, each a fresh process.
 */
import { execFileSync, fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { E2eSignal } from './e2e-loop';

export interface Sink {
  child: ChildProcess;
  url: string;
  call(type: 'stats' | 'reset'): Promise<{ requests: number; bodyBytes: number }>;
}

export async function startSink(): Promise<Sink> {
  const child = fork(join(__dirname, 'sink.ts'), [], { execArgv: ['--import', 'tsx'] });
  // A sink that dies before listening is an error, not a benchmark waiting for ever.
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('error', reject);
    child.once('exit', (code) =>
      reject(new Error(`the loopback sink exited (${code}) before listening`)),
    );
  });
  const call = (type: 'stats' | 'reset') =>
    new Promise<{ requests: number; bodyBytes: number }>((resolve) => {
      child.once('message', (m: { requests: number; bodyBytes: number }) => resolve(m));
      child.send({ type });
    });
  return { child, url, call };
}

export interface VariantRuns {
  /** CPU microseconds per item, one per round. */
  cpuUsPerItem: number[];
  /** Wall-clock microseconds per item of the measured part, one per round. */
  wallUsPerItem: number[];
  /** Of `cpuUsPerItem`, the kernel's (system time), one per round. */
  systemUsPerItem: number[];
  /** Minor page faults per 1,000 items, one per round. */
  faultsPerThousand: number[];
  /** Body bytes the sink received per item (last round). */
  wireBytesPerItem: number;
  /**
   * Items per request (last round): the exporter's own count of the measured part's requests
   * where it keeps one (`stats().requests`), else the sink's, warm-up and set-up requests
   * included.
   */
  itemsPerRequest: number;
}

/**
 * `rounds` rounds of every variant in turn, for one signal. Round r of every variant is at index
 * r of its `cpuUsPerItem`, so that figures of one round can be compared with each other.
 */
export async function runVariants<V extends string>(
  sink: Sink,
  childFile: string,
  variants: readonly V[],
  signal: E2eSignal,
  items: number,
  rounds: number,
): Promise<Map<V, VariantRuns>> {
  const runs = new Map<V, VariantRuns>(
    variants.map((v) => [
      v,
      {
        cpuUsPerItem: [],
        wallUsPerItem: [],
        systemUsPerItem: [],
        faultsPerThousand: [],
        wireBytesPerItem: 0,
        itemsPerRequest: 0,
      },
    ]),
  );
  for (let round = 0; round < rounds; round++) {
    // Each round in an order turned by one, and every other round reversed, so that no
    // variant always runs next to the same one (the machine drifts over minutes).
    const turned = variants.map((_, i) => variants[(i + round) % variants.length]);
    const order = round % 2 === 0 ? turned : turned.reverse();
    for (const variant of order) {
      await sink.call('reset');
      const output = execFileSync(
        process.execPath,
        ['--import', 'tsx', childFile, variant, signal, String(items), sink.url],
        // In the child's package, whichever package's benchmark runs it (tsx reads the
        // tsconfig where it starts).
        { cwd: join(dirname(childFile), '..'), encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      );
      const result = JSON.parse(output.trim().split('\n').pop() as string) as {
        cpuUs: number;
        systemUs: number;
        minorFaults: number;
        wallMs: number;
        sentItems: number;
        measuredRequests?: number;
      };
      const entry = runs.get(variant) as VariantRuns;
      entry.cpuUsPerItem.push(result.cpuUs / items);
      entry.wallUsPerItem.push((result.wallMs * 1000) / items);
      entry.systemUsPerItem.push(result.systemUs / items);
      entry.faultsPerThousand.push((result.minorFaults * 1000) / items);
      const stats = await sink.call('stats');
      entry.wireBytesPerItem = stats.bodyBytes / result.sentItems;
      entry.itemsPerRequest = result.measuredRequests
        ? items / result.measuredRequests
        : result.sentItems / stats.requests;
    }
  }
  return runs;
}

/** runVariants of this package's child (e2e-child.ts) into a sink of their own. */
export async function runOwnVariants<V extends string>(
  variants: readonly V[],
  signal: E2eSignal,
  items: number,
  rounds: number,
): Promise<Map<V, VariantRuns>> {
  const sink = await startSink();
  try {
    return await runVariants(
      sink,
      join(__dirname, 'e2e-child.ts'),
      variants,
      signal,
      items,
      rounds,
    );
  } finally {
    sink.child.send({ type: 'close' });
  }
}
