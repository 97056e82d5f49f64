/**
 * A shorter end-to-end comparison than `npm run bench`, for trying a change: one signal, the
 * official and our exporter (no compression unless QUICK_COMPRESSION=gzip) and the no-op
 * baseline, alternating fresh processes as run.ts does; prints the medians and the ratios of
 * the exporter shares against the official exporter.
 *
 *   node --import tsx bench/quick-e2e.ts <traces|logs> [items] [rounds]
 */
import { halfIqr, median, round, spread } from '../../batching-core/bench/lib/stats';
import type { Variant } from './e2e-child';
import { runOwnVariants } from './e2e-harness';
import type { E2eSignal } from './e2e-loop';

async function main(): Promise<void> {
  const signal = (process.argv[2] ?? 'traces') as E2eSignal;
  const items = Number(process.argv[3] ?? 80_000);
  const rounds = Number(process.argv[4] ?? 3);
  const compression = process.env.QUICK_COMPRESSION === 'gzip' ? 'gzip' : 'none';
  const variants: Variant[] = ['baseline', `official-${compression}`, `ours-${compression}`];
  // QUICK_BEFORE=<module>: another build of this exporter beside ours (see e2e-child's module:).
  if (process.env.QUICK_BEFORE) variants.push(`module:${process.env.QUICK_BEFORE}`);
  const runs = await runOwnVariants(variants, signal, items, rounds);
  const cpu = (v: Variant) => runs.get(v)?.cpuUsPerItem ?? [];
  const base = median(cpu('baseline'));
  const official = median(cpu(variants[1])) - base;
  const ours = median(cpu(variants[2])) - base;
  const before = variants[3];
  if (before) {
    const share = median(cpu(before)) - base;
    process.stdout.write(
      `${signal} ${compression}: before ${round(share, 2)} ratio ${round(share / official)}\n`,
    );
  }
  for (const v of variants) {
    process.stdout.write(
      `${signal} ${v.padEnd(14)} ${round(median(cpu(v)), 2)} µs/item (spread ${round(spread(cpu(v)))}) [${cpu(
        v,
      )
        .map((x) => round(x, 2))
        .join(', ')}]\n`,
    );
  }
  // Round by round (processes close in time): the figure the machine's drift moves least.
  const baseline = cpu('baseline');
  const roundRatios = cpu(variants[2]).map(
    (x, r) => (x - baseline[r]) / (cpu(variants[1])[r] - baseline[r]),
  );
  process.stdout.write(
    `${signal} ${compression}: exporter share official ${round(official, 2)} ours ${round(ours, 2)} ratio ${round(ours / official)}; per round ${round(median(roundRatios))} ± ${round(halfIqr(roundRatios))} [${roundRatios.map((x) => round(x)).join(', ')}]; total ratio ${round(median(cpu(variants[2])) / median(cpu(variants[1])))}\n`,
  );
}

void main();
