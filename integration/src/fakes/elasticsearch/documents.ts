/*
 * Writing, deleting and reading one document: the rules both `_bulk` and the single-document
 * APIs follow (where a write lands, what data streams demand, versions and sequence numbers).
 * Failures are thrown as ItemError, which bulk reports per item and the others as a response.
 */
import { randomFillSync } from 'node:crypto';
import type { Call } from './call';
import {
  EsError,
  illegalArgument,
  indexNotFound,
  invalidIndexName,
  ItemError,
  jsonParseError,
} from './errors';
import { FAULT_MARK, itemFault } from './faults';
import { collectPath, isObject, tokenName } from './json';
import type { Json, JsonObject } from './json';
import { indexNameProblem } from './names';
import { applyDynamicMapping } from './mapping';
import { timeSeriesDocument, timeSeriesRules } from './tsdb';
import type { TimeSeriesRules } from './tsdb';
import type { IndexState } from './store';
import type { FakeState } from './state';

const SHARDS: JsonObject = { total: 2, successful: 1, failed: 0 };

export interface WriteResult {
  status: number;
  body: JsonObject;
}

const ID_BYTES = 15;
/**
 * Random bytes for ids, drawn from the system a pool at a time: one call per id was a tenth
 * of the fake's CPU under a bulk load of documents without ids.
 */
const idPool = Buffer.alloc(ID_BYTES * 4096);
let idPoolAt = idPool.length;

/** Same length and alphabet as Elasticsearch's auto-generated ids. */
function newDocumentId(): string {
  if (idPoolAt === idPool.length) {
    randomFillSync(idPool);
    idPoolAt = 0;
  }
  const id = idPool.toString('base64url', idPoolAt, idPoolAt + ID_BYTES);
  idPoolAt += ID_BYTES;
  return id;
}

/** Index or create one document; `faults` is whether scripted item faults apply (bulk only). */
export function writeDocument(
  state: FakeState,
  op: 'index' | 'create',
  target: string,
  id: string | undefined,
  sourceLine: string,
  options: { pipeline?: string; requireDataStream?: boolean; faults: boolean },
): WriteResult {
  const problem = indexNameProblem(target);
  if (problem) throw new ItemError(invalidIndexName(target, problem), target, id ?? null);
  if (options.requireDataStream) checkRequireDataStream(state, target, id);
  const index = resolveWriteTarget(state, op, target, id);
  const fail = (error: EsError) => new ItemError(error, index.name, id ?? null);
  if (options.pipeline !== undefined && options.pipeline !== '_none') {
    throw fail(illegalArgument(`pipeline with id [${options.pipeline}] does not exist`));
  }
  if (options.faults) {
    const fault = itemFault(state.faults, target, sourceLine);
    if (fault === 'mapping') {
      throw fail(
        new EsError(
          400,
          'mapper_parsing_exception',
          `failed to parse: document refused ${FAULT_MARK}`,
        ),
      );
    }
    if (fault === 'rejection') {
      throw fail(
        new EsError(
          429,
          'es_rejected_execution_exception',
          `rejected execution of primary operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, primary_operation_bytes=${Buffer.byteLength(sourceLine)}, max_coordinating_and_primary_bytes=0] ${FAULT_MARK}`,
        ),
      );
    }
  }
  let source: Json;
  try {
    source = JSON.parse(sourceLine) as Json;
  } catch (error) {
    throw fail(jsonParseError(error, 'failed to parse: ', 'document_parsing_exception'));
  }
  if (!isObject(source)) {
    throw fail(
      new EsError(
        400,
        'document_parsing_exception',
        `failed to parse: the document must be a JSON object, found [${tokenName(source)}]`,
      ),
    );
  }
  const rules = rulesOf(index);
  if (index.dataStream && !rules) checkTimestamp(source, id, fail);

  const series = rules
    ? (() => {
        try {
          return timeSeriesDocument(index.name, rules, source, id, index.dataStream !== undefined);
        } catch (error) {
          throw error instanceof EsError ? fail(error) : error;
        }
      })()
    : undefined;
  try {
    applyDynamicMapping(index, source, id);
  } catch (error) {
    throw error instanceof EsError ? fail(error) : error;
  }
  const docId = series?.id ?? id ?? newDocumentId();
  const existing = index.docs.get(docId);
  if (existing && op === 'create') {
    throw new ItemError(
      new EsError(
        409,
        'version_conflict_engine_exception',
        `${series?.conflictKey ?? `[${docId}]`}: version conflict, document already exists (current version [${existing.version}])`,
        { index_uuid: index.uuid, shard: '0', index: index.name },
      ),
      index.name,
      docId,
    );
  }
  const version = existing ? existing.version + 1 : 1;
  const seqNo = index.nextSeqNo++;
  index.docs.set(docId, { id: docId, source: sourceLine, version, seqNo });
  return {
    status: existing ? 200 : 201,
    body: {
      _index: index.name,
      _id: docId,
      _version: version,
      result: existing ? 'updated' : 'created',
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: 1,
    },
  };
}

/**
 * An index's time series rules, worked out once: its settings and mappings do not change once
 * it exists, and reading them again for every document was a measurable part of a bulk write.
 */
const timeSeriesCache = new WeakMap<IndexState, { rules: TimeSeriesRules | undefined }>();
function rulesOf(index: IndexState): TimeSeriesRules | undefined {
  let cached = timeSeriesCache.get(index);
  if (!cached) {
    cached = { rules: timeSeriesRules(index.settings, index.mappings) };
    timeSeriesCache.set(index, cached);
  }
  return cached.rules;
}

/**
 * `require_data_stream` (data_stream/190_require_data_stream.yml): the target must be a data
 * stream, or a name a data stream template will create one for.
 */
