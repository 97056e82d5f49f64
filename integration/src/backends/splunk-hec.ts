import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { HARNESS_TOKEN } from '../fakes/hec-fake';
import { probe } from '../launcher';

/*
 * No Splunk runs on these machines (no Debian package, no npm server; Splunk's image needs
 * Docker and a license acceptance), so the HEC exporter is tested against a labelled protocol
 * fake: src/fakes/hec-fake.ts, written from Splunk's HEC documentation (event protocol, status
 * codes, channels and acknowledgements). With docker-compose the same tests reach a real Splunk
 * (splunk/splunk, HEC over HTTP on 18088, token SPLUNK_HEC_TOKEN), where the fake-only tests (read-back, faults) skip.
 */
export const splunkHec: BackendDefinition = {
  id: 'splunk_hec',
  kind: 'fake',
  description: 'Splunk HTTP Event Collector fake (otelpack, from Splunk HEC documentation)',
  composeService: 'splunk',
  composeUrl: 'http://127.0.0.1:18088',
  // The token the fake starts with, which docker-compose's Splunk has too.
  clientEnvironment: { SPLUNK_HEC_TOKEN: HARNESS_TOKEN },

  async available() {
    return { ok: true };
  },

  command({ port, packageDir }) {
    return {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(packageDir, 'src', 'fakes', 'hec-fake.ts'),
        '--port',
        String(port),
      ],
    };
  },

  async ready(url) {
    const answer = await probe(url);
    return answer?.status === 200 && answer.text.includes('otelpack HEC fake');
  },
};
