import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import {
  DocumentSlabs,
  contentId,
  detachDocument,
  encodeDocument,
  ownDocumentBytes,
  sharedTailOf,
} from '../src/bulk/record';
import type { BulkRecord } from '../src/bulk/record';
import { buildBulkBody } from '../src/bulk/sender';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import { sharedJsonTail } from '../src/mapping/otel-writer';
import type { BulkDocument, MappingMode } from '../src/mapping/types';
import {
  gauge,
  logRecord,
  point,
  resource,
  resourceMetrics,
  scope,
  settings,
  span,
} from './helpers/fixtures';

function bulkDocument(overrides: Partial<BulkDocument>): BulkDocument {
  return {
    target: { index: 'logs-x', dataStream: undefined },
    id: undefined,
    hashId: false,
    conflictMeansStored: false,
    timeSeries: false,
    dynamicTemplates: undefined,
    document: { a: 1 },
    ...overrides,
  };
}

test('action lines: create, the index, an id when there is one, require_data_stream for data streams', () => {
  const cases: [string, Partial<BulkDocument>, string][] = [
    ['plain index, no id', {}, '{"create":{"_index":"logs-x"}}'],
    ['fixed id', { id: 'abc' }, '{"create":{"_index":"logs-x","_id":"abc"}}'],
    [
      'content id',
      { hashId: true },
      '{"create":{"_index":"logs-x","_id":"w0GyLXrOG0BUwjxLhyq6IG"}}',
    ],
    [
      'data stream',
      {
        target: {
          index: 'logs-generic.otel-default',
          dataStream: { type: 'logs', dataset: 'generic.otel', namespace: 'default' },
        },
      },
      '{"create":{"_index":"logs-generic.otel-default","require_data_stream":true}}',
    ],
    [
      'dynamic templates',
      { dynamicTemplates: { 'metrics.cpu': 'gauge_double' } },
      '{"create":{"_index":"logs-x","dynamic_templates":{"metrics.cpu":"gauge_double"}}}',
    ],
  ];
  for (const [name, overrides, action] of cases) {
    assert.equal(encodeDocument(bulkDocument(overrides)).action, action, name);
  }
});

test('content ids: 22 characters of SHA-256, equal for equal content, different otherwise', () => {
  assert.equal(contentId('logs-x', '{"a":1}'), 'w0GyLXrOG0BUwjxLhyq6IG');
  assert.equal(contentId('logs-x', '{"a":1}'), contentId('logs-x', '{"a":1}'));
  assert.notEqual(contentId('logs-x', '{"a":1}'), contentId('logs-x', '{"a":2}'));
  assert.notEqual(contentId('logs-x', '{"a":1}'), contentId('logs-y', '{"a":1}'));
  // Two log records that differ only in observed time get different ids.
  const a = encodeDocument(
    mapLogRecord(logRecord({ hrTimeObserved: [1, 0] }), settings({ deterministicIds: true })),
  );
  const b = encodeDocument(
    mapLogRecord(logRecord({ hrTimeObserved: [1, 1] }), settings({ deterministicIds: true })),
  );
  assert.notEqual(a.id, b.id);
});

test('bytes: UTF-8 length of both lines and their newlines', () => {
  const record = encodeDocument(bulkDocument({ document: { s: 'é\uD83D\uDE00' } }));
  // {"create":{"_index":"logs-x"}} is 30 bytes; {"s":"é😀"} is 6 + 2 + 4 + 2 = 14 bytes.
  assert.equal(record.action.length, 30);
  assert.equal(record.document, '{"s":"é\uD83D\uDE00"}');
  assert.equal(record.bytes, 30 + 14 + 2);
  const body = buildBulkBody([record, record]);
  assert.equal(body.length, record.bytes * 2);
  assert.equal(
    body.toString('utf8'),
    `${record.action}\n${record.document}\n${record.action}\n${record.document}\n`,
  );
});

