import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { copiersMade, MAX_COPIER_KEYS, MAX_COPIERS } from '../src/transform/shape-copiers';
import { copyMap, copyMapAdding } from '../src/transform/values';
import { overlay } from '../src/transform/views';

/*
 * The stage's copies by shape (shape-copiers.ts): whatever copies them (made code, or the loop
 * and the spread where there is none), a copy holds the source's keys in their order with equal
 * values, nested maps and lists copied rather than shared, and the source stays as it was.
 */

/** Keys that a copier's text must carry through as they are. */
const AWKWARD_KEYS = [
  'http.request.method',
  'with "quotes"',
  'back\\slash',
  'new\nline',
  'line\u2028separator',
  '${template}',
  '*/ comment end',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0',
  '17',
  '-1',
  '',
  'ünïcødé 🚀',
];

function assertCopy(copy: Record<string, unknown>, source: Record<string, unknown>): void {
  assert.notEqual(copy, source);
  assert.deepEqual(Object.keys(copy), Object.keys(source));
  assert.deepEqual(copy, source);
  for (const key of Object.keys(source)) {
    const value = source[key];
    if (typeof value === 'object' && value !== null) {
      assert.notEqual(copy[key], value, `${JSON.stringify(key)} is copied, not shared`);
    }
  }
}

describe('map copies by shape', () => {
  it('copy keys of every kind, in order, with equal values; nested maps and lists copied', () => {
    const source: Record<string, unknown> = {};
    AWKWARD_KEYS.forEach((key, i) => {
      source[key] = i % 3 === 0 ? `value ${i}` : i % 3 === 1 ? i : [i, `${i}`, { nested: [i] }];
    });
    const frozen = structuredClone(source);
    // The same shape twice: the second copy comes from the copier the first made.
    for (let round = 0; round < 2; round++) assertCopy(copyMap(source), source);
    assert.deepEqual(source, frozen);
  });

  it('a key added to one copy is in neither the source nor a later copy', () => {
    const source = { a: 1, b: 'two' };
    const first = copyMap(source);
    first.c = 3;
    assert.deepEqual(source, { a: 1, b: 'two' });
    assert.deepEqual(copyMap(source), { a: 1, b: 'two' });
  });

  it('keeps `__proto__` as a key, and the copy keeps its plain prototype', () => {
    const source = JSON.parse('{"a": 1, "__proto__": "value", "b": {"c": 2}}') as Record<
      string,
      unknown
    >;
    const copy = copyMap(source);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['a', '__proto__', 'b']);
    assert.equal(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, 'value');
    assert.notEqual(copy.b, source.b);
  });
});

class Item {
  name = 'item';
  attributes: Record<string, unknown> = { a: 1 };
  readonly events: unknown[] = [];
  describe(): string {
    return `${this.name} ${Object.keys(this.attributes).join(',')}`;
  }
}

class ItemWithAccessor {
  #duration = 5;
  label = 'x';
  get duration(): number {
    return this.#duration;
  }
  set duration(_value: number) {
    throw new Error('an SDK setter must not be called by the stage');
  }
}

