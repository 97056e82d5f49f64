import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CIRCULAR_MARKER,
  MAX_VALUE_DEPTH,
  TOO_DEEP_MARKER,
  cleanKey,
  cleanString,
  toJsonObject,
  toJsonValue,
  wellFormed,
} from '../src/mapping/json-value';
import { plain } from './helpers/fixtures';

const limits = { maxStringLength: 10 };
const wide = { maxStringLength: 1_000_000 };

test('values: every OTel value type, and the ugly ones, have a documented JSON form', () => {
  const cases: [string, unknown, unknown][] = [
    ['string', 'abc', 'abc'],
    ['empty string', '', ''],
    ['integer', 42, 42],
    ['negative double', -1.5, -1.5],
    ['NaN becomes null', NaN, null],
    ['+Infinity becomes null', Infinity, null],
    ['-Infinity becomes null', -Infinity, null],
    ['-0 is written as 0 (JSON has no negative zero)', -0, 0],
    ['true', true, true],
    ['false', false, false],
    ['null', null, null],
    ['undefined has no form', undefined, undefined],
    ['a function has no form', () => 1, undefined],
    ['a symbol has no form', Symbol('s'), undefined],
    ['bigint becomes its decimal string', 12345678901234567890n, '12345678901234567890'],
    [
      'bytes become hex (serializer/map.go WriteValue)',
      new Uint8Array([0, 1, 254, 255]),
      '0001feff',
    ],
    ['a Date becomes ISO 8601', new Date(Date.UTC(2024, 0, 15)), '2024-01-15T00:00:00.000Z'],
    ['an invalid Date becomes null', new Date(NaN), null],
    ['homogeneous numbers stay', [1, 2.5, 3], [1, 2.5, 3]],
    ['NaN inside an array becomes null', [1, NaN], [1, null]],
    ['nulls do not make an array mixed', ['a', null, 'b'], ['a', null, 'b']],
    ['mixed scalars all become strings', [1, 'a', true], ['1', 'a', 'true']],
    ['nested arrays stay nested when homogeneous', [[1, 2], [3]], [[1, 2], [3]]],
    ['arrays next to scalars become strings', [[1, 2], 3], ['[1,2]', '3']],
    ['maps next to scalars become JSON strings', [{ a: 1 }, 'x'], ['{"a":1}', 'x']],
    ['arrays of maps stay', [{ a: 1 }, { b: 'x' }], [{ a: 1 }, { b: 'x' }]],
    ['undefined in an array becomes null', [1, undefined, 2], [1, null, 2]],
    ['maps convert recursively', { a: { b: [NaN] } }, { a: { b: [null] } }],
    ['undefined map entries are left out', { a: 1, b: undefined }, { a: 1 }],
  ];
  for (const [name, input, expected] of cases) {
    assert.deepEqual(plain(toJsonValue(input, wide) ?? '<none>'), expected ?? '<none>', name);
  }
});

test('strings: lone surrogates become U+FFFD, valid pairs are kept', () => {
  const cases: [string, string, string][] = [
    ['lone high surrogate', 'a\uD800b', 'a\uFFFDb'],
    ['lone low surrogate', 'a\uDC00b', 'a\uFFFDb'],
    ['high at the end', 'ab\uD83D', 'ab\uFFFD'],
    ['reversed pair', '\uDE00\uD83D', '\uFFFD\uFFFD'],
    ['valid pair', 'smile \uD83D\uDE00', 'smile \uD83D\uDE00'],
    ['plain ASCII', 'plain', 'plain'],
  ];
  for (const [name, input, expected] of cases) {
    assert.equal(wellFormed(input), expected, name);
    assert.equal(toJsonValue(input, wide), expected, name);
  }
  // The serialised form carries no escaped lone surrogate Elasticsearch could not store.
  assert.equal(JSON.stringify(toJsonValue('x\uD800', wide)), '"x\uFFFD"');
});

test('strings: cut at maxStringLength, never between the halves of a pair', () => {
  assert.equal(cleanString('0123456789abc', limits), '0123456789');
  assert.equal(cleanString('0123456789', limits), '0123456789');
  // The pair would straddle the limit: the cut moves before it.
  assert.equal(cleanString('012345678\uD83D\uDE00', limits), '012345678');
  const huge = 'x'.repeat(5_000_000);
  assert.equal((toJsonValue(huge, { maxStringLength: 1_048_576 }) as string).length, 1_048_576);
});

test('maps: keys Elasticsearch refuses are repaired; __proto__ is an ordinary key', () => {
  const cases: [string, string][] = [
    ['', '_'],
    ['.a', '_.a'],
    ['a.', 'a._'],
    ['a..b', 'a._.b'],
    ['...', '_._._._'],
    ['a.b', 'a.b'],
    ['k\uD800', 'k\uFFFD'],
  ];
  for (const [input, expected] of cases) assert.equal(cleanKey(input, wide), expected, input);

  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as Record<
    string,
    unknown
  >;
  const converted = toJsonObject(parsed, wide);
  assert.equal(JSON.stringify(converted), '{"__proto__":{"polluted":true},"ok":1}');
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('maps: routing keys can be excluded; nothing else is lost', () => {
  const out = toJsonObject(
    { a: 1, 'data_stream.dataset': 'x', b: undefined },
    wide,
    new Set(['data_stream.dataset']),
  );
  assert.deepEqual(plain(out), { a: 1 });
});

test('cycles and excessive depth become markers instead of a stack overflow', () => {
  const cyclic: Record<string, unknown> = { name: 'root' };
  cyclic.self = cyclic;
  cyclic.list = [cyclic];
  assert.deepEqual(plain(toJsonValue(cyclic, wide)), {
    name: 'root',
    self: CIRCULAR_MARKER,
    list: [CIRCULAR_MARKER],
  });

  // A shared (not cyclic) object appears twice in full.
  const shared = { v: 1 };
  assert.deepEqual(plain(toJsonValue({ a: shared, b: shared }, wide)), {
    a: { v: 1 },
    b: { v: 1 },
  });

  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < MAX_VALUE_DEPTH + 5; i++) deep = { next: deep };
  let node = toJsonValue(deep, wide) as Record<string, unknown>;
  let levels = 0;
  while (typeof node === 'object' && node !== null) {
    node = node.next as Record<string, unknown>;
    levels++;
  }
  assert.equal(levels, MAX_VALUE_DEPTH);
  assert.equal(node, TOO_DEEP_MARKER);
});
