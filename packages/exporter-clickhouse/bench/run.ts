/**
 * `npm run bench`: rows per second through the exporter against a plain @clickhouse/client
 * insert of the same rows (the anchor), per INSERT format, over HTTP (the integration harness's
 * front over the real engine, started here, or CLICKHOUSE_URL) and in-process (chdb). Figures
 * are ratios to the anchor measured in the same round; absolute rates describe this machine
 * and this front, not ClickHouse. Then memory at the queue's byte bound with the backend down
 * (bench/memory.ts), as ratios to maxQueueBytes. Results go to bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { ClickHouseSpanExporter, createEmbeddedClickHouseClient, createSchema } from '../src/index';
import type { InsertFormat } from '../src/index';
import { RowEncoder } from '../src/encoding/encoder';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { timestampText } from '../src/mapping/time';
import type { StringMap } from '../src/mapping/values';
import { atCapTable, runAtCap } from '../../batching-core/bench/lib/memory-at-cap';
import { processCpuMicros, startFront } from './lib/front';
import { benchSpans } from './lib/spans';
import { median, spread } from '../../batching-core/bench/lib/stats';

const ROWS = Number(process.env.BENCH_ROWS ?? 30_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCH_ROWS = 10_000;
const CONCURRENCY = 2;
const EXPORT_SIZE = 512; // what a BatchSpanProcessor hands over at a time

/** The same rows as the exporter writes, as the plain objects a hand-written insert would pass. */
function plainRows(spans: ReadableSpanLike[]): Record<string, unknown>[] {
  const object = (map: StringMap) => Object.fromEntries(map);
  return spans.map((span) => {
    const row = spanToRow(span);
    return {
      ...row,
      Timestamp: timestampText(row.Timestamp),
      ResourceAttributes: object(row.ResourceAttributes),
      SpanAttributes: object(row.SpanAttributes),
      'Events.Timestamp': row['Events.Timestamp'].map(timestampText),
      'Events.Attributes': row['Events.Attributes'].map(object),
      'Links.Attributes': row['Links.Attributes'].map(object),
    };
  });
}

/** Wall time and CPU time (this process, and the server's when it is a local process). */
interface Run {
  rowsPerSec: number;
  clientCpuMicrosPerRow: number;
  serverCpuMicrosPerRow: number | undefined;
}

async function timed(
  rows: number,
  serverPid: number | undefined,
  work: () => Promise<void>,
): Promise<Run> {
  const serverBefore = serverPid === undefined ? undefined : processCpuMicros(serverPid);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const elapsedSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const serverAfter = serverPid === undefined ? undefined : processCpuMicros(serverPid);
  return {
    rowsPerSec: rows / elapsedSeconds,
    clientCpuMicrosPerRow: (cpu.user + cpu.system) / rows,
    serverCpuMicrosPerRow:
      serverBefore === undefined || serverAfter === undefined
        ? undefined
        : (serverAfter - serverBefore) / rows,
  };
}

async function plainInsert(
  client: ClickHouseClient,
  table: string,
  rows: Record<string, unknown>[],
): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < rows.length; i += BATCH_ROWS) batches.push(rows.slice(i, i + BATCH_ROWS));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++];
      await client.insert({ table, values: batch, format: 'JSONEachRow' });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

async function throughExporter(
  exporter: ClickHouseSpanExporter,
  spans: ReadableSpanLike[],
): Promise<void> {
  for (let i = 0; i < spans.length; i += EXPORT_SIZE) {
    await new Promise((done) => exporter.export(spans.slice(i, i + EXPORT_SIZE), done));
  }
  await exporter.forceFlush();
  const stats = exporter.stats();
  if (stats.delivered !== spans.length || stats.droppedTotal !== 0) {
    throw new Error(`bench run lost rows: ${JSON.stringify(stats)}`);
  }
}

/** CPU cost of mapping and encoding alone: no I/O; the first pass warms the JIT up. */
function encodeCost(
  spans: ReadableSpanLike[],
  format: InsertFormat,
): { nsPerRow: number; bytesPerRow: number } {
  const passes: number[] = [];
  let bytes = 0;
  for (let pass = 0; pass < 4; pass++) {
    const encoder = new RowEncoder(format);
    const resources = new ResourceColumnsCache();
    bytes = 0;
    const started = process.cpuUsage();
    for (const span of spans)
      bytes += encoder.encode('traces', spanToRow(span, resources)).data.length;
    const cpu = process.cpuUsage(started);
    if (pass > 0) passes.push(((cpu.user + cpu.system) * 1000) / spans.length);
  }
  return { nsPerRow: Math.round(median(passes)), bytesPerRow: Math.round(bytes / spans.length) };
}

