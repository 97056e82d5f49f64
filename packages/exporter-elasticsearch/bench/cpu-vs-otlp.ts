/**
 * CPU per record against the official OTLP exporter, in exporter-otlp's end-to-end harness
 * (its bench/workload.ts, bench/sink.ts and bench/e2e-child.ts, reused, not copied): the SDK's
 * batch processor with default settings, spans (a server span of 9 attributes and a client child
 * of 5, an event on one span in ten; BENCH_SPAN_SHAPE=issue11 gives issue 11's spans instead, 10
 * attributes and 2 events each, three documents per span here) and INFO log records; one
 * loopback sink (a process of its own)
 * that answers each client as its backend would; each run a fresh process whose CPU time is
 * taken from the first item to the end of shutdown. Variants alternate (exporter-otlp's
 * runVariants): the official
 * `@opentelemetry/exporter-{trace,logs}-otlp-proto` (no compression) and this package's
 * exporters with default options. A no-op exporter gives the SDK's own cost.
 *
 * BENCH_CPU_COMPARE=<module> adds another build of this exporter (a module exporting
 * `createExporter(signal, url)`, e.g. one built from an earlier commit) as `compare`, so that a
 * change is measured before and after in one run.
 *
 * BENCH_CPU_ITEMS (default 100,000) and BENCH_CPU_ROUNDS (default 3) size the run;
 * BENCH_CPU_SIGNALS=logs (or traces; comma-separated) measures only those signals, so that a
 * change to one signal's path is measured in half the time.
 */
import { resolve } from 'node:path';
import { runVariants, startSink } from '../../exporter-otlp/bench/e2e-harness';
import type { VariantRuns } from '../../exporter-otlp/bench/e2e-harness';
import type { E2eSignal } from '../../exporter-otlp/bench/e2e-loop';
import { median, round, spread } from './lib/stats';
import { PACKAGE_DIR, reportToParent } from './lib/child';

const OTLP_BENCH = resolve(PACKAGE_DIR, '..', 'exporter-otlp', 'bench');
const ITEMS = Number(process.env.BENCH_CPU_ITEMS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_CPU_ROUNDS ?? 3);
const SIGNALS = (process.env.BENCH_CPU_SIGNALS ?? 'traces,logs').split(',');
type Name = 'baseline' | 'official' | 'elasticsearch' | 'compare';
const VARIANTS: Partial<Record<Name, string>> = {
  baseline: 'baseline',
  official: 'official-none',
  elasticsearch: `module:${resolve(__dirname, 'otlp-sink-exporter.ts')}`,
  ...(process.env.BENCH_CPU_COMPARE ? { compare: `module:${process.env.BENCH_CPU_COMPARE}` } : {}),
};

export interface CpuRow {
  signal: string;
  /** Microseconds of process CPU per span / log record, median of the rounds. */
  cpuUs: Partial<Record<Name, number>>;
  /** Of which in the kernel (system time), median of the rounds. */
  systemUs: Partial<Record<Name, number>>;
  /** Minor page faults per 1,000 spans / log records, median of the rounds. */
  faultsPerThousand: Partial<Record<Name, number>>;
  /** Elasticsearch ÷ official, process CPU per record (the figure), of the medians. */
  ratio: number;
  /**
   * The median of each round's own Elasticsearch ÷ official: the variants of a round run one
   * after another, so a load that comes and goes on a shared machine moves both of a round's
   * figures, and this ratio less than the medians'.
   */
  pairedRatio: number;
  /** With BENCH_CPU_COMPARE: the median of each round's Elasticsearch ÷ compare. */
  pairedRatioToCompare?: number;
  /** The same, with the SDK's own cost (baseline) taken out of both. */
  exporterRatio: number;
  spread: number;
}

export interface CpuResult {
  items: number;
  rounds: number;
  rows: CpuRow[];
}

async function main(): Promise<CpuResult> {
  const sink = await startSink();
  try {
    const rows: CpuRow[] = [];
    const names = Object.keys(VARIANTS) as Name[];
    const childVariant = (name: Name) => VARIANTS[name] as string;
    for (const signal of SIGNALS) {
      // exporter-otlp's harness: the variants of each round in a turned order, every other round
      // reversed; round r of every variant at index r.
      const runs = await runVariants(
        sink,
        resolve(OTLP_BENCH, 'e2e-child.ts'),
        names.map(childVariant),
        signal as E2eSignal,
        ITEMS,
        ROUNDS,
      );
      const of = (name: Name) => runs.get(childVariant(name)) as VariantRuns;
      const m = (name: Name) => median(of(name).cpuUsPerItem);
      const perRound = (over: Name) =>
        of('elasticsearch').cpuUsPerItem.map((value, i) => value / of(over).cpuUsPerItem[i]);
      const ratios = perRound('official');
      rows.push({
        signal,
        cpuUs: Object.fromEntries(names.map((name) => [name, round(m(name))])),
        systemUs: Object.fromEntries(
          names.map((name) => [name, round(median(of(name).systemUsPerItem))]),
        ),
        faultsPerThousand: Object.fromEntries(
          names.map((name) => [name, Math.round(median(of(name).faultsPerThousand))]),
        ),
        ratio: round(m('elasticsearch') / m('official')),
        pairedRatio: round(median(ratios)),
        ...(VARIANTS.compare ? { pairedRatioToCompare: round(median(perRound('compare'))) } : {}),
        exporterRatio: round(
          (m('elasticsearch') - m('baseline')) / (m('official') - m('baseline')),
        ),
        spread: round(spread(ratios)),
      });
    }
    return { items: ITEMS, rounds: ROUNDS, rows };
  } finally {
    sink.child.send({ type: 'close' });
  }
}

reportToParent(main);
