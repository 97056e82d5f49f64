/**
 * `npm run bench` for @otelpack/exporter-splunk-hec. Printed as tables and written to
 * bench/results/latest.json; nothing here gates anything (absolute figures say more about the
 * machine than about the code: read the ratios).
 *
 * 1. Event encoder (events/s): SDK log records and spans mapped and encoded as this exporter does
 *    (the Collector's mapping, one JSON text per event), against the anchor `JSON.stringify` of
 *    the same events already mapped: the ratio is what the mapping costs over bare serialisation.
 * 2. End to end into otelpack's HEC fake (a process of its own): N log records through the
 *    exporter (map, encode, batch, gzip or not, POST, read HEC's answer) against the anchor, a
 *    plain undici POST of bodies built ahead of time (and pre-compressed) from the same records
 *    by the exporter's encoder, cut evenly into as many requests as the exporter made, with the
 *    core's default concurrency. Alternating rounds; the ratio is the exporter's throughput over the
 *    anchor's.
 */
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Pool } from 'undici';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import { median, round, spread, throughput } from '../../batching-core/bench/lib/stats';
import { renderTable } from '../../batching-core/bench/lib/table';
import {
  SplunkHecLogRecordExporter,
  encodeEvent,
  logRecordToEvent,
  spanToEvent,
  toRecord,
} from '../src';
import type { HecEvent } from '../src';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = 300;
const E2E_EVENTS = Number(process.env.BENCH_E2E_EVENTS ?? 50_000);
const ROUTING = { index: 'otel', source: 'bench', sourcetype: 'otel' };
const RESOURCE = {
  attributes: {
    'service.name': 'checkout',
    'service.version': '1.4.2',
    'host.name': 'web-1',
    'deployment.environment': 'production',
  },
};

function logs(count: number): ReadableLogRecordLike[] {
  return Array.from({ length: count }, (_, i) => ({
    hrTime: [1_700_000_000 + i, 123_456_789],
    hrTimeObserved: [1_700_000_000 + i, 123_456_789],
    body: `GET /api/orders/${i} 200 in ${i % 97} ms`,
    severityText: 'INFO',
    severityNumber: 9,
    spanContext: {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
    },
    resource: RESOURCE,
    instrumentationScope: { name: 'bench' },
    attributes: {
      'http.method': 'GET',
      'http.status_code': 200,
      'order.id': i,
      user: { id: `u${i % 50}`, tier: 'gold' },
    },
    droppedAttributesCount: 0,
  }));
}

function spans(count: number): ReadableSpanLike[] {
  return Array.from({ length: count }, (_, i) => ({
    name: `GET /api/orders/{id}`,
    kind: 1,
    spanContext: () => ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: `b7ad6b71692${String(i % 100_000).padStart(5, '0')}`,
      traceFlags: 1,
    }),
    parentSpanContext: {
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: '00f067aa0ba902b7',
      traceFlags: 1,
    },
    startTime: [1_700_000_000, i],
    endTime: [1_700_000_001, i],
    status: { code: 0 },
    attributes: { 'http.method': 'GET', 'http.route': '/api/orders/{id}', 'http.status_code': 200 },
    links: [],
    events: [{ name: 'cache.miss', time: [1_700_000_000, i + 10], attributes: { key: `k${i}` } }],
    duration: [1, 0],
    ended: true,
    resource: RESOURCE,
    instrumentationScope: { name: 'bench' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
}

function encoderTable(): { rows: (string | number)[][]; results: Record<string, number> } {
  const logItems = logs(1_000);
  const spanItems = spans(1_000);
  const mappedLogs: HecEvent[] = logItems.map((l) => logRecordToEvent(l, ROUTING));
  const mappedSpans: HecEvent[] = spanItems.map((s) => spanToEvent(s, ROUTING));
  const variants: Record<string, () => void> = {
    'logs: map + encode (exporter)': () =>
      logItems.forEach((l) => toRecord(logRecordToEvent(l, ROUTING))),
    'logs: JSON.stringify of mapped events (anchor)': () =>
      mappedLogs.forEach((e) => JSON.stringify(e)),
    'logs: encode of mapped events': () => mappedLogs.forEach((e) => encodeEvent(e)),
    'spans: map + encode (exporter)': () =>
      spanItems.forEach((s) => toRecord(spanToEvent(s, ROUTING))),
    'spans: JSON.stringify of mapped events (anchor)': () =>
      mappedSpans.forEach((e) =>
        JSON.stringify({ ...e, event: (e.event as { text: string }).text }),
      ),
  };
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(variants).map((k) => [k, []]),
  );
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, run] of Object.entries(variants))
      samples[name].push(throughput(1_000, run, ROUND_MS));
  }
  const results = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const anchorOf = (name: string) =>
    results[`${name.split(':')[0]}: JSON.stringify of mapped events (anchor)`];
  const rows = Object.entries(samples).map(([name, values]) => [
    name,
    Math.round(median(values)),
    `±${round(spread(values) * 100, 1)} %`,
    round(median(values) / anchorOf(name), 2),
  ]);
  return { rows, results };
}

