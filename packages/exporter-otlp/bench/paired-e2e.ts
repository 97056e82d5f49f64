/**
 * The end-to-end comparison with the variants side by side in each process, for a ratio the
 * machine's noise moves less: fresh processes of the same code differ here by up to 30 % in CPU
 * per item (their collectors size the heap differently, and a shared VM's neighbours come and
 * go), more than the difference measured. Each process holds three SDK pipelines (e2e-loop.ts's
 * sdkPipeline) — the official exporter, ours and the no-op baseline, made by e2e-exporters.ts as
 * quick-e2e.ts's are — warms each up, then times them in short segments in an order that
 * turns each round, so that what the machine and the collector do meanwhile touches all three
 * alike. A round's ratio is ours over the official
 * exporter, each less the baseline of the same round; the figure is the median over every round
 * of every process.
 *
 *   node --import tsx bench/paired-e2e.ts <traces|logs> [processes] [rounds] [items per segment]
 *
 * QUICK_COMPRESSION=gzip compresses (both exporters). A measuring tool beside quick-e2e.ts,
 * not (yet) `npm run bench`'s method.
 */
import { execFileSync } from 'node:child_process';
import { halfIqr, median, round } from '../../batching-core/bench/lib/stats';
import { otlpVariantExporter } from './e2e-exporters';
import { startSink } from './e2e-harness';
import { sdkPipeline } from './e2e-loop';
import type { E2eSignal } from './e2e-loop';

const CHUNK = 1_024;
/** As e2e-loop.ts's warm-up (undici's parser is recompiled once it is hot), per pipeline. */
const WARM_UP_CHUNKS = 64;

type Name = 'baseline' | 'official' | 'ours';
const NAMES: readonly Name[] = ['baseline', 'official', 'ours'];

interface ChildResult {
  /** Per round, CPU µs per item of each pipeline. */
  rounds: Record<Name, number>[];
}

async function child(
  signal: E2eSignal,
  url: string,
  rounds: number,
  segment: number,
): Promise<ChildResult> {
  const compression = process.env.QUICK_COMPRESSION === 'gzip' ? 'gzip' : 'none';
  const pipelines = NAMES.map((name) => {
    const variant = name === 'baseline' ? name : `${name}-${compression}`;
    const exporter = otlpVariantExporter(variant, signal, url);
    return { name, exporter, ...sdkPipeline(signal, exporter) };
  });
  let offset = 0;
  const run = async (p: (typeof pipelines)[number], items: number): Promise<number> => {
    const before = process.cpuUsage();
    for (let done = 0; done < items; done += CHUNK) {
      const n = Math.min(CHUNK, items - done);
      p.emit(n, offset);
      offset += n;
      await p.provider.forceFlush();
      // Back to the event loop between requests, as a service; see e2e-loop.ts.
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Ours answers an export once queued: its queue is drained inside its own segment.
    await p.exporter.forceFlush?.();
    const cpu = process.cpuUsage(before);
    return (cpu.user + cpu.system) / items;
  };
  for (const p of pipelines) await run(p, WARM_UP_CHUNKS * CHUNK);
  const results: Record<Name, number>[] = [];
  for (let r = 0; r < rounds; r++) {
    const result = {} as Record<Name, number>;
    for (let k = 0; k < pipelines.length; k++) {
      const p = pipelines[(k + r) % pipelines.length];
      result[p.name] = await run(p, segment);
    }
    results.push(result);
  }
  for (const p of pipelines) await p.provider.shutdown();
  return { rounds: results };
}

async function main(): Promise<void> {
  const signal = (process.argv[2] ?? 'traces') as E2eSignal;
  const processes = Number(process.argv[3] ?? 3);
  const rounds = Number(process.argv[4] ?? 6);
  const segment = Number(process.argv[5] ?? 16 * CHUNK);
  const sink = await startSink();
  const ratios: number[] = [];
  const shares: Record<'official' | 'ours', number[]> = { official: [], ours: [] };
  try {
    for (let i = 0; i < processes; i++) {
      const output = execFileSync(
        process.execPath,
        [
          ...(process.env.PAIRED_SINGLE_THREADED_GC ? ['--single-threaded-gc'] : []),
          '--import',
          'tsx',
          __filename,
          '--child',
          signal,
          sink.url,
          String(rounds),
          String(segment),
        ],
        { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      );
      const result = JSON.parse(output.trim().split('\n').pop() as string) as ChildResult;
      for (const r of result.rounds) {
        const official = r.official - r.baseline;
        const ours = r.ours - r.baseline;
        shares.official.push(official);
        shares.ours.push(ours);
        ratios.push(ours / official);
      }
    }
  } finally {
    sink.child.send({ type: 'close' });
  }
  const compression = process.env.QUICK_COMPRESSION === 'gzip' ? 'gzip' : 'none';
  process.stdout.write(
    `${signal} ${compression}: ${processes} processes × ${rounds} rounds of ${segment} items; ` +
      `exporter share µs/item official ${round(median(shares.official), 2)} ours ${round(median(shares.ours), 2)}; ` +
      `ratio ours/official median ${round(median(ratios))} ± ${round(halfIqr(ratios))} (IQR/2), ` +
      `rounds [${ratios.map((x) => round(x)).join(', ')}]\n`,
  );
}

if (process.argv[2] === '--child') {
  const [signal, url, rounds, segment] = process.argv.slice(3);
  void child(signal as E2eSignal, url, Number(rounds), Number(segment)).then((result) =>
    // Exit once written: a keep-alive socket of either client must not hold the process.
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0)),
  );
} else {
  void main();
}