function checkRequireDataStream(state: FakeState, target: string, id: string | undefined): void {
  const { store, templates } = state;
  if (store.dataStreams.has(target)) return;
  if (store.indices.has(target)) {
    throw new ItemError(
      new EsError(
        404,
        'resource_not_found_exception',
        `[require_data_stream] request flag is [true] and [${target}] is not a data stream`,
      ),
      target,
      id ?? null,
    );
  }
  const template = templates.match(target);
  if (template && isObject(template.body.data_stream)) return;
  const error = indexNotFound(target);
  throw new ItemError(
    new EsError(
      404,
      error.type,
      `no such index [${target}] and the index creation request requires a data stream, but no matching index template with data stream template was found for it`,
      error.details,
    ),
    target,
    id ?? null,
  );
}

/** Data streams index by `@timestamp`; Elasticsearch refuses documents that lack a usable one. */
function checkTimestamp(
  source: JsonObject,
  id: string | undefined,
  fail: (e: EsError) => ItemError,
): void {
  const values: Json[] = [];
  collectPath(source, ['@timestamp'], 0, values);
  if (values.length === 0) {
    throw fail(
      new EsError(
        400,
        'document_parsing_exception',
        'failed to parse: data stream timestamp field [@timestamp] is missing',
      ),
    );
  }
  const value = values[0];
  const usable =
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'string' &&
      (/^\d+(\.\d+)?$/.test(value) || !Number.isNaN(Date.parse(value))));
  if (!usable) {
    throw fail(
      new EsError(
        400,
        'document_parsing_exception',
        `failed to parse field [@timestamp] of type [date] in document with id '${id ?? 'null'}'. Preview of field's value: '${JSON.stringify(value)}'`,
      ),
    );
  }
}

/**
 * The index a write lands in, creating a data stream or index on first use. The data stream is
 * created before the op is checked, so an `index` op to a new name leaves an empty stream behind.
 */
function resolveWriteTarget(
  state: FakeState,
  op: 'index' | 'create',
  target: string,
  id: string | undefined,
): IndexState {
  const { store, templates } = state;
  const onlyCreate = () =>
    new ItemError(
      illegalArgument('only write ops with an op_type of create are allowed in data streams'),
      target,
      id ?? null,
    );
  const needsCreate = op !== 'create';
  const stream = store.dataStreams.get(target);
  if (stream) {
    if (needsCreate) throw onlyCreate();
    return store.writeIndexOf(stream);
  }
  const existing = store.indices.get(target);
  if (existing) {
    if (existing.dataStream) {
      throw new ItemError(
        illegalArgument(
          `index request with op_type=${op} targeting backing indices is disallowed, target corresponding data stream [${existing.dataStream}] instead`,
        ),
        target,
        id ?? null,
      );
    }
    return existing;
  }
  const template = templates.match(target);
  if (template && isObject(template.body.data_stream)) {
    const created = store.createDataStream(target, template);
    if (needsCreate) throw onlyCreate();
    return store.writeIndexOf(created);
  }
  return store.newIndex(target, template, {});
}

/** A missing document is a 404 result, not an error; a missing index is an error. */
export function deleteDocument(state: FakeState, target: string, id: string): WriteResult {
  const { store } = state;
  if (store.dataStreams.has(target)) {
    throw new ItemError(
      illegalArgument('only write ops with an op_type of create are allowed in data streams'),
      target,
      id,
    );
  }
  const index = store.indices.get(target);
  if (!index) throw new ItemError(indexNotFound(target), target, id);
  const existing = index.docs.get(id);
  const seqNo = index.nextSeqNo++;
  if (!existing) {
    return {
      status: 404,
      body: {
        _index: index.name,
        _id: id,
        _version: 1,
        result: 'not_found',
        _shards: SHARDS,
        _seq_no: seqNo,
        _primary_term: 1,
      },
    };
  }
  index.docs.delete(id);
  return {
    status: 200,
    body: {
      _index: index.name,
      _id: id,
      _version: existing.version + 1,
      result: 'deleted',
      _shards: SHARDS,
      _seq_no: seqNo,
      _primary_term: 1,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The single-document APIs: the same rules, with an item's error as the whole response.

export function writeOne(call: Call, op: 'index' | 'create'): void {
  if (call.body.length === 0) throw new EsError(400, 'parse_exception', 'request body is required');
  try {
    const result = writeDocument(
      call.state,
      op,
      call.params.index,
      call.params.id,
      call.body.toString('utf8'),
      {
        pipeline: call.query.get('pipeline') ?? undefined,
        requireDataStream: call.query.get('require_data_stream') === 'true',
        faults: false,
      },
    );
    call.reply.json(result.status, result.body);
  } catch (error) {
    throw error instanceof ItemError ? error.error : error;
  }
}

export function deleteOne(call: Call): void {
  try {
    const result = deleteDocument(call.state, call.params.index, call.params.id);
    call.reply.json(result.status, result.body);
  } catch (error) {
    throw error instanceof ItemError ? error.error : error;
  }
}

export function getDocument(call: Call): void {
  const index = call.state.store.concreteIndex(call.params.index);
  const doc = index.docs.get(call.params.id);
  if (call.method === 'HEAD') {
    call.reply.empty(doc ? 200 : 404);
    return;
  }
  if (!doc) {
    call.reply.json(404, { _index: index.name, _id: call.params.id, found: false });
    return;
  }
  const body: JsonObject = {
    _index: index.name,
    _id: doc.id,
    _version: doc.version,
    _seq_no: doc.seqNo,
    _primary_term: 1,
    found: true,
  };
  if (call.query.get('_source') !== 'false') body._source = JSON.parse(doc.source) as Json;
  call.reply.json(200, body);
}
