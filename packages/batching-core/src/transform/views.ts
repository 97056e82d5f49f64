import type {
  AnyValue,
  DataPointLike,
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  TimedEventLike,
} from '../sdk/types';
import { copyItemByShape } from './shape-copiers';
import { defineOwnField, setOwnField } from '../sdk/own-field';
import { copyMap, copyMapAdding, deepCopy } from './values';
import type { ValueMap } from './values';

/*
 * What statements read and write: views over the SDK's items. A view reads the SDK's object until
 * a statement writes, then writes to its own copy; the SDK's objects are never changed, so other
 * processors and exporters see what the application recorded.
 */

/** A map read from the SDK's object until the first write, then from a copy. */
export class MapView {
  #copy: ValueMap | undefined;

  constructor(private readonly source: ValueMap | undefined) {}

  read(): ValueMap {
    return this.#copy ?? this.source ?? EMPTY;
  }

  write(): ValueMap {
    this.#copy ??= this.source ? copyMap(this.source) : {};
    return this.#copy;
  }

  /** Sets one key (the copy made with the key in it, where the SDK's map lacks it). */
  setKey(key: string, value: unknown): void {
    const source = this.source;
    if (this.#copy === undefined && source !== undefined && !Object.hasOwn(source, key)) {
      this.#copy = copyMapAdding(source, key, value);
    } else {
      setOwnField(this.write(), key, value);
    }
  }

  /**
   * Removes the keys `drop` says yes to. The map is built anew without them rather than deleted
   * from: V8 turns an object a key is deleted from into a slow dictionary, which every later
   * statement and the exporter's mapping would then read.
   */
  removeKeys(drop: (key: string) => boolean): void {
    const from = this.read();
    const copied = this.#copy !== undefined;
    const out: ValueMap = {};
    for (const key of Object.keys(from)) {
      if (drop(key)) continue;
      const value = from[key];
      setOwnField(
        out,
        key,
        copied || typeof value !== 'object' || value === null ? value : deepCopy(value),
      );
    }
    this.#copy = out;
  }

  get changed(): boolean {
    return this.#copy !== undefined;
  }
}

const EMPTY: ValueMap = Object.freeze({}) as ValueMap;

export class ResourceView {
  readonly attributes: MapView;
  #result: ResourceLike | undefined;

  constructor(readonly source: ResourceLike) {
    this.attributes = new MapView(source.attributes as ValueMap);
  }

  /** One result for every item that shares the resource (asked once all statements ran). */
  result(): ResourceLike {
    this.#result ??= this.attributes.changed
      ? overlay(this.source, { attributes: this.attributes.read() })
      : this.source;
    return this.#result;
  }
}

export class ScopeView {
  readonly attributes: MapView;
  name: string;
  version: string | undefined;
  #result: InstrumentationScopeLike | undefined;

  constructor(readonly source: InstrumentationScopeLike) {
    this.attributes = new MapView(source.attributes as ValueMap | undefined);
    this.name = source.name;
    this.version = source.version;
  }

  result(): InstrumentationScopeLike {
    this.#result ??= this.build();
    return this.#result;
  }

  private build(): InstrumentationScopeLike {
    if (
      !this.attributes.changed &&
      this.name === this.source.name &&
      this.version === this.source.version
    ) {
      return this.source;
    }
    return {
      ...this.source,
      name: this.name,
      version: this.version,
      ...(this.attributes.changed ? { attributes: this.attributes.read() as never } : {}),
    };
  }
}

/** Fields a statement changed, over the SDK object's own. */
type Changes = Record<string, unknown>;

/** What spans and log records share: attributes, changed fields, their resource and scope. */
abstract class ItemView<
  T extends {
    attributes: object;
    resource: ResourceLike;
    instrumentationScope: InstrumentationScopeLike;
  },
