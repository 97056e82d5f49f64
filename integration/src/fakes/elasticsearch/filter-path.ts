import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';

/**
 * Elasticsearch's `filter_path` response filtering: comma-separated dotted paths, with `*`
 * inside a segment and `**` for any depth. Exclusions (`-path`) are ignored, so the body comes
 * back whole, never wrongly trimmed.
 */
export function applyFilterPath(value: Json, filter: string): Json {
  const filters = filter
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '' && !f.startsWith('-'))
    .map((f) => f.split('.'));
  if (filters.length === 0) return value;
  type State = { segments: string[]; at: number };
  const segmentMatches = (segment: string, key: string) =>
    segment === '*' || (segment.includes('*') ? globToRegExp(segment).test(key) : segment === key);
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
