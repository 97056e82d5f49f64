import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { Agent, createServer, request as httpRequest } from 'node:http';
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
import { isOtelpackFake } from '../../src/fake-probe';
import { FAKE_TOKEN } from '../../src/fakes/dynatrace/server';
import { FAKE_LICENSE_KEY } from '../../src/fakes/newrelic/account';
import { SCOPE_HEADER } from '../../src/fakes/otlp-fake';
import type { OtlpSignal } from '../../src/protocols/otlp';
import { storedLines } from '../dynatrace/helpers';
import { searchAll } from '../elasticsearch/helpers';
import { decodedKeys, storedRequests } from '../otlp/helpers';
import { hecTarget, storedEvents } from '../splunk-hec/helpers';
import { eventually, exportVm, forceFlushVm, seriesKey } from '../victoriametrics/helpers';
import type { CrashChildConfig, CrashExporter } from './crash-child';

/*
 * The spool's promise, per exporter against its integration backend: a process exporting under
 * load while the backend is slow and failing is killed with SIGKILL — at a seeded random moment,
 * as one of its requests reaches the backend, or inside its spool's roll to a new segment — a second
 * process opens the same spool and finishes, and every record whose export callback had reported
 * success is in the backend: exactly once where the exporter is idempotent (Elasticsearch with
 * deterministic ids, ClickHouse with its insert dedup token), at least once elsewhere. The rest is accounted for, not only counted:
 * nothing is stored that was never handed to the exporter, each record handed over and not
 * stored was in the export the kill cut, nothing is dropped but that export's records (a frame
 * the kill cut mid-write is counted `corrupt`), and where a backend keeps copies, there are no
 * more extra copies than records the second process replayed (a bound the spool's own count
 * sets: a spool that forgot its acknowledgements would replay, and allow, more).
 * ClickHouse is the REAL engine (chdb behind otelpack's HTTP front), VictoriaMetrics the REAL
 * single-node binary; the others are otelpack's labelled FAKES (src/fakes/), read back through
 * their /_otelpack_fake/ endpoints.
 */

const CHILD = resolve(__dirname, 'crash-child.ts');
const RECORDS = 3_000;

/**
 * When the first process dies: `random` after a seeded delay; `send` as its KILL_AT_SEND-th
 * request carrying records reaches the backend (held, never answered); `answered` as the
 * backend's answer to that request comes back (the backend stored it, the exporter never
 * hears: the batch is replayed, and only a backend that deduplicates it stores it once);
 * `roll-created` and `roll-header` inside its spool's first roll to a new segment (segmentBytes
 * is 64 KiB in the child): the child kills itself once the new file is created, empty, or once
 * its header is written, before the frame that made the roll.
 */
type Moment = 'random' | 'send' | 'answered' | 'roll-created' | 'roll-header';
const CASES: { seed: number; moment: Moment }[] = [
  // Killed 408, 90 and 532 ms after the first process started (killDelayMs).
  { seed: 11, moment: 'random' },
  { seed: 19, moment: 'random' },
  { seed: 5, moment: 'random' },
  { seed: 23, moment: 'send' },
  { seed: 41, moment: 'answered' },
  { seed: 37, moment: 'roll-created' },
  { seed: 43, moment: 'roll-header' },
];
/** Where inside the roll the child kills itself, for the two roll moments. */
const rollPointOf = (moment: Moment): 'created' | 'header' | undefined =>
  moment === 'roll-created' ? 'created' : moment === 'roll-header' ? 'header' : undefined;
/** The spool's segment header (magic and format version): a segment with no frame yet. */
const SEGMENT_HEADER_BYTES = 16;
const KILL_AT_SEND = 3;
/** A kill moment that has not come by then fails the case (the child is killed anyway). */
const MOMENT_TIMEOUT_MS = 8_000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/**
 * A proxy in front of the backend: slow and failing while `flaky`, then plain. `killOnSend`
 * holds the n-th request that `sends` matches (`METHOD /path?query`) and calls `kill` instead of
 * forwarding it; `killOnAnswer` forwards it (never failed) and calls `kill` when the backend's
 * answer arrives, instead of relaying it.
 */