interface Variant {
  name: string;
  format: InsertFormat;
  compression?: 'gzip' | 'none';
}

interface CaseResult {
  name: string;
  rowsPerSec: number;
  ratioToAnchor: number;
  spread: number;
  clientCpuMicrosPerRow: number;
  serverCpuMicrosPerRow?: number;
  /** Client + server CPU per row, over the anchor's: the measure least moved by other load. */
  cpuRatioToAnchor?: number;
}

function summarize(name: string, runs: Run[], ratios: number[], cpuRatios: number[]): CaseResult {
  const server = runs
    .map((r) => r.serverCpuMicrosPerRow)
    .filter((v): v is number => v !== undefined);
  return {
    name,
    rowsPerSec: Math.round(median(runs.map((r) => r.rowsPerSec))),
    ratioToAnchor: Math.round(median(ratios) * 100) / 100,
    spread: spread(runs.map((r) => r.rowsPerSec)),
    clientCpuMicrosPerRow: Math.round(median(runs.map((r) => r.clientCpuMicrosPerRow)) * 10) / 10,
    ...(server.length === runs.length
      ? {
          serverCpuMicrosPerRow: Math.round(median(server) * 10) / 10,
          cpuRatioToAnchor: Math.round(median(cpuRatios) * 100) / 100,
        }
      : {}),
  };
}

const totalCpu = (run: Run) => run.clientCpuMicrosPerRow + (run.serverCpuMicrosPerRow ?? 0);

async function measure(
  label: string,
  newClient: () => ClickHouseClient,
  variants: Variant[],
  spans: ReadableSpanLike[],
  exporterBase: Record<string, unknown>,
  serverPid: number | undefined,
): Promise<{ anchor: CaseResult; variants: CaseResult[] }> {
  const client = newClient();
  const plain = plainRows(spans);
  const anchorRuns: Run[] = [];
  const runs = new Map<string, Run[]>(variants.map((v) => [v.name, []]));
  const ratios = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const cpuRatios = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const database = `bench_${label}_${round}`;
    await createSchema(client, { database, signals: ['traces'] });
    const anchor = await timed(plain.length, serverPid, () =>
      plainInsert(client, `\`${database}\`.otel_traces`, plain),
    );
    anchorRuns.push(anchor);
    // A different order each round, so that no variant always runs right after the anchor.
    const order = variants.map((_, i) => variants[(i + round) % variants.length]);
    for (const variant of order) {
      const exporter = new ClickHouseSpanExporter({
        ...exporterBase,
        database,
        createSchema: false,
        format: variant.format,
        ...(variant.compression ? { compression: variant.compression } : {}),
        maxBatchItems: BATCH_ROWS,
        maxConcurrency: CONCURRENCY,
        flushIntervalMs: 60_000,
      });
      const run = await timed(spans.length, serverPid, () => throughExporter(exporter, spans));
      await exporter.shutdown();
      runs.get(variant.name)?.push(run);
      ratios.get(variant.name)?.push(run.rowsPerSec / anchor.rowsPerSec);
      cpuRatios.get(variant.name)?.push(totalCpu(run) / totalCpu(anchor));
    }
    process.stderr.write(`  ${label} round ${round + 1}/${ROUNDS} done\n`);
  }
  await client.close();
  return {
    anchor: summarize(
      'plain client.insert, JSONEachRow',
      anchorRuns,
      anchorRuns.map(() => 1),
      anchorRuns.map(() => 1),
    ),
    variants: variants.map((v) =>
      summarize(
        v.name,
        runs.get(v.name) ?? [],
        ratios.get(v.name) ?? [],
        cpuRatios.get(v.name) ?? [],
      ),
    ),
  };
}

