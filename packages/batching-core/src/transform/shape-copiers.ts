/*
 * Copies of objects by their shape. The stage copies every attribute map a statement writes to
 * and every SDK item it changes, so a copy is most of what one simple statement costs. A loop
 * that copies key by key pays a megamorphic keyed load and store per key (~1 µs for a span's ten
 * attributes), and a spread of an SDK item followed by `Object.setPrototypeOf` ~0.6 µs; code
 * made for one list of keys copies with constant-named loads and stores instead, into an object
 * whose hidden class V8 sets up once (~0.1 µs for either). The stage meets few shapes (the
 * instrumentations' attribute sets, the SDK's two or three item classes), so a copier is made
 * for a shape the first time it is met, and a bounded number of them are kept: past the bound,
 * and where the runtime refuses code made from text (`--disallow-code-generation-from-strings`),
 * the copy falls back to the loop, which gives the same result.
 */

/** A made copier: the keys it copies (the `Object.keys` of its sources) and the code. */
interface Copier<C> {
  readonly keys: readonly string[];
  readonly copy: C;
}

/** At most this many copiers are made in a process; past it, copies use the loop. */
export const MAX_COPIERS = 256;
/** Objects with more keys than this are copied by the loop (a literal that long is no faster). */
export const MAX_COPIER_KEYS = 64;
/**
 * Nor are objects whose keys are longer than this in all (UTF-16 units): V8 keeps a made
 * function's text, each key in it twice, for as long as the process lives.
 */
export const MAX_COPIER_KEY_TEXT = 4096;

let made = 0;
let generationRefused = false;

