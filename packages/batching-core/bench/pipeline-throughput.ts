/**
 * Scenario 1: records per second through a Pipeline whose sender delivers at once, against the
 * least work that could move the same records to the same sender (anchor: push into an array,
 * hand over slices of 1000). Run in its own process by run.ts; `node --expose-gc --import tsx
 * bench/pipeline-throughput.ts` runs it alone.
 */
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { PIPELINE_OPTION_NAMES, Pipeline } from './lib/core';
import type { BatchSender, DeliveryMode, PipelineOptions, SendContext, SendResult } from '../src';
import { diagFromEnv, forceGc, reportToParent } from './lib/child';
import { chunk, estimateBytes, makeRecords, meanJsonBytes } from './lib/records';
import type { BenchRecord } from './lib/records';
import { median, round, spread } from './lib/stats';

const DISTINCT_RECORDS = 100_000;
/** Passes over the distinct records per timed run: long enough (~100 ms) to dwarf timer noise. */
const PASSES = 4;
/** The anchor is ~5x faster than a pipeline: more passes give it a comparable run time. */
const ANCHOR_PASSES = 20;
const TIMED_RUNS = Number(process.env.BENCH_RUNS ?? 5);
/** The SDK's BatchSpanProcessor / BatchLogRecordProcessor default maxExportBatchSize. */
const SDK_EXPORT_SIZE = 512;
const ANCHOR_SLICE = 1000;

const DELIVERED: SendResult = { kind: 'delivered' };

/** Delivers at once; counts what it was given so every run can be checked for lost records. */
class MemorySender implements BatchSender<BenchRecord> {
  records = 0;
  sends = 0;
  constructor(
    private readonly answer: (batch: readonly BenchRecord[]) => SendResult = () => DELIVERED,
  ) {}
  sizeOf(record: BenchRecord): number {
    return estimateBytes(record);
  }
  send(batch: readonly BenchRecord[], _context?: SendContext): Promise<SendResult> {
    this.sends++;
    this.records += batch.length;
    return Promise.resolve(this.answer(batch));
  }
}

/** One bad document per batch, as an Elasticsearch _bulk answer with a mapping error would say. */
const ONE_REJECTED: SendResult = {
  kind: 'partial',
  failures: [
    { index: 0, retryable: false, reason: 'mapper_parsing_exception: failed to parse [x]' },
  ],
};

/** A reader that never exports: the instruments record as in production, nothing leaves. */
class SilentReader extends MetricReader {
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
}

interface Variant {
  name: string;
  options: Partial<PipelineOptions<BenchRecord>>;
  mode: DeliveryMode;
  exportSize: number;
  passes: number;
  partial?: boolean;
  telemetry?: boolean;
}

