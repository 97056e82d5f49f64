import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startElasticsearchFake } from '../../src/fakes/elasticsearch-fake';
import type { StartedFake } from '../../src/fakes/elasticsearch-fake';

/*
 * Elasticsearch's own REST tests, replayed against otelpack's Elasticsearch FAKE: the cases the
 * exporter relies on (bulk, data streams, TSDB, dynamic mapping, filter_path). Each case names
 * the file of elastic/elasticsearch it comes from; requests and expected answers are that file's,
 * written here as steps. Where the fake cannot give Elasticsearch's exact value (TSDB ids are a
 * hash of the dimensions here, not Elasticsearch's byte layout), the step says what it checks
 * instead.
 */

const REST = 'rest-api-spec/src/yamlRestTest/resources/rest-api-spec/test/';
const DS = 'modules/data-streams/src/yamlRestTest/resources/rest-api-spec/test/data_stream/';

let es: StartedFake;
before(async () => {
  es = await startElasticsearchFake({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await es.close();
});
beforeEach(async () => {
  await call('POST', '/_otelpack_fake/reset', {});
});

type Body = object | string[] | undefined;
// Answers are read by path, as the YAML tests do; their shapes vary per API.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Reply = any;

/** One request; a list body is NDJSON (one JSON value or raw line per element). */
async function call(
  method: string,
  path: string,
  body?: Body,
): Promise<{ status: number; body: Reply }> {
  const ndjson = Array.isArray(body);
  const text =
    body === undefined
      ? undefined
      : ndjson
        ? body.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') +
          '\n'
        : JSON.stringify(body);
  const response = await fetch(new URL(path, es.url), {
    method,
    headers:
      text === undefined
        ? {}
        : { 'content-type': ndjson ? 'application/x-ndjson' : 'application/json' },
    body: text,
  });
  const raw = await response.text();
  return { status: response.status, body: raw ? JSON.parse(raw) : undefined };
}

/** A YAML test's dotted path into a response (`items.0.index.status`). */
function at(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[key]
          : undefined,
      value,
    );
}

function match(body: unknown, expected: Record<string, unknown>): void {
  for (const [path, want] of Object.entries(expected)) {
    const got = at(body, path);
    if (want instanceof RegExp) assert.match(String(got), want, path);
    else assert.deepEqual(got, want, path);
  }
}

async function count(index: string): Promise<number> {
  await call('POST', `/${index}/_refresh`);
  return (await call('GET', `/${index}/_count`)).body.count;
}

describe(`${REST}bulk/10_basic.yml`, () => {
  it('Array of objects', async () => {
    const r = await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'test_index', _id: 'test_id' } },
      { f1: 'v1', f2: 42 },
      { index: { _index: 'test_index', _id: 'test_id2' } },
      { f1: 'v2', f2: 47 },
    ]);
    assert.equal(r.status, 200);
    assert.equal(await count('test_index'), 2);
  });

  it('Empty _id: fails its item only', async () => {
    const r = await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'test', _id: '' } },
      { f: 1 },
      { index: { _index: 'test', _id: 'id' } },
      { f: 2 },
      { index: { _index: 'test' } },
      { f: 3 },
    ]);
    match(r.body, {
      errors: true,
      'items.0.index.status': 400,
      'items.0.index.error.type': 'illegal_argument_exception',
      'items.0.index.error.reason': 'if _id is specified it must not be empty',
      'items.1.index.result': 'created',
      'items.2.index.result': 'created',
    });
    assert.equal(await count('test'), 2);
  });

  it('Empty _id with op_type create', async () => {
    const r = await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'test', _id: '' } },
      { f: 1 },
      { index: { _index: 'test', _id: 'id' } },
      { f: 2 },
      { index: { _index: 'test' } },
      { f: 3 },
      { create: { _index: 'test' } },
      { f: 4 },
      { index: { _index: 'test', op_type: 'create' } },
      { f: 5 },
    ]);
    match(r.body, {
      errors: true,
      'items.0.index.status': 400,
      'items.0.index.error.type': 'illegal_argument_exception',
      'items.0.index.error.reason': 'if _id is specified it must not be empty',
      'items.1.index.result': 'created',
      'items.2.index.result': 'created',
      'items.3.create.result': 'created',
      'items.4.create.result': 'created',
    });
    assert.equal(await count('test'), 4);
  });

  it('empty action: the whole request fails', async () => {
    const r = await call('POST', '/_bulk', [
      '{"index": {"_index": "test_index", "_id": "test_id"}}',
      '{"f1": "v1", "f2": 42}',
      '{}',
    ]);
    assert.equal(r.status, 400);
    assert.match(
      JSON.stringify(r.body),
      /Malformed action\/metadata line \[3\], expected FIELD_NAME but found \[END_OBJECT\]/,
    );
  });
});

