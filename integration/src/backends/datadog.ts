import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';

/*
 * No Datadog Agent or intake runs on these machines (the Agent is not packaged for npm or
 * Debian, the intake is Datadog's service), so the Datadog exporters are tested against labelled
 * protocol fakes: src/fakes/datadog-fake.ts serves the trace Agent's /v0.4/traces and the logs
 * intake's /api/v2/logs on one port (the metric exporter's DogStatsD fake runs inside its tests).
 */
export const datadog: BackendDefinition = {
  id: 'datadog',
  kind: 'fake',
  description: 'Datadog trace-agent and logs-intake fake (otelpack)',
  // With docker-compose, the real Agent (profile `datadog`) takes the traces; the fake-only
  // read-backs do not apply there.
  composeService: 'datadog-agent',
  composeUrl: 'http://127.0.0.1:18126',

  async available() {
    return { ok: true };
  },

  command({ port, packageDir }) {
    return {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(packageDir, 'src', 'fakes', 'datadog-fake.ts'),
        '--port',
        String(port),
      ],
    };
  },

  async ready(url) {
    const answer = await probe(url);
    return answer?.status === 200 && answer.text.includes('otelpack Datadog fake');
  },
};
