import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { createClient } from '@clickhouse/client';
import type { PipelineStats } from '@otelpack/batching-core';
import { assertLedgerBalances, seededRandom } from '@otelpack/batching-core/testing';
import { backendUrl } from '../../src/env';
import { searchAll } from '../elasticsearch/helpers';
import { decodedKeys, storedRequests } from '../otlp/helpers';
import { exportVm, forceFlushVm, seriesKey } from '../victoriametrics/helpers';
import type { CrashChildConfig } from './crash-child';

/*
 * The spool's promise, per exporter against its integration backend: a process exporting under
 * load while the backend is slow and failing is killed with SIGKILL at a random moment (seeded),
 * a second process opens the same spool and finishes, and every record whose export callback
 * had reported success is in the backend — exactly once where the exporter is idempotent
 * (Elasticsearch with deterministic ids). What else is found or missing is counted and
 * explained. Elasticsearch and OTLP are otelpack's labelled FAKES; ClickHouse is the REAL
 * engine (chdb behind otelpack's HTTP front), VictoriaMetrics the REAL single-node binary.
 */

const CHILD = resolve(__dirname, 'crash-child.ts');
const RECORDS = 3_000;
const SEEDS = [11, 23, 37];

/** A proxy in front of the backend: slow and failing while `flaky`, then plain. */
async function startGate(target: string, random: () => number) {
  const upstream = new URL(target);
  let flaky = true;
  const server: Server = createServer((req, res) => {
    const forward = () => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      req.pipe(out);
    };
    if (!flaky) return forward();
    if (random() < 0.25) {
      req.resume();
      res.writeHead(503, { 'retry-after': '0' }).end('backend down (crash-test gate)');
      return;
    }
    setTimeout(forward, 20 + random() * 150);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    open: () => (flaky = false),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

interface ChildRun {
  child: ChildProcess;
  acked: Set<string>;
  started: Promise<number>;
  done: Promise<PipelineStats | undefined>;
}

function runChild(config: CrashChildConfig): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CRASH_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const acked = new Set<string>();
  let onStarted: (replayed: number) => void = () => undefined;
  const started = new Promise<number>((done) => (onStarted = done));
  const done = new Promise<PipelineStats | undefined>((finish) => {
    let stats: PipelineStats | undefined;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as {
        ok?: string[];
        started?: number;
        done?: PipelineStats;
      };
      if (message.ok) for (const seq of message.ok) acked.add(seq);
      if (message.started !== undefined) onStarted(message.started);
      if (message.done) stats = message.done;
    });
    child.once('exit', () => finish(stats));
  });
  return { child, acked, started, done };
}

interface Target {
  id: string;
  exporter: CrashChildConfig['exporter'];
  /** Exactly once (idempotent ids) rather than at least once. */
  idempotent: boolean;
  newTarget(): string;
  /** How many times each record (its seq, or a sample's `labels@timestamp`) is stored. */
  stored(url: string, target: string): Promise<Map<string, number>>;
  /** Records the first process is asked to make: log records, or metric collections. */
  records: number;
}

function tally(keys: (string | number)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(String(key), (counts.get(String(key)) ?? 0) + 1);
  return counts;
}

