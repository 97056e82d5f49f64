/*
 * `_bulk`: the NDJSON body parsed as Elasticsearch's bulk parser does, then each item written
 * through documents.ts. This is where the scripted faults act: whole-request failures and stalls
 * here, per-item failures in writeDocument().
 */
import { performance } from 'node:perf_hooks';
import type { Call } from './call';
import { deleteDocument, writeDocument } from './documents';
import type { WriteResult } from './documents';
import { EsError, illegalArgument, ItemError, jsonParseError, validationFailed } from './errors';
import { consume, FAULT_MARK, inScope } from './faults';
import { isObject, tokenName } from './json';
import type { Json, JsonObject } from './json';
import type { FakeState } from './state';

const MAX_ID_BYTES = 512;

const BULK_META_KEYS = new Set([
  '_index',
  '_id',
  'routing',
  'op_type',
  'version',
  'version_type',
  'if_seq_no',
  'if_primary_term',
  'pipeline',
  'require_alias',
  'require_data_stream',
  'dynamic_templates',
  'retry_on_conflict',
  '_source',
  'list_executed_pipelines',
]);

type BulkAction = 'index' | 'create' | 'delete' | 'update';

interface BulkItem {
  action: BulkAction;
  target: string | undefined;
  id: string | undefined;
  pipeline: string | undefined;
  requireDataStream: boolean;
  /** A problem Elasticsearch reports for this item alone (e.g. an empty `_id`). */
  itemProblem: string | undefined;
  source: string | undefined;
}

const ACTIONS = new Set(['index', 'create', 'delete', 'update']);

/** An action line's own content, once it has passed every check of the bulk parser. */
interface ActionLine {
  action: BulkAction;
  index: string | undefined;
  id: string | undefined;
  pipeline: string | undefined;
  requireDataStream: boolean | undefined;
}

/**
 * Action lines without an `_id` repeat, byte for byte, through a whole body (one per target
 * index): each distinct one is parsed and checked once. Only lines that passed are kept, so
 * every error is still raised, with its line number, by parsing the line itself. Bounded,
 * since what a client sends is not.
 */
const ACTION_LINES = new Map<string, ActionLine>();
const ACTION_LINES_MAX = 1000;

function malformed(lineNumber: number, what: string): EsError {
  return illegalArgument(`Malformed action/metadata line [${lineNumber}], ${what}`);
}

/** Parses and checks one action line as Elasticsearch's bulk parser does; throws its errors. */
function parseActionLine(line: string, lineNumber: number): ActionLine {
  const cached = ACTION_LINES.get(line);
  if (cached) return cached;
  if (line.trim() === '') throw malformed(lineNumber, 'expected START_OBJECT but found [null]');
  let parsed: Json;
  try {
    parsed = JSON.parse(line) as Json;
  } catch (error) {
    throw jsonParseError(error);
  }
  if (!isObject(parsed)) {
    throw malformed(lineNumber, `expected START_OBJECT but found [${tokenName(parsed)}]`);
  }
  const keys = Object.keys(parsed);
  if (keys.length === 0) throw malformed(lineNumber, 'expected FIELD_NAME but found [END_OBJECT]');
  let action = keys[0] as BulkAction;
  if (!ACTIONS.has(action)) {
    throw malformed(
      lineNumber,
      `expected field [create], [delete], [index] or [update] but found [${keys[0]}]`,
    );
  }
  const meta = parsed[action];
  if (!isObject(meta)) {
    throw malformed(
      lineNumber,
      `expected START_OBJECT or END_OBJECT but found [${tokenName(meta)}]`,
    );
  }
  if (keys.length > 1) throw malformed(lineNumber, 'expected END_OBJECT but found [FIELD_NAME]');
  for (const [key, value] of Object.entries(meta)) {
    if (!BULK_META_KEYS.has(key)) {
      throw illegalArgument(
        `Action/metadata line [${lineNumber}] contains an unknown parameter [${key}]`,
      );
    }
    if (
      typeof value === 'object' &&
      value !== null &&
      !['dynamic_templates', '_source'].includes(key)
    ) {
      throw malformed(
        lineNumber,
        `expected a simple value for field [${key}] but found [${tokenName(value)}]`,
      );
    }
  }
  if (action === 'index' && meta.op_type === 'create') action = 'create';
  const result: ActionLine = {
    action,
    index: meta._index === undefined || meta._index === null ? undefined : String(meta._index),
    id: meta._id === undefined || meta._id === null ? undefined : String(meta._id),
    pipeline: meta.pipeline === undefined ? undefined : String(meta.pipeline),
    requireDataStream:
      meta.require_data_stream === undefined
        ? undefined
        : meta.require_data_stream === true || meta.require_data_stream === 'true',
  };
  if (result.id === undefined) {
    if (ACTION_LINES.size >= ACTION_LINES_MAX) ACTION_LINES.clear();
    ACTION_LINES.set(line, result);
  }
  return result;
}

/**
 * Splits and checks an NDJSON bulk body the way Elasticsearch's bulk parser does: whole-request
 * errors for anything wrong with an action line, per-item errors (later) for bad documents.
 */
