/*
 * THIS IS A FAKE, not Dynatrace: otelpack's stand-in for a Dynatrace environment's metric line
 * ingest and OTLP trace/log ingest, and a OneAgent's local metric ingest, written from
 * Dynatrace's documentation. The code is in ./dynatrace/ (server.ts says what it answers).
 * The harness launches it (src/backends/dynatrace.ts):
 *
 *   node --import tsx src/fakes/dynatrace-fake.ts --port 14499 [--host 0.0.0.0]
 */
import { DynatraceFake } from './dynatrace/server';

export { DynatraceFake, FAKE_NAME, FAKE_TOKEN } from './dynatrace/server';
export type { MetricRequest, StoredLine, StoredOtlp } from './dynatrace/server';
export { LineError, parseLine } from './dynatrace/lines';
export type { DataLine, MetadataLine, Parsed, Payload } from './dynatrace/lines';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 14499;
  const hostAt = process.argv.indexOf('--host');
  const host = hostAt >= 0 ? process.argv[hostAt + 1] : '127.0.0.1';
  const fake = new DynatraceFake();
  const url = await fake.listen(port, host);
  process.stdout.write(`${url} (otelpack Dynatrace ingest fake)\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