describe(`${DS}190_require_data_stream.yml`, () => {
  const dsTemplate = {
    index_patterns: 'ds-*',
    template: { mappings: { properties: { field: { type: 'keyword' } } } },
    data_stream: {},
    allow_auto_create: true,
  };

  it('Testing require_data_stream in index creation', async () => {
    assert.equal((await call('PUT', '/_index_template/ds-template', dsTemplate)).status, 200);
    const doc = { '@timestamp': '2022-12-12', foo: 'bar' };
    assert.equal((await call('POST', '/ds-test/_doc?require_data_stream=true', doc)).status, 201);
    const missing = await call('POST', '/index-test/_doc?require_data_stream=true', doc);
    assert.match(
      JSON.stringify(missing.body),
      /no matching index template with data stream template was found for it/,
    );
    assert.equal(
      (await call('POST', '/other-index/_doc?require_data_stream=false', doc)).status,
      201,
    );
    const plain = await call('POST', '/other-index/_doc?require_data_stream=true', doc);
    assert.match(JSON.stringify(plain.body), /is not a data stream/);
  });

  it('Testing require_data_stream in bulk requests', async () => {
    await call('PUT', '/_index_template/ds-template', dsTemplate);
    const r = await call('POST', '/_bulk?refresh=true&require_data_stream=true', [
      { index: { _index: 'new_index_not_created' } },
      { f: 1 },
      { index: { _index: 'new_index_created', require_data_stream: false } },
      { f: 2 },
      { index: { _index: 'ds-other', op_type: 'create' } },
      { '@timestamp': '2024-01-01' },
    ]);
    match(r.body, {
      errors: true,
      'items.0.index.status': 404,
      'items.0.index.error.type': 'index_not_found_exception',
      'items.0.index.error.reason':
        'no such index [new_index_not_created] and the index creation request requires a data stream, but no matching index template with data stream template was found for it',
      'items.1.index.result': 'created',
      'items.2.create.result': 'created',
    });
    await call('PUT', '/_index_template/other-template', {
      index_patterns: 'other-*',
      template: { mappings: { properties: { field: { type: 'keyword' } } } },
      allow_auto_create: true,
    });
    const second = await call('POST', '/_bulk?refresh=true&require_data_stream=false', [
      { index: { _index: 'other-myindex', require_data_stream: true, op_type: 'create' } },
      { '@timestamp': '2024-01-01' },
    ]);
    match(second.body, {
      errors: true,
      'items.0.create.status': 404,
      'items.0.create.error.type': 'index_not_found_exception',
      'items.0.create.error.reason':
        'no such index [other-myindex] and the index creation request requires a data stream, but no matching index template with data stream template was found for it',
    });
  });
});

/** The k8s documents of tsdb/25_id_generation.yml and data_stream/150_tsdb.yml. */
function pod(time: string, name: string, uid: string, ip: string, tx: number, rx: number) {
  return {
    '@timestamp': time,
    metricset: 'pod',
    k8s: { pod: { name, uid, ip, network: { tx, rx } } },
  };
}
const CAT = '947e4ced-1786-4e53-9e0c-5c447e959507';
const DOG = 'df3145b3-0563-4d3b-a0f7-897eb2876ea9';
const K8S_MAPPINGS = {
  properties: {
    '@timestamp': { type: 'date' },
    metricset: { type: 'keyword', time_series_dimension: true },
    k8s: {
      properties: {
        pod: {
          properties: {
            uid: { type: 'keyword', time_series_dimension: true },
            name: { type: 'keyword' },
            ip: { type: 'ip' },
            network: { properties: { tx: { type: 'long' }, rx: { type: 'long' } } },
          },
        },
      },
    },
  },
};
const WINDOW = { start_time: '2021-04-28T00:00:00Z', end_time: '2021-04-29T00:00:00Z' };

