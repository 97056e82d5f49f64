import { dataStreamField } from './documents';
import { emptyObject, setField } from './json-value';
import type { JsonObject, JsonValue, ValueLimits } from './json-value';
import { cleanText } from './otel-fields';
import type { Target } from './types';

/*
 * Elasticsearch expands dotted field names into objects (`http.method` is `method` inside
 * `http`), so `http` = "x" next to `http.method` = "GET" would need `http` to be both a value and
 * an object, and the whole document would be rejected. The `ecs` and `raw` modes build documents
 * from flat dotted paths; these helpers write such paths and keep them free of that conflict.
 */

/** A document being built as dotted path → value; later writes to a path win. */
export type FieldPaths = Map<string, JsonValue>;

/** Sets `path` unless the value is missing: a field with no value is left out. */
export function putPath(paths: FieldPaths, path: string, value: JsonValue | undefined): void {
  if (value !== undefined) paths.set(path, value);
}

/** Sets `path` to a non-empty string, made safe to index; anything else is left out. */
export function putText(
  paths: FieldPaths,
  path: string,
  value: unknown,
  limits: ValueLimits,
): void {
  putPath(paths, path, cleanText(value, limits));
}

export function putDataStream(paths: FieldPaths, target: Target): void {
  const dataStream = dataStreamField(target);
  if (dataStream) flattenInto(paths, 'data_stream', dataStream);
}

/** Adds the leaves of `value` under `prefix` to `out` as dotted paths; arrays are leaves. */
export function flattenInto(out: Map<string, JsonValue>, prefix: string, value: JsonValue): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    let empty = true;
    for (const key of Object.keys(value)) {
      empty = false;
      flattenInto(out, prefix === '' ? key : `${prefix}.${key}`, value[key]);
    }
    // An empty map stays visible as an empty object rather than vanishing.
    if (empty && prefix !== '') out.set(prefix, emptyObject());
    return;
  }
  out.set(prefix, value);
}

const NO_PATHS: ReadonlySet<string> = new Set();

/** Every proper prefix of the paths at a dot: `a.b.c` has `a` and `a.b`. */
function parentsOf(paths: Iterable<string>): Set<string> {
  const parents = new Set<string>();
  for (const path of paths) {
    let dot = path.indexOf('.');
    while (dot > 0) {
      parents.add(path.slice(0, dot));
      dot = path.indexOf('.', dot + 1);
    }
  }
  return parents;
}

/**
 * Renames every path that is also the parent of another path: `a` next to `a.b` becomes
 * `a.value` (then `a.value_2`, … if that is taken), the convention Elastic's own shippers use.
 * A path in `keptValues` (a field the mapping itself defines) keeps its value and name instead,
 * and the paths under it are left out.
 */
export function resolvePathConflicts(
  paths: Map<string, JsonValue>,
  keptValues: ReadonlySet<string> = NO_PATHS,
): Map<string, JsonValue> {
  const parents = parentsOf(paths.keys());
  let conflicted = false;
  const kept: string[] = [];
  for (const path of paths.keys()) {
    if (!parents.has(path)) continue;
    conflicted = true;
    if (keptValues.has(path)) kept.push(path);
  }
  if (!conflicted) return paths;
  if (kept.length > 0) {
    const under = kept.map((path) => `${path}.`);
    const rest = new Map<string, JsonValue>();
    for (const [path, value] of paths) {
      if (!under.some((prefix) => path.startsWith(prefix))) rest.set(path, value);
    }
    return resolvePathConflicts(rest);
  }
  const out = new Map<string, JsonValue>();
  for (const [path, value] of paths) {
    if (!parents.has(path)) {
      if (!out.has(path)) out.set(path, value);
      continue;
    }
    let renamed = `${path}.value`;
    for (let n = 2; paths.has(renamed) || out.has(renamed) || parents.has(renamed); n++) {
      renamed = `${path}.value_${n}`;
    }
    out.set(renamed, value);
  }
  return out;
}

/** Nested objects from conflict-free dotted paths (the `ecs` mode's document shape). */
export function expandPaths(paths: Map<string, JsonValue>): JsonObject {
  const root = emptyObject();
  for (const [path, value] of paths) {
    const segments = path.split('.');
    let node = root;
    for (let i = 0; i < segments.length - 1; i++) {
      const segment = segments[i];
      let child = Object.hasOwn(node, segment) ? node[segment] : undefined;
      if (
        child === undefined ||
        child === null ||
        typeof child !== 'object' ||
        Array.isArray(child)
      ) {
        child = emptyObject();
        setField(node, segment, child);
      }
      node = child;
    }
    setField(node, segments[segments.length - 1], value);
  }
  return root;
}

/** Flat dotted keys in one object (the `raw` mode's document shape). */
export function objectFromPaths(paths: Map<string, JsonValue>): JsonObject {
  const out = emptyObject();
  for (const [path, value] of paths) setField(out, path, value);
  return out;
}
