/*
 * `_search` and `_count`: target resolution, the query (query.ts), then paging, sorting,
 * `search_after` and total hits. Every hit scores 1; sorting by anything gives `_score: null`,
 * as Elasticsearch does when it does not track scores.
 */
import { performance } from 'node:perf_hooks';
import type { Call } from './call';
import { jsonBody } from './call';
import { EsError, illegalArgument, parsingError } from './errors';
import { isObject, tokenName } from './json';
import type { Json, JsonObject } from './json';
import { comparable, compareComparable, compileQuery, fieldValues, queryFromQ } from './query';
import type { DocView } from './query';

const MAX_RESULT_WINDOW = 10_000;
const DEFAULT_TRACK_TOTAL_HITS = 10_000;

const SEARCH_KEYS = new Set([
  'query',
  'size',
  'from',
  'sort',
  'search_after',
  'track_total_hits',
  '_source',
  'timeout',
  'version',
  'seq_no_primary_term',
]);

/* Real search keys the fake does not handle: refused as such, not as unknown keys. */
const SEARCH_KEYS_NOT_IMPLEMENTED = new Set([
  'aggs',
  'aggregations',
  'collapse',
  'highlight',
  'post_filter',
  'pit',
  'runtime_mappings',
  'knn',
  'rescore',
  'suggest',
  'script_fields',
  'docvalue_fields',
  'fields',
  'stored_fields',
  'explain',
  'indices_boost',
  'min_score',
  'profile',
  'terminate_after',
  'stats',
  'ext',
  'slice',
]);

interface SortKey {
  field: string;
  desc: boolean;
  missingFirst: boolean;
}

type SortTuple = Array<number | string | null>;

export function search(call: Call, countOnly: boolean): void {
  const body = jsonBody(call) ?? {};
  const allowed = countOnly ? new Set(['query']) : SEARCH_KEYS;
  for (const [key, value] of Object.entries(body)) {
    if (allowed.has(key)) continue;
    if (!countOnly && SEARCH_KEYS_NOT_IMPLEMENTED.has(key)) {
      throw illegalArgument(`otelpack fake: [${key}] is not implemented`);
    }
    throw parsingError(`Unknown key for a ${tokenName(value)} in [${key}].`);
  }
  const now = Date.now();
  const q = call.query.get('q');
  const predicate = compileQuery(
    body.query ?? (q !== null ? queryFromQ(q) : { match_all: {} }),
    now,
  );
  const targets = call.state.store.resolveTargets(call.params.index, call.query);
  const matches: DocView[] = [];
  let order = 0;
  for (const index of targets) {
    for (const doc of index.docs.values()) {
      const view: DocView = {
        index,
        doc,
        source: JSON.parse(doc.source) as JsonObject,
        order: order++,
      };
      if (predicate(view)) matches.push(view);
    }
  }
  const shards = { total: targets.length, successful: targets.length, skipped: 0, failed: 0 };
  if (countOnly) {
    call.reply.json(200, { count: matches.length, _shards: shards });
    return;
  }

  const size = intParam(body.size, call.query.get('size'), 10, 'size');
  const from = intParam(body.from, call.query.get('from'), 0, 'from');
  if (from + size > MAX_RESULT_WINDOW) throw resultWindowTooLarge(from + size);
  const sort = sortSpec(body.sort, call.query.get('sort'));
  let ordered = matches;
  let sortValues: Map<DocView, SortTuple> | undefined;
  if (sort.length > 0) {
    sortValues = new Map(matches.map((v) => [v, sort.map((s) => sortValue(v, s, now))]));
    const values = sortValues;
    ordered = [...matches].sort((a, b) => compareSortTuples(values.get(a)!, values.get(b)!, sort));
    if (Array.isArray(body.search_after)) {
      const after = body.search_after.map((v) =>
        v === null ? null : (comparable(v, now) ?? null),
      );
      ordered = ordered.filter((v) => compareSortTuples(values.get(v)!, after, sort) > 0);
    }
  }
  const page = ordered.slice(from, from + size);
  const hits = page.map((view) => {
    const hit: JsonObject = {
      _index: view.index.name,
      _id: view.doc.id,
      _score: sortValues ? null : 1,
    };
    if (body.version === true) hit._version = view.doc.version;
    if (body.seq_no_primary_term === true) {
      hit._seq_no = view.doc.seqNo;
      hit._primary_term = 1;
    }
    if (body._source === undefined || body._source === true) hit._source = view.source;
    else if (body._source !== false)
      throw illegalArgument('otelpack fake: _source filtering is not implemented');
    if (sortValues) hit.sort = sortValues.get(view) as Json[];
    return hit;
  });
  const hitsBody: JsonObject = {};
  const track =
    body.track_total_hits ?? call.query.get('track_total_hits') ?? DEFAULT_TRACK_TOTAL_HITS;
  if (track !== false && track !== 'false') {
    const cap = track === true || track === 'true' ? Infinity : Number(track);
    hitsBody.total =
      matches.length > cap
        ? { value: cap, relation: 'gte' }
        : { value: matches.length, relation: 'eq' };
  }
  hitsBody.max_score = sortValues || page.length === 0 ? null : 1;
  hitsBody.hits = hits;
  call.reply.json(200, {
    took: Math.max(0, Math.round(performance.now() - call.started)),
    timed_out: false,
    _shards: shards,
    hits: hitsBody,
  });
}

