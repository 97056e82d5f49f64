/**
 * "maxQueueBytes bounds memory" (issue 9, item 6), measured the way a user meets it: an exporter
 * whose backend is down (a port on 127.0.0.1 that refuses every connection) is fed realistic SDK
 * items through its own export() until its queue is full, in a child process of its own started
 * with --expose-gc. The figures, as ratios to the anchor `maxQueueBytes`:
 *
 * - RSS growth after GC / maxQueueBytes: what the process keeps while the queue is full
 *   (the bound asked for: at most 1.25 × maxQueueBytes + 30 MiB);
 * - peak RSS growth while filling / maxQueueBytes: the SDK items, the mapping's garbage and the
 *   request bodies built for the failed sends, on top of what is held.
 *
 * Growth is over a baseline taken after a warm-up (the same exporter options on a throwaway
 * exporter, so that compiled code and the SDK's own state are in it) and a GC. Per record it also
 * reports the heap held after GC (the V8 heap's live bytes: what a memory model must predict)
 * and the mean `sizeOf` of the records offered: the two figures `fitMemoryModel` fits.
 *
 * Child side: `measureAtCap` (a package's bench/memory.ts calls it with its exporter). Parent
 * side: `runAtCap`, `atCapTable`.
 */
import net from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PipelineStats } from '../../src/pipeline';
import type { PipelineTuning } from '../../src/pipeline-options';
import type { BatchSender } from '../../src/types';
import type { ExportResult } from '../../src/sdk/types';
import { forceGc, runInChild } from './child';
import { renderTable } from './table';
import { round } from './stats';

export const MIB = 1024 * 1024;

/** What the benchmark needs of an otelpack SDK exporter. */
export interface MeasuredExporter<I> {
  export(items: I, resultCallback: (result: ExportResult) => void): void;
  /** The core's pipeline (every otelpack SDK exporter has it): its stats, and its sender's `sizeOf` tallied (see `tallySizeOf`). */
  readonly pipeline: {
    stats(): PipelineStats;
    shutdown(timeoutMs?: number): Promise<void>;
  };
}

export interface AtCapCase<I> {
  /** What is measured, e.g. `elasticsearch traces`. */
  name: string;
  /** One export's input, as the SDK's processor or reader hands it over. */
  next(): I | Promise<I>;
  /** An exporter of the measured kind whose backend is `url`, with these pipeline options. */
  createExporter(url: string, pipeline: PipelineTuning<unknown>): MeasuredExporter<I>;
  /** Records one export makes (for the report only; undefined: not known in advance). */
  recordsPerExport?: number;
}

export interface AtCapOptions {
  maxQueueBytes: number;
  /** Exports fed to the throwaway exporter before the baseline (default 4). */
  warmupExports?: number;
  /** Exports fed after the first one that found the queue full (default 1). */
  exportsAfterFull?: number;
  /** Give up (and fail) after this many exports without filling the queue (default 100,000). */
  maxExports?: number;
}

export interface MemoryFigures {
  rss: number;
  heapUsed: number;
  /** Committed V8 heap (what the heap holds from the OS). */
  heapCommitted: number;
  external: number;
  arrayBuffers: number;
}

export interface AtCapResult {
  name: string;
  maxQueueBytes: number;
  pipeline: Record<string, number | string>;
  exports: number;
  offeredRecords: number;
  heldRecords: number;
  droppedQueueFull: number;
  droppedOther: number;
  /** The core's count of what it holds (`stats().queuedBytes`): wire bytes, or the memory model's. */
  coreBytes: number;
  /** Mean `sizeOf` of the records offered: their estimated wire size. */
  meanWireBytes: number;
  baseline: MemoryFigures;
  afterGc: MemoryFigures;
  peakRss: number;
  /** Growth over the baseline. */
  growth: { rssAfterGc: number; heapAfterGc: number; externalAfterGc: number; peakRss: number };
  /**
   * Per held record, after GC: V8 heap, heap + external (Buffers' memory is outside the heap:
   * what a memory model must predict), RSS, and what the core counted.
   */
  perRecord: {
    heapBytes: number;
    memoryBytes: number;
    rssBytes: number;
    coreBytes: number;
  };
  /** Ratios to the anchor, maxQueueBytes. */
  ratios: { rssAfterGc: number; heapAfterGc: number; peakRss: number };
  /** RSS growth after GC within 1.25 × maxQueueBytes + 30 MiB. */
  withinBound: boolean;
  fillSeconds: number;
}

