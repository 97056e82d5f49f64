import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { createTransformStage } from '../src';
import type { ReadableLogRecordLike } from '../src';
import { compareValues } from '../src/transform/values';
import { deepFreeze, logRecord } from './helpers/transform-items';

/*
 * Each function's behaviour, as the Collector's own tests for it define it (pkg/ottl/ottlfuncs/
 * func_*_test.go): the cases as data, each row naming its file. The statements run in the log
 * context, on a frozen record: a write to the SDK's object would throw.
 */

function run(
  statement: string,
  fields: Partial<ReadableLogRecordLike>,
): ReadableLogRecordLike | undefined {
  const stage = createTransformStage({ log: [statement], errorMode: 'propagate' }, 'test');
  const result = stage!.apply('logs', [deepFreeze(logRecord(fields))]);
  if (result.failed > 0) throw new Error(result.firstError);
  return result.items[0] as ReadableLogRecordLike | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface MapRow {
  source: string;
  name: string;
  statement: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
}

/** Cases of ours, where the Collector's tests have none for what we support. */
const OURS = 'otelpack';
const LIMIT = 'pkg/ottl/ottlfuncs/func_limit_test.go';
const TRUNCATE = 'pkg/ottl/ottlfuncs/func_truncate_all_test.go';
const RAP = 'pkg/ottl/ottlfuncs/func_replace_all_patterns_test.go';
const FLATTEN = 'pkg/ottl/ottlfuncs/func_flatten_test.go';
const KEEP = 'pkg/ottl/ottlfuncs/func_keep_keys_test.go';
const DELETE = 'pkg/ottl/ottlfuncs/func_delete_key_test.go';
const DELETE_MATCHING = 'pkg/ottl/ottlfuncs/func_delete_matching_keys_test.go';
const KEEP_MATCHING = 'pkg/ottl/ottlfuncs/func_keep_matching_keys_test.go';
const MERGE = 'pkg/ottl/ottlfuncs/func_merge_maps_test.go';

const limitInput = { test: 'hello world', test2: 3, test3: true };
const fooInput = { foo: 'bar', foo1: 'bar', foo2: 3 };
const rapInput = { test: 'hello world', test2: 'hello', test3: 'goodbye world1 and world2' };
const mapRows: MapRow[] = [
  {
    source: LIMIT,
    name: 'limit to 1',
    statement: 'limit(attributes, 1, [])',
    input: limitInput,
    expected: { test: 'hello world' },
  },
  {
    source: LIMIT,
    name: 'limit to zero',
    statement: 'limit(attributes, 0, [])',
    input: limitInput,
    expected: {},
  },
  {
    source: LIMIT,
    name: 'limit nothing',
    statement: 'limit(attributes, 100, [])',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: LIMIT,
    name: 'limit exact',
    statement: 'limit(attributes, 3, [])',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: LIMIT,
    name: 'keep one key',
    statement: 'limit(attributes, 2, ["test3"])',
    input: limitInput,
    expected: { test: 'hello world', test3: true },
  },
  {
    source: LIMIT,
    name: 'keep same # of keys as limit',
    statement: 'limit(attributes, 2, ["test", "test3"])',
    input: limitInput,
    expected: { test: 'hello world', test3: true },
  },
  {
    source: LIMIT,
    name: 'keep not existing key',
    statement: 'limit(attributes, 1, ["te"])',
    input: limitInput,
    expected: { test: 'hello world' },
  },
  {
    source: LIMIT,
    name: 'keep not-/existing keys',
    statement: 'limit(attributes, 2, ["te", "test3"])',
    input: limitInput,
    expected: { test: 'hello world', test3: true },
  },
  {
    source: TRUNCATE,
    name: 'truncate map',
    statement: 'truncate_all(attributes, 1)',
    input: limitInput,
    expected: { test: 'h', test2: 3, test3: true },
  },
  {
    source: TRUNCATE,
    name: 'truncate map to zero',
    statement: 'truncate_all(attributes, 0)',
    input: limitInput,
    expected: { test: '', test2: 3, test3: true },
  },
  {
    source: TRUNCATE,
    name: 'truncate nothing',
    statement: 'truncate_all(attributes, 100)',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: TRUNCATE,
    name: 'truncate exact',
    statement: 'truncate_all(attributes, 11)',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: RAP,
    name: 'replace only matches',
    statement: 'replace_all_patterns(attributes, "value", "hello", "hello {universe}")',
    input: rapInput,
    expected: {
      test: 'hello {universe} world',
      test2: 'hello {universe}',
      test3: 'goodbye world1 and world2',
    },
  },
  {
    source: RAP,
    name: 'no matches',
    statement: 'replace_all_patterns(attributes, "value", "nothing", "nothing {matches}")',
    input: rapInput,
    expected: rapInput,
  },
  {
    source: RAP,
    name: 'multiple regex match',
    statement: 'replace_all_patterns(attributes, "value", "world[^\\\\s]*(\\\\s?)", "**** ")',
    input: rapInput,
    expected: { test: 'hello **** ', test2: 'hello', test3: 'goodbye **** and **** ' },
  },
  {
    source: OURS,
    name: 'replace keys (mode key)',
    statement: 'replace_all_patterns(attributes, "key", "^test", "attr")',
    input: rapInput,
    expected: { attr: 'hello world', attr2: 'hello', attr3: 'goodbye world1 and world2' },
  },
  {
    source: FLATTEN,
    name: 'simple',
    statement: 'flatten(attributes)',
    input: { name: 'test' },
    expected: { name: 'test' },
  },
  {
    source: FLATTEN,
    name: 'nested map',
    statement: 'flatten(attributes)',
    input: { address: { street: 'first', house: 1234 } },
    expected: { 'address.street': 'first', 'address.house': 1234 },
  },
  {
    source: FLATTEN,
    name: 'conflicting map',
    statement: 'flatten(attributes, resolveConflicts=true)',
    input: { address: { street: 'first', house: 1234 }, 'address.street': 'second' },
    expected: { 'address.street': 'first', 'address.house': 1234, 'address.street.1': 'second' },
  },
  {
    source: FLATTEN,
    name: 'nested slice',
    statement: 'flatten(attributes)',
    input: { occupants: ['user 1', 'user 2'] },
    expected: { 'occupants.0': 'user 1', 'occupants.1': 'user 2' },
  },
  {
    source: FLATTEN,
    name: 'deep nesting',
    statement: 'flatten(attributes)',
    input: { 1: { 2: { 3: { 4: '5' } } } },
    expected: { '1.2.3.4': '5' },
  },
  {
    source: FLATTEN,
    name: 'use prefix',
    statement: 'flatten(attributes, "app")',
    input: {
      name: 'test',
      address: { street: 'first', house: 1234 },
      occupants: ['user 1', 'user 2'],
    },
    expected: {
      'app.name': 'test',
      'app.address.street': 'first',
      'app.address.house': 1234,
      'app.occupants.0': 'user 1',
      'app.occupants.1': 'user 2',
    },
  },
  {
    source: FLATTEN,
    name: 'max depth',
    statement: 'flatten(attributes, depth=2)',
    input: { 0: { 1: { 2: { 3: 'value' } } } },
    expected: { '0.1.2': { 3: 'value' } },
  },
  {
    source: KEEP,
    name: 'keep one',
    statement: 'keep_keys(attributes, ["test"])',
    input: limitInput,
    expected: { test: 'hello world' },
  },
  {
    source: KEEP,
    name: 'keep two',
    statement: 'keep_keys(attributes, ["test", "test2"])',
    input: limitInput,
    expected: { test: 'hello world', test2: 3 },
  },
  {
    source: KEEP,
    name: 'keep none',
    statement: 'keep_keys(attributes, [])',
    input: limitInput,
    expected: {},
  },
  {
    source: KEEP,
    name: 'no match',
    statement: 'keep_keys(attributes, ["no match"])',
    input: limitInput,
    expected: {},
  },
  {
    source: DELETE,
    name: 'delete test',
    statement: 'delete_key(attributes, "test")',
    input: limitInput,
    expected: { test2: 3, test3: true },
  },
  {
    source: DELETE,
    name: 'delete test2',
    statement: 'delete_key(attributes, "test2")',
    input: limitInput,
    expected: { test: 'hello world', test3: true },
  },
  {
    source: DELETE,
    name: 'delete nothing',
    statement: 'delete_key(attributes, "not a valid key")',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: DELETE_MATCHING,
    name: 'delete everything',
    statement: 'delete_matching_keys(attributes, "test.*")',
    input: limitInput,
    expected: {},
  },
  {
    source: DELETE_MATCHING,
    name: 'delete attributes that end in a number',
    statement: 'delete_matching_keys(attributes, "\\\\d$")',
    input: limitInput,
    expected: { test: 'hello world' },
  },
  {
    source: DELETE_MATCHING,
    name: 'delete nothing',
    statement: 'delete_matching_keys(attributes, "not a matching pattern")',
    input: limitInput,
    expected: limitInput,
  },
  {
    source: KEEP_MATCHING,
    name: 'keep everything that ends with a number',
    statement: 'keep_matching_keys(attributes, "\\\\d$")',
    input: fooInput,
    expected: { foo1: 'bar', foo2: 3 },
  },
  {
    source: KEEP_MATCHING,
    name: 'keep nothing',
    statement: 'keep_matching_keys(attributes, "bar.*")',
    input: fooInput,
    expected: {},
  },
  {
    source: KEEP_MATCHING,
    name: 'keep everything',
    statement: 'keep_matching_keys(attributes, "foo.*")',
    input: fooInput,
    expected: fooInput,
  },
  {
    source: MERGE,
    name: 'Upsert no conflicting keys',
    statement: 'merge_maps(attributes, {"attr2": "value2"}, "upsert")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value1', attr2: 'value2' },
  },
  {
    source: MERGE,
    name: 'Upsert conflicting key',
    statement: 'merge_maps(attributes, {"attr1": "value3", "attr2": "value2"}, "upsert")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value3', attr2: 'value2' },
  },
  {
    source: MERGE,
    name: 'Insert no conflicting keys',
    statement: 'merge_maps(attributes, {"attr2": "value2"}, "insert")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value1', attr2: 'value2' },
  },
  {
    source: MERGE,
    name: 'Insert conflicting key',
    statement: 'merge_maps(attributes, {"attr1": "value3", "attr2": "value2"}, "insert")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value1', attr2: 'value2' },
  },
  {
    source: MERGE,
    name: 'Update no conflicting keys',
    statement: 'merge_maps(attributes, {"attr2": "value2"}, "update")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value1' },
  },
  {
    source: MERGE,
    name: 'Update conflicting key',
    statement: 'merge_maps(attributes, {"attr1": "value3"}, "update")',
    input: { attr1: 'value1' },
    expected: { attr1: 'value3' },
  },
];

