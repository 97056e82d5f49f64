import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';
import { fakeScript } from './fake-script';

/*
 * Dynatrace is a SaaS (or Managed) environment no test can reach, and its OneAgent is not
 * installable here: the exporter is tested against a labelled protocol fake,
 * src/fakes/dynatrace-fake.ts, which reads metric lines as the documented protocol does, answers
 * with the documented partial-success bodies, and takes OTLP traces and logs (protobuf only).
 * With docker-compose the same fake runs in a Node container (service dynatrace-fake), on the
 * OneAgent's port.
 */
export const dynatrace: BackendDefinition = {
  id: 'dynatrace',
  description: 'Dynatrace metric line + OTLP ingest fake (otelpack, from the documentation)',
  composeService: 'dynatrace-fake',
  composeUrl: 'http://127.0.0.1:14499',

  ...fakeScript('dynatrace-fake.ts'),

  async ready(url) {
    const answer = await probe(url);
    return answer?.status === 200 && answer.text.includes('otelpack Dynatrace ingest fake');
  },
};
