/*
 * THIS IS A FAKE, not an OpenTelemetry Collector: otelpack's OTLP/HTTP receiver fake, which
 * decodes with the official definitions. The code is in ./otlp/ (server.ts says what it does).
 * The harness launches it (src/backends/otlp.ts):
 *
 *   node --import tsx src/fakes/otlp-fake.ts --port 4318
 */
import { OtlpFake } from './otlp/server';

export { FAKE_NAME, OtlpFake } from './otlp/server';
export type { StoredRequest } from './otlp/server';
export { SCOPE_HEADER } from './otlp/faults';
export type { FaultRule, OtlpFault } from './otlp/faults';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 4318;
  const fake = new OtlpFake();
  const url = await fake.listen(port);
  process.stdout.write(`${url} ${'(otelpack OTLP receiver fake)'}\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
