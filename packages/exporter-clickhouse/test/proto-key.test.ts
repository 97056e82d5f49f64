import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jsonEachRowWriter } from '../src/encoding/json';
import { logJsonLineWriter, spanJsonLineWriter } from '../src/encoding/json-lines';
import { logRecordToRow } from '../src/mapping/logs';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { anyValueAsString } from '../src/mapping/values';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { SCOPE, makeLogRecord, makeSpan } from './fixtures';

/*
 * Keys named like Object.prototype members (`__proto__`, `constructor`, `toString`) are ordinary
 * keys in every map column and inside map values. JSON.parse makes `__proto__` an own key, as a
 * decoded attribute map would have it; a literal `{ __proto__: … }` would set the prototype.
 */

const own = (json: string) => JSON.parse(json) as never;

test('a map value keeps a __proto__ key, whatever its value', () => {
  assert.equal(anyValueAsString(own('{"__proto__":"x","a":1}')), '{"__proto__":"x","a":1}');
  assert.equal(anyValueAsString(own('{"__proto__":{"b":2}}')), '{"__proto__":{"b":2}}');
  assert.equal(anyValueAsString(own('{"m":{"__proto__":[1]}}')), '{"m":{"__proto__":[1]}}');
  assert.equal(
    anyValueAsString(own('{"toString":"t","constructor":"c"}')),
    '{"constructor":"c","toString":"t"}',
  );
});

test('every map column of a span and a log record keeps such keys, in both JSON writers', () => {
  const resource = { attributes: own('{"__proto__":"r","service.name":"svc"}') };
  const scope = { ...SCOPE, attributes: own('{"__proto__":"s"}') };
  const attributes = own('{"__proto__":"a","constructor":"c","map":{"__proto__":"m"}}');
  const span = makeSpan({
    resource,
    instrumentationScope: scope,
    attributes,
    events: [{ name: 'e', time: [1_700_000_000, 1], attributes: own('{"__proto__":"e"}') }],
    links: [
      {
        context: {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
        },
        attributes: own('{"__proto__":"l"}'),
      },
    ],
  });
  const log = makeLogRecord({ resource, instrumentationScope: scope, attributes });
  const expectedAttributes = [
    ['__proto__', 'a'],
    ['constructor', 'c'],
    ['map', '{"__proto__":"m"}'],
  ];
  const lines = [
    spanJsonLineWriter(new ResourceColumnsCache())(span),
    jsonEachRowWriter(INSERT_COLUMNS.traces)(spanToRow(span)),
    logJsonLineWriter(new ResourceColumnsCache())(log),
    jsonEachRowWriter(INSERT_COLUMNS.logs)(logRecordToRow(log)),
  ];
  for (const [i, line] of lines.entries()) {
    // Entries, not the parsed object: JSON.parse keeps `__proto__` as an own key, and an
    // assertion on the object would compare prototypes.
    const row = JSON.parse(line) as Record<string, unknown>;
    const entries = (column: unknown) => Object.entries(column as object);
    assert.deepEqual(entries(row.ResourceAttributes), [
      ['__proto__', 'r'],
      ['service.name', 'svc'],
    ]);
    const own = i < 2 ? row.SpanAttributes : row.LogAttributes;
    assert.deepEqual(entries(own), expectedAttributes, `line ${i}`);
    // The traces table has no ScopeAttributes column.
    if (i >= 2) assert.deepEqual(entries(row.ScopeAttributes), [['__proto__', 's']]);
    if (i < 2) {
      assert.deepEqual(entries((row['Events.Attributes'] as unknown[])[0]), [['__proto__', 'e']]);
      assert.deepEqual(entries((row['Links.Attributes'] as unknown[])[0]), [['__proto__', 'l']]);
    }
  }
});
