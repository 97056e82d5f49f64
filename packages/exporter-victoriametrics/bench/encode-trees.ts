/**
 * The remote-write encoder of several checkouts of this repository, side by side in one process:
 * is a change in the encoding figure the code's, the input's or the machine's?
 *
 *   flock /tmp/bench.lock node --import tsx bench/encode-trees.ts <checkout> [<checkout> ...]
 *
 * Each checkout is a repository root whose packages/exporter-victoriametrics/src holds mapping.ts
 * and encoder.ts (an older commit needs its batching-core built: `tsc -p packages/batching-core`,
 * and a node_modules that resolves @otelpack/batching-core to it). For every checkout, its own
 * mapping makes the benchmark's typical request (bench/typical-request.ts), and its encoder
 * encodes (a) that request and (b) the first checkout's request, each against protobufjs (the
 * anchor) encoding the same request in the same rounds. Rounds alternate between every encoder
 * and the anchor, so load drifts hit all alike; rates are per CPU second (process.cpuUsage), and
 * the ratio is the median of the per-round ratios.
 */
import { resolve } from 'node:path';
import { median } from '../../batching-core/bench/lib/stats';
import type { TimeSeries } from '../src';
import { WriteRequestType, toProtobufObject } from '../test/helpers/proto';
import { SERIES_PER_REQUEST, syntheticExport } from './typical-request';

const ROUNDS = Number(process.env.ROUNDS ?? 7);
const ROUND_CPU_MS = Number(process.env.ROUND_CPU_MS ?? 300);

interface Tree {
  label: string;
  series: TimeSeries[];
  encode: (series: readonly TimeSeries[]) => Buffer;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Requests per CPU second of fn, over about ROUND_CPU_MS of CPU time. */
function rate(fn: () => unknown): number {
  let n = 0;
  const c0 = cpuMs();
  let c = c0;
  while (c - c0 < ROUND_CPU_MS) {
    fn();
    n++;
    c = cpuMs();
  }
  return n / ((c - c0) / 1000);
}

async function loadTree(root: string, endMs: number): Promise<Tree> {
  const src = resolve(root, 'packages/exporter-victoriametrics/src');
  const mapping = await import(resolve(src, 'mapping.ts'));
  const encoderModule = await import(resolve(src, 'encoder.ts'));
  const series = mapping
    .mapResourceMetrics(syntheticExport(1_200, endMs), mapping.DEFAULT_MAPPING_OPTIONS)
    .series.slice(0, SERIES_PER_REQUEST) as TimeSeries[];
  const encoder = new encoderModule.WriteRequestEncoder();
  return { label: root, series, encode: (s) => encoder.encode(s) };
}

async function main(): Promise<void> {
  const roots = process.argv.slice(2);
  if (roots.length === 0) throw new Error('usage: encode-trees.ts <checkout> [<checkout> ...]');
  const endMs = Date.now();
  const trees: Tree[] = [];
  for (const root of roots) trees.push(await loadTree(root, endMs));
  const reference = trees[0].series;
  const referenceObject = toProtobufObject(reference);
  const anchorReference = (): unknown => WriteRequestType.encode(referenceObject).finish();

  // Every encoder must write the anchor's bytes for the request it is timed on.
  const jobs: { label: string; run: () => unknown; anchor: () => unknown; n: number }[] = [];
  for (const tree of trees) {
    const own = toProtobufObject(tree.series);
    const expected = Buffer.from(WriteRequestType.encode(own).finish());
    if (!tree.encode(tree.series).equals(expected)) throw new Error(`${tree.label}: bytes differ`);
    const labels = tree.series.reduce((s, x) => s + x.labels.length, 0) / tree.series.length;
    jobs.push({
      label: `${tree.label} (own request, ${labels.toFixed(1)} labels/series, ${expected.length} B)`,
      run: () => tree.encode(tree.series),
      anchor: () => WriteRequestType.encode(own).finish(),
      n: tree.series.length,
    });
    if (tree !== trees[0]) {
      jobs.push({
        label: `${tree.label} (first checkout's request)`,
        run: () => tree.encode(reference),
        anchor: anchorReference,
        n: reference.length,
      });
    }
  }
  for (const job of jobs) {
    rate(job.run);
    rate(job.anchor);
  }
  const ratios = jobs.map(() => [] as number[]);
  const ours = jobs.map(() => [] as number[]);
  for (let round = 0; round < ROUNDS; round++) {
    jobs.forEach((job, i) => {
      const a = rate(job.run);
      const b = rate(job.anchor);
      ours[i].push(a * job.n);
      ratios[i].push(a / b);
    });
  }
  process.stdout.write(
    `encode, ${ROUNDS} alternating rounds of ${ROUND_CPU_MS} ms CPU each; anchor protobufjs on the same request\n`,
  );
  jobs.forEach((job, i) => {
    const r = ratios[i];
    process.stdout.write(
      `${median(r).toFixed(2)}x protobufjs (rounds ${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}), ${Math.round(median(ours[i])).toLocaleString('en-US')} samples/CPU-s  ${job.label}\n`,
    );
  });
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
