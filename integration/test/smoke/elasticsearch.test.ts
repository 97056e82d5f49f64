import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { backendUrl } from '../../src/env';
import { isFake } from '../elasticsearch/helpers';

/*
 * FAKE backend natively: otelpack's Elasticsearch protocol fake (src/fakes/elasticsearch-fake.ts);
 * REAL Elasticsearch as the compose service. Proves the fake is honest: hand-made `_bulk`
 * requests are stored and read back through `_search`, `_count` and `_doc`; broken ones get
 * Elasticsearch's documented error bodies and statuses; data streams take only `create`; and
 * every response carries `x-elastic-product: Elasticsearch`, without which the official client
 * refuses to talk. The tests up to the fault section hold against a real Elasticsearch too (they
 * refresh before reading and use names unique to the run); the fault section needs the fake's
 * `/_otelpack_fake` control API and skips itself elsewhere.
 *
 * Every fault is scoped to this run's own indices (`"index": "<prefix>*"`), so that exporter
 * tests running against the same fake at the same time are not hit by them.
 */

const ID = 'elasticsearch';
const RUN = randomUUID().slice(0, 8);
const PREFIX = `otelpack-smoke-${RUN}`;
const NDJSON = 'application/x-ndjson';
/** What @elastic/elasticsearch 8.x sends with `_bulk`. */
const CLIENT_NDJSON = 'application/vnd.elasticsearch+x-ndjson; compatible-with=8';
const CLIENT_ACCEPT = 'application/vnd.elasticsearch+json; compatible-with=8';
const LOGS_STREAM = 'logs-generic.otel-default';

interface ErrorBody {
  error: {
    root_cause: Array<{ type: string; reason: string }>;
    type: string;
    reason: string;
    [key: string]: unknown;
  };
  status: number;
}

interface ItemResult {
  _index: string;
  _id: string | null;
  status: number;
  result?: string;
  _version?: number;
  _seq_no?: number;
  _primary_term?: number;
  _shards?: { total: number; successful: number; failed: number };
  error?: { type: string; reason: string; [key: string]: unknown };
}

interface BulkBody {
  took: number;
  errors: boolean;
  items: Array<Record<string, ItemResult>>;
}

interface Hit {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
  sort?: unknown[];
}

interface SearchBody {
  hits: { total: { value: number; relation: string }; hits: Hit[] };
}

interface Answer<T> {
  status: number;
  headers: Headers;
  text: string;
  body: T;
}

/**
 * One HTTP exchange. Every answer, whatever its status, must carry the product header: the
 * official client checks it, so a fake that forgot it on some path would break the exporter only
 * there.
 */
async function es<T = Record<string, unknown>>(
  url: string,
  method: string,
  path: string,
  options: {
    json?: unknown;
    body?: string | Buffer;
    contentType?: string;
    headers?: Record<string, string>;
    signal?: AbortSignal;
  } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = options.contentType ?? 'application/json';
  } else if (body !== undefined) {
    headers['content-type'] = options.contentType ?? NDJSON;
  }
  const response = await fetch(`${url}${path}`, {
    method,
    headers,
    body,
    signal: options.signal ?? AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  assert.equal(
    response.headers.get('x-elastic-product'),
    'Elasticsearch',
    `${method} ${path} answered ${response.status} without x-elastic-product: Elasticsearch`,
  );
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed as T };
}

function ndjson(lines: unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

async function bulk(
  url: string,
  lines: unknown[] | string,
  options: { query?: string; contentType?: string; headers?: Record<string, string> } = {},
): Promise<Answer<BulkBody>> {
  return es<BulkBody>(url, 'POST', `/_bulk${options.query ?? ''}`, {
    body: typeof lines === 'string' ? lines : ndjson(lines),
    contentType: options.contentType,
    headers: options.headers,
  });
}

function itemsOf(answer: Answer<BulkBody>): Array<{ action: string; item: ItemResult }> {
  assert.equal(answer.status, 200, `_bulk answered ${answer.status}: ${answer.text}`);
  return answer.body.items.map((entry) => {
    const actions = Object.keys(entry);
    assert.equal(actions.length, 1, 'each bulk result holds exactly one action');
    return { action: actions[0], item: entry[actions[0]] };
  });
}

function assertErrorShape(answer: Answer<unknown>, status: number, types: string | string[]) {
  const allowed = Array.isArray(types) ? types : [types];
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers.get('content-type') ?? '', /json/);
  const body = answer.body as ErrorBody;
  assert.equal(body.status, status);
  assert.ok(allowed.includes(body.error.type), `error type ${body.error.type} ∉ ${allowed}`);
  assert.equal(typeof body.error.reason, 'string');
  assert.ok(Array.isArray(body.error.root_cause) && body.error.root_cause.length > 0);
  assert.equal(typeof body.error.root_cause[0].type, 'string');
  assert.equal(typeof body.error.root_cause[0].reason, 'string');
  return body.error;
}

