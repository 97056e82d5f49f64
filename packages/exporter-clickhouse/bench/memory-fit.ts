/**
 * Fits ClickHouseSender's memory model (`memoryModel` in src/sender/sender.ts): heap bytes a held
 * ClickHouseRow costs, against its `sizeOf`, over spans, logs and metrics of three sizes each
 * (see bench/memory.ts), in both forms a row is held in (a JSON line: JSONEachRow, the default;
 * a Buffer: RowBinary), each run in its own process at a 64 MiB cap with the backend down. Not
 * part of `npm run bench` (about four minutes): run it when the mapping or the encoding changes.
 *
 *   node --import tsx bench/memory-fit.ts [--only JSONEachRow|RowBinary]
 */
import { resolve } from 'node:path';
import { fitRuns, fitTable } from '../../batching-core/bench/lib/memory-at-cap';

const SHAPES = ['small', 'default', 'large'];

async function main(): Promise<void> {
  const only = process.argv[process.argv.indexOf('--only') + 1];
  const formats = ['JSONEachRow', 'RowBinary'].filter(
    (f) => !process.argv.includes('--only') || f === only,
  );
  for (const format of formats) {
    const report = await fitRuns(
      resolve(__dirname, 'memory.ts'),
      ['traces', 'logs', 'metrics'].map((signal) => ({
        label: signal,
        args: { signal, format },
        shapes: SHAPES,
      })),
    );
    process.stdout.write(
      `${fitTable(`ClickHouseSender: memory held per ClickHouseRow, format ${format}`, report)}\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