test('documents kept as UTF-8 in shared slabs: every one whole and its own, across slab ends', () => {
  // Documents of every length around the slab's ends, with characters of 1 to 4 UTF-8 bytes
  // and lone surrogates (escaped by JSON, so each line is well-formed), until many 64 KiB slabs
  // have filled; then each record must still read back its own text, and nothing written later
  // may have written over an earlier record's bytes.
  const pieces = ['a', 'é', '✓', '𝄞', '\ud800', '"'];
  const records: [BulkRecord, string][] = [];
  let text = '';
  for (let i = 0; records.length < 3_000; i++) {
    text += pieces[i % pieces.length].repeat(1 + (i % 7));
    // Below the own-buffer limit (4,096 units), so that every one goes through a slab.
    if (text.length > 3_900) text = text.slice(1_950);
    const record = encodeDocument(bulkDocument({ document: { i, text } }));
    records.push([record, JSON.stringify({ i, text })]);
  }
  const slabs = new Set(records.map(([record]) => record.documentBytes.buffer));
  assert.ok(slabs.size > 50, `${slabs.size} slabs`);
  for (const [record, json] of records) {
    assert.equal(record.document, json);
    assert.equal(record.documentBytes.length, Buffer.byteLength(json));
    assert.equal(record.bytes, Buffer.byteLength(record.action) + Buffer.byteLength(json) + 2);
  }
  // The batch's body is the records' lines, whichever slab each came from.
  const batch = records.slice(0, 500).map(([record]) => record);
  assert.equal(
    buildBulkBody(batch).toString('utf8'),
    batch.map((r) => `${r.action}\n${r.document}\n`).join(''),
  );
});

test('documents written as a head and a shared tail: the bytes and the content id of the whole', () => {
  // Heads of every length around the slab's ends and past the own-buffer limit, with characters
  // of 1 to 4 UTF-8 bytes; tails shared by many documents, one of them not ASCII.
  const tails = ['}', ',"resource":{"attributes":{"service.name":"checkout"}}}', ',"s":"✓𝄞"}'].map(
    sharedJsonTail,
  );
  const pieces = ['a', 'é', '✓', '𝄞'];
  const records: [BulkRecord, BulkRecord, string][] = [];
  let head = '{"t":"';
  for (let i = 0; records.length < 2_000; i++) {
    head += pieces[i % pieces.length].repeat(1 + (i % 5));
    if (head.length > 4_300) head = '{"t":"' + head.slice(3_000);
    const tail = tails[i % tails.length];
    const whole = `${head}"${tail.text}`;
    const fields = { hashId: true, document: JSON.parse(whole) as BulkDocument['document'] };
    const split = encodeDocument(bulkDocument({ ...fields, split: { head: `${head}"`, tail } }));
    records.push([split, encodeDocument(bulkDocument({ ...fields, json: whole })), whole]);
  }
  assert.ok(
    records.some(([, , whole]) => whole.length > 4_096),
    'some past the own-buffer limit',
  );
  for (const [split, whole, text] of records) {
    assert.equal(split.document, text);
    assert.equal(split.bytes, whole.bytes);
    assert.equal(split.id, whole.id);
    assert.equal(split.id, contentId('logs-x', text));
    assert.deepEqual(Buffer.from(split.documentBytes), Buffer.from(whole.documentBytes));
  }
  // The body of split records is the body of whole ones, byte for byte.
  const batch = records.slice(0, 300);
  assert.deepEqual(
    buildBulkBody(batch.map(([split]) => split)),
    buildBulkBody(batch.map(([, whole]) => whole)),
  );
});

