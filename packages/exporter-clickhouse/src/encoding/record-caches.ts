import type { InstrumentationScopeLike } from '@otelpack/batching-core';
import { resourceAndScopeColumns } from '../mapping/resource';
import type { ResourceColumns } from '../mapping/resource';
import { insertColumnRun } from '../schema/tables';
import type { InsertColumn } from '../schema/tables';

/*
 * What the writers that encode spans and log records straight from the SDK's objects
 * (json-lines.ts for JSONEachRow, row-binary-rows.ts for RowBinary) keep from one record to the
 * next: the sorted order of recent attribute key lists with each key's encoded form, and the
 * encoded columns of the last resource and scope seen.
 */

/** A key list's sorted order, with each key's encoded form in that order. */
export interface KeyOrder<T> {
  keys: string[];
  forms: T[];
}

/**
 * The sorted order of the last few attribute key lists seen, with each key's encoded form (its
 * `"key":` text, or its length-prefixed bytes). The records of one instrumentation carry the
 * same keys in the same order (HTTP server and client spans alternate), so a list equal to a
 * kept one, key for key, is not sorted again: the sort and the keys' JSON text were a tenth of
 * this exporter's CPU per span.
 */
export class KeyOrders<T> {
  private readonly lists: (readonly string[])[] = [];
  private readonly orders: KeyOrder<T>[] = [];
  private nextSlot = 0;

  /** `encode` is given each key as it is (the caller makes it well formed). */
  constructor(private readonly encode: (key: string) => T) {}

  of(keys: readonly string[]): KeyOrder<T> {
    const lists = this.lists;
    for (let slot = 0; slot < lists.length; slot++) {
      if (sameKeys(lists[slot], keys)) return this.orders[slot];
    }
    const sorted = keys.slice().sort();
    const order = { keys: sorted, forms: sorted.map(this.encode) };
    if (keys.length <= MAX_KEPT_KEYS) {
      lists[this.nextSlot] = keys;
      this.orders[this.nextSlot] = order;
      this.nextSlot = (this.nextSlot + 1) % KEPT_KEY_LISTS;
    }
    return order;
  }
}

const KEPT_KEY_LISTS = 4;
/** Longer lists are sorted each time: comparing them costs as much, and they are rare. */
const MAX_KEPT_KEYS = 64;

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A fragment (text or bytes) kept for the last resource and scope seen, by identity: the
 * columns of the resource and the scope are the same for every record of a provider and a
 * tracer or logger.
 */
export class LastFragment<K extends object, S extends object | undefined, T> {
  private key: K | undefined;
  private scope: S | undefined;
  private fragment: T | undefined;

  constructor(private readonly make: (key: K, scope: S) => T) {}

  of(key: K, scope: S): T {
    // The first call always makes it: no key is undefined.
    if (key !== this.key || scope !== this.scope) {
      this.fragment = this.make(key, scope);
      this.key = key;
      this.scope = scope;
    }
    return this.fragment as T;
  }
}

/** The span columns that come from the resource and the scope, in insert order. */
export const SPAN_RESOURCE_AND_SCOPE = insertColumnRun('traces', 'ServiceName', 'ScopeVersion');
/** The log record columns that come from the resource and the scope (ServiceName apart). */
export const LOG_RESOURCE_AND_SCOPE = insertColumnRun(
  'logs',
  'ResourceSchemaUrl',
  'ScopeAttributes',
);
/** A span's Nested columns (events and links). */
export const SPAN_NESTED = insertColumnRun('traces', 'Events.Timestamp', 'Links.Attributes');

/** Encodes consecutive columns of a row from their values by column name. */
export type ColumnsEncoder<T> = (
  columns: readonly InsertColumn[],
  values: Readonly<Record<string, unknown>>,
) => T;

/**
 * The resource and scope columns `columns`, encoded by `encode` when the resource or the scope
 * changes, kept for the records that follow.
 */
export function resourceAndScopeFragments<T>(
  columns: readonly InsertColumn[],
  encode: ColumnsEncoder<T>,
): LastFragment<ResourceColumns, InstrumentationScopeLike | undefined, T> {
  return new LastFragment((resource, scope) =>
    encode(columns, resourceAndScopeColumns(resource, scope) as unknown as Record<string, unknown>),
  );
}
