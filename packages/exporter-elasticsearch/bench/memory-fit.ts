/**
 * Fits ElasticsearchBulkSender's memory model (`memoryModel` in src/bulk/sender.ts): heap bytes
 * a held BulkRecord costs, against its `sizeOf`, over spans and logs of three sizes each (see
 * bench/memory.ts), each run in its own process at a 64 MiB cap with the backend down. Not part
 * of `npm run bench` (about a minute): run it when the mapping or the record changes.
 *
 *   node --import tsx bench/memory-fit.ts
 */
import { resolve } from 'node:path';
import { fitRuns, fitTable } from '../../batching-core/bench/lib/memory-at-cap';

async function main(): Promise<void> {
  const report = await fitRuns(resolve(__dirname, 'memory.ts'), [
    { label: 'traces', args: { signal: 'traces' }, shapes: ['small', 'default', 'large'] },
    { label: 'logs', args: { signal: 'logs' }, shapes: ['small', 'default', 'large'] },
  ]);
  process.stdout.write(
    `${fitTable('ElasticsearchBulkSender: memory held per BulkRecord', report)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