async function count(url: string, target: string, query?: unknown): Promise<number> {
  const answer = await es<{ count: number }>(url, 'POST', `/${target}/_count`, {
    json: query === undefined ? {} : { query },
  });
  assert.equal(answer.status, 200, answer.text);
  return answer.body.count;
}

/** Real Elasticsearch makes writes searchable on refresh; the fake always is. */
async function refresh(url: string, target: string): Promise<void> {
  const answer = await es(url, 'POST', `/${target}/_refresh`);
  assert.equal(answer.status, 200, answer.text);
}

/** The fake's documented selector, computed here independently. */
function hashFraction(line: string): number {
  return createHash('sha1').update(line).digest().readUInt32BE(0) / 2 ** 32;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ------------------------------------------------------------------------------------------
// Holds for the fake and for a real Elasticsearch
// ------------------------------------------------------------------------------------------

test('GET / describes an 8.x cluster; HEAD / answers 200 with no body', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const root = await es<{
    cluster_name: string;
    cluster_uuid: string;
    version: { number: string; build_flavor: string; lucene_version: string };
    tagline: string;
  }>(url, 'GET', '/');
  assert.equal(root.status, 200);
  assert.match(root.body.version.number, /^[89]\.\d+\.\d+/);
  assert.equal(typeof root.body.cluster_name, 'string');
  assert.equal(typeof root.body.cluster_uuid, 'string');
  assert.equal(typeof root.body.tagline, 'string');
  if (await isFake(url)) {
    assert.equal(root.body.tagline, 'otelpack Elasticsearch protocol fake (not Elasticsearch)');
    assert.equal(root.headers.get('x-otelpack-fake'), 'elasticsearch');
  }
  const head = await es(url, 'HEAD', '/');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
});

