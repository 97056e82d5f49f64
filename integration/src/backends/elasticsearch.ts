import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';
import { scriptFake } from './script-fake';

/**
 * No Elasticsearch can run on these machines (no JVM, no Docker), so the exporter is tested
 * against a labelled protocol fake: src/fakes/elasticsearch-fake.ts, an in-memory Elasticsearch
 * 8.x HTTP API with scriptable faults under `/_otelpack_fake/…`. With docker-compose the same
 * tests reach a real Elasticsearch on the compose URL, where the fake-only tests skip themselves.
 */
export const elasticsearch: BackendDefinition = scriptFake({
  id: 'elasticsearch',
  description: 'Elasticsearch 8.x protocol fake (otelpack, in-memory)',
  composeService: 'elasticsearch',
  composeUrl: 'http://127.0.0.1:19200',
  script: 'elasticsearch-fake.ts',
  async ready(url) {
    // The official client refuses any server that does not send this header, so "ready" means
    // "answers as the client expects", not merely "listening".
    const answer = await probe(url);
    return answer?.status === 200 && answer.headers.get('x-elastic-product') === 'Elasticsearch';
  },
});
