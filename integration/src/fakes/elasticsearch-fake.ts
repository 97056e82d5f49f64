/*
 * THIS IS A FAKE, not Elasticsearch: otelpack's in-memory Elasticsearch 8.x protocol fake. The
 * code and its documentation are in ./elasticsearch/ (start with main.ts). This path stays as the
 * program the harness launches (src/backends/elasticsearch.ts) and as the import other tests use:
 *
 *   node --import tsx src/fakes/elasticsearch-fake.ts --port 9200
 */
import { main } from './elasticsearch/main';

export { parseByteSize } from './elasticsearch/bytes';
export { documentHashFraction } from './elasticsearch/faults';
export type { Json, JsonObject } from './elasticsearch/json';
export { FAKE_TAGLINE } from './elasticsearch/reply';
export { ElasticsearchFake, startElasticsearchFake } from './elasticsearch/server';
export type { ElasticsearchFakeOptions, StartedFake } from './elasticsearch/server';

if (require.main === module) main();