/** The bound issue 9 asks for: RSS growth at the cap after GC. */
export function rssBound(maxQueueBytes: number): number {
  return 1.25 * maxQueueBytes + 30 * MIB;
}

/** A port on 127.0.0.1 that nothing listens on: every connection to it is refused at once. */
export async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Pipeline options of the measurement: bytes are the binding bound (the item bound far above),
 * and no retry comes round or expires while it runs, so that every record offered is either held
 * or dropped as queue_full.
 */
export function atCapPipelineOptions(maxQueueBytes: number): PipelineTuning<unknown> {
  return {
    maxQueueBytes,
    maxQueueItems: 10_000_000,
    initialBackoffMs: 600_000,
    maxBackoffMs: 600_000,
    maxElapsedMs: 3_600_000,
  };
}

/**
 * Counts what the exporter's sender says of every record offered, by wrapping its `sizeOf`
 * (read off the pipeline's private field: a benchmark's liberty).
 */
export function tallySizeOf(pipeline: object): { count: number; bytes: number } {
  const sender = (pipeline as { options?: { sender?: BatchSender<unknown> } }).options?.sender;
  if (!sender || typeof sender.sizeOf !== 'function') {
    throw new Error('tallySizeOf: no sender on this pipeline');
  }
  const tally = { count: 0, bytes: 0 };
  const sizeOf = sender.sizeOf.bind(sender);
  sender.sizeOf = (record: unknown) => {
    const bytes = sizeOf(record);
    tally.count++;
    tally.bytes += bytes;
    return bytes;
  };
  return tally;
}

function figures(): MemoryFigures {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    heapCommitted: getHeapStatistics().total_heap_size,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
  };
}

/** GC until the heap stops shrinking, with pauses so that freed pages go back to the OS. */
async function settle(): Promise<MemoryFigures> {
  let last = Infinity;
  for (let i = 0; i < 6; i++) {
    forceGc();
    await sleep(50);
    const used = process.memoryUsage().heapUsed;
    if (i >= 2 && used >= last * 0.999) break;
    last = used;
  }
  return figures();
}

function exportOnce<I>(exporter: MeasuredExporter<I>, items: I): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(items, resolve));
}

async function waitForNoSendInFlight(exporter: MeasuredExporter<unknown>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (exporter.pipeline.stats().inFlightItems > 0 && Date.now() < deadline) await sleep(20);
}