describe('transform editors on maps: the Collector’s cases', () => {
  for (const row of mapRows) {
    it(`${row.name} (${row.source})`, () => {
      const out = run(row.statement, { attributes: row.input as never });
      assert.deepEqual({ ...out?.attributes }, row.expected);
    });
  }
});

const REPLACE = 'pkg/ottl/ottlfuncs/func_replace_pattern_test.go';
const SET = 'pkg/ottl/ottlfuncs/func_set_test.go';
const REPLACE_MATCH = 'pkg/ottl/ottlfuncs/func_replace_match_test.go';
const passwd = 'application passwd=sensitivedtata otherarg=notsensitive key1 key2';
const stringRows: {
  source: string;
  name: string;
  statement: string;
  input: unknown;
  expected: unknown;
}[] = [
  {
    source: REPLACE,
    name: 'replace regex match (with hash function)',
    statement: 'replace_pattern(body, "passwd\\\\=([^\\\\s]*)\\\\s?", "$1", SHA256, "passwd=%s")',
    input: passwd,
    expected: `application passwd=${sha256('sensitivedtata')}otherarg=notsensitive key1 key2`,
  },
  {
    source: REPLACE,
    name: 'replace regex match (static text)',
    statement: 'replace_pattern(body, "passwd\\\\=([^\\\\s]*)", "passwd", SHA256)',
    input: passwd,
    expected: `application ${sha256('passwd')} otherarg=notsensitive key1 key2`,
  },
  {
    source: REPLACE,
    name: 'no capture group with $1 and hash function',
    statement: 'replace_pattern(body, "passwd\\\\=[^\\\\s]*\\\\s?", "$1", SHA256)',
    input: passwd,
    expected: `application ${sha256('')}otherarg=notsensitive key1 key2`,
  },
  {
    source: REPLACE,
    name: 'no capture group or hash function with $1',
    statement: 'replace_pattern(body, "passwd\\\\=[^\\\\s]*\\\\s?", "$1")',
    input: passwd,
    expected: 'application otherarg=notsensitive key1 key2',
  },
  {
    source: REPLACE,
    name: 'replace regex match',
    statement: 'replace_pattern(body, "passwd\\\\=[^\\\\s]*(\\\\s?)", "passwd=*** ")',
    input: passwd,
    expected: 'application passwd=*** otherarg=notsensitive key1 key2',
  },
  {
    source: REPLACE,
    name: 'no regex match',
    statement: 'replace_pattern(body, "nomatch\\\\=[^\\\\s]*(\\\\s?)", "shouldnotbeinoutput")',
    input: passwd,
    expected: passwd,
  },
  {
    source: REPLACE,
    name: 'multiple regex match',
    statement: 'replace_pattern(body, "key[^\\\\s]*(\\\\s?)", "**** ")',
    input: passwd,
    expected: 'application passwd=sensitivedtata otherarg=notsensitive **** **** ',
  },
  {
    source: REPLACE,
    name: 'expand capturing groups',
    statement: 'replace_pattern(body, "(\\\\w+)=(\\\\w+)", "$1:$2")',
    input: passwd,
    expected: 'application passwd:sensitivedtata otherarg:notsensitive key1 key2',
  },
  {
    source: REPLACE,
    name: 'replacement with literal $',
    statement: 'replace_pattern(body, "passwd\\\\=[^\\\\s]*(\\\\s?)", "passwd=$$$$$$ ")',
    input: passwd,
    expected: 'application passwd=$$$ otherarg=notsensitive key1 key2',
  },
  {
    source: REPLACE,
    name: 'function replaces at match position not by text',
    statement: 'replace_pattern(body, "\\\\d+", "$0", SHA256)',
    input: 'user_id=42 parent_user_id=423',
    expected: `user_id=${sha256('42')} parent_user_id=${sha256('423')}`,
  },
  {
    source: REPLACE,
    name: 'function preserves prefix and suffix around match',
    statement: 'replace_pattern(body, "b", "$0", SHA256)',
    input: 'abc',
    expected: `a${sha256('b')}c`,
  },
  {
    source: REPLACE,
    name: 'bad input: not a string, left as it is (Test_replacePattern_bad_input)',
    statement: 'replace_pattern(body, "regexp", "{replacement}")',
    input: 1,
    expected: 1,
  },
  {
    source: REPLACE_MATCH,
    name: 'replace match (with hash function)',
    statement: 'replace_match(body, "hello*", "hello {universe}", SHA256, "passwd=%s")',
    input: 'hello world',
    expected: `passwd=${sha256('hello {universe}')}`,
  },
  {
    source: REPLACE_MATCH,
    name: 'replace match',
    statement: 'replace_match(body, "hello*", "hello {universe}")',
    input: 'hello world',
    expected: 'hello {universe}',
  },
  {
    source: REPLACE_MATCH,
    name: 'no match',
    statement: 'replace_match(body, "goodbye*", "goodbye {universe}")',
    input: 'hello world',
    expected: 'hello world',
  },
  {
    source: REPLACE_MATCH,
    name: 'bad input: not a string, left as it is (Test_replaceMatch_bad_input)',
    statement: 'replace_match(body, "*", "{replacement}")',
    input: 1,
    expected: 1,
  },
  {
    source: SET,
    name: 'set name',
    statement: 'set(body, "new name")',
    input: 'original name',
    expected: 'new name',
  },
  {
    source: SET,
    name: 'set nil value',
    statement: 'set(body, nil)',
    input: 'original name',
    expected: 'original name',
  },
];

