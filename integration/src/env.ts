import type { TestContext } from 'node:test';
import { envVarFor } from './backend';

/**
 * The URL of a running backend, as the launcher or docker-compose published it. When it is not
 * set, a test run by hand is skipped with the command that starts the backends; under CI it fails,
 * because CI must run every backend.
 */
export function backendUrl(t: TestContext, id: string): string | undefined {
  const name = envVarFor(id);
  const url = process.env[name];
  if (url) return url;
  const message = `${name} is not set: start the backends with \`npm run test:integration\` (or \`npm run backends:up\`)`;
  if (process.env.CI) throw new Error(message);
  t.skip(message);
  return undefined;
}