/** The fake in its own process; resolves with its URL. */
async function startFake(): Promise<{ url: string; stop: () => void }> {
  const script = join(__dirname, '..', '..', '..', 'integration', 'src', 'fakes', 'hec-fake.ts');
  const child = fork(script, ['--port', '0', '--token', BENCH_TOKEN], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().split(' ')[0]));
    child.once('exit', (code) => reject(new Error(`the fake exited (${code})`)));
  });
  return { url, stop: () => child.kill() };
}

const BENCH_TOKEN = randomUUID();

async function exporterRun(
  url: string,
  compression: 'gzip' | 'none',
  items: ReadableLogRecordLike[],
  bodies: Buffer[],
): Promise<number> {
  const exporter = new SplunkHecLogRecordExporter({
    url,
    auth: { token: BENCH_TOKEN },
    compression,
    healthCheck: false,
    maxQueueItems: items.length,
  });
  const started = performance.now();
  for (let i = 0; i < items.length; i += 512) {
    await new Promise<void>((resolve) =>
      exporter.export(items.slice(i, i + 512) as never, () => resolve()),
    );
  }
  await exporter.forceFlush();
  const elapsed = performance.now() - started;
  if (exporter.stats().delivered !== items.length)
    throw new Error(`not all delivered: ${JSON.stringify(exporter.stats())}`);
  // The anchor posts the same records in as many requests (cut evenly, see batchBodies).
  if (bodies.length === 0) bodies.push(...batchBodies(items, exporter.stats().requests));
  await exporter.shutdown();
  return (items.length / elapsed) * 1000;
}

/** These items encoded as the exporter encodes them, cut evenly into `requests` bodies. */
function batchBodies(items: ReadableLogRecordLike[], requests: number): Buffer[] {
  const records = items.map((l) =>
    toRecord(logRecordToEvent(l, { index: '', source: '', sourcetype: '' })),
  );
  const per = Math.ceil(records.length / requests);
  const bodies: Buffer[] = [];
  for (let i = 0; i < records.length; i += per) {
    bodies.push(
      Buffer.from(
        records
          .slice(i, i + per)
          .map((r) => `${r.json}\n`)
          .join(''),
      ),
    );
  }
  return bodies;
}

async function anchorRun(
  url: string,
  bodies: Buffer[],
  gzip: boolean,
  events: number,
): Promise<number> {
  const pool = new Pool(url, { connections: 16 });
  const ready = gzip ? bodies.map((b) => gzipSync(b)) : bodies;
  const headers = {
    authorization: `Splunk ${BENCH_TOKEN}`,
    'content-type': 'application/json',
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  };
  const started = performance.now();
  let next = 0;
  // The exporter's core default: 4 requests in flight.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < ready.length) {
        const body = ready[next++];
        const response = await pool.request({
          origin: url,
          path: '/services/collector/event',
          method: 'POST',
          headers,
          body,
        });
        await response.body.text();
        if (response.statusCode !== 200) throw new Error(`anchor: HTTP ${response.statusCode}`);
      }
    }),
  );
  const elapsed = performance.now() - started;
  await pool.close();
  return (events / elapsed) * 1000;
}

async function endToEndTable(): Promise<{
  rows: (string | number)[][];
  results: Record<string, number>;
}> {
  const fake = await startFake();
  try {
    const items = logs(E2E_EVENTS);
    const samples: Record<string, number[]> = {
      'exporter, gzip': [],
      'undici POST of the pre-built gzip bodies (anchor)': [],
      'exporter, no compression': [],
      'undici POST of the pre-built bodies (anchor)': [],
    };
    const bodiesGzip: Buffer[] = [];
    const bodiesPlain: Buffer[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      samples['exporter, gzip'].push(await exporterRun(fake.url, 'gzip', items, bodiesGzip));
      samples['undici POST of the pre-built gzip bodies (anchor)'].push(
        await anchorRun(fake.url, bodiesGzip, true, items.length),
      );
      samples['exporter, no compression'].push(
        await exporterRun(fake.url, 'none', items, bodiesPlain),
      );
      samples['undici POST of the pre-built bodies (anchor)'].push(
        await anchorRun(fake.url, bodiesPlain, false, items.length),
      );
    }
    const results = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
    const anchor = (name: string) =>
      name.includes('gzip')
        ? results['undici POST of the pre-built gzip bodies (anchor)']
        : results['undici POST of the pre-built bodies (anchor)'];
    const rows = Object.entries(samples).map(([name, values]) => [
      name,
      Math.round(median(values)),
      `±${round(spread(values) * 100, 1)} %`,
      round(median(values) / anchor(name), 2),
    ]);
    return { rows, results };
  } finally {
    fake.stop();
  }
}

async function main(): Promise<void> {
  const encoder = encoderTable();
  console.log(
    renderTable(
      'Event encoder (events/s, median of rounds)',
      ['variant', 'events/s', 'spread', 'ratio to anchor'],
      encoder.rows,
    ),
  );
  console.log();
  const e2e = await endToEndTable();
  console.log(
    renderTable(
      `End to end into the HEC fake, ${E2E_EVENTS.toLocaleString('en-US')} log records (events/s)`,
      ['variant', 'events/s', 'spread', 'ratio to anchor'],
      e2e.rows,
    ),
  );
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'latest.json'),
    `${JSON.stringify({ node: process.version, cpus: os.cpus().length, rounds: ROUNDS, encoder: encoder.results, endToEnd: e2e.results }, null, 2)}\n`,
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
