import type { BackendDefinition } from '../backend';
import { scriptFake } from './script-fake';

/*
 * No OTLP receiver runs on these machines (Debian's Prometheus and VictoriaMetrics predate their
 * OTLP intake; npm has only exporters), so the OTLP exporters are tested against a labelled
 * protocol fake: src/fakes/otlp-fake.ts, which decodes with the official .proto files and
 * serves scripted faults. With docker-compose the same tests reach the OpenTelemetry Collector,
 * where the fake-only tests (read-back, faults) skip themselves.
 */
export const otlp: BackendDefinition = scriptFake({
  id: 'otlp',
  description: 'OTLP/HTTP receiver fake (otelpack, official .proto definitions)',
  composeService: 'otel-collector',
  composeUrl: 'http://127.0.0.1:14318',
  script: 'otlp-fake.ts',
  banner: 'otelpack OTLP receiver fake',
});
