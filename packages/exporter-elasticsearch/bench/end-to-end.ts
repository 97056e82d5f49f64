/**
 * End-to-end documents per second over loopback into otelpack's Elasticsearch protocol fake
 * (integration/src/fakes/elasticsearch-fake.ts, a separate process): the SDK's spans and log
 * records exported through ElasticsearchSpanExporter / ElasticsearchLogRecordExporter (mapping,
 * pipeline, bulk requests, per-item outcomes), against the anchor: the same SDK items mapped by
 * the same functions and indexed with the official client's `helpers.bulk` (concurrency 4, as the
 * exporter's default, 5 MB bodies). The fake is reset before every run; every run must store
 * every document.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import { ElasticsearchLogRecordExporter, ElasticsearchSpanExporter } from '../src';
import { resolveConfig } from '../src/config';
import { mapLogRecord, mapSpan } from '../src/mapping/mapper';
import type { BulkDocument } from '../src/mapping/types';
import { PACKAGE_DIR, reportToParent } from './lib/child';
import { makeLogs, makeSpans } from './lib/inputs';
import { gc, median, round, spread } from './lib/stats';

const ITEMS = 20_000;
/** `BENCH_E2E_ROUNDS` shortens a profiling run; the published figures use the default. */
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 5);
/**
 * Extra node flags for the fake's process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`), to see
 * where the fake spends its time when it may be the ceiling of both clients.
 */
