/**
 * The mapping alone, for a CPU profile or a before/after figure: ten exports of the benchmark's
 * typical request (10,000 points each) mapped REPS times (default 6); prints CPU µs per series.
 *
 *   flock /tmp/bench.lock node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-mapping.ts
 *
 * Building the input is outside the timing; module loading is not in it either.
 */
import { DEFAULT_MAPPING_OPTIONS, mapResourceMetrics } from '../src';
import { syntheticExport } from './typical-request';

const REPS = Number(process.env.REPS ?? 6);
const inputs = Array.from({ length: 10 }, (_, i) =>
  syntheticExport(10_000, Date.now() + i * 1_000, i),
);
let series = 0;
const before = process.cpuUsage();
for (let r = 0; r < REPS; r++) {
  for (const rm of inputs) series += mapResourceMetrics(rm, DEFAULT_MAPPING_OPTIONS).series.length;
}
const used = process.cpuUsage(before);
process.stdout.write(
  `${series} series, ${((used.user + used.system) / series).toFixed(3)} µs CPU per series\n`,
);
