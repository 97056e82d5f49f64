/*
 * The query DSL subset, compiled to predicates over stored documents. Approximations, since the
 * fake has no mappings and no analysis: `term` compares exactly (`.keyword` suffixes ignored),
 * `match` matches on any (or, with `operator: and`, every) lower-cased word, and strings that
 * look like ISO dates compare as dates, as Elasticsearch's `date` fields do.
 */
import { illegalArgument, parsingError } from './errors';
import { collectPath, isObject, tokenName } from './json';
import type { Json, JsonObject } from './json';
import type { IndexState, StoredDoc } from './store';

/** A stored document as a query sees it; `order` is its position in the search, for `_doc`. */
export interface DocView {
  index: IndexState;
  doc: StoredDoc;
  source: JsonObject;
  order: number;
}

export type Predicate = (view: DocView) => boolean;

export function fieldValues(view: DocView, field: string): Json[] {
  if (field === '_id') return [view.doc.id];
  if (field === '_index') {
    return view.index.dataStream ? [view.index.name, view.index.dataStream] : [view.index.name];
  }
  const out: Json[] = [];
  collectPath(view.source, field.split('.'), 0, out);
  if (out.length === 0 && field.endsWith('.keyword')) {
    collectPath(view.source, field.slice(0, -'.keyword'.length).split('.'), 0, out);
  }
  return out;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ][\d:.,]+)?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** Numbers, epoch-millis for date-looking strings, other strings unchanged: how ES compares. */
export function comparable(value: Json, now: number): number | string | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return undefined;
  const math = /^now(?:([+-])(\d+)([smhdw]))?(?:\/[smhdwMy])?$/.exec(value);
  if (math) {
    const unitMs: Record<string, number> = {
      s: 1e3,
      m: 6e4,
      h: 36e5,
      d: 864e5,
      w: 6048e5,
    };
    const offset = math[1] ? Number(math[2]) * unitMs[math[3]] * (math[1] === '-' ? -1 : 1) : 0;
    return now + offset;
  }
  if (ISO_DATE.test(value)) {
    const millis = Date.parse(value);
    if (!Number.isNaN(millis)) return millis;
  }
  return value;
}