describe('item copies by shape', () => {
  it('a copy is of the source class, with its fields, the changes over them; the source unchanged', () => {
    const source = new Item();
    for (let round = 0; round < 2; round++) {
      const copy = overlay(source, { attributes: { b: 2 }, name: 'renamed' });
      assert.ok(copy instanceof Item);
      assert.deepEqual(Object.keys(copy), Object.keys(source));
      assert.equal(copy.describe(), 'renamed b');
      assert.equal(copy.events, source.events);
      assert.equal(source.describe(), 'item a');
    }
  });

  it('one copier per class and shape, made at the first copy and used from then on', () => {
    class Fresh {
      a = 1;
      b = 'two';
    }
    const before = copiersMade();
    const first = overlay(new Fresh(), { b: 'three' });
    assert.equal(copiersMade(), before + 1, 'made for the new class');
    const second = overlay(new Fresh(), { a: 5 });
    assert.equal(copiersMade(), before + 1, 'the same one used again');
    assert.deepEqual([first.a, first.b, second.a, second.b], [1, 'three', 5, 'two']);
    assert.ok(first instanceof Fresh && second instanceof Fresh);
  });

  it('symbol-keyed fields are copied too where the class’s first item had one (the spread copies them)', () => {
    const tag = Symbol('instrumentation tag');
    class Tagged {
      name = 'n';
    }
    for (let round = 0; round < 2; round++) {
      const source = new Tagged() as Tagged & { [tag]?: string };
      source[tag] = 'kept';
      const copy = overlay(source, { name: 'm' }) as Tagged & { [tag]?: string };
      assert.equal(copy[tag], 'kept');
      assert.equal(copy.name, 'm');
    }
  });

  it('a prototype given a read-only field after its copier was made: copies go on whole, by the spread', () => {
    class Later {
      label = 'x';
      other = 1;
    }
    overlay(new Later(), { label: 'y' });
    // An assignment of `label` to an instance now fails (the chain has it read-only); the
    // instances' own fields are defined by the class, so they still have theirs.
    Object.defineProperty(Later.prototype, 'label', { value: 'proto', writable: false });
    for (let round = 0; round < 2; round++) {
      const copy = overlay(new Later(), { other: 2 });
      assert.ok(copy instanceof Later);
      assert.deepEqual(Object.getOwnPropertyNames(copy), ['label', 'other']);
      assert.deepEqual([copy.label, copy.other], ['x', 2]);
    }
  });

  it('a change named as an accessor of the class is defined on the copy, its setter not called', () => {
    const source = new ItemWithAccessor();
    const copy = overlay(source, { duration: 9, label: 'y' });
    assert.ok(copy instanceof ItemWithAccessor);
    assert.equal(copy.duration, 9);
    assert.equal(copy.label, 'y');
    assert.equal(source.duration, 5);
  });

  it('an own field named as an accessor of the class is copied as a field (the spread path)', () => {
    const source = new ItemWithAccessor();
    Object.defineProperty(source, 'duration', { value: 7, enumerable: true, writable: true });
    const copy = overlay(source, { label: 'z' });
    assert.equal(copy.duration, 7);
    assert.equal(copy.label, 'z');
  });
});

describe('where code from text is refused', () => {
  it('copies are the same, made by the loop and the spread', () => {
    const script = `
      const { copyMap } = require(${JSON.stringify(join(__dirname, '../src/transform/values.ts'))});
      const { overlay } = require(${JSON.stringify(join(__dirname, '../src/transform/views.ts'))});
      const { copiersMade } = require(${JSON.stringify(join(__dirname, '../src/transform/shape-copiers.ts'))});
      class Item { constructor() { this.name = 'n'; this.attributes = { a: [1] }; } hello() { return 'hi ' + this.name; } }
      const map = copyMap({ a: 1, b: [2], c: { d: 3 } });
      const item = overlay(new Item(), { name: 'm' });
      process.stdout.write(JSON.stringify({ map, keys: Object.keys(item), hello: item.hello(), made: copiersMade() }));
    `;
    const child = spawnSync(
      process.execPath,
      ['--disallow-code-generation-from-strings', '--import', 'tsx', '--eval', script],
      { encoding: 'utf8' },
    );
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      map: { a: 1, b: [2], c: { d: 3 } },
      keys: ['name', 'attributes'],
      hello: 'hi m',
      made: 0,
    });
  });
});

describe('map copies with a key added', () => {
  it('hold the source keys in order, then the new key; nested values copied; source unchanged', () => {
    const source: Record<string, unknown> = { a: 1, 'b.c': [1, 2], d: { e: 'f' } };
    const frozen = structuredClone(source);
    const added = { statement: 'value' };
    // Twice: the second copy comes from the copier the first made.
    for (let round = 0; round < 2; round++) {
      const copy = copyMapAdding(source, 'with "quotes"', added);
      assert.deepEqual(Object.keys(copy), ['a', 'b.c', 'd', 'with "quotes"']);
      assert.equal(copy['with "quotes"'], added, "the statement's value is its own, not copied");
      assert.deepEqual(copy['b.c'], [1, 2]);
      assert.notEqual(copy['b.c'], source['b.c']);
      assert.notEqual(copy.d, source.d);
    }
    assert.deepEqual(source, frozen);
  });

  it('`__proto__` added stays a key', () => {
    const copy = copyMapAdding({ a: 1 }, '__proto__', 'value');
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['a', '__proto__']);
    assert.equal(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value, 'value');
  });
});

// Last: once the bound is reached, every later copy in this process takes the loop.
describe('bounds', () => {
  it('maps past the key bound and shapes past the copier bound are still copied whole', () => {
    const wide = Object.fromEntries(
      Array.from({ length: MAX_COPIER_KEYS + 5 }, (_, i) => [`k${i}`, i]),
    );
    assertCopy(copyMap(wide), wide);
    for (let shape = 0; shape < MAX_COPIERS + 20; shape++) {
      const source = { [`shape ${shape}`]: shape, list: [shape] };
      assertCopy(copyMap(source), source);
    }
    assert.equal(copiersMade(), MAX_COPIERS);
  });
});
