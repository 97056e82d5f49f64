import { test } from 'node:test';
import assert from 'node:assert/strict';
import type {
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
} from '@otelpack/batching-core';
import { selfReferringValue } from '@otelpack/batching-core/testing';
import { jsonEachRowWriter } from '../src/encoding/json';
import { logJsonLineWriter, spanJsonLineWriter } from '../src/encoding/json-lines';
import { logRecordToRow } from '../src/mapping/logs';
import { ResourceColumnsCache } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { MappingError } from '../src/mapping/time';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { RESOURCE, SCOPE, makeLogRecord, makeSpan } from './fixtures';

/*
 * The default format's lines are written straight from the SDK's objects (json-lines.ts). They
 * must be the text the row mapping (spanToRow / logRecordToRow, the conformance tables' subject)
 * gives through the generic JSONEachRow writer: every case here is compared byte for byte, in
 * one writer, so that the resource and scope text it keeps is checked as it changes.
 */

const OTHER_RESOURCE: ResourceLike = {
  attributes: { 'service.name': 'billing', 'k\ud800': 'v"q"\n' },
};
const OTHER_SCOPE = { name: 'db\u2028', version: undefined as never, attributes: { a: [1, 2] } };

const SPANS: [string, ReadableSpanLike][] = [
  ['the fixture: events, links, trace state, error status', makeSpan()],
  ['no events or links', makeSpan({ events: [], links: [] })],
  [
    'a root span without trace state',
    makeSpan({ parentSpanContext: undefined }, { traceState: undefined }),
  ],
  ['zero and uppercase ids', makeSpan({}, { traceId: '0'.repeat(32), spanId: 'ABCDEF0123456789' })],
  [
    'ugly input: end before start, lone surrogates, NaN, nested values, no service.name',
    makeSpan({
      name: 'bad\ud800name "quoted"\t',
      endTime: [1_699_999_999, 0],
      status: { code: 2, message: 'line\nbreak \\ back' },
      resource: { attributes: { 'service.name': ['a', 'b'] } },
      attributes: {
        '\udc00k': NaN,
        nested: [1, { z: 1, a: null }] as never,
        big: 2 ** 60,
        bytes: new Uint8Array([1, 2]) as never,
      },
    }),
  ],
  [
    'another resource and scope',
    makeSpan({ resource: OTHER_RESOURCE, instrumentationScope: OTHER_SCOPE }),
  ],
  ['the first resource again', makeSpan({ kind: 4, status: { code: 1 } })],
  [
    'unknown kind and status, no attributes',
    makeSpan({ kind: 9 as never, status: { code: 7 as never }, attributes: undefined as never }),
  ],
  ['a long span (BigInt duration)', makeSpan({ endTime: [1_700_000_000 + 20_000_000, 1] })],
  [
    'an event with a fractional time',
    makeSpan({ events: [{ name: 'e', time: [1_700_000_000.5, 0.4] }], links: [] }),
  ],
  ['a scope without a version', makeSpan({ instrumentationScope: { name: 'x' } })],
];

const LOGS: [string, ReadableLogRecordLike][] = [
  ['the fixture', makeLogRecord()],
  ['no time: the observed time', makeLogRecord({ hrTime: [0, 0] })],
  ['outside any span', makeLogRecord({ spanContext: undefined })],
  [
    'a map body, bytes and numbers',
    makeLogRecord({
      body: { msg: 'hi', level: 3, tags: ['a'] } as never,
      attributes: { b: new Uint8Array([104, 105]), n: -1.5e300 },
    }),
  ],
  ['a body that refers to itself', makeLogRecord({ body: selfReferringValue() as never })],
  [
    'control characters and surrogates',
    makeLogRecord({ body: 'multi\nline\u0000nul\ud800', severityText: 'W\u2029' }),
  ],
  [
    'severity and flags out of range',
    makeLogRecord({
      severityNumber: 300,
      spanContext: { traceId: 'A'.repeat(32), spanId: 'B'.repeat(16), traceFlags: -4 },
    }),
  ],
  [
    'another resource and scope',
    makeLogRecord({ resource: OTHER_RESOURCE, instrumentationScope: OTHER_SCOPE }),
  ],
  [
    'another scope of the first resource',
    makeLogRecord({ instrumentationScope: { name: 'only-name' } }),
  ],
  [
    'the first scope again, no event name or body',
    makeLogRecord({ instrumentationScope: SCOPE, eventName: undefined, body: undefined }),
  ],
  [
    'a resource with pending attributes',
    makeLogRecord({ resource: { ...RESOURCE, asyncAttributesPending: true } }),
  ],
];