const VARIANTS: Variant[] = [
  {
    name: 'queued, batch 1000, concurrency 4 (defaults)',
    options: { maxBatchItems: 1000, maxConcurrency: 4 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: PASSES,
  },
  {
    name: 'queued, batch 1000, concurrency 1',
    options: { maxBatchItems: 1000, maxConcurrency: 1 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: PASSES,
  },
  {
    name: 'queued, overflow block',
    options: { maxBatchItems: 1000, maxConcurrency: 4, overflow: 'block' },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: PASSES,
  },
  {
    name: 'queued, self-telemetry on (sdk-metrics)',
    options: { maxBatchItems: 1000, maxConcurrency: 4 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: 1,
    telemetry: true,
  },
  {
    // Export size equal to maxBatchItems: each export fills one batch, so it never waits for
    // flushIntervalMs (see the 512-record direct case below for what happens otherwise).
    name: 'direct, exports of 1000 = maxBatchItems',
    options: { maxBatchItems: 1000, maxConcurrency: 4 },
    mode: 'direct',
    exportSize: 1000,
    passes: PASSES,
  },
  {
    name: 'queued, batch 5000',
    options: { maxBatchItems: 5000, maxConcurrency: 4 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: 2,
  },
  {
    name: 'queued, batch 1000, 1 record rejected per batch',
    options: { maxBatchItems: 1000, maxConcurrency: 4 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: 2,
    partial: true,
  },
  {
    name: 'queued, batch 5000, 1 record rejected per batch',
    options: { maxBatchItems: 5000, maxConcurrency: 4 },
    mode: 'queued',
    exportSize: SDK_EXPORT_SIZE,
    passes: 2,
    partial: true,
  },
];

export interface ThroughputResult {
  records: { distinct: number; meanJsonBytes: number; exportSize: number };
  anchor: { name: string; recordsPerSec: number; spread: number; runs: number[] };
  variants: {
    name: string;
    mode: DeliveryMode;
    exportSize: number;
    options: Record<string, unknown>;
    recordsPerRun: number;
    recordsPerSec: number;
    ratioToAnchor: number;
    nsPerRecordOverAnchor: number;
    spread: number;
    runs: number[];
  }[];
  directSmallExports: {
    name: string;
    exports: number;
    exportSize: number;
    flushIntervalMs: number;
    meanExportLatencyMs: number;
    recordsPerSec: number;
  };
}

function passesOf(chunks: BenchRecord[][], passes: number): BenchRecord[][] {
  const all: BenchRecord[][] = [];
  for (let i = 0; i < passes; i++) all.push(...chunks);
  return all;
}

function count(chunks: BenchRecord[][]): number {
  return chunks.reduce((sum, c) => sum + c.length, 0);
}

async function runAnchor(chunks: BenchRecord[][]): Promise<number> {
  const sender = new MemorySender();
  const context: SendContext = { signal: new AbortController().signal, attempt: 1 };
  const total = count(chunks);
  forceGc();
  const startMs = performance.now();
  let buffer: BenchRecord[] = [];
  for (const exported of chunks) {
    for (const record of exported) {
      buffer.push(record);
      if (buffer.length === ANCHOR_SLICE) {
        await sender.send(buffer, context);
        buffer = [];
      }
    }
  }
  if (buffer.length > 0) await sender.send(buffer, context);
  const elapsedMs = performance.now() - startMs;
  if (sender.records !== total) throw new Error(`anchor sent ${sender.records} of ${total}`);
  return (total / elapsedMs) * 1000;
}

async function runVariant(variant: Variant, chunks: BenchRecord[][]): Promise<number> {
  const sender = new MemorySender(variant.partial ? () => ONE_REJECTED : undefined);
  const reader = variant.telemetry ? new SilentReader() : undefined;
  const meterProvider = reader ? new MeterProvider({ readers: [reader] }) : undefined;
  const pipeline = new Pipeline<BenchRecord>({
    name: 'bench',
    signal: 'logs',
    sender,
    ...variant.options,
    // bench:compare runs this file against an older core too, which took `meterProvider`.
    ...(meterProvider
      ? (PIPELINE_OPTION_NAMES as readonly string[]).includes('selfObsMeterProvider')
        ? { selfObsMeterProvider: meterProvider }
        : { meterProvider }
      : {}),
  } as PipelineOptions<BenchRecord>);
  const total = count(chunks);
  forceGc();
  const startMs = performance.now();
  for (const exported of chunks) await pipeline.submit(exported, { deliveryMode: variant.mode });
  await pipeline.forceFlush(30_000);
  const elapsedMs = performance.now() - startMs;

  const stats = pipeline.stats();
  const batches = Math.ceil(total / (variant.options.maxBatchItems ?? 1000));
  const expectedRejected = variant.partial ? sender.sends : 0;
  if (
    stats.accepted !== total ||
    stats.pending !== 0 ||
    stats.delivered + stats.dropped.rejected !== total ||
    stats.dropped.rejected !== expectedRejected ||
    stats.droppedTotal !== expectedRejected ||
    sender.records !== total
  ) {
    throw new Error(`${variant.name}: ledger does not add up: ${JSON.stringify(stats)}`);
  }
  if (sender.sends > batches * 1.05 + 4) {
    throw new Error(
      `${variant.name}: ${sender.sends} sends for ${batches} full batches: batches cut short`,
    );
  }
  if (reader) {
    const { resourceMetrics } = await reader.collect();
    // Both instrument sets: bench:compare runs this file against a core from before the
    // otel.sdk.exporter.* conventions too (its `otelpack.exporter.records{outcome=accepted}`).
    const metrics = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const exported = metrics.find((m) => m.descriptor.name === 'otel.sdk.exporter.log.exported');
    const legacy = metrics.find((m) => m.descriptor.name === 'otelpack.exporter.records');
    const counted = exported
      ? exported.dataPoints.reduce((sum, p) => sum + (p.value as number), 0)
      : legacy?.dataPoints.find((p) => p.attributes.outcome === 'accepted')?.value;
    if (counted !== total)
      throw new Error(`self-telemetry counted ${String(counted)} records of ${total}`);
  }
  await pipeline.shutdown(1_000);
  await meterProvider?.shutdown();
  return (total / elapsedMs) * 1000;
}

/**
 * The SDK's batch processors export 512 records at a time and wait for each export; in direct
 * mode a batch of 1000 is then only cut by flushIntervalMs. Two exports show the cost; more
 * would only spend the bench's time budget.
 */
async function runDirectSmallExports(
  pool: BenchRecord[],
): Promise<ThroughputResult['directSmallExports']> {
  const sender = new MemorySender();
  const flushIntervalMs = 1_000;
  const pipeline = new Pipeline<BenchRecord>({
    name: 'bench',
    signal: 'logs',
    sender,
    maxBatchItems: 1000,
    flushIntervalMs,
    deliveryMode: 'direct',
  });
  const exports = 2;
  const latencies: number[] = [];
  // The export waits on the pipeline's flush timer, which is unref'd; this script must stay
  // alive meanwhile whether or not the core build holds the process open for a direct export.
  const keepAlive = setInterval(() => {}, 1_000);
  const startMs = performance.now();
  for (let i = 0; i < exports; i++) {
    const exportStart = performance.now();
    await pipeline.submit(pool.slice(i * SDK_EXPORT_SIZE, (i + 1) * SDK_EXPORT_SIZE));
    latencies.push(performance.now() - exportStart);
  }
  const elapsedMs = performance.now() - startMs;
  clearInterval(keepAlive);
  await pipeline.shutdown(1_000);
  return {
    name: `direct, serial exports of ${SDK_EXPORT_SIZE} (SDK default), batch 1000`,
    exports,
    exportSize: SDK_EXPORT_SIZE,
    flushIntervalMs,
    meanExportLatencyMs: round(latencies.reduce((a, b) => a + b, 0) / exports, 1),
    recordsPerSec: round(((exports * SDK_EXPORT_SIZE) / elapsedMs) * 1000, 0),
  };
}

async function main(): Promise<ThroughputResult> {
  const pool = makeRecords(DISTINCT_RECORDS);
  const chunksBySize = new Map<number, BenchRecord[][]>();
  for (const variant of VARIANTS) {
    if (!chunksBySize.has(variant.exportSize))
      chunksBySize.set(variant.exportSize, chunk(pool, variant.exportSize));
  }
  const anchorChunks = passesOf(chunk(pool, SDK_EXPORT_SIZE), ANCHOR_PASSES);
  const variantChunks = VARIANTS.map((v) =>
    passesOf(chunksBySize.get(v.exportSize) as BenchRecord[][], v.passes),
  );

  // One untimed round first: the JIT has seen every path before anything is timed.
  await runAnchor(anchorChunks);
  for (let i = 0; i < VARIANTS.length; i++) await runVariant(VARIANTS[i], variantChunks[i]);

  // Interleaved rounds: a drift in machine speed touches anchor and variants alike.
  const anchorRuns: number[] = [];
  const variantRuns: number[][] = VARIANTS.map(() => []);
  for (let k = 0; k < TIMED_RUNS; k++) {
    anchorRuns.push(await runAnchor(anchorChunks));
    for (let i = 0; i < VARIANTS.length; i++)
      variantRuns[i].push(await runVariant(VARIANTS[i], variantChunks[i]));
  }
  const anchorRate = median(anchorRuns);

  return {
    records: {
      distinct: DISTINCT_RECORDS,
      meanJsonBytes: round(meanJsonBytes(pool), 1),
      exportSize: SDK_EXPORT_SIZE,
    },
    anchor: {
      name: `plain loop: push into an array, hand slices of ${ANCHOR_SLICE} to the same sender`,
      recordsPerSec: round(anchorRate, 0),
      spread: round(spread(anchorRuns), 3),
      runs: anchorRuns.map((r) => round(r, 0)),
    },
    variants: VARIANTS.map((variant, i) => {
      const rate = median(variantRuns[i]);
      // Ratio within each round, then the median: a slow moment of the machine hits both sides.
      const ratio = median(variantRuns[i].map((r, k) => r / anchorRuns[k]));
      return {
        name: variant.name,
        mode: variant.mode,
        exportSize: variant.exportSize,
        options: {
          ...variant.options,
          ...(variant.telemetry ? { selfObsMeterProvider: 'sdk-metrics 2.x' } : {}),
        },
        recordsPerRun: count(variantChunks[i]),
        recordsPerSec: round(rate, 0),
        ratioToAnchor: round(ratio, 3),
        nsPerRecordOverAnchor: round(1e9 / rate - 1e9 / anchorRate, 0),
        spread: round(spread(variantRuns[i]), 3),
        runs: variantRuns[i].map((r) => round(r, 0)),
      };
    }),
    directSmallExports: await runDirectSmallExports(pool),
  };
}

diagFromEnv();
reportToParent(main);
