/**
 * Scenario 4: the disk spool against the in-memory queue, in the same run. Accept throughput
 * (records per second through `submit` in queued mode, exports of 512 as the SDK's processors
 * make them, to a sender that delivers at once, until all is delivered), each export's latency
 * (the time `submit` takes to answer: what the SDK's export callback waits), and the spool's
 * bytes on disk per record. Anchor: the same pipeline on its in-memory queue. The spool's
 * directory is under the system's temporary one (its file system is in the report).
 *
 * Each round runs every spool variant once, in an order rotated from round to round, each after
 * a run of the anchor; a variant's figure is the median over rounds of its ratio to the median
 * of the round's anchor runs, with the spread of those ratios. Two clocks: wall time (what
 * the SDK sees; fsync waits count) and the process's CPU time (user + system, all threads: the
 * background fsyncs count), which a busy shared machine disturbs far less.
 * `node --expose-gc --import tsx bench/spool.ts` runs it alone; BENCH_RUNS sets the rounds,
 * BENCH_SPOOL_RECORDS the records per run, BENCH_SPOOL_ONLY=<name part> runs the anchor and the
 * variants whose name contains it (for a profile of one path), BENCH_SPOOL_TRACE=1 prints each
 * round's figures to stderr.
 */
import { deepStrictEqual } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, stringSpoolCodec } from './lib/core';
import type { BatchSender, PipelineOptions, SendResult, SpoolCodec } from '../src';
import { diagFromEnv, forceGc, reportToParent } from './lib/child';
import { chunk, estimateBytes, makeRecords, meanJsonBytes } from './lib/records';
import type { BenchRecord } from './lib/records';
import { figuresOverRounds, median, round, spread } from './lib/stats';

const RECORDS = Number(process.env.BENCH_SPOOL_RECORDS ?? 200_000);
const EXPORT_SIZE = 512;
const TIMED_RUNS = Number(process.env.BENCH_RUNS ?? 9);
const DELIVERED: SendResult = { kind: 'delivered' };

const FIELDS = ['timestamp', 'severity', 'service', 'traceId', 'spanId', 'message'] as const;

/**
 * What an exporter whose records are text fields would give as its `spoolCodec` (Elasticsearch's
 * bulk records are an action and a document line): the fields through the core's string codec,
 * without `v8.serialize`'s walk of each object.
 */
const benchRecordCodec: SpoolCodec<BenchRecord> = {
  encode(records) {
    const fields: string[] = new Array(records.length * FIELDS.length);
    let at = 0;
    for (const record of records) for (const field of FIELDS) fields[at++] = record[field];
    return stringSpoolCodec.encode(fields);
  },
  decode(payload, count) {
    const fields = stringSpoolCodec.decode(payload, count * FIELDS.length);
    const records: BenchRecord[] = new Array(count);
    for (let i = 0, at = 0; i < count; i++) {
      const record = {} as BenchRecord;
      for (const field of FIELDS) record[field] = fields[at++];
      records[i] = record;
    }
    return records;
  },
};

class MemorySender implements BatchSender<BenchRecord> {
  records = 0;
  constructor(
    private readonly answer: () => Promise<SendResult> = () => Promise.resolve(DELIVERED),
    readonly spoolCodec?: SpoolCodec<BenchRecord>,
  ) {}
  sizeOf(record: BenchRecord): number {
    return estimateBytes(record);
  }
  send(batch: readonly BenchRecord[]): Promise<SendResult> {
    this.records += batch.length;
    return this.answer();
  }
}

interface Variant {
  name: string;
  spool?: PipelineOptions<BenchRecord>['spool'];
  /** The sender's own codec; without it the default (V8 for these objects). */
  codec?: SpoolCodec<BenchRecord>;
}