test('a create into logs-generic.otel-default is stored and read back via _search, _count and _doc', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const marker = `${RUN}-valid`;
  const timestamp = new Date().toISOString();
  const given = {
    '@timestamp': timestamp,
    body: { text: 'smoke test log line' },
    severity_text: 'INFO',
    attributes: { 'otelpack.smoke.run': marker, 'http.status_code': 200 },
    resource: { attributes: { 'service.name': 'otelpack-smoke' } },
  };
  const generated = { ...given, body: { text: 'second line, id left to the server' } };
  const answer = await bulk(
    url,
    [
      { create: { _index: LOGS_STREAM, _id: `${marker}-1` } },
      given,
      { create: { _index: LOGS_STREAM } },
      generated,
    ],
    { contentType: CLIENT_NDJSON, headers: { accept: CLIENT_ACCEPT } },
  );
  assert.equal(answer.body.errors, false, answer.text);
  assert.equal(typeof answer.body.took, 'number');
  const [first, second] = itemsOf(answer);
  assert.equal(first.action, 'create');
  assert.equal(first.item.status, 201);
  assert.equal(first.item.result, 'created');
  assert.equal(first.item._id, `${marker}-1`);
  assert.equal(first.item._version, 1);
  assert.equal(first.item._primary_term, 1);
  assert.equal(typeof first.item._seq_no, 'number');
  assert.equal(typeof first.item._shards?.successful, 'number');
  const backing = first.item._index;
  assert.match(backing, /^\.ds-logs-generic\.otel-default-\d{4}\.\d{2}\.\d{2}-\d{6}$/);
  assert.equal(second.item.status, 201);
  assert.equal(second.item._index, backing);
  assert.equal(typeof second.item._id, 'string');
  assert.ok((second.item._id as string).length >= 16, 'a generated id');

  await refresh(url, LOGS_STREAM);
  const byMarker = { term: { 'attributes.otelpack.smoke.run': marker } };
  const search = await es<SearchBody>(url, 'POST', `/${LOGS_STREAM}/_search`, {
    json: { query: byMarker, size: 10 },
  });
  assert.equal(search.status, 200, search.text);
  assert.deepEqual(search.body.hits.total, { value: 2, relation: 'eq' });
  const hits = new Map(search.body.hits.hits.map((hit) => [hit._id, hit]));
  assert.deepEqual(hits.get(`${marker}-1`)?._source, given);
  assert.equal(hits.get(`${marker}-1`)?._index, backing);
  assert.deepEqual(hits.get(second.item._id as string)?._source, generated);

  assert.equal(await count(url, LOGS_STREAM, byMarker), 2);
  assert.equal(await count(url, 'logs-*', byMarker), 2, 'a wildcard reaches the data stream');

  const doc = await es<{ found: boolean; _source: unknown; _version: number }>(
    url,
    'GET',
    `/${backing}/_doc/${encodeURIComponent(`${marker}-1`)}`,
  );
  assert.equal(doc.status, 200, doc.text);
  assert.equal(doc.body.found, true);
  assert.equal(doc.body._version, 1);
  assert.deepEqual(doc.body._source, given);

  const missing = await es<{ found: boolean }>(url, 'GET', `/${backing}/_doc/${marker}-nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.found, false);

  // The single-document GET takes concrete indices; a data stream name is refused.
  const viaStream = await es(url, 'GET', `/${LOGS_STREAM}/_doc/${marker}-1`);
  const error = assertErrorShape(viaStream, 400, 'illegal_argument_exception');
  assert.match(error.reason, /matches a data stream/);

  const streams = await es<{
    data_streams: Array<{ name: string; indices: Array<{ index_name: string }> }>;
  }>(url, 'GET', `/_data_stream/${LOGS_STREAM}`);
  assert.equal(streams.status, 200);
  assert.equal(streams.body.data_streams[0].name, LOGS_STREAM);
  assert.ok(streams.body.data_streams[0].indices.some((i) => i.index_name === backing));
});

test('an index action into a data stream fails per item with 400, the rest of the batch is stored', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const marker = `${RUN}-index-op`;
  const doc = {
    '@timestamp': new Date().toISOString(),
    attributes: { 'otelpack.smoke.run': marker },
  };
  const answer = await bulk(url, [
    { index: { _index: LOGS_STREAM } },
    doc,
    { create: { _index: LOGS_STREAM } },
    doc,
    { create: { _index: LOGS_STREAM } },
    { attributes: { 'otelpack.smoke.run': marker } },
  ]);
  assert.equal(answer.body.errors, true);
  const [indexOp, createOp, noTimestamp] = itemsOf(answer);
  assert.equal(indexOp.action, 'index');
  assert.equal(indexOp.item.status, 400);
  assert.equal(indexOp.item.error?.type, 'illegal_argument_exception');
  assert.match(indexOp.item.error?.reason ?? '', /op_type of create/);
  assert.equal(createOp.item.status, 201);
  // A data stream document without @timestamp is refused by the document parser.
  assert.equal(noTimestamp.item.status, 400);
  assert.ok(
    ['document_parsing_exception', 'mapper_parsing_exception'].includes(
      noTimestamp.item.error?.type ?? '',
    ),
    noTimestamp.item.error?.type,
  );
  await refresh(url, LOGS_STREAM);
  assert.equal(
    await count(url, LOGS_STREAM, { term: { 'attributes.otelpack.smoke.run': marker } }),
    1,
  );
});

test('a second create with the same _id gets 409 version_conflict_engine_exception', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-conflict`;
  const first = itemsOf(await bulk(url, [{ create: { _index: index, _id: 'same' } }, { n: 1 }]));
  assert.equal(first[0].item.status, 201);

  // Again in a later request, and twice within one request.
  const answer = await bulk(url, [
    { create: { _index: index, _id: 'same' } },
    { n: 2 },
    { create: { _index: index, _id: 'other' } },
    { n: 3 },
    { create: { _index: index, _id: 'other' } },
    { n: 4 },
  ]);
  assert.equal(answer.body.errors, true);
  const [again, other, otherAgain] = itemsOf(answer);
  for (const conflict of [again, otherAgain]) {
    assert.equal(conflict.item.status, 409);
    assert.equal(conflict.item.error?.type, 'version_conflict_engine_exception');
    assert.match(
      conflict.item.error?.reason ?? '',
      /version conflict, document already exists \(current version \[1\]\)/,
    );
    assert.equal(conflict.item._index, index);
  }
  assert.equal(other.item.status, 201);

  // `index` overwrites instead, and says so.
  const overwrite = itemsOf(await bulk(url, [{ index: { _index: index, _id: 'same' } }, { n: 5 }]));
  assert.equal(overwrite[0].item.status, 200);
  assert.equal(overwrite[0].item.result, 'updated');
  assert.equal(overwrite[0].item._version, 2);
  const doc = await es<{ _source: unknown }>(url, 'GET', `/${index}/_doc/same`);
  assert.deepEqual(doc.body._source, { n: 5 });
  await refresh(url, index);
  assert.equal(await count(url, index), 2);
});

