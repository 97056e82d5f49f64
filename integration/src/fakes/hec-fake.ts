/*
 * THIS IS A FAKE, not Splunk: otelpack's HTTP Event Collector fake, written from Splunk's
 * documentation. The code is in ./hec/ (server.ts says what it enforces). The harness launches
 * it (src/backends/splunk-hec.ts):
 *
 *   node --import tsx src/fakes/hec-fake.ts --port 8088 [--token <guid>]… [--max-content-length <bytes>]
 *
 * `--max-content-length` is Splunk's `max_content_length` (limits.conf, [http_input]; 800 MB by
 * default), above which HEC answers 413; a token's own `maxContentLength` (POST
 * /_otelpack_fake/tokens) lowers it for that token alone.
 */
import { HecFake } from './hec/server';

export { DEFAULT_MAX_CONTENT_LENGTH, FAKE_NAME, HecFake } from './hec/server';
export type { HecFakeOptions, HecFault, HecTokenConfig } from './hec/server';
export type { HecStoredEvent } from './hec/events';

/** The token the harness's fake starts with (docker-compose's Splunk has the same one). */
export const HARNESS_TOKEN = '00000000-0000-4000-8000-0000007e57ed';

async function main(): Promise<void> {
  const args = process.argv;
  const at = args.indexOf('--port');
  const port = at >= 0 ? Number(args[at + 1]) : 8088;
  const tokens = [HARNESS_TOKEN];
  args.forEach((arg, i) => {
    if (arg === '--token' && args[i + 1]) tokens.push(args[i + 1]);
  });
  const limitAt = args.indexOf('--max-content-length');
  const maxContentLength = limitAt >= 0 ? Number(args[limitAt + 1]) : undefined;
  if (
    maxContentLength !== undefined &&
    !(Number.isInteger(maxContentLength) && maxContentLength > 0)
  )
    throw new Error(`--max-content-length: expected a positive integer, got ${args[limitAt + 1]}`);
  const fake = new HecFake({
    tokens: tokens.map((token) => ({ token })),
    ...(maxContentLength ? { maxContentLength } : {}),
  });
  const url = await fake.listen(port);
  process.stdout.write(`${url} (${'otelpack HEC fake'})\n`);
  const stop = () => void fake.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (require.main === module) void main();
