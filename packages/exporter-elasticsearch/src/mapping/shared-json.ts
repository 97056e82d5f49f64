import { setField } from './json-value';
import type { JsonObject } from './json-value';

/*
 * Fields many documents share (one resource's and one scope's, in every document of their
 * records) are serialised once, and that JSON is pasted into each document. Profiling showed
 * JSON.stringify of the same resource and scope into every document as the largest single cost
 * of the `otel` mode.
 */

const serialised = new WeakMap<object, string>();

/** Marks `object` as shared (and frozen: its JSON must stay true to it). */
export function shareJson<T extends JsonObject>(object: T): T {
  serialised.set(object, JSON.stringify(object));
  return Object.freeze(object);
}

/** A member's JSON: the stored text of a shared object, JSON.stringify of any other. */
export function memberJson(value: JsonObject): string {
  return serialised.get(value) ?? JSON.stringify(value);
}

const quotedKeys = new Map<string, string>();

function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    // Top-level document keys are a handful of field names.
    if (quotedKeys.size < 256) quotedKeys.set(key, quoted);
  }
  return quoted;
}

/**
 * `JSON.stringify(document)`, with shared top-level members (resource, scope, data_stream)
 * pasted in rather than serialised again; they go last, as JSON objects have no order. One
 * JSON.stringify call for the rest: per-member calls cost more than they save.
 */
export function stringifyDocument(document: JsonObject): string {
  const rest: JsonObject = {};
  let tail = '';
  for (const key in document) {
    const value = document[key];
    const json = typeof value === 'object' && value !== null ? serialised.get(value) : undefined;
    if (json === undefined) setField(rest, key, value);
    else tail += `,${quoteKey(key)}:${json}`;
  }
  if (tail === '') return JSON.stringify(document);
  const head = JSON.stringify(rest);
  return head === '{}' ? `{${tail.slice(1)}}` : `${head.slice(0, -1)}${tail}}`;
}
