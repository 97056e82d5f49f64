/**
 * Fits RemoteWriteSender's memory model (`memoryModel` in src/sender.ts): heap bytes a held
 * TimeSeries costs, against its `sizeOf`, over collections of three series sizes (see
 * bench/memory.ts), each run in its own process at a 64 MiB cap with the backend down. Not part
 * of `npm run bench` (about a minute): run it when the mapping or the series type changes.
 *
 *   node --import tsx bench/memory-fit.ts
 */
import { resolve } from 'node:path';
import { fitRuns, fitTable } from '../../batching-core/bench/lib/memory-at-cap';

async function main(): Promise<void> {
  const report = await fitRuns(resolve(__dirname, 'memory.ts'), [
    { label: 'metrics', args: {}, shapes: ['small', 'default', 'large'] },
  ]);
  process.stdout.write(`${fitTable('RemoteWriteSender: memory held per TimeSeries', report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
