// TEMP (not committed): interleaved fresh-process runs of several variants, per-round ratios.
// AB_FLAGS: node flags for the children. usage: ab.ts <signal> <items> <rounds> <variant>...
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { median, round } from '../../batching-core/bench/lib/stats';
import { startSink } from './e2e-harness';

async function main() {
  const [signal, itemsText, roundsText, ...variants] = process.argv.slice(2);
  const items = Number(itemsText);
  const flags = process.env.AB_FLAGS ? process.env.AB_FLAGS.split(' ') : [];
  const sink = await startSink();
  const cpu = new Map<string, number[]>(variants.map((v) => [v, []]));
  try {
    for (let r = 0; r < Number(roundsText); r++) {
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      for (const v of order) {
        const out = execFileSync(process.execPath, [...flags, '--import', 'tsx', join(__dirname, 'e2e-child.ts'), v, signal, String(items), sink.url], { encoding: 'utf8' });
        const j = JSON.parse(out.trim().split('\n').pop() as string);
        cpu.get(v)!.push(j.cpuUs / items);
      }
      process.stderr.write(`round ${r}: ${variants.map((v) => round(cpu.get(v)!.at(-1)!, 2)).join(' ')}\n`);
    }
  } finally {
    sink.child.send({ type: 'close' });
  }
  const base = cpu.get(variants[0])!;
  for (const v of variants) {
    const xs = cpu.get(v)!;
    const shares = xs.map((x, i) => x - base[i]);
    console.log(`${v.padEnd(28)} median ${round(median(xs), 2)} share ${round(median(shares), 2)} [${xs.map((x) => round(x, 2)).join(', ')}]`);
  }
  const ref = variants[1];
  for (const v of variants.slice(2)) {
    const ratios = cpu.get(v)!.map((x, i) => (x - base[i]) / (cpu.get(ref)![i] - base[i]));
    console.log(`${v} share / ${ref} share per round: median ${round(median(ratios))} [${ratios.map((x) => round(x)).join(', ')}]`);
  }
}
void main();
