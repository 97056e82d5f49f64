import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';

/*
 * No OTLP receiver runs on these machines (Debian's Prometheus and VictoriaMetrics predate their
 * OTLP intake; npm has only exporters), so the OTLP exporters are tested against a labelled
 * protocol fake: src/fakes/otlp-fake.ts, which decodes with the official .proto files and
 * serves scripted faults. With docker-compose the same tests reach the OpenTelemetry Collector,
 * where the fake-only tests (read-back, faults) skip themselves.
 */
export const otlp: BackendDefinition = {
  id: 'otlp',
  kind: 'fake',
  description: 'OTLP/HTTP receiver fake (otelpack, official .proto definitions)',
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
        join(packageDir, 'src', 'fakes', 'otlp-fake.ts'),
        '--port',
        String(port),
      ],
    };
  },

  async ready(url) {
    const answer = await probe(url);
    return answer?.status === 200 && answer.text.includes('otelpack OTLP receiver fake');
  },
};