/** Elasticsearch reports this as a failure of every shard's query phase. */
function resultWindowTooLarge(window: number): EsError {
  const reason = `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${window}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`;
  const cause: JsonObject = { type: 'illegal_argument_exception', reason };
  return new EsError(
    400,
    'search_phase_execution_exception',
    'all shards failed',
    {},
    {
      rootCauses: [cause],
      causedBy: cause,
      top: { phase: 'query', grouped: true, failed_shards: [] },
    },
  );
}

/** `size` and `from`, from the body or else the URL. */
function intParam(
  fromBody: Json | undefined,
  fromQuery: string | null,
  fallback: number,
  name: string,
): number {
  const raw = fromBody ?? (fromQuery === null ? undefined : Number(fromQuery));
  if (raw === undefined) return fallback;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0) {
    throw illegalArgument(`[${name}] parameter cannot be negative, found [${String(raw)}]`);
  }
  return raw;
}

/** `sort` from the body (string, object or a list of them) or the URL (`field:dir,…`). */
function sortSpec(fromBody: Json | undefined, fromQuery: string | null): SortKey[] {
  const entries: Json[] =
    fromBody !== undefined
      ? Array.isArray(fromBody)
        ? fromBody
        : [fromBody]
      : fromQuery
        ? fromQuery.split(',').map((s) => {
            const [field, dir] = s.split(':');
            return dir ? { [field]: dir } : field;
          })
        : [];
  return entries.map((entry) => {
    if (typeof entry === 'string')
      return { field: entry, desc: entry === '_score', missingFirst: false };
    if (!isObject(entry) || Object.keys(entry).length !== 1) {
      throw parsingError('[sort] malformed, expected a field name or an object with one field');
    }
    const [field, spec] = Object.entries(entry)[0];
    const order = typeof spec === 'string' ? spec : isObject(spec) ? spec.order : undefined;
    const missing = isObject(spec) ? spec.missing : undefined;
    return {
      field,
      desc: String(order ?? (field === '_score' ? 'desc' : 'asc')).toLowerCase() === 'desc',
      missingFirst: missing === '_first',
    };
  });
}

function sortValue(view: DocView, sort: SortKey, now: number): number | string | null {
  if (sort.field === '_doc') return view.order;
  if (sort.field === '_score') return 1;
  const values = fieldValues(view, sort.field)
    .map((v) => comparable(v, now))
    .filter((v): v is number | string => v !== undefined);
  if (values.length === 0) return null;
  // Multi-valued fields sort by their smallest value ascending and their largest descending.
  const sorted = [...values].sort(compareComparable);
  return sort.desc ? sorted[sorted.length - 1] : sorted[0];
}

/** Missing values sort last unless the key says `missing: _first`, in either direction. */
function compareSortTuples(a: SortTuple, b: SortTuple, sort: SortKey[]): number {
  for (let i = 0; i < sort.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null && y === null) continue;
    if (x === null) return sort[i].missingFirst ? -1 : 1;
    if (y === null) return sort[i].missingFirst ? 1 : -1;
    const cmp = compareComparable(x, y);
    if (cmp !== 0) return sort[i].desc ? -cmp : cmp;
  }
  return 0;
}