test('a split document keeps its tail shared, not copied: its slab holds the head only', () => {
  const text = ',"resource":{"attributes":{"service.name":"checkout ✓"}}}';
  const tail = sharedJsonTail(text);
  const slabs = new DocumentSlabs();
  const records = Array.from({ length: 100 }, (_, i) => {
    const head = `{"i":${i}`;
    return encodeDocument(bulkDocument({ split: { head, tail }, json: head + text }), slabs);
  });
  // A record's document as the body and the spool read it: its own part, then its tail.
  const partsOf = (record: BulkRecord): Uint8Array[] => {
    const own = ownDocumentBytes(record);
    const shared = sharedTailOf(record);
    return shared === undefined ? [own] : [own, shared.bytes];
  };
  const parts = records.map(partsOf);
  for (const [i, [head, shared, ...rest]] of parts.entries()) {
    assert.equal(Buffer.from(head).toString(), `{"i":${i}`);
    assert.equal(shared, tail.bytes, 'the very bytes every record shares');
    assert.equal(rest.length, 0);
  }
  // A record that outlives its neighbours (detached) moves its head to memory of its own, and
  // still refers to the shared tail.
  const [first] = records;
  const before = buildBulkBody([first]);
  detachDocument(first);
  const seen = partsOf(first);
  assert.equal(seen.length, 2);
  assert.equal(seen[0].byteLength, seen[0].buffer.byteLength, 'the head in memory of its own');
  assert.notEqual(seen[0].buffer, parts[1][0].buffer, 'no longer in the slab');
  assert.equal(seen[1], tail.bytes);
  assert.equal(first.document, `{"i":0${text}`);
  // documentBytes joins the parts into memory of its own (a reader may keep or transfer it).
  assert.equal(first.documentBytes.byteLength, first.documentBytes.buffer.byteLength);
  assert.equal(Buffer.from(first.documentBytes).toString(), `{"i":0${text}`);
  assert.deepEqual(buildBulkBody([first]), before);
});

test('documents of equal resources and scopes share one tail, however their records interleave', () => {
  // Three scopes in turn (more than the mapping's two-entry cache), each record with objects of
  // its own that are equal to the others': the tail is the same object for equal content.
  const tails = new Map<string, Set<unknown>>();
  for (let i = 0; i < 60; i++) {
    const record = logRecord({
      resource: resource({ 'service.name': 'checkout' }),
      scope: scope({ name: `lib-${i % 3}` }),
      body: `line ${i}`,
    });
    const document = mapLogRecord(record, settings());
    const tail = document.split?.tail;
    assert.ok(tail, 'an otel-mode log document is written with a shared tail');
    const seen = tails.get(tail.text) ?? new Set();
    seen.add(tail.bytes);
    tails.set(tail.text, seen);
  }
  assert.equal(tails.size, 3);
  for (const [text, objects] of tails) assert.equal(objects.size, 1, text);
});

test('a record in JSON (a dead letter written by the ndjson writer) carries its lines as text', () => {
  const record = encodeDocument(bulkDocument({ id: 'fixed', document: { s: 'é' } }));
  assert.deepEqual(JSON.parse(JSON.stringify(record)), {
    index: 'logs-x',
    id: 'fixed',
    action: '{"create":{"_index":"logs-x","_id":"fixed"}}',
    document: '{"s":"é"}',
    bytes: record.bytes,
    conflictMeansStored: false,
    timeSeries: false,
  });
});

test('a detached record owns its document: the slab it was written in is not kept for it', () => {
  const record = encodeDocument(bulkDocument({ document: { s: 'é✓𝄞' } }));
  const neighbour = encodeDocument(bulkDocument({ document: { s: 'next' } }));
  const document = record.document;
  assert.equal(record.documentBytes.buffer, neighbour.documentBytes.buffer, 'one slab');
  detachDocument(record);
  assert.equal(record.documentBytes.buffer.byteLength, record.documentBytes.byteLength);
  assert.equal(record.document, document);
  assert.equal(buildBulkBody([record]).toString(), `${record.action}\n${document}\n`);
});

test("a long document's own memory is its record's alone: the slabs do not keep it", () => {
  const slabs = new DocumentSlabs();
  const long = 'x'.repeat(100_000);
  const record = encodeDocument(bulkDocument({ document: { s: long } }), slabs);
  const memory = record.documentBytes.buffer;
  assert.ok(memory.byteLength >= 100_000, 'in memory of its own, not a slab');
  assert.notEqual(slabs.placedMemory, memory, 'kept by the record only');
  assert.equal(slabs.placedLength, 0);
  assert.equal(JSON.parse(record.document).s, long);
  // A short one afterwards still goes into the slab, and both read whole.
  const short = encodeDocument(bulkDocument({ document: { s: 'short' } }), slabs);
  assert.equal(short.documentBytes.buffer, slabs.buffer.buffer);
  assert.equal(JSON.parse(short.document).s, 'short');
});

test('records of different exporters never share a slab', () => {
  const [mine, theirs] = [new DocumentSlabs(), new DocumentSlabs()];
  const a = encodeDocument(bulkDocument({}), mine);
  const b = encodeDocument(bulkDocument({}), theirs);
  const c = encodeDocument(bulkDocument({}), mine);
  assert.notEqual(a.documentBytes.buffer, b.documentBytes.buffer);
  assert.equal(a.documentBytes.buffer, c.documentBytes.buffer);
});

