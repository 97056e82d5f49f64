import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';

const segmentMatches = (segment: string, key: string) =>
  segment === '*' || (segment.includes('*') ? globToRegExp(segment).test(key) : segment === key);

/** `node` without what `segments` (from `at`) names; undefined when the node itself goes. */
function exclude(node: Json, segments: string[], at: number): Json | undefined {
  if (at === segments.length) return undefined;
  if (Array.isArray(node)) {
    return node.map((e) => exclude(e, segments, at)).filter((e) => e !== undefined) as Json[];
  }
  if (!isObject(node)) return node;
  const segment = segments[at];
  const out: JsonObject = {};
  for (const [key, child] of Object.entries(node)) {
    let kept: Json | undefined = child;
    if (segment === '**') {
      // `**` as no key at all, then as this key (and possibly more below).
      if (at + 1 < segments.length && segmentMatches(segments[at + 1], key)) {
        kept = exclude(kept, segments, at + 2);
      }
      if (kept !== undefined) kept = exclude(kept, segments, at);
    } else if (segmentMatches(segment, key)) {
      kept = exclude(child, segments, at + 1);
    }
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}

/**
 * Elasticsearch's `filter_path` response filtering: comma-separated dotted paths, with `*`
 * inside a segment, `**` for any depth, and `-path` exclusions applied after the inclusions
 * (search/70_response_filtering.yml).
 */
export function applyFilterPath(value: Json, filter: string): Json {
  const all = filter
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');
  const exclusions = all.filter((f) => f.startsWith('-')).map((f) => f.slice(1).split('.'));
  const filters = all.filter((f) => !f.startsWith('-')).map((f) => f.split('.'));
  const included = filters.length === 0 ? value : include(value, filters);
  return exclusions.reduce<Json>((node, segments) => exclude(node, segments, 0) ?? {}, included);
}

function include(value: Json, filters: string[][]): Json {
  type State = { segments: string[]; at: number };
  const advance = (state: State, key: string): State[] => {
    const segment = state.segments[state.at];
    if (segment === undefined) return [];
    if (segment === '**') {
      return [state, ...advance({ segments: state.segments, at: state.at + 1 }, key)];
    }
    return segmentMatches(segment, key) ? [{ segments: state.segments, at: state.at + 1 }] : [];
  };
  const walk = (node: Json, states: State[]): Json | undefined => {
    if (states.some((s) => s.at === s.segments.length)) return node;
    if (Array.isArray(node)) {
      const kept = node.map((element) => walk(element, states)).filter((e) => e !== undefined);
      return kept.length > 0 ? (kept as Json[]) : undefined;
    }
    if (!isObject(node)) return undefined;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(node)) {
      const next = states.flatMap((s) => advance(s, key));
      if (next.length === 0) continue;
      const kept = walk(child, next);
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return (
    walk(
      value,
      filters.map((segments) => ({ segments, at: 0 })),
    ) ?? {}
  );
}