/** Numbers sort before strings, so that values of mixed kinds still have one order. */
export function compareComparable(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function termEquals(value: Json, wanted: Json, caseInsensitive: boolean): boolean {
  if (typeof value === 'object' || typeof wanted === 'object' || wanted === null) return false;
  const a = String(value);
  const b = String(wanted);
  return caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b;
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter((w) => w !== '');
}

function singleField(kind: string, spec: Json): [string, Json] {
  if (!isObject(spec))
    throw parsingError(`[${kind}] query malformed, no start_object after query name`);
  const keys = Object.keys(spec).filter((k) => k !== 'boost' && k !== '_name');
  if (keys.length === 0) throw parsingError(`[${kind}] query malformed, no field specified`);
  if (keys.length > 1) {
    throw parsingError(
      `[${kind}] query doesn't support multiple fields, found [${keys[0]}] and [${keys[1]}]`,
    );
  }
  return [keys[0], spec[keys[0]]];
}

function clauses(value: Json | undefined): Json[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/* Real queries the fake does not evaluate: refused as such, not as unknown queries. */
const NOT_IMPLEMENTED_QUERIES = new Set([
  'wildcard',
  'regexp',
  'fuzzy',
  'query_string',
  'simple_query_string',
  'multi_match',
  'nested',
  'has_child',
  'has_parent',
  'function_score',
  'script',
  'script_score',
  'geo_distance',
  'geo_bounding_box',
  'knn',
  'constant_score',
  'dis_max',
  'boosting',
  'match_bool_prefix',
  'match_phrase_prefix',
  'combined_fields',
  'terms_set',
  'intervals',
  'span_term',
]);

export function compileQuery(query: Json, now: number): Predicate {
  if (!isObject(query)) throw parsingError('query malformed, must start with start_object');
  const keys = Object.keys(query);
  if (keys.length === 0) throw parsingError('query malformed, empty clause found');
  if (keys.length > 1) {
    throw parsingError(
      `[${keys[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`,
    );
  }
  const kind = keys[0];
  const spec = query[kind];
  switch (kind) {
    case 'match_all':
      return () => true;
    case 'match_none':
      return () => false;
    case 'term': {
      const [field, raw] = singleField(kind, spec);
      const wanted = isObject(raw) ? (raw.value ?? null) : raw;
      const insensitive = isObject(raw) && raw.case_insensitive === true;
      return (v) => fieldValues(v, field).some((x) => termEquals(x, wanted, insensitive));
    }
    case 'terms': {
      const [field, raw] = singleField(kind, spec);
      if (!Array.isArray(raw)) throw parsingError(`[terms] query does not support [${field}]`);
      return (v) => fieldValues(v, field).some((x) => raw.some((w) => termEquals(x, w, false)));
    }
    case 'match':
    case 'match_phrase': {
      const [field, raw] = singleField(kind, spec);
      const text = isObject(raw) ? (raw.query ?? null) : raw;
      if (text === null || typeof text === 'object') {
        throw parsingError(`[${kind}] unknown token [${tokenName(text)}] after [query]`);
      }
      const all = isObject(raw) && String(raw.operator ?? 'or').toLowerCase() === 'and';
      const wantedWords = words(String(text));
      const phrase = String(text).toLowerCase();
      return (v) =>
        fieldValues(v, field).some((x) => {
          if (typeof x === 'object') return false;
          if (typeof x !== 'string') return termEquals(x, text, false);
          if (kind === 'match_phrase') return x.toLowerCase().includes(phrase);
          const have = new Set(words(x));
          return all ? wantedWords.every((w) => have.has(w)) : wantedWords.some((w) => have.has(w));
        });
    }
    case 'prefix': {
      const [field, raw] = singleField(kind, spec);
      const prefix = String(isObject(raw) ? raw.value : raw);
      return (v) =>
        fieldValues(v, field).some((x) => typeof x === 'string' && x.startsWith(prefix));
    }
    case 'exists': {
      if (!isObject(spec) || typeof spec.field !== 'string') {
        throw parsingError('[exists] must be provided with a [field]');
      }
      const field = spec.field;
      return (v) => fieldValues(v, field).length > 0;
    }
    case 'ids': {
      const values = isObject(spec) && Array.isArray(spec.values) ? spec.values.map(String) : [];
      return (v) => values.includes(v.doc.id);
    }
    case 'range':
      return rangeQuery(spec, now);
    case 'bool': {
      if (!isObject(spec)) throw parsingError('[bool] malformed query, expected START_OBJECT');
      const must = [...clauses(spec.must), ...clauses(spec.filter)].map((q) =>
        compileQuery(q, now),
      );
      const should = clauses(spec.should).map((q) => compileQuery(q, now));
      const mustNot = clauses(spec.must_not).map((q) => compileQuery(q, now));
      const minimum =
        typeof spec.minimum_should_match === 'number'
          ? spec.minimum_should_match
          : should.length > 0 && must.length === 0
            ? 1
            : 0;
      return (v) =>
        must.every((p) => p(v)) &&
        !mustNot.some((p) => p(v)) &&
        should.filter((p) => p(v)).length >= minimum;
    }
    default:
      if (NOT_IMPLEMENTED_QUERIES.has(kind)) {
        throw illegalArgument(`otelpack fake: the [${kind}] query is not implemented`);
      }
      throw parsingError(`unknown query [${kind}]`);
  }
}

/** A bound and a value of different kinds (number, string) never match. */
function rangeQuery(spec: Json, now: number): Predicate {
  const [field, raw] = singleField('range', spec);
  if (!isObject(raw)) throw parsingError('[range] query malformed, no start_object');
  const bounds: Array<[string, number | string]> = [];
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
    const bound = raw[op];
    if (bound === undefined || bound === null) continue;
    const c = comparable(bound, now);
    if (c !== undefined) bounds.push([op, c]);
  }
  return (v) =>
    fieldValues(v, field).some((x) => {
      const c = comparable(x, now);
      if (c === undefined) return false;
      return bounds.every(([op, bound]) => {
        if (typeof c !== typeof bound) return false;
        const cmp = compareComparable(c, bound);
        return op === 'gt' ? cmp > 0 : op === 'gte' ? cmp >= 0 : op === 'lt' ? cmp < 0 : cmp <= 0;
      });
    });
}

/** `q=field:value` or `q=*`: enough of the Lucene syntax for a test that reads back by hand. */
export function queryFromQ(q: string): Json {
  const trimmed = q.trim();
  if (trimmed === '' || trimmed === '*' || trimmed === '*:*') return { match_all: {} };
  const colon = trimmed.indexOf(':');
  if (colon <= 0) throw illegalArgument('otelpack fake: q= supports only `field:value` and `*`');
  const value = trimmed.slice(colon + 1).replace(/^"(.*)"$/, '$1');
  return { match: { [trimmed.slice(0, colon)]: value } };
}