function table(title: string, result: { anchor: CaseResult; variants: CaseResult[] }): string {
  const rows = [result.anchor, ...result.variants];
  const withServer = rows.every((r) => r.serverCpuMicrosPerRow !== undefined);
  const headers = [
    'case',
    'rows/s',
    'x anchor',
    'spread',
    'client CPU µs/row',
    ...(withServer ? ['server CPU µs/row', 'x anchor CPU'] : []),
  ];
  const cells = rows.map((r) => [
    r.name,
    r.rowsPerSec.toLocaleString('en-US'),
    r.ratioToAnchor.toFixed(2),
    `${Math.round(r.spread * 100)}%`,
    r.clientCpuMicrosPerRow.toFixed(1),
    ...(withServer
      ? [(r.serverCpuMicrosPerRow ?? 0).toFixed(1), (r.cpuRatioToAnchor ?? 1).toFixed(2)]
      : []),
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (values: string[]) =>
    values.map((c, i) => (i === 0 ? c.padEnd(widths[0]) : c.padStart(widths[i]))).join('  ');
  return [
    title,
    line(headers),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const spans = benchSpans(ROWS);
  const results: Record<string, unknown> = {
    machine: { cpus: os.cpus().length, node: process.version },
    rows: ROWS,
    rounds: ROUNDS,
    batchRows: BATCH_ROWS,
    concurrency: CONCURRENCY,
  };
  const output: string[] = [];

  const cost = (['JSONEachRow', 'JSONCompactEachRow', 'RowBinary'] as InsertFormat[]).map(
    (format) => ({
      format,
      ...encodeCost(spans, format),
    }),
  );
  results.encodeCost = cost;
  results.loadAverage = os.loadavg();
  output.push(
    [
      `Mapping + encoding alone, ${ROWS.toLocaleString('en-US')} spans (CPU, no I/O)`,
      'format               ns/row  bytes/row',
      ...cost.map(
        (c) =>
          `${c.format.padEnd(19)} ${String(c.nsPerRow).padStart(7)}  ${String(c.bytesPerRow).padStart(9)}`,
      ),
    ].join('\n'),
  );

  const front = process.env.CLICKHOUSE_URL ? undefined : await startFront();
  const url = process.env.CLICKHOUSE_URL ?? (front as { url: string }).url;
  try {
    const http = await measure(
      'http',
      () => createClient({ url }),
      [
        {
          name: 'exporter JSONEachRow, gzip (default)',
          format: 'JSONEachRow',
          compression: 'gzip',
        },
        {
          name: 'exporter JSONEachRow, no compression',
          format: 'JSONEachRow',
          compression: 'none',
        },
        {
          name: 'exporter JSONCompactEachRow, gzip',
          format: 'JSONCompactEachRow',
          compression: 'gzip',
        },
        { name: 'exporter RowBinary, gzip', format: 'RowBinary', compression: 'gzip' },
        { name: 'exporter RowBinary, no compression', format: 'RowBinary', compression: 'none' },
      ],
      spans,
      { url },
      front?.pid,
    );
    results.http = http;
    output.push(
      table(
        `Over HTTP (${process.env.CLICKHOUSE_URL ? 'CLICKHOUSE_URL' : "integration harness's front over chdb, another process"}): ${ROWS.toLocaleString('en-US')} spans, ${BATCH_ROWS.toLocaleString('en-US')} rows per INSERT, ${CONCURRENCY} in flight, median of ${ROUNDS}\nanchor: plain @clickhouse/client insert() of the same rows as objects (mapping not counted), no compression`,
        http,
      ),
    );
  } finally {
    await front?.stop();
  }

  const embedded = createEmbeddedClickHouseClient();
  try {
    const inProcess = await measure(
      'embedded',
      () => embedded,
      [
        { name: 'exporter JSONEachRow (embedded)', format: 'JSONEachRow' },
        { name: 'exporter JSONCompactEachRow (embedded)', format: 'JSONCompactEachRow' },
      ],
      spans,
      { client: embedded },
      undefined,
    );
    results.embedded = inProcess;
    output.push(
      table(
        `In-process (chdb through @clickhouse/client's connection): same rows, median of ${ROUNDS}\nanchor: plain client.insert() through the same embedded client`,
        inProcess,
      ),
    );
  } finally {
    await embedded.close();
  }

  // Memory at the queue's byte bound with the backend down, one process per run (bench/memory.ts).
  const memory = await runAtCap(
    resolve(__dirname, 'memory.ts'),
    ['traces', 'logs', 'metrics'].flatMap((signal) =>
      [64, 256].map((cap) => ({ label: signal, args: { signal, cap } })),
    ),
  );
  results.memoryAtCap = memory;
  output.push(
    atCapTable(
      'Memory at maxQueueBytes, backend down (JSONEachRow; spans: 10 attributes, 2 events; logs: 200-character bodies; exports of 512; metrics: collections of 120,000 rows)',
      memory,
    ),
  );

  const text = output.join('\n\n');
  process.stdout.write(
    `${text}\n\nspread: (max - min) / median of the rounds' rows/s; x anchor: median of the per-round ratios of rows/s;\n` +
      'x anchor CPU: median of the per-round ratios of client + server CPU per row (the figure least moved by other load)\n',
  );
  const dir = resolve(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(resolve(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
