/**
 * Scenario 4: what the `transform` option costs per span. Anchor: the same export of the same SDK
 * spans (BasicTracerProvider, HTTP server spans of 10 attributes and 2 events) through a
 * kit-made exporter without the option. Variants: the option with no statements, one simple
 * statement, five typical statements, the redaction preset. Each is measured twice: through the
 * exporter's export (the whole path, mapping and pipeline included; its own cost is its time less
 * the anchor's timed next to it, the median of those differences), and the stage alone on the
 * same items. A control, the anchor's export measured again as if it were a variant, shows what
 * the bench reads as a cost where there is none (its bias and noise). The goal: ≤ 1 µs
 * per span per simple statement. Times are the process's CPU time, not wall time.
 * `node --expose-gc --import tsx bench/transform.ts` runs it alone (about two minutes).
 *
 * Each variant runs in a fresh process of its own, with the anchor beside it, as a service runs
 * one configuration: in one process shared by all variants, the mapping met every variant's
 * copies (eleven attributes here, four there, the redaction's summary keys), its property loads
 * and JSON.stringify went megamorphic for all of them, and one variant's garbage was collected in
 * another's timing; that read 3.0 µs for one statement and a 10.9 µs anchor where a process of
 * its own reads 7.4 µs. Within the process, the variant and the anchor are timed in adjacent
 * pairs, in turn first, because the same code in two fresh processes differs by up to 30 %
 * (5.5 to 8.4 µs for the anchor on this machine), more than what is measured. The processes
 * collect garbage on their main thread (`--single-threaded-gc`), so that each timing pays for
 * its own collections, neither more nor less.
 */
import type { BatchSender, ReadableSpanLike, SendResult } from '../src';
import { diagFromEnv, forceGc, reportToParent, runInChild } from './lib/child';
import {
  CORE_BUILD,
  createTransformStage,
  defineExporter,
  defineExporterOptions,
  mapEach,
} from './lib/core';
import { spanSource } from './lib/sdk-items';
import { halfIqr, median, round, spread } from './lib/stats';

/**
 * CPU time of this process (user + system, GC threads included), in ns: what the work costs
 * whatever else the machine runs, where wall time on a shared machine counts the waits for a
 * core as well.
 */
function cpuNs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
}

const EXPORT_SIZE = 512;
/** Exports per timing: 16,384 spans, long enough that a timing pays for its own collections. */
const EXPORTS = 32;
/** Untimed runs first, so that the JIT has optimised every path the timings take. */
const WARM_UP_RUNS = 3;
/** A child's figure is the median of this many pairs: even, so that each goes first as often. */
const TIMED_RUNS = 8;
/** Rounds of fresh processes: each round runs every variant and the anchor once. */
const ROUNDS = Number(process.env.BENCH_TRANSFORM_ROUNDS ?? 5);
const CHILD_TIMEOUT_MS = 120_000;

/** Five statements of the common jobs: tag, remove a field, normalise a path, rename, drop. */
export const FIVE_STATEMENTS = [
  'set(attributes["deployment.environment.name"], "production")',
  'delete_key(attributes, "client.address")',
  'replace_pattern(attributes["url.path"], "/[0-9]+", "/{id}")',
  'set(name, Concat(["HTTP", attributes["http.request.method"]], " ")) where kind == SPAN_KIND_SERVER',
  'drop() where attributes["http.route"] == "/health"',
];

/** The simplest write: one attribute set on every span (the attributes are copied once). */
export const ONE_STATEMENT = [FIVE_STATEMENTS[0]];

/** The control: no option at all, timed as a variant; its own cost should read as 0. */
const CONTROL = 'control: the anchor again';

const VARIANTS: { name: string; transform: unknown; statements: number }[] = [
  { name: CONTROL, transform: undefined, statements: 0 },
  { name: 'transform with no statements', transform: { span: [] }, statements: 0 },
  { name: '1 simple statement', transform: { span: ONE_STATEMENT }, statements: 1 },
  { name: '5 statements', transform: { span: FIVE_STATEMENTS }, statements: 5 },
  { name: 'redaction preset', transform: { redaction: {} }, statements: 0 },
];