/** How many copiers this process made (for tests). */
export function copiersMade(): number {
  return made;
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The copiers of one kind, found by the source's keys. The last one found is tried first: an
 * export's items mostly share their shape.
 */
class CopierCache<C> {
  #last: Copier<C> | undefined;
  readonly #byLength = new Map<number, Copier<C>[]>();

  constructor(private readonly make: (keys: readonly string[], first: object) => C | undefined) {}

  /** The copier for `keys`, made from `source` (the first object of that shape) if new. */
  find(keys: readonly string[], source: object): C | undefined {
    const last = this.#last;
    if (last !== undefined && sameKeys(last.keys, keys)) return last.copy;
    if (keys.length > MAX_COPIER_KEYS) return undefined;
    const list = this.#byLength.get(keys.length);
    if (list !== undefined) {
      for (const copier of list) {
        if (sameKeys(copier.keys, keys)) {
          this.#last = copier;
          return copier.copy;
        }
      }
    }
    if (made >= MAX_COPIERS || generationRefused || keyText(keys) > MAX_COPIER_KEY_TEXT) {
      return undefined;
    }
    const copy = this.make(keys, source);
    if (copy === undefined) return undefined;
    made++;
    const copier = { keys: keys.slice(), copy };
    if (list === undefined) this.#byLength.set(keys.length, [copier]);
    else list.push(copier);
    this.#last = copier;
    return copy;
  }
}

function keyText(keys: readonly string[]): number {
  let length = 0;
  for (let i = 0; i < keys.length; i++) length += keys[i].length;
  return length;
}

/**
 * Code from text, or undefined where the runtime refuses it (then no copier is tried again) or
 * cannot make it (the copy then takes the loop). The keys reach the text only as JSON string
 * literals, which JavaScript reads back as the same strings whatever they hold. Strict, so that
 * an assignment that cannot be made throws rather than leaves a field out of the copy.
 */
function compile<F>(params: string[], body: string): F | undefined {
  try {
    return new Function(...params, `"use strict";\n${body}`) as F;
  } catch (error) {
    if (error instanceof EvalError) generationRefused = true;
    return undefined;
  }
}

type MapCopy = (
  source: Record<string, unknown>,
  deepCopy: (value: unknown) => unknown,
) => Record<string, unknown>;

/*
 * A map copy is an object literal: V8 makes its hidden class once, from the literal, with every
 * key in the object itself, and a key a statement adds later follows the same transition for
 * every copy. Nested maps and lists are copied too (attribute values are mostly primitives, so
 * the test comes before the call).
 */
const mapCopiers = new CopierCache<MapCopy>((keys) => {
  // In a literal, `"__proto__": v` sets the prototype rather than defining a key.
  if (keys.includes('__proto__')) return undefined;
  const lines = keys.map((key, i) => `const v${i} = s[${JSON.stringify(key)}];`);
  const fields = keys.map(
    (key, i) =>
      `${JSON.stringify(key)}: typeof v${i} === "object" && v${i} !== null ? d(v${i}) : v${i}`,
  );
  return compile<MapCopy>(['s', 'd'], `${lines.join('\n')}\nreturn {${fields.join(',\n')}};`);
});

type MapCopyAdding = (
  source: Record<string, unknown>,
  deepCopy: (value: unknown) => unknown,
  added: unknown,
) => Record<string, unknown>;

/*
 * A map's copy with one key more, the commonest write (`set(attributes["k"], v)` of a key the
 * map lacks): the key is in the literal, so the copy has its room from the start rather than
 * growing by a transition and a property array when the key is added.
 */
const mapAddingCopiers = new CopierCache<MapCopyAdding>((keys) => {
  if (keys.includes('__proto__')) return undefined;
  const copied = keys.slice(0, -1);
  const lines = copied.map((key, i) => `const v${i} = s[${JSON.stringify(key)}];`);
  const fields = copied.map(
    (key, i) =>
      `${JSON.stringify(key)}: typeof v${i} === "object" && v${i} !== null ? d(v${i}) : v${i}`,
  );
  fields.push(`${JSON.stringify(keys[keys.length - 1])}: a`);
  return compile<MapCopyAdding>(
    ['s', 'd', 'a'],
    `${lines.join('\n')}\nreturn {${fields.join(',\n')}};`,
  );
});

/**
 * A map's copy with `added` under the last of `keys` (the map's own keys and then the new one,
 * which the map must not have), by the copier for that shape; undefined when there is none.
 */
export function copyMapAddingByShape(
  source: Record<string, unknown>,
  keys: readonly string[],
  added: unknown,
  deepCopy: (value: unknown) => unknown,
): Record<string, unknown> | undefined {
  const copy = mapAddingCopiers.find(keys, source);
  return copy === undefined ? undefined : copy(source, deepCopy, added);
}

/** A map's copy by its shape's copier; undefined when there is none (copy with the loop). */
export function copyMapByShape(
  source: Record<string, unknown>,
  keys: readonly string[],
  deepCopy: (value: unknown) => unknown,
): Record<string, unknown> | undefined {
  const copy = mapCopiers.find(keys, source);
  return copy === undefined ? undefined : copy(source, deepCopy);
}

type ItemCopy = new (source: object) => object;

/*
 * An SDK item's copy is made by a constructor whose prototype is the item's: the copy is an
 * instance of the same class (its methods and getters work) with the source's own fields, each
 * assigned by name, so V8 sizes the object for them once per class. Names the prototype chain
 * has an accessor or a read-only property for would call the setter or fail when assigned, so a
 * shape with one of those is left to the spread (which defines rather than assigns). The chain
 * is read once per prototype: where one is frozen or given a setter later, the strict
 * constructor throws rather than leave a field out, and that class's items go to the spread
 * from then on. No exporter's mapping reads a symbol-keyed field, so a copy made by a copier
 * has none; a class and shape whose first item had one is copied by the spread, which keeps them.
 */
const itemCopiers = new WeakMap<object, CopierCache<ItemCopy>>();
/** Prototypes whose copier threw: copied by the spread. */
const spreadOnly = new WeakSet<object>();

export function copyItemByShape(
  source: object,
  prototype: object,
  keys: readonly string[],
  accessors: ReadonlySet<string>,
): Record<string, unknown> | undefined {
  let cache = itemCopiers.get(prototype);
  if (cache === undefined) {
    if (spreadOnly.has(prototype)) return undefined;
    cache = new CopierCache<ItemCopy>((shape, first) => {
      if (shape.some((key) => accessors.has(key) || key === '__proto__')) return undefined;
      // Symbol-keyed fields are not in the shape, and reading them is dear (~0.2 µs a call):
      // a class and shape whose first item has one is left to the spread, which copies them.
      if (Object.getOwnPropertySymbols(first).length > 0) return undefined;
      const body = shape
        .map((key) => `this[${JSON.stringify(key)}] = s[${JSON.stringify(key)}];`)
        .join('\n');
      const constructor = compile<ItemCopy>(['s'], body);
      if (constructor !== undefined) constructor.prototype = prototype;
      return constructor;
    });
    itemCopiers.set(prototype, cache);
  }
  const Copy = cache.find(keys, source);
  if (Copy === undefined) return undefined;
  try {
    return new Copy(source) as Record<string, unknown>;
  } catch {
    itemCopiers.delete(prototype);
    spreadOnly.add(prototype);
    return undefined;
  }
}
