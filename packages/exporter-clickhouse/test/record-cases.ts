import type { HrTime } from '@opentelemetry/api';
import type {
  AnyValue,
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
} from '@otelpack/batching-core';
import { seededRandom, selfReferringValue } from '@otelpack/batching-core/testing';
import { RESOURCE, SCOPE, makeLogRecord, makeSpan, traceState } from './fixtures';

/*
 * Spans and log records for the writers that encode records straight from the SDK's objects
 * (json-lines.ts, row-binary-rows.ts), each compared byte for byte with the row mapping through
 * the generic writer of its format. Each list is meant to go through ONE writer in order: the
 * resource and scope change and come back, so the columns a writer keeps for them are checked
 * as they change.
 */

const OTHER_RESOURCE: ResourceLike = {
  attributes: { 'service.name': 'billing', 'k\ud800': 'v"q"\n' },
};
const OTHER_SCOPE = { name: 'db\u2028', version: undefined as never, attributes: { a: [1, 2] } };

export const SPANS: [string, ReadableSpanLike][] = [
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

export const LOGS: [string, ReadableLogRecordLike][] = [
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

/** Inputs the row mapping refuses (MappingError): the writers must refuse them too. */
export const UNMAPPABLE_SPANS: [string, ReadableSpanLike][] = [
  ['an end time that is not finite', makeSpan({ endTime: [NaN, 0] })],
  ['an event time that is not finite', makeSpan({ events: [{ name: 'e', time: [Infinity, 0] }] })],
];
export const UNMAPPABLE_LOGS: [string, ReadableLogRecordLike][] = [
  ['a time that is not finite', makeLogRecord({ hrTime: [NaN, 1] })],
];

/**
 * Attribute key lists that repeat, come back reordered, and outnumber the orders a writer keeps
 * (it keeps the sorted order of a few key lists): three rounds of each, as spans and log records.
 */
export function keyListCases(): {
  spans: [string, ReadableSpanLike][];
  logs: [string, ReadableLogRecordLike][];
} {
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
  return { spans, logs };
}

const KEY_POOL = [
  'http.route',
  'http.request.method',
  'server.address',
  'url.full',
  'user_agent.original',
  'a',
  'b',
  'Z',
  '\ud800lone',
  'ключ',
  'emoji.😀',
  '',
  'k'.repeat(60),
];

/**
 * `count` spans and log records of random attribute sets and values (ugly ones included), over a
 * few resources and scopes that switch at random, some with events and links, some with
 * fractional, negative, far or (rarely) non-finite times. From a seed: a failure names the seed
 * and the index.
 */
export function randomRecords(
  seed: number,
  count: number,
): { spans: [string, ReadableSpanLike][]; logs: [string, ReadableLogRecordLike][] } {
  const random = seededRandom(seed);
  const below = (n: number): number => Math.floor(random() * n);
  const pick = <T>(items: readonly T[]): T => items[below(items.length)];
  const text = (): string =>
    pick(['', 'x', 'plain text', 'quote " back \\ nl \n', 'lone \udc00', 'é…😀', 'z'.repeat(50)]) +
    (random() < 0.3 ? String(below(1000)) : '');
  const value = (depth = 0): AnyValue => {
    switch (below(depth > 1 ? 8 : 11)) {
      case 0:
        return text();
      case 1:
        return below(2 ** 31) - 2 ** 30;
      case 2:
        return pick([NaN, Infinity, -Infinity, 0.1, -0, 2 ** 60, 2 ** 70, 1e-7]);
      case 3:
        return random() < 0.5;
      case 4:
        return pick([null, undefined]) as AnyValue;
      case 5:
        return new Uint8Array(Array.from({ length: below(5) }, () => below(256)));
      case 6:
        return text() + text();
      case 7:
        return below(100);
      case 8:
        return Array.from({ length: below(4) }, () => value(depth + 1)) as AnyValue;
      case 9:
        return { [text()]: value(depth + 1), b: value(depth + 1) } as AnyValue;
      default:
        return [text(), below(10)];
    }
  };
  const attributes = (): Record<string, AnyValue> | undefined => {
    if (random() < 0.05) return undefined;
    const out: Record<string, AnyValue> = {};
    const n = below(8);
    for (let i = 0; i < n; i++) out[pick(KEY_POOL)] = value();
    return out;
  };
  const resources: ResourceLike[] = [
    RESOURCE,
    { attributes: { 'service.name': 'billing', region: 'eu' } },
    { attributes: {}, schemaUrl: 'https://example.com/\ud800' },
    { attributes: { 'service.name': 7, 'b\ud800': [1, 'x'] } as never },
  ];
  const scopes: (InstrumentationScopeLike | undefined)[] = [
    SCOPE,
    { name: 'db', version: '1.0.0' },
    { name: 'kv\u2028', attributes: { 'scope.k': [1, 2], x: 'y' } },
    undefined,
  ];
  // Now and then a time the mapping refuses: the writer must throw as the row mapping does,
  // and write the records after it right.
  const time = (): HrTime =>
    random() < 0.005
      ? [NaN, 0]
      : pick<HrTime>([
          [1_700_000_000 + below(100), below(1_000_000_000)],
          [1_700_000_000.25, 999_999_999.6],
          [-5, 0],
          [1e11, 0],
          [1_700_000_000, 2_000_000_001],
        ]);
  const hexId = (length: number): string =>
    random() < 0.1
      ? '0'.repeat(length)
      : Array.from({ length }, () => '0123456789abcdefABCDEF'[below(22)]).join('');

  let resource = resources[0];
  let scope = scopes[0];
  const spans: [string, ReadableSpanLike][] = [];
  const logs: [string, ReadableLogRecordLike][] = [];
  for (let i = 0; i < count; i++) {
    // Runs of records of one resource and scope, as an SDK hands them, switching now and then.
    if (random() < 0.2) resource = pick(resources);
    if (random() < 0.2) scope = pick(scopes);
    const name = `seed ${seed}, record ${i}`;
    const start = time();
    spans.push([
      name,
      makeSpan(
        {
          name: text(),
          kind: below(7) as never,
          startTime: start,
          endTime: random() < 0.5 ? [start[0] + below(3), below(1_000_000_000)] : time(),
          status: { code: below(4) as never, ...(random() < 0.5 ? { message: text() } : {}) },
          attributes: attributes() as never,
          events: Array.from({ length: random() < 0.7 ? 0 : below(3) }, () => ({
            name: text(),
            time: time(),
            ...(random() < 0.5 ? { attributes: attributes() } : {}),
          })) as never,
          links: Array.from({ length: random() < 0.7 ? 0 : below(3) }, () => ({
            context: {
              traceId: hexId(32),
              spanId: hexId(16),
              traceFlags: 1,
              ...(random() < 0.5 ? { traceState: traceState(text()) } : {}),
            },
            attributes: attributes(),
          })) as never,
          resource,
          instrumentationScope: scope as never,
          ...(random() < 0.2 ? { parentSpanContext: undefined } : {}),
        },
        { traceId: hexId(32), spanId: hexId(16) },
      ),
    ]);
    logs.push([
      name,
      makeLogRecord({
        hrTime: random() < 0.1 ? [0, 0] : time(),
        hrTimeObserved: time(),
        ...(random() < 0.2
          ? { spanContext: undefined }
          : {
              spanContext: {
                traceId: hexId(32),
                spanId: hexId(16),
                traceFlags: pick([0, 1, 300, -1, 1.5]),
              },
            }),
        severityText: pick(['INFO', 'ERROR', '', 'W\u2029']),
        severityNumber: pick([9, 17, 0, 300, -3, 4.7, NaN]),
        body: value(),
        eventName: random() < 0.5 ? text() : (undefined as never),
        attributes: attributes() as never,
        resource,
        instrumentationScope: scope as never,
      }),
    ]);
  }
  return { spans, logs };
}
