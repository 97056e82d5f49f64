import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanContext } from '@opentelemetry/api';
import { seededRandom } from '@otelpack/batching-core/testing';
import { contentId, encodeDocument } from '../src/bulk/record';
import { mapLogRecord, mapSpan } from '../src/mapping/mapper';
import { stringifyDocument } from '../src/mapping/shared-json';
import type { BulkDocument, MappingSettings } from '../src/mapping/types';
import { logRecord, plain, resource, scope, settings, span } from './helpers/fixtures';

/*
 * The `otel` span, span event and log documents are sent as JSON text written directly
 * (otel-writer.ts); the object builders of otel-mode.ts are what the conformance tables read.
 * Here both are made from the same generated records and must agree: the same JSON value, and
 * the same bytes as stringifyDocument made from the objects before the writer (content ids of
 * logs with deterministic ids hash those bytes).
 */

const KEYS = [
  'http.method',
  'service.name',
  'a',
  'a.b',
  'a.',
  '.a',
  'a..b',
  'a._',
  '',
  '__proto__',
  'key "quoted"\n',
  'lone\uD800',
  'emoji😀',
  'a-rather-long-attribute-key-beyond-a-small-limit',
  'elasticsearch.index',
  'data_stream.dataset',
  'elasticsearch.mapping.hints',
  'event.name',
  'geo.location.lat',
  'geo.location.lon',
  'client.geo.location.lat',
  'client.geo.location.lon',
  'xgeo.location.lon',
];

const STRINGS = [
  '',
  'plain',
  'quote " and \\ back',
  'tab\tnl\n\u0001',
  'lone \uDC00 half',
  '😀é',
  'x'.repeat(40),
];
const NUMBERS = [0, -0, 1, -7, 0.1, 1e21, 1e-7, Number.NaN, Infinity, -Infinity, 2 ** 53 + 2];

type Pick = <T>(items: readonly T[]) => T;

function scalar(pick: Pick, rnd: () => number): unknown {
  switch (Math.floor(rnd() * 9)) {
    case 0:
    case 1:
      return pick(STRINGS);
    case 2:
    case 3:
      return pick(NUMBERS);
    case 4:
      return rnd() < 0.5;
    case 5:
      return pick([null, undefined, () => 1, Symbol('s'), 12n]);
    case 6:
      return pick([new Uint8Array([0xde, 0xad]), new Date(0), new Date(Number.NaN)]);
    default:
      return pick(STRINGS);
  }
}

function value(pick: Pick, rnd: () => number, depth: number): unknown {
  const roll = rnd();
  if (depth > 2 || roll < 0.7) return scalar(pick, rnd);
  if (roll < 0.85) {
    return Array.from({ length: Math.floor(rnd() * 4) }, () => value(pick, rnd, depth + 1));
  }
  return map(pick, rnd, depth + 1);
}

