import type { BackendDefinition } from '../backend';
import { FAKE_NAME, HARNESS_TOKEN } from '../fakes/hec-fake';
import { scriptFake } from './script-fake';

/*
 * No Splunk runs on these machines (no Debian package, no npm server; Splunk's image needs
 * Docker and a license acceptance), so the HEC exporter is tested against a labelled protocol
 * fake: src/fakes/hec-fake.ts, written from Splunk's HEC documentation (event protocol, status
 * codes, channels and acknowledgements). With docker-compose the same tests reach a real Splunk
 * (splunk/splunk, HEC over HTTP on 18088, token SPLUNK_HEC_TOKEN), where the fake-only tests
 * (read-back, faults) skip themselves.
 */
export const splunkHec: BackendDefinition = scriptFake({
  id: 'splunk_hec',
  description: 'Splunk HTTP Event Collector fake (otelpack, from Splunk HEC documentation)',
  composeService: 'splunk',
  composeUrl: 'http://127.0.0.1:18088',
  script: 'hec-fake.ts',
  banner: FAKE_NAME,
  // The token the fake starts with (docker-compose's Splunk has it too): a README snippet reads
  // it from SPLUNK_HEC_TOKEN, as a user's would.
  clientEnvironment: { SPLUNK_HEC_TOKEN: HARNESS_TOKEN },
});