> {
  readonly attributes: MapView;
  /** Fields a statement set, made at the first (most items have none). */
  #changes: Changes | undefined;

  constructor(
    readonly source: T,
    readonly resource: ResourceView,
    readonly scope: ScopeView,
  ) {
    this.attributes = new MapView(source.attributes as ValueMap);
  }

  get<K extends keyof T>(field: K): T[K] {
    const changes = this.#changes;
    return (
      changes !== undefined && field in changes ? changes[field as string] : this.source[field]
    ) as T[K];
  }

  change<K extends keyof T & string>(field: K, value: T[K]): void {
    (this.#changes ??= {})[field] = value;
  }

  /** The item as the statements left it: the SDK's object itself when nothing changed. */
  protected build(extra?: Changes): T {
    const resource = this.resource.result();
    const scope = this.scope.result();
    if (
      this.#changes === undefined &&
      extra === undefined &&
      !this.attributes.changed &&
      resource === this.source.resource &&
      scope === this.source.instrumentationScope
    ) {
      return this.source;
    }
    // The commonest change alone (a statement wrote the attributes): no record of changes.
    if (
      this.#changes === undefined &&
      extra === undefined &&
      resource === this.source.resource &&
      scope === this.source.instrumentationScope
    ) {
      return overlayField(this.source, 'attributes', this.attributes.read());
    }
    // Assigned into the record of the fields set (ours, built key by key), not spread into a new
    // object: a key added to a spread copy costs V8 a hidden class of its own, microseconds each.
    const changes: Changes = this.#changes ?? {};
    if (extra !== undefined) for (const key of Object.keys(extra)) changes[key] = extra[key];
    if (this.attributes.changed) changes.attributes = this.attributes.read();
    if (resource !== this.source.resource) changes.resource = resource;
    if (scope !== this.source.instrumentationScope) changes.instrumentationScope = scope;
    return overlay(this.source, changes);
  }
}

export class SpanView extends ItemView<ReadableSpanLike> {
  events: EventView[] | undefined;

  eventViews(): EventView[] {
    this.events ??= this.source.events.map((event) => new EventView(event, this));
    return this.events;
  }

  result(): ReadableSpanLike {
    if (!this.events) return this.build();
    const kept = this.events.filter((e) => !e.dropped);
    const changed = kept.length !== this.events.length || kept.some((e) => e.changed);
    return this.build(changed ? { events: kept.map((e) => e.result()) } : undefined);
  }
}

export class EventView {
  readonly attributes: MapView;
  name: string;
  dropped = false;

  constructor(
    readonly source: TimedEventLike,
    readonly span: SpanView,
  ) {
    this.attributes = new MapView(source.attributes as ValueMap | undefined);
    this.name = source.name;
  }

  get changed(): boolean {
    return this.attributes.changed || this.name !== this.source.name;
  }

  result(): TimedEventLike {
    if (!this.changed) return this.source;
    return { ...this.source, name: this.name, attributes: this.attributes.read() as never };
  }
}

export class LogView extends ItemView<ReadableLogRecordLike> {
  #body: { value: AnyValue } | undefined;

  body(): AnyValue {
    return this.#body ? this.#body.value : this.source.body;
  }

  /** The body to change in place (a map or list body is copied first). */
  writableBody(): AnyValue {
    this.#body ??= { value: deepCopy(this.source.body) };
    return this.#body.value;
  }

  setBody(value: AnyValue): void {
    this.#body = { value };
  }

  result(): ReadableLogRecordLike {
    return this.build(this.#body ? { body: this.#body.value } : undefined);
  }
}

export class DataPointView {
  readonly attributes: MapView;
  dropped = false;

  constructor(
    readonly source: DataPointLike<unknown>,
    readonly metric: MetricDataLike,
    readonly resource: ResourceView,
    readonly scope: ScopeView,
  ) {
    this.attributes = new MapView(source.attributes as ValueMap);
  }

  result(): DataPointLike<unknown> {
    if (!this.attributes.changed) return this.source;
    return { ...this.source, attributes: this.attributes.read() as never };
  }
}

/**
 * An SDK object with some fields changed: a new object of the same class (same prototype, so its
 * methods such as `spanContext()` and getters work) with the source's own fields copied and the
 * changed ones replaced; the source stays as it is. Not `Object.create(source)`: V8 turns an
 * object used as a prototype into a slow dictionary with a map of its own, so every SDK item
 * would turn slow for every exporter, and the mapping would read megamorphic views. The fields
 * are copied by a constructor made for the item's class and keys (shape-copiers.ts), or, where
 * there is none, by a spread (which defines them, so no SDK setter runs); either way the copies
 * of one class share their shape. An ended SDK item does not change, so a copy sees what a view
 * would.
 */
export function overlay<T extends object>(source: T, changes: Changes): T {
  const prototype = Object.getPrototypeOf(source) as object | null;
  const accessors = accessorsOf(prototype);
  const view = copyOwnFields(source, prototype, accessors);
  for (const key of Object.keys(changes)) setField(view, accessors, key, changes[key]);
  return view as T;
}

/** `overlay` with one field changed, without a record of changes to walk. */
export function overlayField<T extends object>(source: T, key: string, value: unknown): T {
  const prototype = Object.getPrototypeOf(source) as object | null;
  const accessors = accessorsOf(prototype);
  const view = copyOwnFields(source, prototype, accessors);
  setField(view, accessors, key, value);
  return view as T;
}

function setField(
  view: Record<string, unknown>,
  accessors: ReadonlySet<string>,
  key: string,
  value: unknown,
): void {
  // Own property, not an assignment: an SDK setter of that name is not called.
  if (accessors.has(key) && !Object.hasOwn(view, key)) defineOwnField(view, key, value);
  else view[key] = value;
}

/** A new object of the source's class with its own enumerable fields. */
function copyOwnFields(
  source: object,
  prototype: object | null,
  accessors: ReadonlySet<string>,
): Record<string, unknown> {
  if (prototype !== null && prototype !== Object.prototype) {
    const byShape = copyItemByShape(source, prototype, Object.keys(source), accessors);
    if (byShape !== undefined) return byShape;
  }
  const view = { ...source } as Record<string, unknown>;
  if (prototype !== Object.prototype) Object.setPrototypeOf(view, prototype);
  return view;
}

/** Per prototype: the names that are a getter, setter or read-only property in its chain. */
const ACCESSORS = new WeakMap<object, Set<string>>();
const NONE = new Set<string>();

function accessorsOf(prototype: object | null): Set<string> {
  if (!prototype) return NONE;
  let found = ACCESSORS.get(prototype);
  if (found) return found;
  found = new Set();
  const seen = new Set<string>();
  for (let p: object | null = prototype; p; p = Object.getPrototypeOf(p) as object | null) {
    for (const key of Object.getOwnPropertyNames(p)) {
      // The nearest definition of a name is the one an assignment meets.
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Object.getOwnPropertyDescriptor(p, key) as PropertyDescriptor;
      if (d.get !== undefined || d.set !== undefined || d.writable === false) found.add(key);
    }
  }
  ACCESSORS.set(prototype, found);
  return found;
}