test('malformed bulk bodies are refused whole with 400 and the Elasticsearch error shape', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-malformed`;
  const valid = ndjson([{ create: { _index: index, _id: '1' } }, { n: 1 }]);
  const cases: Array<{ name: string; body: string; types: string[]; reason?: RegExp }> = [
    {
      name: 'no final newline',
      body: valid.slice(0, -1),
      types: ['illegal_argument_exception'],
      reason: /must be terminated by a newline/,
    },
    {
      name: 'an action line that is not JSON, after a valid item',
      body: `${valid}{"create": {"_index": "${index}"\n{"n":2}\n`,
      types: ['x_content_parse_exception', 'json_parse_exception'],
    },
    {
      name: 'an action line that is a string',
      body: `"create"\n{"n":1}\n`,
      types: ['illegal_argument_exception'],
      reason: /Malformed action\/metadata line \[1\], expected START_OBJECT/,
    },
    {
      name: 'an unknown action',
      body: `{"upsert":{"_index":"${index}"}}\n{"n":1}\n`,
      types: ['illegal_argument_exception'],
      reason: /Malformed action\/metadata line \[1\]/,
    },
    {
      name: 'an unknown action parameter (_type is gone since 8.0)',
      body: `{"create":{"_index":"${index}","_type":"_doc"}}\n{"n":1}\n`,
      types: ['illegal_argument_exception'],
      reason: /unknown parameter \[_type\]/,
    },
    {
      name: 'no index anywhere',
      body: `{"create":{}}\n{"n":1}\n`,
      types: ['action_request_validation_exception'],
      reason: /index is missing/,
    },
  ];
  for (const c of cases) {
    const answer = await bulk(url, c.body);
    const error = assertErrorShape(answer, 400, c.types);
    if (c.reason) assert.match(error.reason, c.reason, c.name);
  }
  const empty = await es(url, 'POST', '/_bulk', { body: '', contentType: NDJSON });
  assert.equal(empty.status, 400, 'an empty body');
  // Nothing of a refused request is stored, not even its valid first item.
  const doc = await es(url, 'GET', `/${index}/_doc/1`);
  assert.equal(doc.status, 404);
});

test('a document that is not JSON fails alone, per item', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-baddoc`;
  const answer = await bulk(
    url,
    `{"create":{"_index":"${index}","_id":"bad"}}\n{"n": }\n{"create":{"_index":"${index}","_id":"good"}}\n{"n":1}\n`,
  );
  assert.equal(answer.body.errors, true);
  const [bad, good] = itemsOf(answer);
  assert.equal(bad.item.status, 400);
  assert.ok(
    ['document_parsing_exception', 'mapper_parsing_exception'].includes(bad.item.error?.type ?? ''),
    bad.item.error?.type,
  );
  assert.equal(good.item.status, 201);
});

test('Content-Type: JSON and NDJSON (plain and vendor) pass, others get 406, wrong compat major 400', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-mediatype`;
  for (const contentType of ['application/json', NDJSON, CLIENT_NDJSON]) {
    const accept = contentType === CLIENT_NDJSON ? CLIENT_ACCEPT : 'application/json';
    const answer = await bulk(url, [{ create: { _index: index } }, { via: contentType }], {
      contentType,
      headers: { accept },
    });
    assert.equal(itemsOf(answer)[0].item.status, 201, contentType);
  }
  const refused = await bulk(url, [{ create: { _index: index } }, { n: 1 }], {
    contentType: 'text/plain',
  });
  assert.equal(refused.status, 406);
  assert.deepEqual(refused.body, {
    error: 'Content-Type header [text/plain] is not supported',
    status: 406,
  });
  const tooOld = await bulk(url, [{ create: { _index: index } }, { n: 1 }], {
    contentType: 'application/vnd.elasticsearch+x-ndjson; compatible-with=5',
    headers: { accept: 'application/vnd.elasticsearch+json; compatible-with=5' },
  });
  assertErrorShape(tooOld, 400, 'media_type_header_exception');
  await refresh(url, index);
  assert.equal(await count(url, index), 3);
});

test('a gzip-compressed bulk body is decoded and stored', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-gzip`;
  const docs = Array.from({ length: 50 }, (_, i) => ({ i, text: 'compressible '.repeat(20) }));
  const body = gzipSync(
    ndjson(docs.flatMap((doc, i) => [{ create: { _index: index, _id: `g${i}` } }, doc])),
  );
  const answer = await es<BulkBody>(url, 'POST', '/_bulk', {
    body,
    contentType: NDJSON,
    headers: { 'content-encoding': 'gzip' },
  });
  const items = itemsOf(answer);
  assert.equal(items.length, 50);
  assert.ok(items.every(({ item }) => item.status === 201));
  const doc = await es<{ _source: unknown }>(url, 'GET', `/${index}/_doc/g7`);
  assert.deepEqual(doc.body._source, docs[7]);
  if (await isFake(url)) {
    const log = await es<{
      requests: Array<{
        uri: string;
        headers: Record<string, string>;
        bodyBytes: number;
        decodedBytes: number;
      }>;
    }>(url, 'GET', '/_otelpack_fake/requests');
    const seen = log.body.requests.filter(
      (r) => r.headers['content-encoding'] === 'gzip' && r.uri === '/_bulk',
    );
    assert.ok(seen.length > 0, 'the request log records the gzip request');
    assert.ok(seen[seen.length - 1].decodedBytes > seen[seen.length - 1].bodyBytes);
  }
});

