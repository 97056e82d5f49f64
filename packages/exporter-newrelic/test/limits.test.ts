import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyValue, AnyValueMap } from '@otelpack/batching-core';
import {
  AttributeBudget,
  INTRINSIC_ATTRIBUTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  TRUNCATION_MARKER,
  flatCount,
  limitAttributes,
  limitValue,
  truncateText,
} from '../src';

/*
 * The limits, as New Relic documents them:
 * - names ≤ 255, values ≤ 4,095 characters, arrays ≤ 64 entries: docs.newrelic.com
 *   "OpenTelemetry best practices: attributes" (and docs-website PR #7531: one more character and
 *   the item is dropped with an NrIntegrationError);
 * - 150 attributes per metric: "Metric API limits and restricted attributes";
 * - 255 attributes per event (spans, span events, log records): "Event API: limits".
 */
const LIMITS = NEW_RELIC_ATTRIBUTE_LIMITS;

describe('New Relic limits: the documented numbers, at their edges', () => {
  // Each row: the documented number, and what the limiting does at it and one past it.
  const longest = (n: number) => 'k'.repeat(n);
  it('names: 255 characters kept, 256 cut to 255', () => {
    assert.equal(limitAttributes({ [longest(255)]: 1 }, LIMITS, 10).shortened, 0);
    const cut = limitAttributes({ [longest(256)]: 1 }, LIMITS, 10).attributes;
    assert.deepEqual(Object.keys(cut), [longest(255), TRUNCATION_MARKER]);
  });
  it('values: 4,095 characters kept, 4,096 cut to 4,095', () => {
    assert.equal(limitValue('v'.repeat(4095), LIMITS).changed, false);
    assert.equal((limitValue('v'.repeat(4096), LIMITS).value as string).length, 4095);
  });
  it('arrays: 64 entries kept, 65 cut to 64', () => {
    assert.equal(limitValue(new Array<number>(64).fill(1), LIMITS).changed, false);
    assert.equal((limitValue(new Array<number>(65).fill(1), LIMITS).value as number[]).length, 64);
  });
  it('255 attributes per event, 150 per data point, New Relic’s own and the resource’s included', () => {
    const empty = { attributes: {} };
    assert.equal(new AttributeBudget('events').forRecord(empty) + INTRINSIC_ATTRIBUTES, 255);
    assert.equal(new AttributeBudget('metrics').forRecord(empty) + INTRINSIC_ATTRIBUTES, 150);
    const at = new AttributeBudget('events').forRecord(empty);
    const count = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`a${i}`, i]));
    assert.equal(limitAttributes(count(at), LIMITS, at).dropped, 0);
    assert.equal(Object.keys(limitAttributes(count(at + 1), LIMITS, at).attributes).length, at);
  });
});

describe('New Relic limits: truncateText', () => {
  const table: [string, string, number, string][] = [
    ['shorter: unchanged', 'abc', 5, 'abc'],
    ['exactly the limit: unchanged', 'abcde', 5, 'abcde'],
    ['one over: cut to the limit', 'abcdef', 5, 'abcde'],
    // 😀 is two UTF-16 units (a surrogate pair): cutting between them would leave a lone half,
    // which protobuf's UTF-8 cannot carry.
    ['a pair across the limit: cut before it', 'abcd😀', 5, 'abcd'],
    ['a pair just inside: kept whole', 'abc😀e', 5, 'abc😀'],
    ['4,096 characters at 4,095', 'x'.repeat(4096), 4095, 'x'.repeat(4095)],
  ];
  for (const [what, text, max, expected] of table) {
    it(what, () => assert.equal(truncateText(text, max), expected));
  }
});

describe('New Relic limits: limitValue', () => {
  const long = 'v'.repeat(5000);
  const table: [string, AnyValue, AnyValue, boolean][] = [
    ['a short string', 'ok', 'ok', false],
    ['a 4,095-character string (the limit)', 'v'.repeat(4095), 'v'.repeat(4095), false],
    ['a 4,096-character string', 'v'.repeat(4096), 'v'.repeat(4095), true],
    ['a number', 12.5, 12.5, false],
    ['a boolean', true, true, false],
    ['null', null, null, false],
    [
      '64 entries (the limit)',
      Array.from({ length: 64 }, (_, i) => i),
      Array.from({ length: 64 }, (_, i) => i),
      false,
    ],
    [
      '65 entries: the first 64',
      Array.from({ length: 65 }, (_, i) => i),
      Array.from({ length: 64 }, (_, i) => i),
      true,
    ],
    ['an array with a long string', ['a', long], ['a', 'v'.repeat(4095)], true],
    ['a nested map (log attributes)', { inner: long }, { inner: 'v'.repeat(4095) }, true],
    ['bytes: unchanged', new Uint8Array([1, 2]), new Uint8Array([1, 2]), false],
  ];
  for (const [what, value, expected, changed] of table) {
    it(what, () => {
      const limited = limitValue(value, LIMITS);
      assert.deepEqual(limited.value, expected);
      assert.equal(limited.changed, changed);
      if (!changed) assert.equal(limited.value, value, 'an unchanged value is the same object');
    });
  }
});