test('util.inspect and console.log show the record with its lines as text', () => {
  const record = encodeDocument(bulkDocument({ document: { s: 'é' } }));
  const shown = inspect(record);
  assert.match(shown, /document: '\{"s":"é"\}'/);
  assert.doesNotMatch(shown, /Uint8Array|documentBytes/);
});

test('bulk body: a record whose size was counted wrong does not cut or shift the others', () => {
  const good = encodeDocument(bulkDocument({ document: { s: 'é' } }));
  const expected = (records: BulkRecord[]) =>
    records.map((r) => `${r.action}\n${r.document}\n`).join('');
  for (const delta of [-3, -1, 1, 2]) {
    const wrong = {
      ...good,
      document: good.document,
      documentBytes: good.documentBytes,
      bytes: good.bytes + delta,
    };
    for (const batch of [
      [wrong, good],
      [good, wrong],
      [good, wrong, good],
    ]) {
      assert.equal(buildBulkBody(batch).toString('utf8'), expected(batch), `bytes ${delta}`);
    }
  }
});

test('bulk body: records of alternating action lines each get their own', () => {
  // A repeated action line is copied from where it was last written: a record after another
  // action line, or with an id, must not get the earlier one's bytes. `c`'s line has as many
  // bytes as `a`'s, so that a wrong copy is not caught by the size check's fallback.
  const a = encodeDocument(bulkDocument({ document: { s: 'a' } }));
  const c = encodeDocument(bulkDocument({ target: { index: 'logs-y', dataStream: undefined } }));
  const b = encodeDocument(bulkDocument({ target: { index: 'logs-é', dataStream: undefined } }));
  const withId = encodeDocument(bulkDocument({ id: 'fixed-1', document: { s: 'é😀' } }));
  const lines = (batch: BulkRecord[]) => batch.map((r) => `${r.action}\n${r.document}\n`).join('');
  for (const batch of [
    [a, a, c, c, a, withId, withId, a, c, a],
    [a, a, c, c, a, b, b, a, withId, withId, a, b, c, a],
  ]) {
    assert.equal(buildBulkBody(batch).toString('utf8'), lines(batch));
  }
});

test('ugly input in every mode: valid JSON, no lone surrogate, no crash', () => {
  const ugly = {
    '': 'empty key',
    'a..b': NaN,
    'x\uD800': '\uDC00tail',
    huge: 'h'.repeat(200),
    nested: [[1, [2, [3]]], ['s']],
    mixed: [1, 'two', { three: 3 }],
    inf: -Infinity,
    __proto__: 'not a prototype',
  } as Record<string, unknown>;
  const limits = { maxStringLength: 50 };
  for (const mode of ['otel', 'ecs', 'raw'] as MappingMode[]) {
    const s = settings({ mode, limits });
    const documents = [
      ...mapSpan(
        span({
          name: 'n\uDFFF',
          attributes: ugly as never,
          events: [{ name: '', time: [1, 0], attributes: ugly as never }],
          resource: resource(ugly as never),
          scope: scope({ name: '\uD800', attributes: ugly as never }),
        }),
        s,
      ),
      mapLogRecord(logRecord({ body: ugly as never, attributes: ugly as never }), s),
      ...mapResourceMetrics(resourceMetrics([gauge('g\uD800..x', [point(NaN, ugly as never)])]), s)
        .documents,
    ];
    // raw mode keeps the span event inside the span document.
    assert.equal(documents.length, mode === 'raw' ? 3 : 4, mode);
    for (const doc of documents) {
      const record = encodeDocument(doc);
      const text = `${record.action}\n${record.document}`;
      assert.doesNotThrow(() => JSON.parse(record.document), mode);
      assert.equal(/\\ud[89a-f]/i.test(text), false, `${mode}: escaped surrogate in ${text}`);
      assert.equal(text.includes('h'.repeat(51)), false, `${mode}: a string longer than the limit`);
      assert.equal(Buffer.byteLength(`${text}\n`), record.bytes, mode);
    }
  }
});