test('search: term on dotted paths, match, sort, size, wildcards, and a missing index', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const index = `${PREFIX}-search`;
  const docs = [
    {
      n: 1,
      body: { text: 'the quick brown fox' },
      resource: { attributes: { 'service.name': 'checkout' } },
    },
    { n: 2, body: { text: 'a lazy dog' }, resource: { attributes: { service: { name: 'cart' } } } },
    {
      n: 3,
      body: { text: 'quick thinking' },
      resource: { attributes: { 'service.name': 'cart' } },
    },
  ];
  const answer = await bulk(
    url,
    docs.flatMap((doc) => [{ create: { _index: index, _id: `d${doc.n}` } }, doc]),
    { query: '?refresh=true' },
  );
  assert.equal(answer.body.errors, false, answer.text);
  await refresh(url, index);
  const search = async (body: unknown, target = index) => {
    const result = await es<SearchBody>(url, 'POST', `/${target}/_search`, { json: body });
    assert.equal(result.status, 200, result.text);
    return result.body.hits;
  };
  const ids = (hits: SearchBody['hits']) => hits.hits.map((h) => h._id).sort();

  // The same field written as a key with dots and as nested objects is one field.
  const cart = await search({
    query: { term: { 'resource.attributes.service.name.keyword': 'cart' } },
  });
  assert.deepEqual(ids(cart), ['d2', 'd3']);
  const quick = await search({ query: { match: { 'body.text': 'quick' } } });
  assert.deepEqual(ids(quick), ['d1', 'd3']);
  const both = await search({
    query: {
      bool: {
        must: [{ match: { 'body.text': 'quick' } }],
        filter: [{ term: { 'resource.attributes.service.name.keyword': 'cart' } }],
      },
    },
  });
  assert.deepEqual(ids(both), ['d3']);

  const top2 = await search({ query: { match_all: {} }, size: 2, sort: [{ n: 'desc' }] });
  assert.equal(top2.total.value, 3, 'the total counts all matches, not the page');
  assert.deepEqual(
    top2.hits.map((h) => h._id),
    ['d3', 'd2'],
  );
  assert.deepEqual(top2.hits[0].sort, [3]);
  const range = await search({ query: { range: { n: { gte: 2 } } } });
  assert.deepEqual(ids(range), ['d2', 'd3']);

  assert.deepEqual(ids(await search({ query: { match_all: {} } }, `${PREFIX}-sea*`)), [
    'd1',
    'd2',
    'd3',
  ]);

  const missing = await es(url, 'POST', `/${PREFIX}-nosuchindex/_search`, { json: {} });
  const error = assertErrorShape(missing, 404, 'index_not_found_exception');
  assert.equal(error.index, `${PREFIX}-nosuchindex`);
  const tolerated = await es<SearchBody>(
    url,
    'POST',
    `/${PREFIX}-nosuchindex/_search?ignore_unavailable=true`,
    { json: {} },
  );
  assert.equal(tolerated.status, 200);
  assert.equal(tolerated.body.hits.total.value, 0);
});