describe('transform editors on strings: the Collector’s cases', () => {
  for (const row of stringRows) {
    it(`${row.name} (${row.source})`, () => {
      assert.equal(run(row.statement, { body: row.input as never })?.body, row.expected);
    });
  }
});

const converterRows: {
  source: string;
  name: string;
  expression: string;
  input?: unknown;
  expected: unknown;
}[] = [
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'concat strings',
    expression: 'Concat(["hello", "world"], " ")',
    expected: 'hello world',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'nil',
    expression: 'Concat(["hello", nil, "world"], "")',
    expected: 'hello<nil>world',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'integers',
    expression: 'Concat(["hello", 1], "")',
    expected: 'hello1',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'floats',
    expression: 'Concat(["hello", 3.14159], "")',
    expected: 'hello3.14159',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'booleans',
    expression: 'Concat(["hello", true], " ")',
    expected: 'hello true',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'byte slices',
    expression: 'Concat([0x00000000000000000ed2e63cbe71f5a8], "")',
    expected: '00000000000000000ed2e63cbe71f5a8',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'maps',
    expression: 'Concat([{"a": "b"}, {"c": "d"}], ",")',
    expected: '{"a":"b"},{"c":"d"}',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'slices',
    expression: 'Concat([[1, 2], [3, 4]], ",")',
    expected: '[1,2],[3,4]',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'empty string values',
    expression: 'Concat(["", "", ""], "__")',
    expected: '____',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'single argument',
    expression: 'Concat(["hello"], "-")',
    expected: 'hello',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_concat_test.go',
    name: 'no arguments',
    expression: 'Concat([], "-")',
    expected: '',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'string',
    expression: 'Int(body)',
    input: '50',
    expected: 50,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'empty string',
    expression: 'Int(body)',
    input: '',
    expected: undefined,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'not a number string',
    expression: 'Int(body)',
    input: 'test',
    expected: undefined,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'int64',
    expression: 'Int(body)',
    input: 333,
    expected: 333,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'float64',
    expression: 'Int(body)',
    input: 2.7,
    expected: 2,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'float64 without decimal',
    expression: 'Int(body)',
    input: 55.0,
    expected: 55,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'true',
    expression: 'Int(body)',
    input: true,
    expected: 1,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'false',
    expression: 'Int(body)',
    input: false,
    expected: 0,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_int_test.go',
    name: 'nil',
    expression: 'Int(body)',
    input: undefined,
    expected: undefined,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'replace match true',
    expression: 'IsMatch(body, "hello.*")',
    input: 'hello world',
    expected: true,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'replace match false',
    expression: 'IsMatch(body, "hello.*")',
    input: 'goodbye world',
    expected: false,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'replace match complex',
    expression: 'IsMatch(body, "[-+]?\\\\d*\\\\.\\\\d+([eE][-+]?\\\\d+)?")',
    input: '-12.001',
    expected: true,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'target bool',
    expression: 'IsMatch(body, "true")',
    input: true,
    expected: true,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'target int',
    expression: 'IsMatch(body, "\\\\d")',
    input: 1,
    expected: true,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'target float',
    expression: 'IsMatch(body, "\\\\d\\\\.\\\\d")',
    input: 1.1,
    expected: true,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_is_match_test.go',
    name: 'nil target',
    expression: 'IsMatch(body, "impossible to match")',
    input: undefined,
    expected: false,
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_sha256_test.go',
    name: 'string',
    expression: 'SHA256(body)',
    input: 'hello world',
    expected: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_sha256_test.go',
    name: 'empty string',
    expression: 'SHA256(body)',
    input: '',
    expected: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_len_test.go',
    name: 'string',
    expression: 'Len(body)',
    input: 'a string',
    expected: 8,
  },
  { source: OURS, name: 'map', expression: 'Len(body)', input: { a: 1, b: 2 }, expected: 2 },
  { source: OURS, name: 'slice', expression: 'Len(body)', input: [1, 2, 3], expected: 3 },
  {
    source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
    name: 'simple',
    expression: 'ToLowerCase(body)',
    input: 'SIMPLE',
    expected: 'simple',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
    name: 'already lower',
    expression: 'ToLowerCase(body)',
    input: 'simple',
    expected: 'simple',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
    name: 'complex',
    expression: 'ToLowerCase(body)',
    input: 'complex_SET-of.WORDS1234',
    expected: 'complex_set-of.words1234',
  },
  {
    source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
    name: 'empty string',
    expression: 'ToLowerCase(body)',
    input: '',
    expected: '',
  },
  { source: OURS, name: 'int64', expression: 'String(body)', input: 333, expected: '333' },
  { source: OURS, name: 'bool', expression: 'String(body)', input: true, expected: 'true' },
  { source: OURS, name: 'nil', expression: 'String(body)', input: undefined, expected: '<nil>' },
  { source: OURS, name: 'precedence', expression: '1 + 2 * 3 - 4', expected: 3 },
  { source: OURS, name: 'integer division truncates', expression: '10 / 4', expected: 2 },
];

