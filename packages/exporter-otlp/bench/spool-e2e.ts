/**
 * The disk spool under a real exporter (issue 17's benchmark, the exporter's view): this
 * package's exporter through the SDK into the loopback sink, with its in-memory queue (the
 * anchor) and with the core's disk spool (`never`, `interval`, `always`), alternating fresh
 * processes as run.ts does. The core's own spool benchmark (batching-core bench/spool.ts) measures the spool
 * against a pipeline whose sender does nothing; this one measures what a service sees: items per
 * second of the SDK's loop and CPU per item, everything an export costs included.
 *
 * Issue 17's goal (`interval` ≥ 0.5× the in-memory queue's items per second) is read here, as a
 * service sees it; the last line says whether it holds. Part of `npm run bench`, for both signals.
 *
 *   node --import tsx bench/spool-e2e.ts [traces|logs] [items] [rounds]
 */
import { halfIqr, median, round } from '../../batching-core/bench/lib/stats';
import type { Variant } from './e2e-child';
import { runOwnVariants } from './e2e-harness';
import type { E2eSignal } from './e2e-loop';

const ANCHOR: Variant = 'ours-none';
const SPOOLED: Variant[] = [
  'ours-none-spool-never',
  'ours-none-spool-interval',
  'ours-none-spool-always',
];

/** The median of per-round ratios ± half their interquartile range. */
function medianAndSpread(ratios: number[]): string {
  return `${round(median(ratios)).toFixed(2)} ± ${round(halfIqr(ratios)).toFixed(2)}`;
}

async function main(): Promise<void> {
  const signal = (process.argv[2] ?? 'logs') as E2eSignal;
  const items = Number(process.argv[3] ?? 80_000);
  const rounds = Number(process.argv[4] ?? 5);
  const variants: Variant[] = ['baseline', ANCHOR, ...SPOOLED];
  const runs = await runOwnVariants(variants, signal, items, rounds);
  const of = (v: Variant) => runs.get(v) as { cpuUsPerItem: number[]; wallUsPerItem: number[] };
  const anchor = of(ANCHOR);
  const baseline = of('baseline');
  process.stdout.write(
    `Disk spool under the OTLP exporter (${signal}, ${items.toLocaleString('en-US')} items, ${rounds} rounds, no compression); anchor: the same exporter on its in-memory queue\n` +
      'variant                    items/s   CPU µs/item  items/s × anchor (per round)  CPU × anchor (per round)  exporter CPU × anchor\n',
  );
  for (const v of [ANCHOR, ...SPOOLED]) {
    const runsOf = of(v);
    // Per round: processes close in time, the figure the machine's drift moves least.
    const rate = runsOf.wallUsPerItem.map((w, r) => anchor.wallUsPerItem[r] / w);
    const cpu = runsOf.cpuUsPerItem.map((c, r) => anchor.cpuUsPerItem[r] / c);
    const share = runsOf.cpuUsPerItem.map(
      (c, r) =>
        (anchor.cpuUsPerItem[r] - baseline.cpuUsPerItem[r]) / (c - baseline.cpuUsPerItem[r]),
    );
    const columns = [
      String(Math.round(1e6 / median(runsOf.wallUsPerItem))).padStart(7),
      median(runsOf.cpuUsPerItem).toFixed(2).padStart(11),
      medianAndSpread(rate).padStart(28),
      medianAndSpread(cpu).padStart(24),
      medianAndSpread(share).padStart(21),
    ];
    process.stdout.write(`${v.padEnd(25)}  ${columns.join('  ')}\n`);
  }
  process.stdout.write(
    `SDK alone (no-op exporter): ${round(median(baseline.cpuUsPerItem), 2)} µs/item CPU; "exporter CPU" subtracts it\n`,
  );
  const interval = of('ours-none-spool-interval');
  const intervalRatio = median(interval.wallUsPerItem.map((w, r) => anchor.wallUsPerItem[r] / w));
  process.stdout.write(
    `issue 17's goal, 'interval' >= 0.5x the in-memory queue's items/s, at the exporter: ${round(intervalRatio).toFixed(2)}x, ${intervalRatio >= 0.5 ? 'holds' : 'does not hold'} (the queue alone: batching-core's bench, "Disk spool")\n`,
  );
}

void main();
