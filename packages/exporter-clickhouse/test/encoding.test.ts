import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '@otelpack/batching-core/testing';
import { RowEncoder, insertBody, rowSize } from '../src/encoding/encoder';
import { jsonCompactEachRowWriter, jsonEachRowWriter } from '../src/encoding/json';
import { rowBinaryHeader, rowBinaryWriter } from '../src/encoding/row-binary';
import type { InsertColumn } from '../src/schema/tables';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { logRecordToRow } from '../src/mapping/logs';
import { makeLogRecord } from './fixtures';

const COLUMNS: InsertColumn[] = [
  { name: 'T', kind: 'datetime64', type: 'DateTime64(9)' },
  { name: 'S', kind: 'string', type: 'String' },
  { name: 'U8', kind: 'uint8', type: 'UInt8' },
  { name: 'U32', kind: 'uint32', type: 'UInt32' },
  { name: 'I32', kind: 'int32', type: 'Int32' },
  { name: 'U64', kind: 'uint64', type: 'UInt64' },
  { name: 'F', kind: 'float64', type: 'Float64' },
  { name: 'B', kind: 'bool', type: 'Bool' },
  { name: 'M', kind: 'map', type: 'Map(String, String)' },
  { name: 'N.S', kind: 'string[]', type: 'Array(String)' },
  { name: 'N.T', kind: 'datetime64[]', type: 'Array(DateTime64(9))' },
  { name: 'N.M', kind: 'map[]', type: 'Array(Map(String, String))' },
  { name: 'C', kind: 'uint64[]', type: 'Array(UInt64)' },
  { name: 'D', kind: 'float64[]', type: 'Array(Float64)' },
];

const ROW = {
  T: [1_700_000_000, 123_456_789],
  S: 'é"\n',
  U8: 255,
  U32: 4_000_000_000,
  I32: -2,
  U64: 18_446_744_073_709_551_615n,
  F: 1.5,
  B: true,
  M: [
    ['a', '1'],
    ['b', 'x"y'],
  ],
  'N.S': ['p', 'q'],
  'N.T': [[1, 1]],
  'N.M': [[], [['k', 'v']]],
  C: [0, 2 ** 40],
  D: [NaN, Infinity, -Infinity, -0.25],
};

test('JSONEachRow writes every column kind exactly', () => {
  assert.equal(
    jsonEachRowWriter(COLUMNS)(ROW),
    '{"T":"1700000000.123456789","S":"é\\"\\n","U8":255,"U32":4000000000,"I32":-2,' +
      '"U64":18446744073709551615,"F":1.5,"B":true,"M":{"a":"1","b":"x\\"y"},' +
      '"N.S":["p","q"],"N.T":["1.000000001"],"N.M":[{},{"k":"v"}],"C":[0,1099511627776],' +
      '"D":["nan","inf","-inf",-0.25]}\n',
  );
});

test('JSONCompactEachRow writes the same values positionally', () => {
  assert.equal(
    jsonCompactEachRowWriter(COLUMNS)(ROW),
    '["1700000000.123456789","é\\"\\n",255,4000000000,-2,18446744073709551615,1.5,true,' +
      '{"a":"1","b":"x\\"y"},["p","q"],["1.000000001"],[{},{"k":"v"}],[0,1099511627776],' +
      '["nan","inf","-inf",-0.25]]\n',
  );
});