describe('transform converters: the Collector’s cases', () => {
  for (const row of converterRows) {
    it(`${row.name} (${row.source})`, () => {
      const out = run(`set(attributes["out"], ${row.expression})`, { body: row.input as never });
      assert.deepEqual(out?.attributes.out, row.expected);
    });
  }

  const errorRows = [
    {
      source: 'pkg/ottl/ottlfuncs/func_sha256_test.go',
      expression: 'SHA256(body)',
      input: 10,
      error: 'expected string but got int',
    },
    {
      source: 'pkg/ottl/ottlfuncs/func_sha256_test.go',
      expression: 'SHA256(body)',
      input: undefined,
      error: 'expected string but got nil',
    },
    {
      source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
      expression: 'ToLowerCase(body)',
      input: 10,
      error: 'expected string but got int',
    },
    {
      source: 'pkg/ottl/ottlfuncs/func_to_lower_case_test.go',
      expression: 'ToLowerCase(body)',
      input: undefined,
      error: 'expected string but got nil',
    },
  ];
  for (const row of errorRows) {
    it(`${row.expression} of ${String(row.input)} fails: ${row.error} (${row.source})`, () => {
      assert.throws(
        () => run(`set(attributes["out"], ${row.expression})`, { body: row.input as never }),
        (e: Error) => e.message.includes(row.error),
      );
    });
  }

  it('runtime errors of ours: Len of a number, division by zero', () => {
    assert.throws(
      () => run('set(attributes["out"], Len(body))', { body: 5 }),
      /Len: cannot take the length of int/,
    );
    assert.throws(() => run('set(attributes["out"], 1 / 0)', {}), /attempted to divide by 0/);
  });
});