async function startGate(target: string, random: () => number, sends: RegExp) {
  const upstream = new URL(target);
  // Its own pool, destroyed at close: kept-alive sockets would hold this process open.
  const agent = new Agent({ keepAlive: true });
  let flaky = true;
  let sent = 0;
  let killAt: { n: number; onAnswer: boolean; kill(): void; seen(line: string): void } | undefined;
  const server: Server = createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    const killing = sends.test(line) && ++sent === killAt?.n ? killAt : undefined;
    if (killing && !killing.onAnswer) {
      killing.kill();
      return killing.seen(line);
    }
    const forward = () => {
      const out = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          agent,
          headers: { ...req.headers, host: upstream.host },
        },
        (answer) => {
          if (killing) {
            answer.resume();
            killing.kill();
            res.destroy();
            return killing.seen(`${line} answered ${answer.statusCode}`);
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      // A client killed mid-request leaves its body unfinished: the backend would hold the
      // half-sent request (and keep this process alive) until its own timeout.
      res.on('close', () => {
        if (!res.writableFinished) out.destroy();
      });
      req.pipe(out);
    };
    if (!flaky || killing) return forward();
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
    killOnSend: (n: number, kill: () => void) =>
      new Promise<string>((seen) => (killAt = { n, onAnswer: false, kill, seen })),
    killOnAnswer: (n: number, kill: () => void) =>
      new Promise<string>((seen) => (killAt = { n, onAnswer: true, kill, seen })),
    close: () => {
      server.closeAllConnections();
      agent.destroy();
      return new Promise<void>((done) => server.close(() => done()));
    },
  };
}
type Gate = Awaited<ReturnType<typeof startGate>>;

