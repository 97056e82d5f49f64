import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnyValue, AnyValueMap } from '@otelpack/batching-core';
import {
  AttributeBudget,
  INTRINSIC_ATTRIBUTES,
  MAX_EVENT_ATTRIBUTES,
  MAX_METRIC_ATTRIBUTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  TRUNCATION_MARKER,
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

describe('New Relic limits: the documented numbers', () => {
  it('255 / 4,095 / 64; 255 per event; 150 per data point', () => {
    assert.deepEqual(LIMITS, { maxKeyLength: 255, maxValueLength: 4095, maxArrayLength: 64 });
    assert.equal(MAX_EVENT_ATTRIBUTES, 255);
    assert.equal(MAX_METRIC_ATTRIBUTES, 150);
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
      'a marker given by the user is replaced',
      { a: 'v'.repeat(4096), [TRUNCATION_MARKER]: 99 },
      10,
      { a: 'v'.repeat(4095), [TRUNCATION_MARKER]: 1 },
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
      assert.ok(Object.keys(limited.attributes).length <= max);
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
