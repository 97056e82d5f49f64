import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  expandPaths,
  flattenInto,
  objectFromPaths,
  resolvePathConflicts,
} from '../src/mapping/field-paths';
import type { JsonValue } from '../src/mapping/json-value';
import { plain } from './helpers/fixtures';

function paths(entries: [string, JsonValue][]): Map<string, JsonValue> {
  return new Map(entries);
}

test('a value that is also a parent path is renamed <path>.value', () => {
  const cases: [string, [string, JsonValue][], Record<string, JsonValue>][] = [
    [
      'no conflict',
      [
        ['a.b', 1],
        ['a.c', 2],
      ],
      { 'a.b': 1, 'a.c': 2 },
    ],
    [
      'leaf and child',
      [
        ['http', 'x'],
        ['http.method', 'GET'],
      ],
      { 'http.value': 'x', 'http.method': 'GET' },
    ],
    [
      'order does not matter',
      [
        ['http.method', 'GET'],
        ['http', 'x'],
      ],
      { 'http.method': 'GET', 'http.value': 'x' },
    ],
    [
      'grandchild',
      [
        ['a', 1],
        ['a.b.c', 2],
      ],
      { 'a.value': 1, 'a.b.c': 2 },
    ],
    [
      'two levels',
      [
        ['a', 1],
        ['a.b', 2],
        ['a.b.c', 3],
      ],
      { 'a.value': 1, 'a.b.value': 2, 'a.b.c': 3 },
    ],
    [
      'a.value taken',
      [
        ['a', 1],
        ['a.value', 2],
        ['a.x', 3],
      ],
      { 'a.value_2': 1, 'a.value': 2, 'a.x': 3 },
    ],
    [
      'a-b is not a child of a',
      [
        ['a', 1],
        ['a-b', 2],
      ],
      { a: 1, 'a-b': 2 },
    ],
  ];
  for (const [name, input, expected] of cases) {
    assert.deepEqual(plain(objectFromPaths(resolvePathConflicts(paths(input)))), expected, name);
  }
});

test('a kept value wins: the paths under it are left out, other conflicts still move to .value', () => {
  const resolved = resolvePathConflicts(
    paths([
      ['process.executable', '/usr/bin/ssh'],
      ['process.executable.name', 'ssh'],
      ['process.executable.foo.bar', 'baz'],
      ['process.executable2', 'not under it'],
      ['foo', 'scalar'],
      ['foo.bar', 'baz'],
    ]),
    new Set(['process.executable']),
  );
  assert.deepEqual(plain(objectFromPaths(resolved)), {
    'process.executable': '/usr/bin/ssh',
    'process.executable2': 'not under it',
    'foo.value': 'scalar',
    'foo.bar': 'baz',
  });
  // A kept path with nothing under it changes nothing.
  const untouched = paths([
    ['a', 1],
    ['b.c', 2],
  ]);
  assert.equal(resolvePathConflicts(untouched, new Set(['a'])), untouched);
});

test('expanded documents nest by dots, and conflicts never reach Elasticsearch', () => {
  const resolved = resolvePathConflicts(
    paths([
      ['host', 'h'],
      ['host.name', 'h1'],
      ['service.name', 'svc'],
      ['@timestamp', 't'],
    ]),
  );
  assert.deepEqual(plain(expandPaths(resolved)), {
    host: { value: 'h', name: 'h1' },
    service: { name: 'svc' },
    '@timestamp': 't',
  });
});

test('flattening: maps become dotted leaves; arrays and empty maps are leaves', () => {
  const out = new Map<string, JsonValue>();
  flattenInto(out, 'Body', { a: { b: 1 }, list: [{ x: 1 }], empty: {} });
  flattenInto(out, 'Plain', 'text');
  assert.deepEqual(plain(objectFromPaths(out)), {
    'Body.a.b': 1,
    'Body.list': [{ x: 1 }],
    'Body.empty': {},
    Plain: 'text',
  });
});