test('indices, index templates, data streams and ILM policies are created, echoed and refused as documented', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const template = `${PREFIX}-template`;
  const policy = `${PREFIX}-policy`;
  const streamPattern = `${PREFIX}-ds-*`;
  const plain = `${PREFIX}-plain`;
  try {
    const created = await es(url, 'PUT', `/${plain}`, {
      json: { mappings: { properties: { n: { type: 'long' } } } },
    });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body, { acknowledged: true, shards_acknowledged: true, index: plain });
    assertErrorShape(await es(url, 'PUT', `/${plain}`), 400, 'resource_already_exists_exception');
    assertErrorShape(await es(url, 'PUT', `/${PREFIX}-UPPER`), 400, 'invalid_index_name_exception');
    assert.equal((await es(url, 'HEAD', `/${plain}`)).status, 200);
    assert.equal((await es(url, 'HEAD', `/${PREFIX}-absent`)).status, 404);

    const putPolicy = await es(url, 'PUT', `/_ilm/policy/${policy}`, {
      json: {
        policy: {
          phases: {
            hot: { actions: { rollover: { max_age: '1d' } } },
            delete: { min_age: '7d', actions: { delete: {} } },
          },
        },
      },
    });
    assert.deepEqual(putPolicy.body, { acknowledged: true });
    const gotPolicy = await es<
      Record<string, { version: number; policy: { phases: { delete: { min_age: string } } } }>
    >(url, 'GET', `/_ilm/policy/${policy}`);
    assert.equal(gotPolicy.body[policy].version, 1);
    assert.equal(gotPolicy.body[policy].policy.phases.delete.min_age, '7d');
    assertErrorShape(
      await es(url, 'GET', `/_ilm/policy/${PREFIX}-nopolicy`),
      404,
      'resource_not_found_exception',
    );

    const putTemplate = await es(url, 'PUT', `/_index_template/${template}`, {
      json: {
        index_patterns: [streamPattern],
        data_stream: {},
        priority: 500,
        template: { settings: { 'index.lifecycle.name': policy } },
      },
    });
    assert.deepEqual(putTemplate.body, { acknowledged: true });
    const gotTemplate = await es<{
      index_templates: Array<{
        name: string;
        index_template: { index_patterns: string[]; priority: number; data_stream?: object };
      }>;
    }>(url, 'GET', `/_index_template/${template}`);
    assert.equal(gotTemplate.body.index_templates[0].name, template);
    assert.deepEqual(gotTemplate.body.index_templates[0].index_template.index_patterns, [
      streamPattern,
    ]);
    assert.equal(gotTemplate.body.index_templates[0].index_template.priority, 500);
    assert.equal(typeof gotTemplate.body.index_templates[0].index_template.data_stream, 'object');
    assertErrorShape(
      await es(url, 'PUT', `/_index_template/${PREFIX}-nopatterns`, { json: { priority: 1 } }),
      400,
      'action_request_validation_exception',
    );

    // A bulk create into a name the template covers makes the data stream.
    const stream = `${PREFIX}-ds-auto`;
    const [item] = itemsOf(
      await bulk(url, [{ create: { _index: stream } }, { '@timestamp': Date.now() }]),
    );
    assert.equal(item.item.status, 201);
    assert.ok(item.item._index.startsWith(`.ds-${stream}-`), item.item._index);
    const got = await es<{
      data_streams: Array<{
        name: string;
        template: string;
        ilm_policy?: string;
        indices: Array<{ index_name: string }>;
      }>;
    }>(url, 'GET', `/_data_stream/${stream}`);
    assert.equal(got.body.data_streams[0].template, template);
    assert.equal(got.body.data_streams[0].ilm_policy, policy);
    assert.equal(got.body.data_streams[0].indices[0].index_name, item.item._index);

    // Such names are for data streams only.
    const asIndex = await es(url, 'PUT', `/${PREFIX}-ds-asindex`);
    assertErrorShape(asIndex, 400, 'illegal_argument_exception');

    const explicit = await es(url, 'PUT', `/_data_stream/${PREFIX}-ds-explicit`);
    assert.deepEqual(explicit.body, { acknowledged: true });
    assertErrorShape(
      await es(url, 'PUT', `/_data_stream/${PREFIX}-ds-explicit`),
      400,
      'resource_already_exists_exception',
    );
    const noTemplate = await es(url, 'PUT', `/_data_stream/${PREFIX}-nomatch`);
    assert.match(
      assertErrorShape(noTemplate, 400, 'illegal_argument_exception').reason,
      /no matching index template/,
    );
    assertErrorShape(
      await es(url, 'GET', `/_data_stream/${PREFIX}-ds-absent`),
      404,
      'index_not_found_exception',
    );
  } finally {
    await es(url, 'DELETE', `/_data_stream/${streamPattern}`);
    await es(url, 'DELETE', `/_index_template/${template}`);
    await es(url, 'DELETE', `/_ilm/policy/${policy}`);
    await es(url, 'DELETE', `/${plain}`);
  }
  assert.equal((await es(url, 'GET', `/_index_template/${template}`)).status, 404);
});

test('every answer carries x-elastic-product, errors and HEAD included', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  // `es()` asserts the header on each of these; the statuses prove each took a different path.
  const expectations: Array<[string, string, number]> = [
    ['GET', '/', 200],
    ['HEAD', '/', 200],
    ['GET', '/_cluster/health', 200],
    ['GET', `/${PREFIX}-none/_doc/1`, 404],
    ['HEAD', `/${PREFIX}-none`, 404],
    ['GET', '/_bulk', 405],
    ['GET', '/_no_such_endpoint', 400],
  ];
  for (const [method, path, status] of expectations) {
    assert.equal((await es(url, method, path)).status, status, `${method} ${path}`);
  }
});

// ------------------------------------------------------------------------------------------
// The fake's scripted faults (fake only)
// ------------------------------------------------------------------------------------------

async function fakeOnly(t: TestContext): Promise<string | undefined> {
  const url = backendUrl(t, ID);
  if (!url) return undefined;
  if (!(await isFake(url))) {
    t.skip('needs the otelpack fake (scripted faults); this Elasticsearch is real');
    return undefined;
  }
  return url;
}

async function withFaults(url: string, faults: unknown, use: () => Promise<void>): Promise<void> {
  const set = await es<{ acknowledged: boolean }>(url, 'POST', '/_otelpack_fake/faults', {
    json: { index: `${PREFIX}-*`, ...(faults as object) },
  });
  assert.equal(set.status, 200, set.text);
  try {
    await use();
  } finally {
    await es(url, 'DELETE', '/_otelpack_fake/faults');
  }
}

