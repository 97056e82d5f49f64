/*
 * JSON values as the fake stores and answers them, and the few helpers that read them the way
 * Elasticsearch does.
 */

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Elasticsearch's name for the JSON token a value starts with, for its error messages. */
export function tokenName(value: Json): string {
  if (value === null) return 'VALUE_NULL';
  if (Array.isArray(value)) return 'START_ARRAY';
  if (typeof value === 'object') return 'START_OBJECT';
  if (typeof value === 'string') return 'VALUE_STRING';
  if (typeof value === 'number') return 'VALUE_NUMBER';
  return 'VALUE_BOOLEAN';
}

/**
 * Values at a dotted path. A document may spell `a.b.c` as nested objects, as a key holding
 * dots (the OpenTelemetry mapping's `attributes` are full of those), or as any mix, and
 * Elasticsearch treats them all as the same field; so every split of the path is tried.
 */
export function collectPath(node: Json, parts: string[], at: number, out: Json[]): void {
  if (Array.isArray(node)) {
    for (const element of node) collectPath(element, parts, at, out);
    return;
  }
  if (at === parts.length) {
    if (node !== null) out.push(node);
    return;
  }
  if (!isObject(node)) return;
  let key = '';
  for (let end = at; end < parts.length; end++) {
    key = end === at ? parts[end] : `${key}.${parts[end]}`;
    if (Object.prototype.hasOwnProperty.call(node, key))
      collectPath(node[key], parts, end + 1, out);
  }
}

/** A setting given flat (`index.lifecycle.name`) or nested, with or without the `index.` prefix. */
export function settingValue(settings: Json | undefined, path: string): Json | undefined {
  if (!isObject(settings)) return undefined;
  for (const candidate of [path, path.replace(/^index\./, '')]) {
    const values: Json[] = [];
    collectPath(settings, candidate.split('.'), 0, values);
    if (values.length > 0) return values[0];
  }
  return undefined;
}
