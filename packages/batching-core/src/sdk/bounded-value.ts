/*
 * A log body or attribute value is the application's object graph: it may refer to itself
 * (`b.a = b`), nest without end, or share one object so often that writing it out expands
 * exponentially (`n[i] = { a: n[i+1], b: n[i+1] }`). Every exporter that serialises structured
 * values passes them through `boundedValue` first, so that each writes the same bounded value:
 *
 * - a value met again on its own path from the root (a cycle) is written as '[circular]';
 * - an array or map nested deeper than `maxDepth` (32) is written as '[too deep]';
 * - at most `maxNodes` (100,000) values are written in all, counting every array item and map
 *   entry at any depth, and at most `maxChars` (4,194,304) characters of strings, counting every
 *   string item and map key and value inside it: the string that would pass `maxChars` is cut
 *   to what is left, '[truncated]' appended; once either is spent, the array or map being
 *   written ends with one more item '[truncated]' (for a map, the key '[truncated]') if it has
 *   items left, and so does each one around it. A count of values alone does not bound the
 *   size: a map that doubles at every level over one shared 40 KB string writes 33,330 leaves,
 *   1.3 GB, in 100,000 values.
 *
 * A value within the bounds is returned as it is (the same reference, nothing copied), so the
 * common case costs one walk over the structured values only; scalars are never looked at twice.
 * An object shared without a cycle (the same map under two keys) is written at each place, as
 * JSON.stringify does, and counts each time.
 */

export const CIRCULAR_MARKER = '[circular]';
export const TOO_DEEP_MARKER = '[too deep]';
export const TRUNCATED_MARKER = '[truncated]';

export interface ValueBounds {
  /** Arrays and maps nested deeper than this are replaced by TOO_DEEP_MARKER. */
  maxDepth: number;
  /** Values written in all, at every depth, before the rest is cut with TRUNCATED_MARKER. */
  maxNodes: number;
  /**
   * UTF-16 characters of strings written in all (string items, map keys and string values),
   * before the rest is cut with TRUNCATED_MARKER; DEFAULT_VALUE_BOUNDS' when not given.
   */
  maxChars?: number;
}

export const DEFAULT_VALUE_BOUNDS: Readonly<Required<ValueBounds>> = Object.freeze({
  maxDepth: 32,
  maxNodes: 100_000,
  maxChars: 4 * 1024 * 1024,
});

interface Walk {
  bounds: ValueBounds;
  /** Values still to be written. */
  budget: number;
  /** Characters of strings still to be written. */
  chars: number;
  /** The containers on the path from the root to the value being written. */
  path: object[];
}

/** Whether the walker descends into a value: arrays and plain maps, not bytes or dates. */
function isContainer(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  );
}

/**
 * The value as the exporters write it: the same reference when it is within the bounds, or a
 * copy with the markers above where it is not. Never throws; its cost is bounded by `maxNodes`.
 */
export function boundedValue<T>(value: T, bounds: ValueBounds = DEFAULT_VALUE_BOUNDS): T {
  if (!isContainer(value)) return value;
  const walk: Walk = {
    bounds,
    budget: bounds.maxNodes,
    chars: bounds.maxChars ?? DEFAULT_VALUE_BOUNDS.maxChars,
    path: [],
  };
  return visit(value, 0, walk) as T;
}

function visit(value: unknown, depth: number, walk: Walk): unknown {
  if (!isContainer(value)) return value;
  if (walk.path.includes(value)) return CIRCULAR_MARKER;
  if (depth >= walk.bounds.maxDepth) return TOO_DEEP_MARKER;
  walk.path.push(value);
  try {
    return Array.isArray(value) ? visitArray(value, depth, walk) : visitMap(value, depth, walk);
  } finally {
    walk.path.pop();
  }
}

function visitArray(items: readonly unknown[], depth: number, walk: Walk): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    const admitted = admit(walk, 0, item);
    if (admitted === NOT_ADMITTED) {
      copy ??= items.slice(0, i);
      copy.push(TRUNCATED_MARKER);
      return copy;
    }
    const bounded = admitted === item ? visit(item, depth + 1, walk) : admitted;
    if (copy) copy.push(bounded);
    else if (bounded !== item) {
      copy = items.slice(0, i);
      copy.push(bounded);
    }
  }
  return copy ?? (items as unknown[]);
}

function visitMap(map: object, depth: number, walk: Walk): object {
  const record = map as Record<string, unknown>;
  const keys = Object.keys(record);
  let copy: Record<string, unknown> | undefined;
  const start = (upTo: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (let j = 0; j < upTo; j++) define(out, keys[j], record[keys[j]]);
    return out;
  };
  for (let i = 0; i < keys.length; i++) {
    const item = record[keys[i]];
    const admitted = admit(walk, keys[i].length, item);
    if (admitted === NOT_ADMITTED) {
      copy ??= start(i);
      define(copy, TRUNCATED_MARKER, TRUNCATED_MARKER);
      return copy;
    }
    const bounded = admitted === item ? visit(item, depth + 1, walk) : admitted;
    if (copy) define(copy, keys[i], bounded);
    else if (bounded !== item) {
      copy = start(i);
      define(copy, keys[i], bounded);
    }
  }
  return copy ?? map;
}

const NOT_ADMITTED = Symbol('not admitted');

/**
 * Takes one value (and its key's characters) from the budgets and returns what to write: the
 * value, or a string longer than the characters left cut to them with the marker after it (one
 * long text in a map keeps its start rather than vanishing), after which both budgets are spent.
 * NOT_ADMITTED when nothing of it fits: the container being written ends here.
 */
function admit(walk: Walk, keyChars: number, value: unknown): unknown {
  if (walk.budget <= 0 || keyChars > walk.chars) {
    walk.budget = 0;
    walk.chars = 0;
    return NOT_ADMITTED;
  }
  walk.budget--;
  walk.chars -= keyChars;
  if (typeof value !== 'string') return value;
  if (value.length <= walk.chars) {
    walk.chars -= value.length;
    return value;
  }
  let keep = walk.chars;
  walk.budget = 0;
  walk.chars = 0;
  if (keep === 0) return NOT_ADMITTED;
  // Never between the halves of a surrogate pair.
  const last = value.charCodeAt(keep - 1);
  if (last >= 0xd800 && last <= 0xdbff) keep--;
  return value.slice(0, keep) + TRUNCATED_MARKER;
}

/** An own enumerable property, `__proto__` included (plain assignment would set the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