test('fault: whole-request 429 with Retry-After, only in scope, only `count` times', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-f429`;
  const lines = [{ create: { _index: index, _id: 'x' } }, { n: 1 }];
  await withFaults(url, { request: { status: 429, retryAfter: '3', count: 1 } }, async () => {
    const outside = await bulk(url, [{ create: { _index: `elsewhere-${RUN}` } }, { n: 1 }]);
    assert.equal(itemsOf(outside)[0].item.status, 201, 'indices out of scope are not affected');

    const refused = await bulk(url, lines);
    const error = assertErrorShape(refused, 429, 'es_rejected_execution_exception');
    assert.match(error.reason, /rejected execution/);
    assert.equal(refused.headers.get('retry-after'), '3');
    assert.equal((await es(url, 'GET', `/${index}/_doc/x`)).status, 404, 'nothing stored');

    const retried = await bulk(url, lines);
    assert.equal(itemsOf(retried)[0].item.status, 201, 'the fault was spent after count requests');
  });
  await es(url, 'DELETE', `/elsewhere-${RUN}`);
});

test('fault: per-item 429 and mapper_parsing_exception shares pick the documented documents', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-fitems`;
  const docs = Array.from({ length: 200 }, (_, i) => ({ i, message: `document number ${i}` }));
  const lines = docs.map((doc) => JSON.stringify(doc));
  const mappingShare = 0.1;
  const rejectionShare = 0.2;
  const expected = lines.map((line) => {
    const h = hashFraction(line);
    return h < mappingShare ? 400 : h < mappingShare + rejectionShare ? 429 : 201;
  });
  const expectedMapping = expected.filter((s) => s === 400).length;
  const expectedRejected = expected.filter((s) => s === 429).length;
  // The hash spreads well enough that the shares mean what they say.
  assert.ok(expectedMapping >= 8 && expectedMapping <= 35, `mapping ${expectedMapping}`);
  assert.ok(expectedRejected >= 20 && expectedRejected <= 65, `rejected ${expectedRejected}`);
  const body = (indices: number[]) =>
    indices
      .map((i) => `${JSON.stringify({ create: { _index: index, _id: `i${i}` } })}\n${lines[i]}\n`)
      .join('');

  await withFaults(
    url,
    { itemMappingErrors: { share: mappingShare }, itemRejections: { share: rejectionShare } },
    async () => {
      const first = itemsOf(await bulk(url, body(docs.map((_, i) => i))));
      assert.deepEqual(
        first.map(({ item }) => item.status),
        expected,
      );
      for (const { item } of first) {
        if (item.status === 429) {
          assert.equal(item.error?.type, 'es_rejected_execution_exception');
        } else if (item.status === 400) {
          assert.equal(item.error?.type, 'mapper_parsing_exception');
          assert.match(item.error?.reason ?? '', /failed to parse/);
        }
      }
      // Retrying what failed: rejections were first-attempt only, mapping errors are permanent.
      const failed = expected.flatMap((status, i) => (status === 201 ? [] : [i]));
      const second = itemsOf(await bulk(url, body(failed)));
      assert.deepEqual(
        second.map(({ item }) => item.status),
        failed.map((i) => (expected[i] === 400 ? 400 : 201)),
      );
    },
  );
  await refresh(url, index);
  assert.equal(
    await count(url, index),
    docs.length - expectedMapping,
    'each rejected item stored exactly once',
  );
  const stats = await es<{ indices: Record<string, { docs: number }> }>(
    url,
    'GET',
    '/_otelpack_fake/stats',
  );
  assert.equal(stats.body.indices[index].docs, docs.length - expectedMapping);
});