/* pkg/ottl/compare_test.go: every pair against every operator, in the order ==, !=, <, <=, >=, >. */
const COMPARE = 'pkg/ottl/compare_test.go';
const compareRows: { name: string; a: unknown; b: unknown; want: boolean[] }[] = [
  { name: 'identity string', a: '1', b: '1', want: [true, false, false, true, true, false] },
  { name: 'identity int64', a: 1, b: 1, want: [true, false, false, true, true, false] },
  {
    name: 'identity bytes',
    a: Buffer.from('1'),
    b: Buffer.from('1'),
    want: [true, false, false, true, true, false],
  },
  {
    name: 'identity nil',
    a: undefined,
    b: undefined,
    want: [true, false, false, true, true, false],
  },
  { name: 'diff strings', a: '1', b: '2', want: [false, true, true, true, false, false] },
  {
    name: 'string bytes',
    a: '1',
    b: Buffer.from('1'),
    want: [false, true, false, false, false, false],
  },
  { name: 'string int64', a: '1', b: 1, want: [false, true, false, false, false, false] },
  { name: 'string nil', a: '1', b: undefined, want: [false, true, false, false, false, false] },
  {
    name: 'diff bytes',
    a: Buffer.from('1'),
    b: Buffer.from('2'),
    want: [false, true, true, true, false, false],
  },
  {
    name: 'bytes int64',
    a: Buffer.from('1'),
    b: 1,
    want: [false, true, false, false, false, false],
  },
  { name: 'false true', a: false, b: true, want: [false, true, true, true, false, false] },
  { name: 'true false', a: true, b: false, want: [false, true, false, false, true, true] },
  { name: 'false false', a: false, b: false, want: [true, false, false, true, true, false] },
  { name: 'bool string', a: false, b: '1', want: [false, true, false, false, false, false] },
  { name: 'bool int64', a: false, b: 1, want: [false, true, false, false, false, false] },
  {
    name: 'bool and empty string',
    a: false,
    b: '',
    want: [false, true, false, false, false, false],
  },
  { name: 'nil string', a: undefined, b: '1', want: [false, true, false, false, false, false] },
  { name: 'nil int64', a: undefined, b: 1, want: [false, true, false, false, false, false] },
  {
    name: 'nil and empty string',
    a: undefined,
    b: '',
    want: [false, true, false, false, false, false],
  },
  { name: 'int64 int64', a: 1, b: 2, want: [false, true, true, true, false, false] },
  { name: 'int64 float64', a: 1, b: 2.5, want: [false, true, true, true, false, false] },
  { name: 'float64 int64', a: 1.5, b: 2, want: [false, true, true, true, false, false] },
  {
    name: 'non-prim, same type, equal',
    a: { Value: 'hi' },
    b: { Value: 'hi' },
    want: [true, false, false, false, false, false],
  },
  {
    name: 'non-prim, same type, not equal',
    a: { Value: 'hi' },
    b: { Value: 'byte' },
    want: [false, true, false, false, false, false],
  },
  {
    name: 'non-prim, int type',
    a: { Value: 'hi' },
    b: 5,
    want: [false, true, false, false, false, false],
  },
];

describe('transform comparisons: the Collector’s table', () => {
  const ops = ['==', '!=', '<', '<=', '>=', '>'] as const;
  for (const row of compareRows) {
    it(`${row.name} (${COMPARE})`, () => {
      assert.deepEqual(
        ops.map((op) => compareValues(row.a, op, row.b)),
        row.want,
      );
    });
  }
});