test('RowBinary writes every column kind byte for byte', () => {
  const bytes = rowBinaryWriter(COLUMNS)(ROW);
  const expected = Buffer.concat([
    Buffer.from('15cd853dfe9c9717', 'hex'), // 1700000000123456789 as Int64 LE
    Buffer.from([4, 0xc3, 0xa9, 0x22, 0x0a]), // length 4, "é\"\n"
    Buffer.from([255]),
    Buffer.from('00286bee', 'hex'), // 4000000000 LE
    Buffer.from('feffffff', 'hex'), // -2
    Buffer.from('ffffffffffffffff', 'hex'),
    Buffer.from('000000000000f83f', 'hex'), // 1.5
    Buffer.from([1]),
    Buffer.from([2, 1, 0x61, 1, 0x31, 1, 0x62, 3, 0x78, 0x22, 0x79]),
    Buffer.from([2, 1, 0x70, 1, 0x71]),
    Buffer.from([1]),
    Buffer.from('01ca9a3b00000000', 'hex'), // 1000000001
    Buffer.from([2, 0, 1, 1, 0x6b, 1, 0x76]),
    Buffer.from([2]),
    Buffer.from('0000000000000000', 'hex'),
    Buffer.from('0000000000010000', 'hex'), // 2^40
    Buffer.from([4]),
    Buffer.from('000000000000f87f', 'hex'), // NaN
    Buffer.from('000000000000f07f', 'hex'), // +Inf
    Buffer.from('000000000000f0ff', 'hex'), // -Inf
    Buffer.from('000000000000d0bf', 'hex'), // -0.25
  ]);
  assert.equal(bytes.toString('hex'), expected.toString('hex'));
});

test('RowBinary timestamps equal BigInt seconds × 1e9 + nanos across the whole range', () => {
  const write = rowBinaryWriter([{ name: 'T', kind: 'datetime64', type: 'DateTime64(9)' }]);
  const samples: [number, number][] = [
    [0, 0],
    [0, 999_999_999],
    [131_071, 999_999_999],
    [131_072, 0],
    [1_700_000_000, 123_456_789],
    [4_294_967_295, 1],
    [9_223_372_035, 999_999_999],
  ];
  const random = seededRandom(20_240_601);
  for (let i = 0; i < 2_000; i++) {
    samples.push([Math.floor(random() * 9_223_372_035), Math.floor(random() * 1e9)]);
  }
  for (const [seconds, nanos] of samples) {
    const expected = BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
    assert.equal(
      write({ T: [seconds, nanos] }).readBigUInt64LE(0),
      expected,
      `${seconds}.${nanos}`,
    );
  }
});

test('RowBinary length prefixes are LEB128 for long strings and multi-byte text', () => {
  const write = rowBinaryWriter([{ name: 'S', kind: 'string', type: 'String' }]);
  const long = 'é'.repeat(100); // 200 bytes
  const bytes = write({ S: long });
  assert.deepEqual([...bytes.subarray(0, 2)], [0xc8, 0x01]);
  assert.equal(bytes.length, 202);
  assert.equal(bytes.subarray(2).toString('utf8'), long);
  const huge = 'x'.repeat(300_000);
  const hugeBytes = write({ S: huge });
  assert.deepEqual([...hugeBytes.subarray(0, 3)], [0xe0, 0xa7, 0x12]);
  assert.equal(hugeBytes.length, 300_003);
});

test('RowBinary strings are their LEB128 UTF-8 length and UTF-8 bytes, ASCII or not, in one writer', () => {
  const write = rowBinaryWriter([{ name: 'S', kind: 'string', type: 'String' }]);
  const leb128 = (n: number): number[] => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    return [...out, n];
  };
  const strings: string[] = [];
  for (const length of [0, 1, 42, 43, 126, 127, 128, 129, 300]) {
    const ascii = 'a~\u007f '.repeat(length).slice(0, length);
    strings.push(ascii);
    // One unit that is not ASCII at the start, in the middle and at the end.
    for (const odd of ['\u0080', 'é', '\u2028', '😀', '\ud800', '\udc00']) {
      if (length === 0) continue;
      for (const at of [0, length >> 1, length - 1]) {
        strings.push(ascii.slice(0, at) + odd + ascii.slice(at + 1));
      }
    }
  }
  // Long then short in turn: no byte of one string may stay in the next.
  for (const value of strings) {
    const utf8 = Buffer.from(value, 'utf8');
    assert.deepEqual(
      [...write({ S: value })],
      [...leb128(utf8.length), ...utf8],
      JSON.stringify(value),
    );
  }
});

