import type { BackendDefinition } from '../backend';
import { FAKE_LICENSE_KEY } from '../fakes/newrelic/account';
import { scriptFake } from './script-fake';

/*
 * New Relic is a SaaS no test can reach: its OTLP endpoint is stood in for by a labelled fake
 * written from its documentation (src/fakes/newrelic-fake.ts), which enforces the documented
 * key checks, payload limit and attribute/time limits (as NrIntegrationError events after a
 * 2xx). With docker-compose the OpenTelemetry Collector takes its place, where the fake-only
 * tests (keys, limits, read-back) skip themselves.
 */
export const newrelic: BackendDefinition = scriptFake({
  id: 'newrelic',
  description: "New Relic OTLP endpoint fake (otelpack, from New Relic's documentation)",
  composeService: 'otel-collector',
  composeUrl: 'http://127.0.0.1:14318',
  script: 'newrelic-fake.ts',
  banner: 'otelpack New Relic OTLP fake',
  // The fake's account: a README snippet reads its key from NEW_RELIC_LICENSE_KEY, as a user's would.
  clientEnvironment: { NEW_RELIC_LICENSE_KEY: FAKE_LICENSE_KEY },
});
