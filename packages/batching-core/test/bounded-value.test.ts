import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CIRCULAR_MARKER,
  DEFAULT_VALUE_BOUNDS,
  TOO_DEEP_MARKER,
  TRUNCATED_MARKER,
  boundedValue,
} from '../src/index';
import { doublingTextValue, doublingValue } from '../src/testing';

test('a value that refers to itself is written with the marker in place of the repeat', () => {
  const b: Record<string, unknown> = { name: 'b' };
  b.a = b;
  b.b = b;
  assert.deepEqual(boundedValue(b), { name: 'b', a: CIRCULAR_MARKER, b: CIRCULAR_MARKER });
  const list: unknown[] = [1];
  list.push(list, { back: list });
  assert.deepEqual(boundedValue(list), [1, CIRCULAR_MARKER, { back: CIRCULAR_MARKER }]);
});

test('a value within the bounds is the same reference: nothing copied', () => {
  const shared = { k: 'v' };
  const value = { a: shared, b: shared, list: [1, 'two', new Uint8Array([3]), null] };
  assert.equal(boundedValue(value), value);
  assert.equal(boundedValue('text'), 'text');
  assert.equal(boundedValue(undefined), undefined);
});

test('nesting deeper than maxDepth is cut with a marker', () => {
  let deep: unknown = 'bottom';
  for (let i = 0; i < 40; i++) deep = [deep];
  let out = boundedValue(deep) as unknown;
  let depth = 0;
  while (Array.isArray(out)) {
    out = out[0];
    depth++;
  }
  assert.equal(depth, DEFAULT_VALUE_BOUNDS.maxDepth);
  assert.equal(out, TOO_DEEP_MARKER);
});

test('a shared object that doubles at every level stays within maxNodes, and says it was cut', () => {
  const out = boundedValue(doublingValue(60), { maxDepth: 100, maxNodes: 1_000 });
  const text = JSON.stringify(out);
  assert.ok(text.includes(TRUNCATED_MARKER));
  // Every written value (item or entry) is one of the 1,000; markers add one per open container.
  assert.ok(text.length < 40_000, `${text.length} characters`);
});

test('the default bounds write the doubling chain in bounded time and size', () => {
  const out = boundedValue(doublingValue(64));
  const text = JSON.stringify(out);
  assert.ok(text.includes(TOO_DEEP_MARKER) || text.includes(TRUNCATED_MARKER));
  assert.ok(text.length < 5_000_000, `${text.length} characters`);
});

test('a long array keeps maxNodes items, then the marker', () => {
  const out = boundedValue(
    Array.from({ length: 10 }, (_, i) => i),
    { maxDepth: 8, maxNodes: 4 },
  );
  assert.deepEqual(out, [0, 1, 2, 3, TRUNCATED_MARKER]);
  const map = boundedValue({ a: 1, b: 2, c: 3 }, { maxDepth: 8, maxNodes: 2 });
  assert.deepEqual(map, { a: 1, b: 2, [TRUNCATED_MARKER]: TRUNCATED_MARKER });
});

test('a copied map keeps a __proto__ key as data', () => {
  const value = JSON.parse('{"__proto__": {"x": 1}, "self": null}') as Record<string, unknown>;
  value.self = value;
  const out = boundedValue(value) as Record<string, unknown>;
  assert.deepEqual(Object.keys(out), ['__proto__', 'self']);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(out.self, CIRCULAR_MARKER);
});

test('strings count against maxChars: the one that would pass it is cut, the marker after it', () => {
  const bounds = { maxDepth: 8, maxNodes: 100, maxChars: 7 };
  assert.deepEqual(boundedValue(['abc', 'defg', 'h'], bounds), ['abc', 'defg', TRUNCATED_MARKER]);
  assert.deepEqual(boundedValue(['abc', 'defghij', 'k'], bounds), [
    'abc',
    `defg${TRUNCATED_MARKER}`,
    TRUNCATED_MARKER,
  ]);
  // A map's keys count with its string values: 'ab' + 'cd' leave 2 of 6, 'ef' takes them, and
  // nothing of 'g' fits.
  assert.deepEqual(boundedValue({ ab: 'cd', ef: 'g', i: 1 }, { ...bounds, maxChars: 6 }), {
    ab: 'cd',
    [TRUNCATED_MARKER]: TRUNCATED_MARKER,
  });
  // One long text in a map keeps its start, and the entries after it end with the marker.
  assert.deepEqual(
    boundedValue({ level: 'info', msg: 'x'.repeat(50), at: 1 }, { ...bounds, maxChars: 20 }),
    {
      level: 'info',
      msg: `${'x'.repeat(8)}${TRUNCATED_MARKER}`,
      [TRUNCATED_MARKER]: TRUNCATED_MARKER,
    },
  );
  // Never between the halves of a surrogate pair.
  assert.deepEqual(boundedValue(['ab\u{1F600}cd'], { ...bounds, maxChars: 3 }), [
    `ab${TRUNCATED_MARKER}`,
  ]);
  // Numbers and booleans cost no characters.
  assert.deepEqual(boundedValue([1, true, 'abcdefg'], bounds), [1, true, 'abcdefg']);
});

test('once the characters are spent, every container around the cut with items left ends too', () => {
  const out = boundedValue([['aaaa', 'bbbb', 'c'], 'd'], {
    maxDepth: 8,
    maxNodes: 100,
    maxChars: 6,
  });
  assert.deepEqual(out, [['aaaa', `bb${TRUNCATED_MARKER}`, TRUNCATED_MARKER], TRUNCATED_MARKER]);
});

test('one long text under every leaf of a doubling value is cut by characters, not values', () => {
  const out = boundedValue(doublingTextValue());
  const text = JSON.stringify(out);
  assert.ok(text.includes(TRUNCATED_MARKER));
  // The strings written are at most maxChars; the rest is keys, markers and JSON punctuation.
  assert.ok(text.length < DEFAULT_VALUE_BOUNDS.maxChars + 100_000, `${text.length} characters`);
});