function parseBulkBody(
  text: string,
  pathIndex: string | undefined,
  query: URLSearchParams,
): BulkItem[] {
  if (text.length === 0) throw new EsError(400, 'parse_exception', 'request body is required');
  if (!text.endsWith('\n')) {
    throw illegalArgument('The bulk request must be terminated by a newline [\\n]');
  }
  const lines = text.split('\n');
  lines.pop();
  const items: BulkItem[] = [];
  const problems: string[] = [];
  const defaultPipeline = query.get('pipeline') ?? undefined;
  const defaultRequireDataStream = query.get('require_data_stream') === 'true';
  let at = 0;
  while (at < lines.length) {
    const meta = parseActionLine(lines[at], at + 1);
    const { action, id } = meta;
    const target = meta.index ?? pathIndex;
    if (target === undefined) problems.push('index is missing');
    // Per item, as bulk/10_basic.yml "Empty _id" shows: the other items are still written.
    const itemProblem =
      id !== undefined && id.length === 0 ? 'if _id is specified it must not be empty' : undefined;
    if (id !== undefined && Buffer.byteLength(id) > MAX_ID_BYTES) {
      problems.push(
        `id [${id}] is too long, must be no longer than ${MAX_ID_BYTES} bytes but was: ${Buffer.byteLength(id)}`,
      );
    }
    const pipeline = meta.pipeline ?? defaultPipeline;
    const requireDataStream = meta.requireDataStream ?? defaultRequireDataStream;
    if (action === 'delete') {
      items.push({
        action,
        target,
        id,
        pipeline,
        requireDataStream,
        itemProblem,
        source: undefined,
      });
      at += 1;
      continue;
    }
    // Like Elasticsearch, an action whose document line never comes is dropped, not an error.
    if (at + 1 >= lines.length) break;
    items.push({
      action,
      target,
      id,
      pipeline,
      requireDataStream,
      itemProblem,
      source: lines[at + 1],
    });
    at += 2;
  }
  if (items.length === 0) problems.push('no requests added');
  if (problems.length > 0) throw validationFailed(problems);
  return items;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function bulk(call: Call): Promise<void> {
  const { state } = call;
  const stats = state.stats.bulk;
  stats.requests++;
  const items = parseBulkBody(call.body.toString('utf8'), call.params.index, call.query);
  stats.items += items.length;
  const touchesScope = items.some(
    (item) => item.target !== undefined && inScope(state.faults, item.target),
  );

  const requestFault = state.faults.request;
  if (requestFault && touchesScope && consume(requestFault)) {
    stats.requestFaults++;
    const headers: Record<string, string> = requestFault.retryAfter
      ? { 'retry-after': requestFault.retryAfter }
      : {};
    if (requestFault.rawBody !== undefined) {
      call.reply.text(requestFault.status, requestFault.rawBody, headers);
    } else {
      const error = new EsError(requestFault.status, requestFault.type, requestFault.reason);
      call.reply.json(requestFault.status, error.responseBody(), headers);
    }
    return;
  }

  const stall =
    state.faults.stall && touchesScope && consume(state.faults.stall)
      ? state.faults.stall
      : undefined;
  if (stall) stats.stalls++;
  if (stall && !stall.afterStore) {
    await sleep(stall.delayMs);
    // A client that gave up never sees an answer; what it sent is not stored either.
    if (call.reply.gone) return;
  }

  const results = items.map((item) => bulkItem(state, item));
  const body: JsonObject = {
    took: Math.max(0, Math.round(performance.now() - call.started)),
    errors: results.some((r) => r.status >= 300),
    items: results.map((r) => ({ [r.action]: r.body })),
  };
  if (stall?.afterStore) await sleep(stall.delayMs);
  call.reply.json(200, body);
}

/** One item's result, never thrown: a failed item is part of a 200 answer. */
function bulkItem(
  state: FakeState,
  item: BulkItem,
): { action: BulkAction; status: number; body: JsonObject } {
  const stats = state.stats.bulk;
  const target = item.target as string;
  try {
    let result: WriteResult;
    if (item.itemProblem !== undefined) {
      throw new ItemError(illegalArgument(item.itemProblem), target, item.id ?? null);
    }
    if (item.action === 'delete') {
      result = deleteDocument(state, target, item.id as string);
    } else if (item.action === 'update') {
      throw new ItemError(
        illegalArgument('otelpack fake: the [update] bulk action is not implemented'),
        target,
        item.id ?? null,
      );
    } else {
      result = writeDocument(state, item.action, target, item.id, item.source as string, {
        pipeline: item.pipeline,
        requireDataStream: item.requireDataStream,
        faults: true,
      });
    }
    if (result.body.result === 'created') stats.created++;
    if (result.body.result === 'updated') stats.updated++;
    if (result.body.result === 'deleted') stats.deleted++;
    // The body is this item's own (made by the write), so the status goes onto it in place.
    result.body.status = result.status;
    return { action: item.action, status: result.status, body: result.body };
  } catch (error) {
    if (!(error instanceof ItemError)) throw error;
    const type = error.error.type;
    if (type === 'version_conflict_engine_exception') stats.conflicts++;
    else if (type === 'es_rejected_execution_exception') stats.rejected++;
    else if (type === 'mapper_parsing_exception' && error.error.reason.includes(FAULT_MARK)) {
      stats.mappingErrors++;
    } else stats.otherItemErrors++;
    return {
      action: item.action,
      status: error.error.status,
      body: {
        _index: error.index,
        _id: error.id,
        status: error.error.status,
        error: error.error.itemError(),
      },
    };
  }
}
