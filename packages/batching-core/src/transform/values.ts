import type { ComparisonOp } from './ast';
import { setOwnField } from '../sdk/own-field';
import { copyMapAddingByShape, copyMapByShape } from './shape-copiers';

/*
 * OTTL's values in JavaScript: strings, numbers (ints and floats alike: JavaScript has one number
 * type), booleans, Uint8Array for bytes, plain objects for maps, arrays for slices, and nil as
 * undefined (a key that is absent reads as nil, as in OTTL).
 */

export type ValueMap = Record<string, unknown>;

export function isMap(value: unknown): value is ValueMap {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

export function isNil(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** The value's OTTL type name, for errors. */
export function typeName(value: unknown): string {
  if (isNil(value)) return 'nil';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'double';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'slice';
  if (isMap(value)) return 'map';
  return typeof value;
}

/**
 * A copy the stage may change: maps and arrays are copied all the way down, so that no write
 * reaches an object the SDK (or another exporter) holds.
 */
export function deepCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(deepCopy) as T;
  if (value instanceof Uint8Array) return value.slice() as T;
  if (isMap(value)) return copyMap(value) as T;
  return value;
}

/**
 * A map's copy, nested maps and lists copied too: by the copier made for the map's keys where
 * there is one (shape-copiers.ts says why), else key by key into an empty literal (an indexed
 * loop, no iterator), where copies of maps with the same keys still share one hidden class and
 * a key added later follows a transition V8 has seen; a spread copy (`{ ...map }`) would get a
 * class of its own that makes each added key cost microseconds.
 */
export function copyMap(source: ValueMap): ValueMap {
  const keys = Object.keys(source);
  const byShape = copyMapByShape(source, keys, deepCopy);
  if (byShape !== undefined) return byShape;
  const copy: ValueMap = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const item = source[key];
    // Attribute values are mostly primitives: copied as they are, without a call.
    const value = typeof item === 'object' && item !== null ? deepCopy(item) : item;
    // Assigned, `__proto__` would set the copy's prototype (or be ignored) and the key be lost.
    setOwnField(copy, key, value);
  }
  return copy;
}

/**
 * A map's copy with one key added that the map does not have (its value is not copied: it is
 * the statement's, not the SDK's). Made in one step where a copier serves the shape.
 */
export function copyMapAdding(source: ValueMap, key: string, value: unknown): ValueMap {
  const keys = Object.keys(source);
  keys.push(key);
  const byShape = copyMapAddingByShape(source, keys, value, deepCopy);
  if (byShape !== undefined) return byShape;
  const copy = copyMap(source);
  setOwnField(copy, key, value);
  return copy;
}

/**
 * OTTL's comparison (pkg/ottl/compare.go): values of different types are never equal and never
 * ordered; nil equals only nil; numbers compare across int and double; strings and bytes order
 * lexicographically, booleans false before true; maps and slices are equal by content, never
 * ordered (not even `<=` when equal).
 */
export function compareValues(left: unknown, op: ComparisonOp, right: unknown): boolean {
  const order = orderOf(left, right);
  if (op === '==') return order === 0 || order === 'equal';
  if (op === '!=') return !(order === 0 || order === 'equal');
  if (typeof order !== 'number') return false;
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    default:
      return order >= 0;
  }
}

/** -1/0/1 for ordered values; 'equal'/'unequal' for values equal or not but without order; undefined when unrelated. */
function orderOf(left: unknown, right: unknown): number | 'equal' | 'unequal' | undefined {
  if (isNil(left) || isNil(right)) return isNil(left) && isNil(right) ? 0 : undefined;
  if (typeof left === 'number' && typeof right === 'number') {
    if (Number.isNaN(left) || Number.isNaN(right)) return undefined;
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof left === 'string' && typeof right === 'string') {
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (typeof left === 'boolean' && typeof right === 'boolean') {
    return Number(left) - Number(right);
  }
  if (left instanceof Uint8Array && right instanceof Uint8Array) {
    return Buffer.compare(left, right);
  }
  if ((isMap(left) && isMap(right)) || (Array.isArray(left) && Array.isArray(right))) {
    return deepEqual(left, right) ? 'equal' : 'unequal';
  }
  return undefined;
}

function deepEqual(left: unknown, right: unknown): boolean {
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((v, i) => deepEqual(v, right[i]));
  }
  if (isMap(left) && isMap(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((k) => Object.hasOwn(right, k) && deepEqual(left[k], right[k]))
    );
  }
  const order = orderOf(left, right);
  return order === 0 || order === 'equal';
}

/** A value as text, as OTTL's String() and IsMatch see it (maps and slices as JSON). */
export function asText(value: unknown): string | undefined {
  if (isNil(value)) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
  );
}
