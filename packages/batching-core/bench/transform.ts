/**
 * Scenario 4: what the `transform` option costs per span. Anchor: the same export of the same SDK
 * spans (BasicTracerProvider, HTTP server spans of 10 attributes and 2 events) through a
 * kit-made exporter without the option. Variants: the option with no statements, one simple
 * statement, five typical statements, the redaction preset. Each is measured twice: through the
 * exporter's export (the whole path, mapping and pipeline included; its own cost is its time
 * less the anchor's of the same round, the median of those differences over the rounds), and the
 * stage alone on the same items. A control, the anchor's export timed again as if it were a
 * variant, shows what the bench reads as a cost where there is none (its bias and noise). The
 * issue's goal: ≤ 1 µs per span per simple statement. Times are the process's CPU time, not wall
 * time. `node --expose-gc --import tsx bench/transform.ts` runs it alone (about 30 s).
 */
import type { BatchSender, ReadableSpanLike, SendResult } from '../src';
import { diagFromEnv, forceGc, reportToParent } from './lib/child';
import { createTransformStage, defineExporter, defineExporterOptions, mapEach } from './lib/core';
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
/*
 * Many short rounds rather than a few long ones: each round times every variant and the anchor
 * back to back, so a variant's figure is its difference from the anchor of its own round, and the
 * median of 41 such differences stands still where one slow round (another job on the shared
 * machine, a major GC) moves the mean.
 */
const EXPORTS = 8;
const ROUNDS = 41;

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
  anchor: { name: string; nsPerSpan: number; spread: number };
  variants: {
    name: string;
    /** Through the exporter: ns per span, and the same round's anchor subtracted (median over rounds). */
    nsPerSpan: number;
    nsPerSpanOverAnchor: number;
    /** Half the interquartile range of the per-round differences, ns per span. */
    overAnchorHalfIqrNs: number;
    /** For the statements variants: the stage's own cost in the export, per span per statement. */
    nsPerSpanPerStatementOverAnchor?: number;
    ratioToAnchor: number;
    /** Relative spread of the export's ns per span over the rounds. */
    spread: number;
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

/*
 * The garbage a variant makes is its cost: the collections it causes while timed are counted,
 * and nothing is collected between the variants of a round. A full collection at each round's
 * start only keeps the heap the same size for every round, with a pause after it, because the
 * process's CPU time counts V8's helper threads too, and its concurrent sweeping would otherwise
 * land in whichever variant came first.
 */
async function settle(): Promise<void> {
  forceGc();
  await new Promise((resolve) => setTimeout(resolve, 50));
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

async function main(): Promise<TransformResult> {
  diagFromEnv();
  const source = spanSource();
  const batches = Array.from({ length: EXPORTS }, () => source(EXPORT_SIZE));
  // Warm-up: two untimed rounds, so that the JIT has optimised every path before the first
  // timed one (the first rounds would otherwise time the interpreter).
  for (let warm = 0; warm < 2; warm++) {
    await timeExports(undefined, batches);
    for (const v of VARIANTS) {
      await timeExports(v.transform, batches);
      timeStage(v.transform, batches);
    }
  }
  const anchorRuns: number[] = [];
  const runs = VARIANTS.map(() => ({
    ns: [] as number[],
    ratio: [] as number[],
    over: [] as number[],
    stage: [] as number[],
  }));
  // Interleaved rounds: a drift in machine speed touches anchor and variants alike. The order
  // turns each round (anchor first in one, last in another): whatever runs first after a
  // variant's garbage pays for it, and the anchor would otherwise always be that one.
  for (let round = 0; round < ROUNDS; round++) {
    await settle();
    const exports: number[] = new Array<number>(VARIANTS.length + 1);
    for (let k = 0; k <= VARIANTS.length; k++) {
      const i = (k + round) % (VARIANTS.length + 1);
      exports[i] = await timeExports(i === 0 ? undefined : VARIANTS[i - 1].transform, batches);
      if (i > 0 && VARIANTS[i - 1].transform !== undefined) {
        runs[i - 1].stage.push(timeStage(VARIANTS[i - 1].transform, batches));
      }
    }
    const anchor = exports[0];
    anchorRuns.push(anchor);
    for (const [i, run] of runs.entries()) {
      const ns = exports[i + 1];
      run.ns.push(ns);
      run.ratio.push(ns / anchor);
      run.over.push(ns - anchor);
    }
  }
  const anchorNs = median(anchorRuns);
  return {
    spansPerExport: EXPORT_SIZE,
    exports: EXPORTS,
    rounds: ROUNDS,
    anchor: {
      name: 'the same export without transform',
      nsPerSpan: round(anchorNs, 0),
      spread: round(spread(anchorRuns)),
    },
    variants: VARIANTS.map((v, i) => {
      const over = median(runs[i].over);
      const stageNs = runs[i].stage.length > 0 ? median(runs[i].stage) : 0;
      return {
        name: v.name,
        nsPerSpan: round(median(runs[i].ns), 0),
        nsPerSpanOverAnchor: round(over, 0),
        overAnchorHalfIqrNs: round(halfIqr(runs[i].over), 0),
        ...(v.statements > 0
          ? { nsPerSpanPerStatementOverAnchor: round(over / v.statements, 0) }
          : {}),
        ratioToAnchor: round(median(runs[i].ratio)),
        spread: round(spread(runs[i].ns)),
        stageNsPerSpan: round(stageNs, 0),
        ...(v.statements > 0
          ? { stageNsPerSpanPerStatement: round(stageNs / v.statements, 0) }
          : {}),
        stageSpread: runs[i].stage.length > 0 ? round(spread(runs[i].stage)) : 0,
      };
    }),
  };
}

if (require.main === module) reportToParent(main);