/** The child's side: one exporter, one cap. */
export async function measureAtCap<I>(
  target: AtCapCase<I>,
  options: AtCapOptions,
): Promise<AtCapResult> {
  const url = `http://127.0.0.1:${await deadPort()}`;
  const pipelineOptions = atCapPipelineOptions(options.maxQueueBytes);

  // Warm-up on a throwaway exporter: compiled code, caches and the SDK's own state (a metric
  // SDK's series) belong to the baseline. Its records are dropped with it.
  {
    const warm = target.createExporter(url, pipelineOptions);
    for (let i = 0; i < (options.warmupExports ?? 4); i++) {
      await exportOnce(warm, await target.next());
      await sleep(1);
    }
    await waitForNoSendInFlight(warm);
    // The pipeline's own shutdown takes a deadline; the SDK-facing one waits shutdownTimeoutMs.
    await warm.pipeline.shutdown(1);
  }

  const exporter = target.createExporter(url, pipelineOptions);
  const tally = tallySizeOf(exporter.pipeline);
  await sleep(50);
  const baseline = await settle();

  let peakRss = baseline.rss;
  const sample = (): void => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  };
  const sampler = setInterval(sample, 5);
  const started = performance.now();
  let exports = 0;
  let afterFull = -1;
  const maxExports = options.maxExports ?? 100_000;
  try {
    while (afterFull < (options.exportsAfterFull ?? 1)) {
      if (exports >= maxExports) {
        throw new Error(`${target.name}: queue not full after ${exports} exports`);
      }
      const items = await target.next();
      sample();
      await exportOnce(exporter, items);
      sample();
      exports++;
      // Let the pipeline cut batches and try (and fail) to send them, as it would between exports.
      await new Promise((resolve) => setImmediate(resolve));
      if (afterFull >= 0 || exporter.pipeline.stats().dropped.queue_full > 0) afterFull++;
    }
    await waitForNoSendInFlight(exporter);
    await sleep(100);
    sample();
  } finally {
    clearInterval(sampler);
  }
  const fillSeconds = (performance.now() - started) / 1000;

  const afterGc = await settle();
  const stats = exporter.pipeline.stats();
  const held = stats.queuedItems;
  if (held === 0) throw new Error(`${target.name}: nothing held`);
  const droppedOther = stats.droppedTotal - stats.dropped.queue_full;
  const growth = {
    rssAfterGc: afterGc.rss - baseline.rss,
    heapAfterGc: afterGc.heapUsed - baseline.heapUsed,
    externalAfterGc: afterGc.external - baseline.external,
    peakRss: peakRss - baseline.rss,
  };
  const cap = options.maxQueueBytes;
  return {
    name: target.name,
    maxQueueBytes: cap,
    pipeline: Object.fromEntries(
      Object.entries(pipelineOptions).filter(([, v]) => typeof v === 'number'),
    ) as Record<string, number>,
    exports,
    offeredRecords: tally.count,
    heldRecords: held,
    droppedQueueFull: stats.dropped.queue_full,
    droppedOther,
    coreBytes: stats.queuedBytes,
    meanWireBytes: round(tally.bytes / tally.count, 1),
    baseline,
    afterGc,
    peakRss,
    growth,
    perRecord: {
      heapBytes: round(growth.heapAfterGc / held, 1),
      memoryBytes: round((growth.heapAfterGc + growth.externalAfterGc) / held, 1),
      rssBytes: round(growth.rssAfterGc / held, 1),
      coreBytes: round(stats.queuedBytes / held, 1),
    },
    ratios: {
      rssAfterGc: round(growth.rssAfterGc / cap, 3),
      heapAfterGc: round(growth.heapAfterGc / cap, 3),
      peakRss: round(growth.peakRss / cap, 3),
    },
    withinBound: growth.rssAfterGc <= rssBound(cap),
    fillSeconds: round(fillSeconds, 1),
  };
}

/** `--name value` pairs of the child's command line. */
export function childArgs(): Record<string, string> {
  const args: Record<string, string> = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1];
  return args;
}

export interface AtCapRun {
  /** Shown in the table, e.g. `traces`. */
  label: string;
  args: Record<string, string | number>;
}