describe(`${REST}tsdb/25_id_generation.yml`, () => {
  async function setup() {
    const created = await call('PUT', '/id_generation_test', {
      settings: {
        index: {
          mode: 'time_series',
          routing_path: ['metricset', 'k8s.pod.uid'],
          time_series: WINDOW,
        },
      },
      mappings: K8S_MAPPINGS,
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const r = await call('POST', '/id_generation_test/_bulk?refresh=true', [
      { index: {} },
      pod('2021-04-28T18:50:04.467Z', 'cat', CAT, '10.10.55.1', 2001818691, 802133794),
      { index: {} },
      pod('2021-04-28T18:51:03.142Z', 'dog', DOG, '10.10.55.3', 1434595272, 530605511),
    ]);
    assert.equal(r.body.errors, false, JSON.stringify(r.body));
    return r.body.items.map((i: { index: { _id: string } }) => i.index._id) as string[];
  }

  it('generates a consistent id (the same series and time get the same _id)', async () => {
    await setup();
    const doc = pod('2021-04-28T18:52:04.467Z', 'cat', CAT, '10.10.55.1', 2001818691, 802133794);
    const first = await call('POST', '/id_generation_test/_bulk?refresh=true', [
      { index: {} },
      doc,
    ]);
    const second = await call('POST', '/id_generation_test/_bulk?refresh=true', [
      { index: {} },
      doc,
    ]);
    assert.equal(second.body.items[0].index._id, first.body.items[0].index._id);
    assert.equal(await count('id_generation_test'), 3);
  });

  it('index a new document on top of an old one over bulk: same _id, overwritten', async () => {
    const [, dogId] = await setup();
    const r = await call('POST', '/id_generation_test/_bulk?refresh=true', [
      { index: {} },
      pod('2021-04-28T18:51:03.142Z', 'dog', DOG, '10.10.55.3', 111434595272, 430605511),
    ]);
    match(r.body, { 'items.0.index._id': dogId, 'items.0.index.result': 'updated' });
    assert.equal(await count('id_generation_test'), 2);
  });

  it('create operation on top of old document fails over bulk', async () => {
    const [, dogId] = await setup();
    const r = await call('POST', '/id_generation_test/_bulk?refresh=true', [
      { create: {} },
      pod('2021-04-28T18:51:03.142Z', 'dog', DOG, '10.10.55.3', 111434595272, 430605511),
    ]);
    match(r.body, {
      'items.0.create.status': 409,
      'items.0.create.error.type': 'version_conflict_engine_exception',
      // Elasticsearch: "[<id>][<tsid>@2021-04-28T18:51:03.142Z]: version conflict, …"
      'items.0.create.error.reason': new RegExp(
        `^\\[${dogId}\\]\\[.*@2021-04-28T18:51:03\\.142Z\\]: version conflict, document already exists \\(current version \\[1\\]\\)$`,
      ),
    });
  });

  it('a client _id that is not the derived one is refused (TsidExtractingIdFieldMapperTests testProvideWrongId)', async () => {
    const [catId] = await setup();
    const r = await call('POST', '/id_generation_test/_bulk', [
      { index: { _id: `${catId}wrong` } },
      pod('2021-04-28T18:50:04.467Z', 'cat', CAT, '10.10.55.1', 1, 1),
    ]);
    match(r.body, {
      'items.0.index.status': 400,
      'items.0.index.error.type': 'document_parsing_exception',
      'items.0.index.error.caused_by.reason': `_id must be unset or set to [${catId}] but was [${catId}wrong] because [id_generation_test] is in time_series mode`,
    });
  });
});

describe(`${DS}150_tsdb.yml`, () => {
  async function setup() {
    const put = await call('PUT', '/_index_template/my-template1', {
      index_patterns: ['k8s*'],
      data_stream: {},
      template: {
        settings: {
          index: {
            mode: 'time_series',
            routing_path: ['metricset', 'time_series_dimension'],
            time_series: WINDOW,
          },
        },
        mappings: K8S_MAPPINGS,
      },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const docs = [
      pod('2021-04-28T18:50:04.467Z', 'cat', CAT, '10.10.55.1', 2001818691, 802133794),
      pod('2021-04-28T18:50:24.467Z', 'cat', CAT, '10.10.55.1', 2005177954, 801479970),
      pod('2021-04-28T18:50:44.467Z', 'cat', CAT, '10.10.55.1', 2006223737, 802337279),
      pod('2021-04-28T18:51:04.467Z', 'cat', CAT, '10.10.55.2', 2012916202, 803685721),
      pod('2021-04-28T18:50:03.142Z', 'dog', DOG, '10.10.55.3', 1434521831, 530575198),
      pod('2021-04-28T18:50:23.142Z', 'dog', DOG, '10.10.55.3', 1434577921, 530600088),
      pod('2021-04-28T18:50:53.142Z', 'dog', DOG, '10.10.55.3', 1434587694, 530604797),
      pod('2021-04-28T18:51:03.142Z', 'dog', DOG, '10.10.55.3', 1434595272, 530605511),
    ];
    const r = await call(
      'POST',
      '/k8s/_bulk?refresh=true',
      docs.flatMap((d) => [{ create: {} }, d]),
    );
    assert.equal(r.body.errors, false, JSON.stringify(r.body));
  }

  it('created the data stream: a time_series backing index with the template’s start time', async () => {
    await setup();
    const streams = await call('GET', '/_data_stream/*');
    match(streams.body, {
      'data_streams.length': 1,
      'data_streams.0.name': 'k8s',
      'data_streams.0.generation': 1,
      'data_streams.0.template': 'my-template1',
      'data_streams.0.indices.0.index_name': /^\.ds-k8s-\d{4}\.\d{2}\.\d{2}-000001$/,
    });
    const backing = streams.body.data_streams[0].indices[0].index_name as string;
    const index = await call('GET', `/${backing}`);
    match(index.body[backing], {
      data_stream: 'k8s',
      'settings.index.mode': 'time_series',
      'settings.index.time_series.start_time': '2021-04-28T00:00:00Z',
    });
    assert.equal(await count('k8s'), 8);
  });

  it('index without timestamp', async () => {
    await setup();
    const r = await call('POST', '/k8s/_doc', {
      metricset: 'pod',
      k8s: { pod: { name: 'cat', uid: CAT } },
    });
    assert.equal(r.status, 400);
    assert.match(
      JSON.stringify(r.body),
      /Error extracting data stream timestamp field: Failed to parse object/,
    );
  });

  it('a timestamp outside the backing index’s range (DataStream.java getWriteIndex’s message)', async () => {
    await setup();
    const r = await call('POST', '/k8s/_bulk', [
      { create: {} },
      pod('2021-04-30T00:00:00.000Z', 'cat', CAT, '10.10.55.1', 1, 1),
    ]);
    match(r.body, {
      'items.0.create.status': 400,
      'items.0.create.error.type': 'illegal_argument_exception',
      'items.0.create.error.reason':
        'the document timestamp [2021-04-30T00:00:00.000Z] is outside of ranges of currently writable indices [[2021-04-28T00:00:00.000Z,2021-04-29T00:00:00.000Z]]',
    });
  });
});

describe('server/src/test/java/org/elasticsearch/index/mapper/DocumentParserTests.java', () => {
  it('testUnexpectedFieldMappingType: a value the mapped type cannot take fails its item only', async () => {
    await call('PUT', '/typed', {
      mappings: { properties: { foo: { type: 'long' }, bar: { type: 'boolean' } } },
    });
    const r = await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'typed', _id: '1' } },
      { foo: true },
      { index: { _index: 'typed', _id: '2' } },
      { bar: 'bar' },
      { index: { _index: 'typed', _id: '3' } },
      { foo: '7', bar: 'true' },
    ]);
    match(r.body, {
      errors: true,
      'items.0.index.status': 400,
      'items.0.index.error.type': 'document_parsing_exception',
      'items.0.index.error.reason':
        /failed to parse field \[foo\] of type \[long\] in document with id '1'/,
      'items.1.index.status': 400,
      'items.1.index.error.reason':
        /failed to parse field \[bar\] of type \[boolean\] in document with id '2'/,
      'items.2.index.result': 'created',
    });
    assert.equal(await count('typed'), 1);
  });
});