const TARGETS: Target[] = [
  {
    id: 'elasticsearch',
    exporter: 'elasticsearch',
    idempotent: true,
    records: RECORDS,
    newTarget: () => `it_spool_${randomUUID().slice(0, 8)}`,
    stored: async (url, dataset) => {
      const hits = await searchAll(url, `logs-${dataset}.otel-default`);
      return tally(hits.map((h) => Number((h._source.attributes as { seq: number }).seq)));
    },
  },
  {
    id: 'clickhouse',
    exporter: 'clickhouse',
    idempotent: false,
    records: RECORDS,
    newTarget: () => `it_spool_${randomUUID().slice(0, 8)}`,
    stored: async (url, database) => {
      const client = createClient({ url });
      try {
        const result = await client.query({
          query: `SELECT LogAttributes['seq'] AS seq FROM \`${database}\`.otel_logs`,
          format: 'JSONEachRow',
        });
        const rows = (await result.json()) as { seq: string }[];
        return tally(rows.map((r) => Number(r.seq)));
      } finally {
        await client.close();
      }
    },
  },
  {
    id: 'otlp',
    exporter: 'otlp',
    idempotent: false,
    records: RECORDS,
    newTarget: () => `it-spool-${randomUUID().slice(0, 8)}`,
    stored: async (url, scope) => {
      const keys = decodedKeys('logs', await storedRequests(url, 'logs', scope));
      return tally(keys.map((body) => Number(body.replace('crash record ', ''))));
    },
  },
  {
    id: 'victoriametrics',
    exporter: 'victoriametrics',
    // A sample sent twice is stored twice unless VictoriaMetrics runs with deduplication.
    idempotent: false,
    records: 1,
    newTarget: () => `it_spool_${randomUUID().slice(0, 8)}`,
    stored: async (url, job) => {
      await forceFlushVm(url);
      const keys: string[] = [];
      for (const series of await exportVm(url, `{job="${job}"}`)) {
        const key = seriesKey(series.metric);
        for (const ts of series.timestamps) keys.push(`${key}@${ts}`);
      }
      return tally(keys);
    },
  },
];

async function crashAndRecover(t: TestContext, target: Target, url: string, seed: number) {
  const random = seededRandom(seed);
  const gate = await startGate(url, random);
  const spool = mkdtempSync(join(tmpdir(), 'otelpack-crash-'));
  const name = target.newTarget();
  try {
    const config = { exporter: target.exporter, spool, target: name };
    const first = runChild({ ...config, url: gate.url, first: 0, count: target.records });
    await first.started;
    const killAfterMs = 50 + Math.floor(random() * 700);
    await new Promise((done) => setTimeout(done, killAfterMs));
    first.child.kill('SIGKILL');
    await first.done;
    gate.open();
    const second = runChild({ ...config, url: gate.url, first: 0, count: 0 });
    const replayed = await second.started;
    const stats = await second.done;
    assert.ok(stats, 'the second process finished');
    assertLedgerBalances(stats);
    assert.equal(stats.pending + stats.leftInSpool, 0, 'everything replayed was settled');
    const stored = await target.stored(url, name);
    const missing = [...first.acked].filter((seq) => !stored.has(seq));
    assert.deepEqual(missing, [], 'every record reported exported is stored');
    const twice = [...stored].filter(([, n]) => n > 1).map(([seq]) => seq);
    if (target.idempotent) assert.deepEqual(twice, [], 'stored once each (idempotent ids)');
    const unacked = [...stored.keys()].filter((key) => !first.acked.has(key)).length;
    t.diagnostic(
      `seed ${seed}: killed after ${killAfterMs} ms; ${first.acked.size} reported exported, all stored; ` +
        `${replayed} replayed by the next process (${stats.delivered} delivered, ${stats.dropped.corrupt} corrupt: an export cut by the kill while it was written, never answered); ` +
        `${unacked} stored whose callback had not fired yet (accepted, then killed); ` +
        `${twice.length} stored twice (${target.idempotent ? 'none allowed' : 'at least once: sent before the kill, acknowledged after'}); ` +
        (target.records === RECORDS
          ? `${RECORDS - stored.size} never stored (still in the SDK's processor, never handed to the exporter)`
          : `${stored.size} samples stored`),
    );
  } finally {
    await gate.close();
    rmSync(spool, { recursive: true, force: true });
  }
}

describe('spool crash test: SIGKILL under load, restart, nothing reported exported is lost', () => {
  for (const target of TARGETS) {
    for (const seed of SEEDS) {
      it(`${target.id}, seed ${seed}`, { timeout: 120_000 }, async (t) => {
        const url = backendUrl(t, target.id);
        if (!url) return;
        await crashAndRecover(t, target, url, seed);
      });
    }
  }
});