/** The parent's side: each run in its own child process, one after the other. */
export async function runAtCap(
  modulePath: string,
  runs: readonly AtCapRun[],
  timeoutMs = 120_000,
  progress: (text: string) => void = (text) => process.stderr.write(text),
): Promise<(AtCapResult & { label: string })[]> {
  const results: (AtCapResult & { label: string })[] = [];
  for (const run of runs) {
    const argv = Object.entries(run.args).flatMap(([k, v]) => [`--${k}`, String(v)]);
    const started = performance.now();
    progress(`  memory at cap: ${run.label} ${argv.join(' ')} ...`);
    const result = await runInChild<AtCapResult>(modulePath, timeoutMs, argv);
    progress(` ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    results.push({ ...result, label: run.label });
  }
  return results;
}

export function atCapTable(
  title: string,
  results: readonly (AtCapResult & { label: string })[],
): string {
  return (
    renderTable(
      `${title}\nanchor: maxQueueBytes (each ratio is growth over a warmed-up baseline / maxQueueBytes); bound: RSS after GC <= 1.25 x maxQueueBytes + 30 MiB`,
      [
        'signal',
        'cap MiB',
        'held records',
        'wire B/rec',
        'core B/rec',
        'held B/rec',
        'heap/cap',
        'RSS after GC/cap',
        'peak RSS/cap',
        'bound',
      ],
      results.map((r) => [
        r.label,
        Math.round(r.maxQueueBytes / MIB),
        r.heldRecords,
        Math.round(r.meanWireBytes),
        Math.round(r.perRecord.coreBytes),
        Math.round(r.perRecord.memoryBytes),
        r.ratios.heapAfterGc,
        r.ratios.rssAfterGc,
        r.ratios.peakRss,
        r.withinBound ? 'ok' : 'OVER',
      ]),
    ) +
    '\nwire B/rec: mean sizeOf of the records offered; core B/rec: what the core counted per held record (stats().queuedBytes);' +
    '\nheld B/rec: growth of V8 heap + external memory after GC per held record; heap/cap: V8 heap growth after GC / cap; peak: highest RSS sampled while filling (SDK items, mapping garbage, request bodies of the failed sends included)'
  );
}

/**
 * Least squares of memory (heap + external) per held record against mean wire bytes per record, over runs of
 * the same record type in different sizes: `perRecordBytes + perWireByte * sizeOf`.
 */
export function fitMemoryModel(points: readonly { wire: number; held: number }[]): {
  perRecordBytes: number;
  perWireByte: number;
  maxRelativeError: number;
} {
  const n = points.length;
  const meanX = points.reduce((s, p) => s + p.wire, 0) / n;
  const meanY = points.reduce((s, p) => s + p.held, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const p of points) {
    sxy += (p.wire - meanX) * (p.held - meanY);
    sxx += (p.wire - meanX) ** 2;
  }
  const perWireByte = sxx === 0 ? meanY / meanX : sxy / sxx;
  const perRecordBytes = sxx === 0 ? 0 : meanY - perWireByte * meanX;
  const maxRelativeError = Math.max(
    ...points.map((p) => Math.abs(perRecordBytes + perWireByte * p.wire - p.held) / p.held),
  );
  return {
    perRecordBytes: round(perRecordBytes, 0),
    perWireByte: round(perWireByte, 3),
    maxRelativeError: round(maxRelativeError, 3),
  };
}

export interface FitGroup {
  /** e.g. `traces`; the child gets `--signal <signal>` unless `args` say otherwise. */
  label: string;
  args: Record<string, string | number>;
  shapes: readonly string[];
}

export interface FitReport {
  capMiB: number;
  points: {
    label: string;
    shape: string;
    wire: number;
    held: number;
    rss: number;
    records: number;
  }[];
  /** One fit per group, and one over every group (a sender that does not know its signal). */
  fits: { over: string; perRecordBytes: number; perWireByte: number; maxRelativeError: number }[];
}

/**
 * Runs each group's shapes at one cap (64 MiB: tens of thousands of records, so fixed costs
 * vanish) with the core counting what the sender's model says (wire bytes without one), and
 * fits heap bytes per held record against wire bytes per record.
 */
export async function fitRuns(
  modulePath: string,
  groups: readonly FitGroup[],
  capMiB = 64,
): Promise<FitReport> {
  const points: FitReport['points'] = [];
  for (const group of groups) {
    const results = await runAtCap(
      modulePath,
      group.shapes.map((shape) => ({
        label: `${group.label} ${shape}`,
        args: { ...group.args, cap: capMiB, shape },
      })),
    );
    results.forEach((r, i) =>
      points.push({
        label: group.label,
        shape: group.shapes[i],
        wire: r.meanWireBytes,
        held: r.perRecord.memoryBytes,
        rss: r.perRecord.rssBytes,
        records: r.heldRecords,
      }),
    );
  }
  const fits: FitReport['fits'] = groups.map((group) => ({
    over: group.label,
    ...fitMemoryModel(points.filter((p) => p.label === group.label)),
  }));
  if (groups.length > 1) fits.push({ over: 'all', ...fitMemoryModel(points) });
  return { capMiB, points, fits };
}

export function fitTable(title: string, report: FitReport): string {
  return (
    renderTable(
      `${title}\nanchor: sizeOf (wire bytes per record); held: growth of V8 heap + external memory after GC per held record, at a ${report.capMiB} MiB cap, backend down`,
      ['signal', 'shape', 'records', 'wire B/rec', 'held B/rec', 'RSS B/rec', 'held/wire'],
      report.points.map((p) => [
        p.label,
        p.shape,
        p.records,
        Math.round(p.wire),
        Math.round(p.held),
        Math.round(p.rss),
        round(p.held / p.wire, 3),
      ]),
    ) +
    '\n\n' +
    renderTable(
      'Least-squares fit: held B/record = perRecordBytes + perWireByte x wire B/record',
      ['over', 'perRecordBytes', 'perWireByte', 'max rel. error'],
      report.fits.map((f) => [f.over, f.perRecordBytes, f.perWireByte, f.maxRelativeError]),
    )
  );
}