/** Every case's line from `line` equals `generic` of its row, and is valid JSON. */
function assertSameLines<T>(
  cases: [string, T][],
  line: (item: T) => string,
  generic: (item: T) => string,
): void {
  for (const [name, item] of cases) {
    const text = line(item);
    assert.equal(text, generic(item), name);
    assert.doesNotThrow(() => JSON.parse(text), name);
  }
}

test('span lines are the generic writer of spanToRow, byte for byte', () => {
  const generic = jsonEachRowWriter(INSERT_COLUMNS.traces);
  assertSameLines(SPANS, spanJsonLineWriter(new ResourceColumnsCache()), (span) =>
    generic(spanToRow(span)),
  );
});

test('log lines are the generic writer of logRecordToRow, byte for byte', () => {
  const generic = jsonEachRowWriter(INSERT_COLUMNS.logs);
  assertSameLines(LOGS, logJsonLineWriter(new ResourceColumnsCache()), (record) =>
    generic(logRecordToRow(record)),
  );
});

test('a time that cannot be mapped fails the line as it fails the row', () => {
  const span = spanJsonLineWriter(new ResourceColumnsCache());
  const log = logJsonLineWriter(new ResourceColumnsCache());
  assert.throws(() => span(makeSpan({ endTime: [NaN, 0] })), MappingError);
  assert.throws(
    () => span(makeSpan({ events: [{ name: 'e', time: [Infinity, 0] }] })),
    MappingError,
  );
  assert.throws(() => log(makeLogRecord({ hrTime: [NaN, 1] })), MappingError);
});

test('attribute maps stay sorted and right when key lists repeat, reorder and outnumber the kept orders', () => {
  // The writers keep the sorted order of a few key lists; lists that come back after others
  // took their place, the same keys in another order, and lists of the same length with other
  // keys must all give the generic writer's text.
  const lists = [
    ['http.route', 'http.request.method', 'server.address'],
    ['server.address', 'http.request.method', 'http.route'],
    ['b', 'a'],
    ['a', 'c'],
    ['z', 'y', 'x', 'w'],
    ['only'],
    Array.from({ length: 70 }, (_, i) => `k${(i * 37) % 70}`), // past the kept lists' length
  ];
  const spans: [string, ReadableSpanLike][] = [];
  const logs: [string, ReadableLogRecordLike][] = [];
  for (let round = 0; round < 3; round++) {
    for (const [n, keys] of lists.entries()) {
      const attributes: Record<string, string | number> = {};
      for (const [i, key] of keys.entries())
        attributes[key] = i % 2 ? round * 10 + i : `v${round}-${i}`;
      spans.push([`round ${round}, list ${n}`, makeSpan({ attributes })]);
      logs.push([`round ${round}, list ${n}`, makeLogRecord({ attributes })]);
    }
  }
  const genericSpan = jsonEachRowWriter(INSERT_COLUMNS.traces);
  assertSameLines(spans, spanJsonLineWriter(new ResourceColumnsCache()), (span) =>
    genericSpan(spanToRow(span)),
  );
  const genericLog = jsonEachRowWriter(INSERT_COLUMNS.logs);
  assertSameLines(logs, logJsonLineWriter(new ResourceColumnsCache()), (record) =>
    genericLog(logRecordToRow(record)),
  );
});
