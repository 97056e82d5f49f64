import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';

/*
 * New Relic is a SaaS no test can reach: its OTLP endpoint is stood in for by a labelled fake
 * written from its documentation (src/fakes/newrelic-fake.ts), which enforces the documented
 * key checks, payload limit and attribute/time limits (as NrIntegrationError events after a
 * 2xx). With docker-compose the OpenTelemetry Collector takes its place, where the fake-only
 * tests (keys, limits, read-back) skip themselves.
 */
export const newrelic: BackendDefinition = {
  id: 'newrelic',
  kind: 'fake',
  description: "New Relic OTLP endpoint fake (otelpack, from New Relic's documentation)",
  composeService: 'otel-collector',
  composeUrl: 'http://127.0.0.1:14318',

  async available() {
    return { ok: true };
  },

  command({ port, packageDir }) {
    return {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(packageDir, 'src', 'fakes', 'newrelic-fake.ts'),
        '--port',
        String(port),
      ],
    };
  },

  async ready(url) {
    const answer = await probe(url);
    return answer?.status === 200 && answer.text.includes('otelpack New Relic OTLP fake');
  },
};