export interface TransformResult {
  spansPerExport: number;
  exports: number;
  rounds: number;
  pairsPerProcess: number;
  anchor: { name: string; nsPerSpan: number; spread: number; nsPerSpanByRound: number[] };
  variants: {
    name: string;
    /** Through the exporter: ns per span, and the anchor timed next to it subtracted (median of the pairs). */
    nsPerSpan: number;
    /** The anchor's ns per span in this variant's processes (its mapping also meets the copies). */
    anchorNsPerSpan: number;
    nsPerSpanOverAnchor: number;
    /** Half the interquartile range of the per-round differences, ns per span. */
    overAnchorHalfIqrNs: number;
    /** For the statements variants: the stage's own cost in the export, per span per statement. */
    nsPerSpanPerStatementOverAnchor?: number;
    ratioToAnchor: number;
    /** Relative spread of the export's ns per span over the rounds. */
    spread: number;
    /** Each round's child, in round order: its export's ns per span. */
    nsPerSpanByRound: number[];
    /** The stage alone on the same items (0 for the control). */
    stageNsPerSpan: number;
    /** For the statements variants: the stage alone, per span per statement. */
    stageNsPerSpanPerStatement?: number;
    stageSpread: number;
  }[];
}

class DeliveringSender implements BatchSender<string> {
  sizeOf(record: string): number {
    return record.length;
  }
  async send(): Promise<SendResult> {
    return { kind: 'delivered' };
  }
}

/** A mapping of the weight of a JSON exporter's: the span's fields as one JSON document. */
const bench = defineExporter({
  packageName: '@otelpack/bench',
  options: defineExporterOptions({ backend: 'bench', own: {} }),
  sender: () => new DeliveringSender(),
  traces: () =>
    mapEach((span: ReadableSpanLike) =>
      JSON.stringify({
        name: span.name,
        kind: span.kind,
        attributes: span.attributes,
        resource: span.resource.attributes,
        events: span.events.map((e) => ({ name: e.name, attributes: e.attributes })),
      }),
    ),
});

/** What one child measured, CPU ns per span. */
interface ChildResult {
  /** Median of the anchor's timings and of the variant's. */
  anchorNsPerSpan: number;
  exportNsPerSpan: number;
  /** Each pair's variant less its anchor (the pairs are adjacent in time). */
  overAnchorNs: number[];
  stageNsPerSpan: number;
}

async function timeExports(transform: unknown, batches: ReadableSpanLike[][]): Promise<number> {
  const exporter = new bench.SpanExporter({
    maxQueueItems: EXPORT_SIZE * EXPORTS * 2,
    maxBatchItems: 1000,
    flushIntervalMs: 10,
    ...(transform === undefined ? {} : { transform }),
  });
  const start = cpuNs();
  for (const batch of batches) {
    await new Promise((resolve) => exporter.export(batch, resolve));
  }
  await exporter.forceFlush();
  const elapsedNs = cpuNs() - start;
  await exporter.shutdown();
  return elapsedNs / (batches.length * EXPORT_SIZE);
}

function timeStage(transform: unknown, batches: ReadableSpanLike[][]): number {
  const stage = createTransformStage(transform, 'bench');
  if (!stage) return 0;
  const start = cpuNs();
  for (const batch of batches) stage.apply('traces', batch);
  return (cpuNs() - start) / (batches.length * EXPORT_SIZE);
}

/**
 * The child's side: one variant (index into VARIANTS; the control is the anchor again), timed in
 * pairs with the anchor, the two adjacent in time and in turn first, so that what the machine
 * does meanwhile touches both alike. The mapping meets the SDK's spans and this variant's
 * copies, as in a service that runs this one configuration.
 */
