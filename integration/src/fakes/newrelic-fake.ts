/*
 * THIS IS A FAKE, not New Relic: otelpack's imitation of New Relic's OTLP/HTTP endpoint, written
 * from New Relic's documentation (./newrelic/server.ts says what it answers, ./newrelic/limits.ts
 * which items it drops after a 2xx, as NrIntegrationError events). The harness launches it
 * (src/backends/newrelic.ts):
 *
 *   node --import tsx src/fakes/newrelic-fake.ts --port 4319
 */
import { NewRelicFake } from './newrelic/server';

export { FAKE_LICENSE_KEY, FAKE_NAME, MAX_PAYLOAD_BYTES, NewRelicFake } from './newrelic/server';
export type { StoredNewRelicRequest } from './newrelic/server';
export { FAKE_LIMITS, checkRequest } from './newrelic/limits';
export type { NrIntegrationError } from './newrelic/limits';

async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : 4319;
  const fake = new NewRelicFake();
  const url = await fake.listen(port);
  process.stdout.write(`${url} (otelpack New Relic OTLP fake)\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