test('RowEncoder tags each row with its table and encodes it in the chosen format', () => {
  const logRow = logRecordToRow(makeLogRecord());
  const json = new RowEncoder('JSONEachRow').encode('logs', logRow);
  assert.equal(json.table, 'logs');
  const parsed = JSON.parse(json.data.toString('utf8')) as Record<string, unknown>;
  assert.deepEqual(
    Object.keys(parsed),
    INSERT_COLUMNS.logs.map((column) => column.name),
  );
  assert.equal(parsed.Timestamp, '1700000002.000000042');
  assert.deepEqual(parsed.LogAttributes, { 'customer.tier': 'gold', 'order.id': '42' });
  const binary = new RowEncoder('RowBinary').encode('logs', logRow);
  assert.equal((binary.data as Buffer).readBigUInt64LE(0), 1_700_000_002_000_000_042n);
  const compact = new RowEncoder('JSONCompactEachRow').encode('logs', logRow);
  assert.equal(
    (JSON.parse(compact.data.toString('utf8')) as unknown[]).length,
    INSERT_COLUMNS.logs.length,
  );
});

test('the RowBinaryWithNamesAndTypes header lists the names, then the exact types', () => {
  const header = rowBinaryHeader([
    { name: 'Timestamp', kind: 'datetime64', type: 'DateTime64(9)' },
    { name: 'Events.Name', kind: 'string[]', type: 'Array(LowCardinality(String))' },
  ]);
  const text = (s: string) => [s.length, ...Buffer.from(s)];
  assert.deepEqual(
    [...header],
    [
      2,
      ...text('Timestamp'),
      ...text('Events.Name'),
      ...text('DateTime64(9)'),
      ...text('Array(LowCardinality(String))'),
    ],
  );
});

test('JSON rows stay strings until the body is made; sizes count what the rows hold', () => {
  assert.equal(rowSize({ table: 'logs', data: '{"a":"é"}\n' }), 10);
  assert.equal(rowSize({ table: 'logs', data: Buffer.from([1, 2, 3]) }), 3);
  assert.equal(
    insertBody(undefined, ['{"a":1}\n', '{"b":"é"}\n']).toString('utf8'),
    '{"a":1}\n{"b":"é"}\n',
  );
  // Each line is sized in UTF-8 before it is written: two-, three- and four-byte characters,
  // behind a header, leave no gap and lose no byte.
  const lines = ['{"a":"é✓😀"}\n', '{"b":"x"}\n', '{"c":"日本"}\n'];
  assert.deepEqual(
    insertBody(Buffer.from([7]), lines),
    Buffer.concat([Buffer.from([7]), Buffer.from(lines.join(''), 'utf8')]),
  );
  // Written at the start of the buffer it is given, and cut to its own size.
  const given = Buffer.alloc(64, 0xff);
  const body = insertBody(undefined, ['{"a":1}\n', Buffer.from('{"b":2}\n')], () => given);
  assert.equal(body.buffer, given.buffer);
  assert.equal(body.toString('utf8'), '{"a":1}\n{"b":2}\n');
  assert.deepEqual(
    [...insertBody(Buffer.from([0]), [Buffer.from([1]), Buffer.from([2, 3])])],
    [0, 1, 2, 3],
  );
});

test('strings that need escaping are escaped; the others are quoted as they are', () => {
  const write = jsonEachRowWriter([{ name: 'S', kind: 'string', type: 'String' }]);
  assert.equal(write({ S: 'plain text / é ✓' }), '{"S":"plain text / é ✓"}\n');
  assert.equal(write({ S: 'tab\tnul\u0000bs\\q"' }), '{"S":"tab\\tnul\\u0000bs\\\\q\\""}\n');
  assert.deepEqual(JSON.parse(write({ S: 'tab\tnul\u0000bs\\q"' })), { S: 'tab\tnul\u0000bs\\q"' });
});