const ALL_VARIANTS: Variant[] = [
  { name: 'in-memory queue (anchor)' },
  { name: "spool, fsync 'never'", spool: { directory: '', fsync: 'never' } },
  { name: "spool, fsync 'interval' (default)", spool: { directory: '', fsync: 'interval' } },
  {
    name: "spool, fsync 'interval', the exporter's codec",
    spool: { directory: '', fsync: 'interval' },
    codec: benchRecordCodec,
  },
  { name: "spool, fsync 'always'", spool: { directory: '', fsync: 'always' } },
];
const ONLY = process.env.BENCH_SPOOL_ONLY;
const VARIANTS = ONLY
  ? ALL_VARIANTS.filter((v, i) => i === 0 || v.name.includes(ONLY))
  : ALL_VARIANTS;

export interface SpoolBenchResult {
  records: { count: number; meanJsonBytes: number; exportSize: number };
  fileSystem: string;
  anchor: string;
  rounds: number;
  variants: {
    name: string;
    /** Median over rounds, wall clock. */
    recordsPerSec: number;
    /** Median over rounds of the wall-clock ratio to the anchor's run of the same round. */
    ratioToAnchor: number;
    /** (max - min) / median of those ratios. */
    spread: number;
    /** Process CPU time (user + system) per record, median over rounds. */
    cpuNsPerRecord: number;
    /** Median over rounds of the anchor's CPU time per record over this variant's. */
    cpuRatioToAnchor: number;
    cpuSpread: number;
    exportP50Ms: number;
    exportP99Ms: number;
  }[];
  diskBytesPerRecord: number;
  diskBytesPerRecordExporterCodec: number;
  payloadBytesPerRecord: number;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function run(
  variant: Variant,
  chunks: BenchRecord[][],
  base: string,
): Promise<{ recordsPerSec: number; cpuNsPerRecord: number; latencies: number[] }> {
  const directory = mkdtempSync(join(base, 'run-'));
  const sender = new MemorySender(undefined, variant.codec);
  const pipeline = new Pipeline<BenchRecord>({
    name: 'bench',
    signal: 'logs',
    sender,
    maxBatchItems: 1000,
    maxQueueItems: 200_000,
    maxQueueBytes: 512 * 1024 * 1024,
    ...(variant.spool && typeof variant.spool === 'object'
      ? { spool: { ...variant.spool, directory } }
      : {}),
  });
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const latencies: number[] = [];
  forceGc();
  const startCpu = process.cpuUsage();
  const startMs = performance.now();
  for (const exported of chunks) {
    const exportStart = performance.now();
    await pipeline.submit(exported);
    latencies.push(performance.now() - exportStart);
  }
  await pipeline.forceFlush(60_000);
  const elapsedMs = performance.now() - startMs;
  const cpu = process.cpuUsage(startCpu);
  const stats = pipeline.stats();
  if (stats.delivered !== total || sender.records !== total) {
    throw new Error(`${variant.name}: ledger does not add up: ${JSON.stringify(stats)}`);
  }
  await pipeline.shutdown(1_000);
  rmSync(directory, { recursive: true, force: true });
  return {
    recordsPerSec: (total / elapsedMs) * 1000,
    cpuNsPerRecord: ((cpu.user + cpu.system) * 1000) / total,
    latencies,
  };
}

/** What the spool holds per record while nothing is delivered. */
async function diskPerRecord(
  chunks: BenchRecord[][],
  base: string,
  codec?: SpoolCodec<BenchRecord>,
): Promise<number> {
  const directory = mkdtempSync(join(base, 'disk-'));
  const pipeline = new Pipeline<BenchRecord>({
    name: 'bench',
    signal: 'logs',
    sender: new MemorySender(() => new Promise(() => undefined), codec),
    maxQueueItems: 200_000,
    maxQueueBytes: 512 * 1024 * 1024,
    spool: { directory, fsync: 'never' },
  });
  let total = 0;
  for (const exported of chunks) {
    await pipeline.submit(exported);
    total += exported.length;
  }
  const spool = pipeline.stats().spool as { diskBytes: number };
  await pipeline.shutdown(0);
  rmSync(directory, { recursive: true, force: true });
  return spool.diskBytes / total;
}

async function main(): Promise<SpoolBenchResult> {
  diagFromEnv();
  const pool = makeRecords(RECORDS);
  const chunks = chunk(pool, EXPORT_SIZE);
  // A codec that loses a field would be measured as fast: it must give the records back first.
  deepStrictEqual(
    benchRecordCodec.decode(benchRecordCodec.encode(chunks[0]), chunks[0].length),
    chunks[0],
  );
  const base = mkdtempSync(join(tmpdir(), 'otelpack-bench-spool-'));
  let fileSystem = 'unknown';
  try {
    fileSystem =
      execFileSync('df', ['-T', base], { encoding: 'utf8' }).split('\n')[1]?.split(/\s+/)[1] ??
      fileSystem;
  } catch {
    // Not everywhere: the report says unknown.
  }
  try {
    for (const variant of VARIANTS) await run(variant, chunks, base);
    const rates: number[][] = VARIANTS.map(() => []);
    const cpuNs: number[][] = VARIANTS.map(() => []);
    const latencies: number[][] = VARIANTS.map(() => []);
    const ratios: number[][] = VARIANTS.map(() => []);
    const cpuRatios: number[][] = VARIANTS.map(() => []);
    for (let k = 0; k < TIMED_RUNS; k++) {
      // The anchor runs before each spool variant: one short anchor run varies by 2× and more
      // (young-generation sizing after a spool run's garbage), the median of a round's does not.
      const anchorRates: number[] = [];
      const anchorCpu: number[] = [];
      const rate: number[] = [];
      const cpu: number[] = [];
      for (let j = 1; j < VARIANTS.length; j++) {
        const anchor = await run(VARIANTS[0], chunks, base);
        anchorRates.push(anchor.recordsPerSec);
        anchorCpu.push(anchor.cpuNsPerRecord);
        latencies[0].push(...anchor.latencies);
        const i = 1 + ((j - 1 + k) % (VARIANTS.length - 1));
        const result = await run(VARIANTS[i], chunks, base);
        rate[i] = result.recordsPerSec;
        cpu[i] = result.cpuNsPerRecord;
        latencies[i].push(...result.latencies);
      }
      rate[0] = median(anchorRates);
      cpu[0] = median(anchorCpu);
      if (process.env.BENCH_SPOOL_TRACE) {
        const line = rate.map((r, i) => `${Math.round(r / 1000)}k/s ${Math.round(cpu[i])} ns`);
        console.error(`round ${k}: ${line.join(' | ')}`);
      }
      for (let i = 0; i < VARIANTS.length; i++) {
        rates[i].push(rate[i]);
        cpuNs[i].push(cpu[i]);
        ratios[i].push(rate[i] / rate[0]);
        cpuRatios[i].push(cpu[0] / cpu[i]);
      }
    }
    const diskBytes = await diskPerRecord(chunks, base);
    const diskBytesExporterCodec = await diskPerRecord(chunks, base, benchRecordCodec);
    return {
      records: {
        count: RECORDS,
        meanJsonBytes: round(meanJsonBytes(pool), 1),
        exportSize: EXPORT_SIZE,
      },
      fileSystem,
      anchor: VARIANTS[0].name,
      rounds: TIMED_RUNS,
      variants: VARIANTS.map((v, i) => ({
        name: v.name,
        ...figuresOverRounds({
          recordsPerSec: rates[i],
          ratios: ratios[i],
          cpuNsPerRecord: cpuNs[i],
          cpuRatios: cpuRatios[i],
        }),
        cpuSpread: round(spread(cpuRatios[i]), 3),
        exportP50Ms: round(percentile(latencies[i], 50), 3),
        exportP99Ms: round(percentile(latencies[i], 99), 3),
      })),
      diskBytesPerRecord: round(diskBytes, 1),
      diskBytesPerRecordExporterCodec: round(diskBytesExporterCodec, 1),
      payloadBytesPerRecord: round(meanJsonBytes(pool), 1),
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

reportToParent(main);
