import type { BackendDefinition } from '../backend';
import { otlp } from './otlp';

/*
 * The Lightstep preset's backend, ServiceNow Cloud Observability, is a SaaS ingest no test can
 * reach: the OTLP receiver fake stands in for it (it also answers at the ingest's paths,
 * `/traces/otlp/v0.9` and `/metrics/otlp/v0.9`). With docker-compose the Collector does, which
 * takes OTLP at /v1/<signal> only: tests give the preset those paths there.
 */
export const lightstep: BackendDefinition = {
  ...otlp,
  id: 'lightstep',
  description: 'Cloud Observability ingest stand-in: the OTLP/HTTP receiver fake (otelpack)',
};