test('fault: `every` picks items by their running number', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-fevery`;
  const lines = Array.from({ length: 8 }, (_, i) => [{ create: { _index: index } }, { i }]).flat();
  await withFaults(
    url,
    { itemRejections: { every: 4, offset: 1, onlyFirstAttempt: false } },
    async () => {
      const statuses = itemsOf(await bulk(url, lines)).map(({ item }) => item.status);
      assert.deepEqual(statuses, [201, 429, 201, 201, 201, 429, 201, 201]);
    },
  );
});

test('fault: 413 over the scripted maxContentLength, counting uncompressed bytes', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-f413`;
  const big = ndjson([{ create: { _index: index } }, { text: 'x'.repeat(2048) }]);
  const small = ndjson([{ create: { _index: index } }, { text: 'small' }]);
  await withFaults(url, { maxContentLength: '1kb' }, async () => {
    const refused = await bulk(url, big);
    assert.equal(refused.status, 413);
    assert.equal(refused.text, '', 'Elasticsearch sends 413 with an empty body');

    const zipped = gzipSync(big);
    assert.ok(zipped.length < 1024, 'the compressed body is under the limit');
    const refusedZipped = await es(url, 'POST', '/_bulk', {
      body: zipped,
      contentType: NDJSON,
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(refusedZipped.status, 413, 'the limit applies to the uncompressed body');

    const outOfScope = await bulk(url, big.replace(index, `elsewhere-${RUN}`));
    assert.equal(outOfScope.status, 200, 'other indices keep the default 100mb limit');
    assert.equal(itemsOf(await bulk(url, small))[0].item.status, 201);
  });
  await refresh(url, index);
  assert.equal(await count(url, index), 1);
  await es(url, 'DELETE', `/elsewhere-${RUN}`);
});

test('fault: stall after storing — the client times out, the batch is stored, a retry of it conflicts', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-fstall`;
  const lines = Array.from({ length: 5 }, (_, i) => [
    { create: { _index: index, _id: `s${i}` } },
    { i },
  ]).flat();
  await withFaults(url, { stall: { delayMs: 2_000, count: 1, afterStore: true } }, async () => {
    const started = Date.now();
    await assert.rejects(
      es(url, 'POST', '/_bulk', { body: ndjson(lines), signal: AbortSignal.timeout(300) }),
      (error: Error) => error.name === 'TimeoutError' || error.name === 'AbortError',
    );
    assert.ok(Date.now() - started < 1_500, 'the client gave up before the answer');
    assert.equal(await count(url, index), 5, 'stored although never answered');

    const retry = itemsOf(await bulk(url, lines));
    assert.deepEqual(
      retry.map(({ item }) => [item.status, item.error?.type]),
      Array.from({ length: 5 }, () => [409, 'version_conflict_engine_exception']),
    );
    assert.equal(await count(url, index), 5, 'no duplicates');
  });
});

test('fault: stall before storing — a client that gave up leaves nothing behind', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const index = `${PREFIX}-fstallfirst`;
  await withFaults(url, { stall: { delayMs: 800, count: 1, afterStore: false } }, async () => {
    await assert.rejects(
      es(url, 'POST', '/_bulk', {
        body: ndjson([{ create: { _index: index, _id: 'a' } }, { n: 1 }]),
        signal: AbortSignal.timeout(200),
      }),
    );
    await sleep(1_000);
    assert.equal((await es(url, 'GET', `/${index}/_doc/a`)).status, 404);
  });
});

test('fault control: bad fault specs are refused, the faults in force are reported, stats count', async (t) => {
  const url = await fakeOnly(t);
  if (!url) return;
  const unknown = await es(url, 'POST', '/_otelpack_fake/faults', { json: { bogus: 1 } });
  assert.match(
    assertErrorShape(unknown, 400, 'illegal_argument_exception').reason,
    /unknown fault \[bogus\]/,
  );
  const badShare = await es(url, 'POST', '/_otelpack_fake/faults', {
    json: { itemRejections: { share: 2 } },
  });
  assertErrorShape(badShare, 400, 'illegal_argument_exception');
  const both = await es(url, 'POST', '/_otelpack_fake/faults', {
    json: { itemRejections: { share: 0.7 }, itemMappingErrors: { share: 0.7 } },
  });
  assertErrorShape(both, 400, 'illegal_argument_exception');

  const index = `${PREFIX}-fcontrol`;
  await withFaults(url, { request: { status: 503, count: 2 } }, async () => {
    await bulk(url, [{ create: { _index: index } }, { n: 1 }]);
    const now = await es<{
      faults: { index: string; request: { status: number; remaining: number; type: string } };
    }>(url, 'GET', '/_otelpack_fake/faults');
    assert.equal(now.body.faults.index, `${PREFIX}-*`);
    assert.equal(now.body.faults.request.status, 503);
    assert.equal(now.body.faults.request.remaining, 1);
  });
  const cleared = await es<{ faults: object }>(url, 'GET', '/_otelpack_fake/faults');
  assert.deepEqual(cleared.body.faults, {});

  const before = await es<{ requests: { total: number } }>(url, 'GET', '/_otelpack_fake/stats');
  itemsOf(
    await bulk(url, [
      { create: { _index: index } },
      { n: 2 },
      { create: { _index: index } },
      { n: 3 },
    ]),
  );
  const after = await es<{
    requests: { total: number };
    indices: Record<string, { docs: number }>;
  }>(url, 'GET', '/_otelpack_fake/stats');
  assert.ok(after.body.requests.total >= before.body.requests.total + 2);
  assert.equal(after.body.indices[index].docs, 2);

  const reset = await es<{ removed: string[] }>(url, 'POST', '/_otelpack_fake/reset', {
    json: { index },
  });
  assert.deepEqual(reset.body.removed, [index]);
  assert.equal((await es(url, 'HEAD', `/${index}`)).status, 404);
});