describe('server/src/internalClusterTest/java/org/elasticsearch/index/mapper/DynamicMappingIT.java', () => {
  it('a field dynamically mapped as long refuses a string later (type conflict under dynamic mapping)', async () => {
    await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'dyn', _id: 'first' } },
      { obj: { runtime: { dynamic: { number: 1 } } } },
    ]);
    const r = await call('POST', '/_bulk', [
      { index: { _index: 'dyn', _id: 'id' } },
      { 'obj.runtime.dynamic.number': 'string' },
    ]);
    match(r.body, {
      'items.0.index.status': 400,
      'items.0.index.error.reason':
        /failed to parse field \[obj\.runtime\.dynamic\.number\] of type \[long\] in document with id 'id'\. Preview of field's value: 'string'/,
    });
  });
});

describe(`${REST}search/70_response_filtering.yml`, () => {
  async function twoDocs() {
    await call('POST', '/_bulk?refresh=true', [
      { index: { _index: 'index-1', _id: '1' } },
      { name: 'First document', properties: { size: 123, meta: { foo: 'bar' } } },
      { index: { _index: 'index-1', _id: '2' } },
      { name: 'Second document', properties: { size: 465, meta: { foo: 'bar', baz: 'qux' } } },
    ]);
  }

  it('Search with response filtering: "took", "_shards.*", ["hits.**._i*", "**.total"]', async () => {
    await twoDocs();
    const search = (filter: string) =>
      call('POST', `/index-1/_search?filter_path=${encodeURIComponent(filter)}`, {
        query: { match_all: {} },
      });
    const took = (await search('took')).body;
    assert.ok(took.took >= 0);
    assert.equal(took._shards, undefined);
    assert.equal(took.hits, undefined);
    const shards = (await search('_shards.*')).body;
    assert.equal(shards.took, undefined);
    assert.ok(shards._shards.total);
    const ids = (await search('hits.**._i*,**.total')).body;
    assert.equal(ids.took, undefined);
    assert.ok(ids._shards.total);
    assert.ok(ids.hits.total);
    assert.ok(ids.hits.hits[0]._index);
    assert.ok(ids.hits.hits[0]._id);
    assert.equal(ids.hits.hits[0]._source, undefined);
  });

  it('Search results filtered using both includes and excludes filters', async () => {
    await twoDocs();
    const search = (filter: string) =>
      call('POST', `/_search?filter_path=${encodeURIComponent(filter)}`, {
        query: { match_all: {} },
      });
    const first = (await search('-**._source.properties,**._source')).body;
    assert.equal(first.took, undefined);
    assert.ok(first.hits.hits[0]._source.name);
    assert.equal(first.hits.hits[0]._source.properties, undefined);
    const second = (await search('**.properties,-hits.hits._source.properties.meta')).body;
    assert.equal(second.hits.hits[0]._source.name, undefined);
    assert.ok(second.hits.hits[0]._source.properties.size);
    assert.equal(second.hits.hits[0]._source.properties.meta, undefined);
    const third = (await search('**._source,-**.meta.foo')).body;
    assert.ok(third.hits.hits[0]._source.properties.size);
    assert.equal(third.hits.hits[0]._source.properties.meta?.foo, undefined);
    const counted = await call('POST', '/_count?filter_path=-*', { query: { match_all: {} } });
    assert.equal(counted.body.count, undefined);
    assert.equal(counted.body._shards, undefined);
  });

  // Not a case of the file: the exporter's own filter_path on _bulk, by the rules the cases above
  // check (wildcards, one entry per item kept, in order).
  it('ours: the exporter’s bulk filter_path keeps one status per item, in order', async () => {
    const r = await call('POST', '/_bulk?filter_path=errors,items.*.status,items.*.error.type', [
      { create: { _index: 'plain', _id: 'a' } },
      { f: 1 },
      { create: { _index: 'plain', _id: 'a' } },
      { f: 2 },
    ]);
    assert.deepEqual(r.body, {
      errors: true,
      items: [
        { create: { status: 201 } },
        { create: { status: 409, error: { type: 'version_conflict_engine_exception' } } },
      ],
    });
  });
});