const FAKE_NODE_FLAGS = (process.env.BENCH_FAKE_NODE_FLAGS ?? '').split(' ').filter((f) => f);
/** The SDK's BatchSpanProcessor hands over 512 items per export. */
const EXPORT_SIZE = 512;
const FAKE = resolve(
  PACKAGE_DIR,
  '..',
  '..',
  'integration',
  'src',
  'fakes',
  'elasticsearch-fake.ts',
);

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function startFake(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [...FAKE_NODE_FLAGS, '--import', 'tsx', FAKE, '--port', String(port)],
    {
      cwd: resolve(PACKAGE_DIR, '..', '..', 'integration'),
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const answer = await fetch(url);
      if (answer.ok) return { url, child };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the Elasticsearch fake did not start');
}

/**
 * CPU seconds a process has used, from /proc (Linux; undefined elsewhere): whether the fake or
 * the client is the ceiling shows as which of them is near a whole core during a run.
 */
function processCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 a second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

async function post(url: string, path: string, body?: unknown): Promise<unknown> {
  const answer = await fetch(new URL(path, url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return answer.json();
}

async function count(url: string, target: string): Promise<number> {
  const answer = (await post(url, `/${target}/_count`)) as { count: number };
  return answer.count;
}

const settings = resolveConfig({}).mapping;

async function viaExporter(
  url: string,
  signal: 'spans' | 'logs',
  items: (ReadableSpanLike | ReadableLogRecordLike)[],
): Promise<number> {
  // The flush deadline is not what is measured: on a loaded machine the default 10 s can pass
  // with requests still in flight, which the check below would report as lost.
  const options = { url, flushIntervalMs: 20, maxQueueItems: 100_000, flushTimeoutMs: 300_000 };
  const exporter =
    signal === 'spans'
      ? new ElasticsearchSpanExporter(options)
      : new ElasticsearchLogRecordExporter(options);
  for (let start = 0; start < items.length; start += EXPORT_SIZE) {
    const chunk = items.slice(start, start + EXPORT_SIZE);
    await new Promise<void>((done) =>
      (exporter.export as (i: unknown[], cb: () => void) => void)(chunk, done),
    );
  }
  await exporter.forceFlush();
  const stats = exporter.stats();
  await exporter.shutdown();
  if (stats.droppedTotal > 0 || stats.pending > 0)
    throw new Error(`exporter lost records: ${JSON.stringify(stats)}`);
  return stats.delivered;
}

async function viaHelper(url: string, documents: () => Iterable<BulkDocument>): Promise<number> {
  const client = new Client({ node: url, maxRetries: 0 });
  const actions = new WeakMap<object, Record<string, unknown>>();
  async function* source() {
    for (const doc of documents()) {
      const meta: Record<string, unknown> = { _index: doc.target.index };
      if (doc.target.dataStream) meta.require_data_stream = true;
      actions.set(doc.document, { create: meta });
      yield doc.document;
    }
  }
  const stats = await client.helpers.bulk({
    datasource: source(),
    onDocument: (doc) => actions.get(doc) as never,
    concurrency: 4,
    refreshOnCompletion: false,
  });
  await client.close();
  if (stats.failed > 0) throw new Error(`helpers.bulk failed ${stats.failed} documents`);
  return stats.successful;
}

export interface EndToEndCase {
  signal: 'spans' | 'logs';
  documents: number;
  anchor: { docsPerSec: number; spread: number };
  otelpack: { docsPerSec: number; spread: number };
  ratio: number;
  /** Median CPU of each process during the timed runs, in cores (1 = one core busy throughout). */
  cpu?: { anchor: { bench: number; fake: number }; otelpack: { bench: number; fake: number } };
}

export interface EndToEndResult {
  anchor: string;
  rounds: number;
  exportSize: number;
  cases: EndToEndCase[];
}

reportToParent(async (): Promise<EndToEndResult> => {
  const { url, child } = await startFake();
  try {
    const inputs = {
      spans: makeSpans(ITEMS) as (ReadableSpanLike | ReadableLogRecordLike)[],
      logs: (await makeLogs(ITEMS)) as (ReadableSpanLike | ReadableLogRecordLike)[],
    };
    const cases: EndToEndCase[] = [];
    for (const signal of ['spans', 'logs'] as const) {
      const items = inputs[signal];
      const documents = function* (): Iterable<BulkDocument> {
        for (const item of items) {
          if (signal === 'spans') yield* mapSpan(item as ReadableSpanLike, settings);
          else yield mapLogRecord(item as ReadableLogRecordLike, settings);
        }
      };
      const expected = [...documents()].length;
      const ours: number[] = [];
      const theirs: number[] = [];
      const ratios: number[] = [];
      const loads = {
        anchor: { bench: [] as number[], fake: [] as number[] },
        otelpack: { bench: [] as number[], fake: [] as number[] },
      };
      for (let r = 0; r < ROUNDS; r++) {
        const timed = async (
          run: () => Promise<number>,
          load: { bench: number[]; fake: number[] },
        ): Promise<number> => {
          await post(url, '/_otelpack_fake/reset');
          gc();
          const fakeBefore = processCpuSeconds(child.pid);
          const benchBefore = process.cpuUsage();
          const start = performance.now();
          const delivered = await run();
          const ms = performance.now() - start;
          const benchUsed = process.cpuUsage(benchBefore);
          const fakeAfter = processCpuSeconds(child.pid);
          load.bench.push((benchUsed.user + benchUsed.system) / 1000 / ms);
          if (fakeBefore !== undefined && fakeAfter !== undefined) {
            load.fake.push(((fakeAfter - fakeBefore) * 1000) / ms);
          }
          const stored = (await count(url, 'traces-*,logs-*')) as number;
          if (delivered !== expected || stored !== expected) {
            throw new Error(
              `${signal}: ${delivered} delivered, ${stored} stored, ${expected} expected`,
            );
          }
          return ms;
        };
        const anchorMs = await timed(() => viaHelper(url, documents), loads.anchor);
        const oursMs = await timed(() => viaExporter(url, signal, items), loads.otelpack);
        theirs.push(expected / (anchorMs / 1000));
        ours.push(expected / (oursMs / 1000));
        ratios.push(anchorMs / oursMs);
      }
      cases.push({
        signal,
        documents: expected,
        anchor: { docsPerSec: Math.round(median(theirs)), spread: round(spread(theirs)) },
        otelpack: { docsPerSec: Math.round(median(ours)), spread: round(spread(ours)) },
        ratio: round(median(ratios)),
        cpu:
          loads.anchor.fake.length > 0
            ? {
                anchor: {
                  bench: round(median(loads.anchor.bench)),
                  fake: round(median(loads.anchor.fake)),
                },
                otelpack: {
                  bench: round(median(loads.otelpack.bench)),
                  fake: round(median(loads.otelpack.fake)),
                },
              }
            : undefined,
      });
    }
    return {
      anchor: '@elastic/elasticsearch helpers.bulk (concurrency 4, 5 MB bodies) into the same fake',
      rounds: ROUNDS,
      exportSize: EXPORT_SIZE,
      cases,
    };
  } finally {
    child.kill('SIGTERM');
  }
});
