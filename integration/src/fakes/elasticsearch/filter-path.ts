import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';

/** Wildcard segments compiled once: the filter runs over every item of every bulk answer. */
const SEGMENT_PATTERNS = new Map<string, RegExp>();

function segmentMatches(segment: string, key: string): boolean {
  if (segment === '*') return true;
  if (!segment.includes('*')) return segment === key;
  let pattern = SEGMENT_PATTERNS.get(segment);
  if (!pattern) {
    pattern = globToRegExp(segment);
    if (SEGMENT_PATTERNS.size < 1000) SEGMENT_PATTERNS.set(segment, pattern);
  }
  return pattern.test(key);
}

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

/**
 * A place in one filter: `at` segments of it matched so far. One object per place, made up
 * front, so that walking a large response (a bulk answer of thousands of items) allocates no
 * states of its own.
 */
interface State {
  segments: string[];
  at: number;
  /** The state after this one matches a key; undefined at the end of the filter. */
  next: State | undefined;
}

function statesOf(segments: string[]): State {
  let next: State | undefined;
  for (let at = segments.length; at >= 0; at--) next = { segments, at, next };
  return next as State;
}

/** The states a key leads to from `state`, added to `out`. */
function advance(state: State, key: string, out: State[]): void {
  const segment = state.segments[state.at];
  if (segment === undefined) return;
  if (segment === '**') {
    // `**` stays (any depth) and also matches nothing, letting the next segment try the key.
    out.push(state);
    advance(state.next as State, key, out);
    return;
  }
  if (segmentMatches(segment, key)) out.push(state.next as State);
}

function include(value: Json, filters: string[][]): Json {
  const walk = (node: Json, states: State[]): Json | undefined => {
    for (const s of states) if (s.at === s.segments.length) return node;
    if (Array.isArray(node)) {
      const kept: Json[] = [];
      for (const element of node) {
        const one = walk(element, states);
        if (one !== undefined) kept.push(one);
      }
      return kept.length > 0 ? kept : undefined;
    }
    if (!isObject(node)) return undefined;
    const out: JsonObject = {};
    for (const [key, child] of Object.entries(node)) {
      const next: State[] = [];
      for (const s of states) advance(s, key, next);
      if (next.length === 0) continue;
      const kept = walk(child, next);
      if (kept !== undefined) out[key] = kept;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(value, filters.map(statesOf)) ?? {};
}