function map(pick: Pick, rnd: () => number, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const count = Math.floor(rnd() * 6);
  for (let i = 0; i < count; i++) {
    Object.defineProperty(out, pick(KEYS), {
      value: value(pick, rnd, depth),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function maybe<T>(rnd: () => number, make: () => T): T | undefined {
  return rnd() < 0.5 ? make() : undefined;
}

function spanContext(pick: Pick, rnd: () => number): SpanContext {
  const traceState = pick([
    undefined,
    { serialize: () => 'vendor=a"b' },
    { serialize: () => '' },
    {
      serialize: () => {
        throw new Error('broken');
      },
    },
  ]);
  return {
    traceId: pick(['0102030405060708090A0B0C0D0E0F10', '0'.repeat(32), 'xyz']),
    spanId: pick(['0102030405060708', '0'.repeat(16)]),
    traceFlags: rnd() < 0.5 ? 0 : 1,
    ...(traceState ? { traceState: traceState as never } : {}),
  };
}

function documents(seed: number, mapping: MappingSettings): BulkDocument[] {
  const rnd = seededRandom(seed);
  const pick: Pick = (items) => items[Math.floor(rnd() * items.length)];
  const res = resource(
    map(pick, rnd) as never,
    maybe(rnd, () => pick(STRINGS)),
  );
  const sc = scope({ attributes: map(pick, rnd) as never, name: pick(STRINGS) });
  const time = (): [number, number] =>
    pick([
      [1705314600, 5],
      [0, 0],
      [-1, 0],
      [1, 2e9],
    ]);
  const withSpan = span({
    name: pick(STRINGS),
    // Kinds and codes outside the API's, and names of an array's own properties (a span-like
    // object from outside the SDK): all written as the unknown kind or code.
    kind: pick<unknown>([
      0,
      1,
      2,
      3,
      4,
      9,
      -1,
      1.5,
      Number.NaN,
      'length',
      'map',
      '__proto__',
    ]) as number,
    context: spanContext(pick, rnd),
    ...(rnd() < 0.5 ? { parent: spanContext(pick, rnd) } : {}),
    startTime: time(),
    duration: pick([
      [0, 150_000_000],
      [3, 7],
      [Number.NaN, 0],
    ]),
    status: {
      code: pick<unknown>([0, 1, 2, 7, -1, 0.5, 'length', 'map']) as number,
      ...(rnd() < 0.5 ? { message: pick(STRINGS) } : {}),
    },
    attributes: map(pick, rnd) as never,
    events: Array.from({ length: Math.floor(rnd() * 3) }, () => ({
      name: pick(STRINGS),
      time: time(),
      attributes: map(pick, rnd) as never,
      droppedAttributesCount: pick([0, 2, Number.NaN]),
    })),
    links: Array.from({ length: Math.floor(rnd() * 3) }, () => ({
      context: spanContext(pick, rnd),
      attributes: map(pick, rnd) as never,
      droppedAttributesCount: pick([0, 3]),
    })),
    resource: res,
    scope: sc,
    droppedAttributesCount: pick([0, 1]),
    droppedEventsCount: pick([0, 2]),
    droppedLinksCount: pick([0, 3]),
  });
  const log = logRecord({
    hrTime: time(),
    hrTimeObserved: time(),
    ...(rnd() < 0.5 ? { spanContext: spanContext(pick, rnd) } : {}),
    ...(rnd() < 0.5 ? { severityText: pick(STRINGS) } : {}),
    ...(rnd() < 0.5 ? { severityNumber: pick([0, 9, 13, -1]) } : {}),
    body: value(pick, rnd, 0) as never,
    ...(rnd() < 0.3 ? { eventName: pick(STRINGS) } : {}),
    attributes: map(pick, rnd) as never,
    resource: res,
    scope: sc,
    droppedAttributesCount: pick([0, 4]),
  });
  return [...mapSpan(withSpan, mapping), mapLogRecord(log, mapping)];
}

const SETTINGS: [name: string, mapping: MappingSettings][] = [
  ['defaults', settings()],
  [
    'short strings and deterministic ids',
    settings({ limits: { maxStringLength: 8 }, deterministicIds: true }),
  ],
  ['a fixed index (no data_stream)', settings({ index: 'my-index' })],
];

for (const [name, mapping] of SETTINGS) {
  test(`otel writer, ${name}: the text is the objects' JSON, byte for byte, on generated records`, () => {
    let written = 0;
    let hashed = 0;
    for (let seed = 1; seed <= 400; seed++) {
      for (const doc of documents(seed, mapping)) {
        assert.ok(doc.json !== undefined, 'otel spans, events and logs are written as text');
        written++;
        const objects = plain(doc.document);
        assert.deepEqual(JSON.parse(doc.json), objects, `seed ${seed}`);
        assert.equal(doc.json, stringifyDocument(doc.document), `seed ${seed}`);
        const encoded = encodeDocument(doc);
        assert.equal(encoded.document, doc.json);
        // Written in two parts (SplitJson), a document is hashed as its whole text.
        if (doc.hashId) {
          hashed++;
          assert.equal(encoded.id, contentId(doc.target.index, doc.json), `seed ${seed}`);
        }
      }
    }
    assert.ok(written > 800);
    assert.equal(hashed > 0, mapping.deterministicIds);
  });
}

test('otel writer: records of alternating resources, scopes and settings each get their own', () => {
  // The last record's resource, scope and data_stream text is reused: a record that differs in
  // any of them (or in the settings that write them) must not get it.
  const long = 'a resource attribute longer than eight characters';
  const resA = resource({ 'service.name': 'checkout', note: long });
  const resB = resource({ 'service.name': 'payments' });
  const scA = scope({ name: 'scope-a' });
  const scB = scope({ name: 'scope-b' });
  const plainSettings = settings();
  const shortStrings = settings({ limits: { maxStringLength: 8 } });
  const fixedIndex = settings({ index: 'my-index' });
  const cases: [ReturnType<typeof logRecord>, MappingSettings][] = [
    [logRecord({ resource: resA, scope: scA }), plainSettings],
    [logRecord({ resource: resA, scope: scA }), plainSettings],
    [logRecord({ resource: resB, scope: scA }), plainSettings],
    [logRecord({ resource: resB, scope: scB }), plainSettings],
    [logRecord({ resource: resA, scope: scB }), plainSettings],
    [logRecord({ resource: resA, scope: scB }), shortStrings],
    [logRecord({ resource: resA, scope: scB }), fixedIndex],
    [logRecord({ resource: resA, scope: scB }), plainSettings],
    // The text of the two most recent is kept: sequences that go one back, two back, and to a
    // kept one differing in settings alone (the output is checked here, not whether the text
    // was reused).
    [logRecord({ resource: resA, scope: scA }), plainSettings],
    [logRecord({ resource: resB, scope: scB }), plainSettings],
    [logRecord({ resource: resA, scope: scA }), plainSettings],
    [logRecord({ resource: resB, scope: scB }), shortStrings],
    [logRecord({ resource: resB, scope: scB }), plainSettings],
    [logRecord({ resource: resA, scope: scA }), shortStrings],
    [logRecord({ resource: resA, scope: scA }), fixedIndex],
  ];
  for (const [index, [record, mapping]] of cases.entries()) {
    const doc = mapLogRecord(record, mapping);
    assert.equal(doc.json, stringifyDocument(doc.document), `case ${index}`);
  }
  // A span with events alternates between its traces document and its events' logs documents.
  const event = { name: 'retry', time: [1705314600, 5] as [number, number], attributes: {} };
  for (const [index, [res, sc, mapping]] of (
    [
      [resA, scA, plainSettings],
      [resA, scA, plainSettings],
      [resB, scA, plainSettings],
      [resA, scA, fixedIndex],
      [resA, scA, plainSettings],
    ] as const
  ).entries()) {
    for (const doc of mapSpan(
      span({ resource: res, scope: sc, events: [event, event] }),
      mapping,
    )) {
      assert.equal(doc.json, stringifyDocument(doc.document), `span case ${index}`);
    }
  }
});

test('otel writer: members kept from the last record are only reused for the same values', () => {
  // Times, severity, span kind and status text is kept from the record before: a record whose
  // value (or whose limits) differ must get its own. Each case follows one that differs in one
  // input only.
  const long = 'a severity text longer than eight characters';
  const plainSettings = settings();
  const shortStrings = settings({ limits: { maxStringLength: 8 } });
  const logs: [ReturnType<typeof logRecord>, MappingSettings][] = [
    [logRecord({ severityText: long, severityNumber: 9 }), plainSettings],
    [logRecord({ severityText: long, severityNumber: 9 }), shortStrings],
    [logRecord({ severityText: long, severityNumber: 13 }), shortStrings],
    [logRecord({ severityText: 'WARN', severityNumber: 13 }), shortStrings],
    [logRecord({ hrTime: [1705314600, 5], hrTimeObserved: [1705314600, 5] }), plainSettings],
    [logRecord({ hrTime: [1705314600, 5], hrTimeObserved: [1705314601, 5] }), plainSettings],
    [logRecord({ hrTime: [1705314601, 5], hrTimeObserved: [1705314601, 5] }), plainSettings],
    [logRecord({ hrTime: [0, 0], hrTimeObserved: [1705314601, 5] }), plainSettings],
  ];
  for (const [index, [record, mapping]] of logs.entries()) {
    const doc = mapLogRecord(record, mapping);
    assert.equal(doc.json, stringifyDocument(doc.document), `log case ${index}`);
  }
  const spans = [
    span({ kind: 1 }),
    span({ kind: 2 }),
    span({ kind: 2, status: { code: 2, message: 'upstream failed' } }),
    span({ kind: 2, status: { code: 2 } }),
    span({ kind: 2, status: { code: 1 } }),
    span({ kind: 2, status: { code: 1 } }),
  ];
  for (const [index, record] of spans.entries()) {
    const [doc] = mapSpan(record, plainSettings);
    assert.equal(doc.json, stringifyDocument(doc.document), `span case ${index}`);
  }
});
