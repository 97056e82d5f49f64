import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AnyValue } from '@otelpack/batching-core';
import {
  anyValueAsString,
  attributesToMap,
  serviceNameOf,
  wellFormed,
} from '../src/mapping/values';

test('anyValueAsString writes every value kind as the reference exporter does', () => {
  const cases: [string, AnyValue, string][] = [
    ['plain string', 'GET /users', 'GET /users'],
    ['empty string', '', ''],
    ['integer', 42, '42'],
    ['negative integer', -7, '-7'],
    ['zero', 0, '0'],
    ['negative zero', -0, '0'],
    ['large integer kept digit for digit', 2 ** 60, '1152921504606846976'],
    ['fraction', 3.25, '3.25'],
    ['tiny fraction in exponent form', 1e-7, '1e-7'],
    ['huge double in exponent form', 1.5e300, '1.5e+300'],
    ['NaN as Go prints it', NaN, 'json: unsupported value: NaN'],
    ['+Infinity as Go prints it', Infinity, 'json: unsupported value: +Inf'],
    ['-Infinity as Go prints it', -Infinity, 'json: unsupported value: -Inf'],
    ['true', true, 'true'],
    ['false', false, 'false'],
    ['null', null, ''],
    ['undefined', undefined, ''],
    ['bytes as base64', new Uint8Array([0, 1, 2, 253, 254, 255]), 'AAEC/f7/'],
    ['string array', ['a', 'b'], '["a","b"]'],
    ['number array', [1, 2.5, -3], '[1,2.5,-3]'],
    ['boolean array', [true, false], '[true,false]'],
    ['array with null and NaN', ['x', null, NaN, Infinity], '["x",null,null,null]'],
    ['nested arrays', [[1, [2]], []], '[[1,[2]],[]]'],
    [
      'map with keys sorted',
      { b: 1, a: 'x', c: { z: true, y: null } },
      '{"a":"x","b":1,"c":{"y":null,"z":true}}',
    ],
    ['bytes inside a map', { k: new Uint8Array([255]) }, '{"k":"/w=="}'],
    ['no HTML escaping', { html: '<a href="x">&</a>' }, '{"html":"<a href=\\"x\\">&</a>"}'],
    ['line and paragraph separators escaped as Go does', ['\u2028\u2029'], '["\\u2028\\u2029"]'],
    ['empty map', {}, '{}'],
  ];
  for (const [name, input, expected] of cases) {
    assert.equal(anyValueAsString(input), expected, name);
  }
});

test('lone surrogates become U+FFFD, at the top level, inside JSON and in keys', () => {
  assert.equal(anyValueAsString('a\ud800b'), 'a\ufffdb');
  assert.equal(anyValueAsString('\udc00'), '\ufffd');
  assert.equal(anyValueAsString('ok \ud83d\ude00'), 'ok \ud83d\ude00', 'a proper pair is kept');
  assert.equal(anyValueAsString(['\ud800']), '["\ufffd"]');
  assert.equal(anyValueAsString({ '\udfff': 'v' }), '{"\ufffd":"v"}');
  assert.equal(wellFormed('x\ud800'), 'x\ufffd');
});

test('a huge string passes through unchanged', () => {
  const huge = 'x'.repeat(5 * 1024 * 1024);
  assert.equal(anyValueAsString(huge).length, huge.length);
  assert.deepEqual(attributesToMap({ big: huge })[0][1].length, huge.length);
});

test("deep nesting is cut at the core's 32 levels, with its marker, instead of overflowing the stack", () => {
  let deep: AnyValue = 'leaf';
  for (let i = 0; i < 10_000; i++) deep = [deep];
  const text = anyValueAsString(deep);
  assert.equal(text, `${'['.repeat(32)}"[too deep]"${']'.repeat(32)}`);
});

test('attributesToMap sorts keys and encodes values', () => {
  assert.deepEqual(
    attributesToMap({
      'http.route': '/a',
      'a.count': 3,
      'z.flag': false,
      arr: ['x'],
      empty: undefined,
    }),
    [
      ['a.count', '3'],
      ['arr', '["x"]'],
      ['empty', ''],
      ['http.route', '/a'],
      ['z.flag', 'false'],
    ],
  );
  assert.deepEqual(attributesToMap({}), []);
  assert.deepEqual(attributesToMap(undefined), []);
});

test('attributesToMap keeps odd keys as data: empty, spaces, quotes, newlines, invalid UTF-16', () => {
  assert.deepEqual(
    attributesToMap({ '': 'e', 'a b': 's', '"q"': 'q', 'n\nl': 'n', 'x\ud800': 'u' }),
    [
      ['', 'e'],
      ['"q"', 'q'],
      ['a b', 's'],
      ['n\nl', 'n'],
      ['x\ufffd', 'u'],
    ],
  );
});

test('serviceNameOf reads service.name as text, whatever its type', () => {
  assert.equal(serviceNameOf({ 'service.name': 'checkout' }), 'checkout');
  assert.equal(serviceNameOf({ 'service.name': 12 }), '12');
  assert.equal(serviceNameOf({ other: 'x' }), '');
});