async function measureVariant(index: number): Promise<ChildResult> {
  diagFromEnv();
  const transform = VARIANTS[index].transform;
  const source = spanSource();
  const batches = Array.from({ length: EXPORTS }, () => source(EXPORT_SIZE));
  const anchorRuns: number[] = [];
  const exportRuns: number[] = [];
  const overAnchorNs: number[] = [];
  const stageRuns: number[] = [];
  // No collection is forced between timings: after a full collection, the stage alone read 5 to
  // 6 µs per span for one statement where it reads 1 µs in a steady process (V8 sizes its young
  // generation down, and each timing starts from that). A service runs steadily, so do these.
  forceGc();
  for (let pair = 0; pair < WARM_UP_RUNS + TIMED_RUNS; pair++) {
    let anchorNs: number;
    let exportNs: number;
    if (pair % 2 === 0) {
      anchorNs = await timeExports(undefined, batches);
      exportNs = await timeExports(transform, batches);
    } else {
      exportNs = await timeExports(transform, batches);
      anchorNs = await timeExports(undefined, batches);
    }
    if (pair < WARM_UP_RUNS) continue;
    anchorRuns.push(anchorNs);
    exportRuns.push(exportNs);
    overAnchorNs.push(exportNs - anchorNs);
  }
  // The stage alone after the pairs, so that its garbage is paid by itself, not by a pair.
  for (let run = 0; run < WARM_UP_RUNS + TIMED_RUNS; run++) {
    const stageNs = timeStage(transform, batches);
    if (run >= WARM_UP_RUNS) stageRuns.push(stageNs);
  }
  return {
    anchorNsPerSpan: median(anchorRuns),
    exportNsPerSpan: median(exportRuns),
    overAnchorNs,
    stageNsPerSpan: median(stageRuns),
  };
}

async function main(): Promise<TransformResult> {
  const anchorRuns: number[] = [];
  const runs = VARIANTS.map(() => ({
    ns: [] as number[],
    anchor: [] as number[],
    ratio: [] as number[],
    over: [] as number[],
    stage: [] as number[],
  }));
  // Children measure the core the parent chose (run.ts sets it; run alone, this process did).
  process.env.BENCH_CORE ??= CORE_BUILD;
  // Rounds of fresh processes, one per variant, in an order that turns each round.
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < VARIANTS.length; k++) {
      const i = (k + round) % VARIANTS.length;
      const result = await runInChild<ChildResult>(
        __filename,
        CHILD_TIMEOUT_MS,
        [String(i)],
        ['--single-threaded-gc'],
      );
      const run = runs[i];
      anchorRuns.push(result.anchorNsPerSpan);
      run.ns.push(result.exportNsPerSpan);
      run.anchor.push(result.anchorNsPerSpan);
      run.ratio.push(result.exportNsPerSpan / result.anchorNsPerSpan);
      run.over.push(...result.overAnchorNs);
      if (VARIANTS[i].transform !== undefined) run.stage.push(result.stageNsPerSpan);
    }
  }
  const anchorNs = median(anchorRuns);
  return {
    spansPerExport: EXPORT_SIZE,
    exports: EXPORTS,
    rounds: ROUNDS,
    pairsPerProcess: TIMED_RUNS,
    anchor: {
      name: 'the same export without transform',
      nsPerSpan: round(anchorNs, 0),
      spread: round(spread(anchorRuns)),
      nsPerSpanByRound: anchorRuns.map((ns) => round(ns, 0)),
    },
    variants: VARIANTS.map((v, i) => {
      const over = median(runs[i].over);
      const stageNs = runs[i].stage.length > 0 ? median(runs[i].stage) : 0;
      return {
        name: v.name,
        nsPerSpan: round(median(runs[i].ns), 0),
        anchorNsPerSpan: round(median(runs[i].anchor), 0),
        nsPerSpanOverAnchor: round(over, 0),
        overAnchorHalfIqrNs: round(halfIqr(runs[i].over), 0),
        ...(v.statements > 0
          ? { nsPerSpanPerStatementOverAnchor: round(over / v.statements, 0) }
          : {}),
        ratioToAnchor: round(median(runs[i].ratio)),
        spread: round(spread(runs[i].ns)),
        nsPerSpanByRound: runs[i].ns.map((ns) => round(ns, 0)),
        stageNsPerSpan: round(stageNs, 0),
        ...(v.statements > 0
          ? { stageNsPerSpanPerStatement: round(stageNs / v.statements, 0) }
          : {}),
        stageSpread: runs[i].stage.length > 0 ? round(spread(runs[i].stage)) : 0,
      };
    }),
  };
}

if (require.main === module) {
  const variant = process.argv[2];
  if (variant === undefined) reportToParent(main);
  else reportToParent(() => measureVariant(Number(variant)));
}
