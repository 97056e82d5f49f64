import type { BackendDefinition } from '../backend';
import { FAKE_TOKEN } from '../fakes/dynatrace/server';
import { scriptFake } from './script-fake';

/*
 * Dynatrace is a SaaS (or Managed) environment no test can reach, and its OneAgent is not
 * installable here: the exporter is tested against a labelled protocol fake,
 * src/fakes/dynatrace-fake.ts, which reads metric lines as the documented protocol does, answers
 * with the documented partial-success bodies, and takes OTLP traces and logs (protobuf only).
 * With docker-compose the same fake runs in a Node container (service dynatrace-fake), on the
 * OneAgent's port.
 */
export const dynatrace: BackendDefinition = scriptFake({
  id: 'dynatrace',
  description: 'Dynatrace metric line + OTLP ingest fake (otelpack, from the documentation)',
  composeService: 'dynatrace-fake',
  composeUrl: 'http://127.0.0.1:14499',
  script: 'dynatrace-fake.ts',
  banner: 'otelpack Dynatrace ingest fake',
  // The token the fake accepts: a README snippet reads it from DT_API_TOKEN, as a user's would.
  clientEnvironment: { DT_API_TOKEN: FAKE_TOKEN },
});