describe('New Relic limits: limitAttributes', () => {
  const longKey = 'k'.repeat(300);
  const table: [string, AnyValueMap, number, AnyValueMap, number, number][] = [
    ['nothing over: the same object', { a: 'x', b: 1 }, 10, { a: 'x', b: 1 }, 0, 0],
    [
      'a long value: cut, marker 1',
      { a: 'v'.repeat(4100), b: 1 },
      10,
      { a: 'v'.repeat(4095), b: 1, [TRUNCATION_MARKER]: 1 },
      1,
      0,
    ],
    [
      'a long name: cut to 255',
      { [longKey]: 'x' },
      10,
      { ['k'.repeat(255)]: 'x', [TRUNCATION_MARKER]: 1 },
      1,
      0,
    ],
    [
      'two names equal once cut: the second left out',
      { [`${'k'.repeat(255)}a`]: 1, [`${'k'.repeat(255)}b`]: 2 },
      10,
      { ['k'.repeat(255)]: 1, [TRUNCATION_MARKER]: 2 },
      1,
      1,
    ],
    [
      'over the count: the first kept, one place for the marker',
      { a: 1, b: 2, c: 3, d: 4 },
      3,
      { a: 1, b: 2, [TRUNCATION_MARKER]: 2 },
      0,
      2,
    ],
    [
      'over the count, the last kept shortened: it gives its place, counted once',
      { a: 1, b: 2, c: 'v'.repeat(4096), d: 4 },
      3,
      { a: 1, b: 2, [TRUNCATION_MARKER]: 2 },
      0,
      2,
    ],
    ['exactly the count: unchanged', { a: 1, b: 2, c: 3 }, 3, { a: 1, b: 2, c: 3 }, 0, 0],
    [
      'a marker given by the user gives way to ours, and is counted as left out',
      { a: 'v'.repeat(4096), [TRUNCATION_MARKER]: 99 },
      10,
      { a: 'v'.repeat(4095), [TRUNCATION_MARKER]: 2 },
      1,
      1,
    ],
    [
      'a marker given by the user, nothing over: kept as it is',
      { a: 'x', [TRUNCATION_MARKER]: 99 },
      10,
      { a: 'x', [TRUNCATION_MARKER]: 99 },
      0,
      0,
    ],
    // Nested maps (log attributes), as New Relic flattens them into dotted names.
    [
      'a nested map within the limits: the same object',
      { m: { a: 1, b: { c: 'x' } } },
      10,
      { m: { a: 1, b: { c: 'x' } } },
      0,
      0,
    ],
    [
      'a nested map whose leaves go over the count: flattened, the first kept',
      { m: { a: 1, b: { c: 2, d: 3 } }, e: 4 },
      3,
      { 'm.a': 1, 'm.b.c': 2, [TRUNCATION_MARKER]: 2 },
      0,
      2,
    ],
    [
      'a nested name of 401 characters once flattened: cut to 255',
      { [longKey.slice(0, 200)]: { [longKey.slice(0, 200)]: 'x' } },
      10,
      { [`${'k'.repeat(200)}.${'k'.repeat(54)}`]: 'x', [TRUNCATION_MARKER]: 1 },
      1,
      0,
    ],
    [
      'a long value two maps deep: cut; its neighbours flattened beside it',
      { m: { n: { v: 'v'.repeat(4096) }, w: 1 } },
      10,
      { 'm.n.v': 'v'.repeat(4095), 'm.w': 1, [TRUNCATION_MARKER]: 1 },
      1,
      0,
    ],
    [
      'an empty nested map: one attribute, kept as it is',
      { m: {}, a: 'v'.repeat(4096) },
      10,
      { m: {}, a: 'v'.repeat(4095), [TRUNCATION_MARKER]: 1 },
      1,
      0,
    ],
  ];
  for (const [what, attributes, max, expected, shortened, dropped] of table) {
    it(what, () => {
      const limited = limitAttributes(attributes, LIMITS, max);
      assert.deepEqual(limited.attributes, expected);
      assert.equal(limited.shortened, shortened);
      assert.equal(limited.dropped, dropped);
      assert.ok(flatCount(limited.attributes) <= max);
      if (shortened + dropped === 0) assert.equal(limited.attributes, attributes);
    });
  }

  it('never changes the object it is given', () => {
    const attributes = { a: 'v'.repeat(5000), b: [1, 2, 3] };
    const copy = structuredClone(attributes);
    limitAttributes(attributes, LIMITS, 1);
    assert.deepEqual(attributes, copy);
  });
});

describe('New Relic limits: the budget a record has after its resource', () => {
  it('255 less New Relic’s own for events, 150 less them for points; the resource takes its share', () => {
    const events = new AttributeBudget('events');
    const points = new AttributeBudget('metrics');
    const resource = {
      attributes: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`r${i}`, i])),
    };
    assert.equal(events.forRecord(resource), 255 - INTRINSIC_ATTRIBUTES - 40);
    assert.equal(points.forRecord(resource), 150 - INTRINSIC_ATTRIBUTES - 40);
    const huge = {
      attributes: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`r${i}`, i])),
    };
    assert.equal(points.resourceCount(huge), 150 - INTRINSIC_ATTRIBUTES);
    assert.equal(points.forRecord(huge), 1, 'one place is always left, for the marker');
  });
});

describe('New Relic limits: a log attribute holding a 300-key map', () => {
  it('its 300 flattened attributes count toward the record: 239 less one for the marker kept', () => {
    const max = new AttributeBudget('events').forRecord({ attributes: {} });
    const map = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const limited = limitAttributes<AnyValueMap>({ map }, LIMITS, max);
    assert.equal(flatCount(limited.attributes), max);
    assert.equal(limited.dropped, 300 - (max - 1));
    assert.equal(limited.attributes[TRUNCATION_MARKER], limited.dropped);
    assert.equal(limited.attributes['map.k0'], 0);
  });
});