/** The spool's segment files, by name (a segment is named by its first record id). */
function segments(spool: string): string[] {
  return (readdirSync(spool, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.seg'))
    .sort((a, b) => parseInt(a.replace(/.*\//, ''), 10) - parseInt(b.replace(/.*\//, ''), 10));
}

interface ChildRun {
  child: ChildProcess;
  /** Keys handed to the exporter (before its export() call). */
  accepted: Set<string>;
  /** Keys of the export() call that had not returned: at exit, the call the kill cut. */
  inCall: string[];
  /** Keys whose export callback reported success. */
  acked: Set<string>;
  started: Promise<number>;
  done: Promise<PipelineStats | undefined>;
}

interface ChildMessage {
  accepted?: string[];
  returned?: number;
  ok?: string[];
  started?: number;
  done?: PipelineStats;
}

function runChild(config: CrashChildConfig): ChildRun {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, CRASH_CHILD_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let onStarted: (replayed: number) => void = () => undefined;
  let stats: PipelineStats | undefined;
  const run: ChildRun = {
    child,
    accepted: new Set(),
    inCall: [],
    acked: new Set(),
    started: new Promise((done) => (onStarted = done)),
    // `close`, not `exit`: every line it wrote has been read by then.
    done: new Promise((finish) => child.once('close', () => finish(stats))),
  };
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let message: ChildMessage;
    try {
      message = JSON.parse(line) as ChildMessage;
    } catch {
      // The last line of a killed process, cut short: written before the call it announces.
      return;
    }
    if (message.accepted) {
      for (const key of message.accepted) run.accepted.add(key);
      run.inCall = message.accepted;
    }
    if (message.returned !== undefined) run.inCall = [];
    if (message.ok) for (const key of message.ok) run.acked.add(key);
    if (message.started !== undefined) onStarted(message.started);
    if (message.done) stats = message.done;
  });
  return run;
}

/** Resolves with what `moment` resolved with, or undefined after MOMENT_TIMEOUT_MS. */
async function within<T>(moment: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>(
    (done) => (timer = setTimeout(() => done(undefined), MOMENT_TIMEOUT_MS)),
  );
  try {
    return await Promise.race([moment, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * When a `random` case kills: its seed's own draw, apart from the gate's, whose draws depend on
 * how many requests came first.
 */
function killDelayMs(seed: number): number {
  return 50 + Math.floor(seededRandom(seed)() * 700);
}

/** Kills the first process at `moment`; says what was observed there, or fails. */
async function killFirst(
  seed: number,
  moment: Moment,
  first: ChildRun,
  gate: Gate,
  spool: string,
): Promise<string> {
  const kill = () => first.child.kill('SIGKILL');
  if (moment === 'random') {
    await first.started;
    const afterMs = killDelayMs(seed);
    await sleep(afterMs);
    kill();
    await first.done;
    return `killed ${afterMs} ms after it started`;
  }
  const rollPoint = rollPointOf(moment);
  if (rollPoint) {
    // The child kills itself (killInRoll); a child still alive by the deadline fails the case.
    const died = await within(first.done.then(() => true));
    kill();
    await first.done;
    assert.ok(died, `the spool rolled within ${MOMENT_TIMEOUT_MS} ms`);
    assert.equal(first.child.signalCode, 'SIGKILL', 'killed, not ended');
    // The first segment is still there unless all of it was delivered when the roll began (the
    // roll deletes it then): the new one is the last, cut where the child killed itself.
    const files = segments(spool);
    const rolled = files.at(-1) as string;
    assert.ok(
      files.length === 1 || files.length === 2,
      `killed in the first roll: ${files.join(', ')}`,
    );
    assert.equal(
      statSync(join(spool, rolled)).size,
      rollPoint === 'created' ? 0 : SEGMENT_HEADER_BYTES,
    );
    const before =
      files.length === 2
        ? `segment ${files[0]} (${statSync(join(spool, files[0])).size} bytes)`
        : 'a delivered segment it deleted';
    return `killed inside the roll from ${before} to ${rolled}, ${rollPoint === 'created' ? 'created empty' : 'its header written'}`;
  }
  const seen = await within(
    moment === 'send' ? gate.killOnSend(KILL_AT_SEND, kill) : gate.killOnAnswer(KILL_AT_SEND, kill),
  );
  kill();
  await first.done;
  assert.ok(seen, `the kill moment (${moment}) came within ${MOMENT_TIMEOUT_MS} ms`);
  if (moment === 'send') {
    return `killed as request ${KILL_AT_SEND} with records reached the backend, unanswered (${seen.slice(0, 60)})`;
  }
  const line = seen.length > 60 ? `${seen.slice(0, 40)}…${seen.slice(-13)}` : seen;
  return `killed as the backend's answer to request ${KILL_AT_SEND} came back, unrelayed (${line})`;
}

interface Target {
  id: string;
  /** The integration backend it runs against, when not `id`. */
  backend?: string;
  exporter: CrashExporter;
  /** Exactly once (idempotent ids) rather than at least once. */
  idempotent: boolean;
  /** Records (seq 0…records-1) the first process is asked to make; undefined: metric samples. */
  records?: number;
  /** The request line (`METHOD /path?query`) of a request carrying records, for `send`. */
  sends: RegExp;
  /** A place of the run's own in the backend (undefined: the test skips). */
  newTarget(t: TestContext, url: string): Promise<string | undefined>;
  /** The exporter's options: the gate as its URL, the run's place, the fake's credentials. */
  options(gate: string, name: string): Record<string, unknown>;
  /** How many times each record (its seq, or a sample's key) is stored. */
  stored(url: string, name: string): Promise<Map<string, number>>;
}

function tally(keys: (string | number)[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(String(key), (counts.get(String(key)) ?? 0) + 1);
  return counts;
}

const uniqueName = (separator: string) =>
  Promise.resolve(`it${separator}spool${separator}${randomUUID().slice(0, 8)}`);

/**
 * A run's name where the read-back needs otelpack's fake (its `_otelpack_fake` endpoints or the
 * requests it keeps): with docker-compose the backend is the real product (the Collector, the
 * Agent), which gives nothing back to read, and the case skips, saying so.
 */
async function fakeOnlyName(t: TestContext, url: string, separator: string) {
  if (!(await isOtelpackFake(url, /otelpack .*fake/))) {
    t.skip('reads back through the otelpack fake; this backend is the real product');
    return undefined;
  }
  return uniqueName(separator);
}

/** Records an OTLP receiver fake (or the New Relic fake) decoded for `scope`, by seq. */
async function otlpStored(url: string, signal: OtlpSignal, scope: string) {
  const keys = decodedKeys(signal, await storedRequests(url, signal, scope));
  return tally(keys.map((text) => Number(text.replace('crash record ', ''))));
}

/** The points of OTLP metric requests as the child keys them: `worker@end time in whole ms`. */
function otlpPointKeys(requests: Awaited<ReturnType<typeof storedRequests>>): string[] {
  type Point = {
    attributes: { key: string; value: { stringValue?: string } }[];
    timeUnixNano: string;
  };
  const keys: string[] = [];
  for (const stored of requests) {
    const request = stored.request as {
      resourceMetrics?: { scopeMetrics: { metrics: { sum?: { dataPoints: Point[] } }[] }[] }[];
    };
    for (const resource of request.resourceMetrics ?? []) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) {
          for (const point of metric.sum?.dataPoints ?? []) {
            const worker = point.attributes.find((a) => a.key === 'worker')?.value.stringValue;
            keys.push(`${worker}@${Number(BigInt(point.timeUnixNano) / 1_000_000n)}`);
          }
        }
      }
    }
  }
  return keys;
}

/**
 * An exporter on exporter-otlp's sender into an OTLP receiver fake (or the New Relic fake): its
 * records are told apart by the fake's scope header, one per run. `inUrl`: the preset takes the
 * whole URL, path included.
 */
function otlpTarget(
  id: 'otlp' | 'newrelic' | 'lightstep',
  signal: OtlpSignal,
  path: string,
  credentials: Record<string, unknown> = {},
  inUrl = false,
): Target {
  return {
    id,
    exporter: id,
    idempotent: false,
    records: RECORDS,
    sends: new RegExp(`^POST ${path.replace(/[./]/g, '\\$&')}`),
    newTarget: (t, url) => fakeOnlyName(t, url, '-'),
    options: (url, scope) => ({
      url: inUrl ? `${url}${path}` : url,
      ...credentials,
      headers: { [SCOPE_HEADER]: scope },
    }),
    stored: (url, scope) => otlpStored(url, signal, scope),
  };
}

/**
 * ClickHouse, the real engine: every insert carries a dedup token naming its rows, and the spool
 * replays a batch sent before the kill as it was cut, so the copy of a batch stored before the
 * kill is dropped. Read back from the run's own database: `key` is the SQL expression of a row's
 * key (a record's `seq` attribute, or a point's `worker@ms`), `records` as in `Target`.
 */
function clickHouseTarget(
  id: string,
  exporter: CrashExporter,
  table: string,
  key: string,
  records: number | undefined,
): Target {
  return {
    id,
    backend: 'clickhouse',
    exporter,
    idempotent: true,
    records,
    sends: /INSERT/i,
    newTarget: () => uniqueName('_'),
    options: (url, database) => ({ url, database }),
    stored: async (url, database) => {
      const client = createClient({ url });
      try {
        const result = await client.query({
          query: `SELECT ${key} AS key FROM \`${database}\`.${table}`,
          format: 'JSONEachRow',
        });
        const rows = (await result.json()) as { key: string }[];
        return tally(rows.map((r) => (records === undefined ? r.key : Number(r.key))));
      } finally {
        await client.close();
      }
    },
  };
}

const TARGETS: Target[] = [
  {
    id: 'elasticsearch',
    exporter: 'elasticsearch',
    idempotent: true,
    records: RECORDS,
    sends: /^POST \/_bulk/,
    newTarget: () => uniqueName('_'),
    options: (url, dataset) => ({ url, dataset, deterministicIds: true }),
    stored: async (url, dataset) => {
      const hits = await searchAll(url, `logs-${dataset}.otel-default`);
      return tally(hits.map((h) => Number((h._source.attributes as { seq: number }).seq)));
    },
  },
  {
    id: 'elasticsearch_metrics',
    backend: 'elasticsearch',
    exporter: 'elasticsearch-metrics',
    // A time series data stream keeps one document per series and timestamp: a resend is a 409,
    // not a second document (issue 11's TSDB rules, which the fake models).
    idempotent: true,
    sends: /^POST \/_bulk/,
    newTarget: () => uniqueName('_'),
    options: (url, dataset) => ({ url, dataset }),
    stored: async (url, dataset) => {
      const hits = await searchAll(url, `metrics-${dataset}.otel-default`);
      return tally(
        hits.map((h) => {
          const source = h._source as { attributes: { worker: string }; '@timestamp': number };
          return `${source.attributes.worker}@${source['@timestamp']}`;
        }),
      );
    },
  },
  clickHouseTarget('clickhouse', 'clickhouse', 'otel_logs', "LogAttributes['seq']", RECORDS),
  clickHouseTarget(
    'clickhouse_traces',
    'clickhouse-traces',
    'otel_traces',
    "SpanAttributes['seq']",
    RECORDS,
  ),
  // Points of the counter, one row each in the sum table, keyed as the child keys them.
  clickHouseTarget(
    'clickhouse_metrics',
    'clickhouse-metrics',
    'otel_metrics_sum',
    "concat(Attributes['worker'], '@', toString(toUnixTimestamp64Milli(TimeUnix)))",
    undefined,
  ),
  otlpTarget('otlp', 'logs', '/v1/logs'),
  {
    ...otlpTarget('otlp', 'metrics', '/v1/metrics'),
    id: 'otlp_metrics',
    backend: 'otlp',
    exporter: 'otlp-metrics',
    records: undefined,
    stored: async (url, scope) => tally(otlpPointKeys(await storedRequests(url, 'metrics', scope))),
  },
  otlpTarget('newrelic', 'logs', '/v1/logs', { auth: { apiKey: FAKE_LICENSE_KEY } }),
  // The ingest's own path, which the OTLP fake standing in for it answers at: in the URL.
  otlpTarget('lightstep', 'traces', '/traces/otlp/v0.9', { auth: { token: 't'.repeat(84) } }, true),
  {
    id: 'splunk_hec',
    exporter: 'splunk-hec',
    // HEC has no idempotent ids: with indexer acknowledgement, a batch whose ack the kill
    // prevented is sent again.
    idempotent: false,
    records: RECORDS,
    sends: /^POST \/services\/collector(\/event)?/,
    // A token of the run's own, with indexer acknowledgement: read back by token.
    newTarget: async (t) => (await hecTarget(t, { ack: true }))?.token,
    options: (url, token) => ({
      url,
      auth: { token },
      indexerAcknowledgement: true,
      ackPollIntervalMs: 20,
    }),
    stored: async (url, token) => {
      const events = await storedEvents({ url, token, fake: true });
      return tally(events.map((e) => Number(e.fields?.seq)));
    },
  },
  {
    id: 'datadog',
    exporter: 'datadog',
    // The trace Agent keeps every span it takes: a span sent twice is there twice.
    idempotent: false,
    records: RECORDS,
    sends: /^PUT \/v0\.4\/traces/,
    newTarget: (t, url) => fakeOnlyName(t, url, '-'),
    options: (url) => ({ url }),
    stored: async (url, service) => {
      const response = await fetch(new URL(`/_otelpack_fake/spans?service=${service}`, url));
      assert.equal(response.status, 200, 'the Datadog fake serves its spans');
      const spans = (await response.json()) as { metrics: { seq?: number } }[];
      return tally(spans.map((s) => Number(s.metrics.seq)));
    },
  },
  {
    id: 'datadog_logs',
    backend: 'datadog',
    exporter: 'datadog-logs',
    // The logs intake keeps every entry it takes.
    idempotent: false,
    records: RECORDS,
    sends: /^POST \/api\/v2\/logs/,
    newTarget: (t, url) => fakeOnlyName(t, url, '-'),
    options: (url) => ({ url, auth: { apiKey: 'crash-test-api-key' } }),
    stored: async (url, service) => {
      const response = await fetch(new URL(`/_otelpack_fake/logs?service=${service}`, url));
      assert.equal(response.status, 200, 'the Datadog fake serves its log entries');
      const entries = (await response.json()) as { seq?: number }[];
      return tally(entries.map((e) => Number(e.seq)));
    },
  },
  {
    id: 'victoriametrics',
    exporter: 'victoriametrics',
    // A sample sent twice is stored twice unless VictoriaMetrics runs with deduplication.
    idempotent: false,
    sends: /^POST \/api\/v1\/(import|write)/,
    newTarget: () => uniqueName('_'),
    options: (url) => ({ url }),
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
  {
    id: 'dynatrace',
    exporter: 'dynatrace',
    // The metric ingest stores every line it takes.
    idempotent: false,
    sends: /^POST \/api\/v2\/metrics\/ingest/,
    newTarget: (t, url) => fakeOnlyName(t, url, '_'),
    options: (url, prefix) => ({ url, auth: { token: FAKE_TOKEN }, prefix }),
    stored: async (url, prefix) => {
      const keys: string[] = [];
      for (const { parsed } of await storedLines(url)) {
        if (parsed.kind === 'data' && parsed.key.startsWith(`${prefix}.`)) {
          keys.push(`${parsed.dimensions.worker}@${parsed.timestamp}`);
        }
      }
      return tally(keys);
    },
  },
];

/**
 * Every record the first process was asked for (or, for metrics, every sample it handed over),
 * by what became of it. `lost` are handed over, returned (so in the spool), not stored: there
 * must be none, as a SIGKILL damages no frame that was written whole (the page cache outlives
 * the process), and nothing is counted dropped.
 */
function accountFor(target: Target, first: ChildRun, stored: Map<string, number>) {
  const all = target.records
    ? Array.from({ length: target.records }, (_, seq) => String(seq))
    : [...first.accepted];
  const cut = new Set(first.inCall);
  const parts = { stored: 0, neverHandedOver: 0, cutByKill: 0, lost: 0 };
  for (const key of all) {
    if (stored.has(key)) parts.stored++;
    else if (!first.accepted.has(key)) parts.neverHandedOver++;
    else if (cut.has(key)) parts.cutByKill++;
    else parts.lost++;
  }
  return { total: all.length, ...parts };
}

function droppedText(stats: PipelineStats): string {
  const reasons = Object.entries(stats.dropped).filter(([, n]) => n > 0);
  return reasons.length === 0 ? 'none' : reasons.map(([r, n]) => `${n} ${r}`).join(', ');
}

async function crashAndRecover(
  t: TestContext,
  target: Target,
  url: string,
  seed: number,
  moment: Moment,
) {
  const name = await target.newTarget(t, url);
  if (!name) return;
  const gate = await startGate(url, seededRandom(seed), target.sends);
  const spool = mkdtempSync(join(tmpdir(), 'otelpack-crash-'));
  try {
    const config = { exporter: target.exporter, spool, service: name };
    const first = runChild({
      ...config,
      options: target.options(gate.url, name),
      first: 0,
      count: target.records ?? 1,
      bursts: moment === 'answered',
      ...(rollPointOf(moment) ? { killInRoll: rollPointOf(moment) } : {}),
    });
    const observed = await killFirst(seed, moment, first, gate, spool);
    gate.open();
    const second = runChild({
      ...config,
      options: target.options(gate.url, name),
      first: 0,
      count: 0,
    });
    const replayed = await second.started;
    const stats = await second.done;
    assert.ok(stats, 'the second process finished');
    assertLedgerBalances(stats);
    assert.equal(stats.pending + stats.leftInSpool, 0, 'everything replayed was settled');
    if (moment === 'send' || moment === 'answered') {
      // The held request's records at the least were waiting in the spool. (A random or roll
      // kill may come when all that was written is delivered: the roll deletes such a segment.)
      assert.ok(replayed > 0, `the kill left records to replay (${observed})`);
    }
    if (rollPointOf(moment)) {
      // A roll cut short is an ordinary crash: no frame was damaged, so none is counted corrupt.
      assert.equal(stats.dropped.corrupt, 0, 'a segment cut off inside its roll is not damage');
    }
    // Read again until every record reported exported is visible, for 15 s at most: a backend
    // may make what it acknowledged searchable a moment later (VictoriaMetrics returned none of
    // 60 samples whose write it had answered, with force_flush before the read, 7 December).
    const stored = await eventually(async () => {
      const read = await target.stored(url, name);
      const missing = [...first.acked].filter((key) => !read.has(key));
      assert.deepEqual(missing, [], 'every record reported exported is stored');
      return read;
    }, 15_000);
    const strangers = [...stored.keys()].filter((key) => !first.accepted.has(key));
    assert.deepEqual(strangers, [], 'nothing is stored that was never handed to the exporter');
    const parts = accountFor(target, first, stored);
    assert.equal(
      parts.lost,
      0,
      'records handed over, written, and neither stored nor in the cut export',
    );
    // For the idempotent, the backend's answer to a copy it holds (a 409 on an id or a time
    // series, a dedup token's quiet 200) counts as delivered: nothing of the replay is dropped.
    // Only a frame the kill cut mid-write (a write may stop between pages) is counted `corrupt`,
    // and its records are the cut export's.
    const { corrupt, ...otherDrops } = stats.dropped;
    assert.deepEqual(
      Object.entries(otherDrops).filter(([, n]) => n > 0),
      [],
      `dropped on replay: ${droppedText(stats)}`,
    );
    assert.ok(
      corrupt <= first.inCall.length,
      `${corrupt} counted corrupt, more than the ${first.inCall.length} records of the export the kill cut`,
    );
    const twice = [...stored].filter(([, n]) => n > 1).map(([key]) => key);
    if (target.idempotent) {
      assert.deepEqual(twice, [], 'stored once each (idempotent ids)');
    } else {
      // Each extra copy is a replayed record the first process had sent and not heard back
      // about: the second process sends nothing else (no new records, its gate never fails),
      // and sends each replayed record once.
      let extraCopies = 0;
      for (const n of stored.values()) extraCopies += n - 1;
      assert.ok(
        extraCopies <= replayed,
        `${extraCopies} copies beyond the first, ${replayed} records replayed: a copy not explained by the replay`,
      );
    }
    const unacked = [...stored.keys()].filter((key) => !first.acked.has(key)).length;
    t.diagnostic(
      `seed ${seed}, ${moment}: ${observed}; ${first.acked.size} reported exported, all stored; ` +
        `${replayed} replayed by the next process (${stats.delivered} delivered, dropped: ${droppedText(stats)}); ` +
        `of ${parts.total} ${target.records ? 'records' : 'samples handed over'}: ${parts.stored} stored, ` +
        `${parts.neverHandedOver} never handed to the exporter (still in the SDK), ` +
        `${parts.cutByKill} in the export() call the kill cut, ${parts.lost} lost and counted dropped; ` +
        `${unacked} stored whose callback had not fired yet; ` +
        `${twice.length} stored twice (${target.idempotent ? 'none allowed' : 'at least once: sent before the kill, acknowledged after'})`,
    );
  } finally {
    await gate.close();
    rmSync(spool, { recursive: true, force: true });
  }
}

// Two cases at a time: a case mostly waits for its children to start and its backend to answer;
// each has its own gate, spool and place in the backend, and the kills watch for their moment.
describe(
  'spool crash test: SIGKILL under load, restart, nothing reported exported is lost',
  { concurrency: 2 },
  () => {
    for (const target of TARGETS) {
      for (const { seed, moment } of CASES) {
        it(`${target.id}, seed ${seed}, killed at ${moment}`, { timeout: 60_000 }, async (t) => {
          const url = backendUrl(t, target.backend ?? target.id);
          if (!url) return;
          await crashAndRecover(t, target, url, seed, moment);
        });
      }
    }
  },
);
