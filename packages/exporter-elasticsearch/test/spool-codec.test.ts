import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSpoolCodec } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { encodeDocument, sharedTailOf } from '../src/bulk/record';
import type { BulkRecord } from '../src/bulk/record';
import { buildBulkBody } from '../src/bulk/sender';
import { bulkRecordSpoolCodec } from '../src/bulk/spool-codec';
import { internedTail, sharedJsonTail } from '../src/mapping/otel-writer';
import type { BulkDocument } from '../src/mapping/types';

function bulkDocument(overrides: Partial<BulkDocument>): BulkDocument {
  return {
    target: { index: 'logs-generic.otel-default', dataStream: 'logs' },
    id: undefined,
    hashId: false,
    conflictMeansStored: false,
    timeSeries: false,
    dynamicTemplates: undefined,
    document: { message: 'hello', 'service.name': 'api' },
    ...overrides,
  } as BulkDocument;
}

/** Everything a record says, its document as text and as bytes. */
function fieldsOf(record: BulkRecord) {
  return {
    index: record.index,
    id: record.id,
    action: record.action,
    document: record.document,
    documentBytes: Buffer.from(record.documentBytes).toString('hex'),
    bytes: record.bytes,
    conflictMeansStored: record.conflictMeansStored,
    timeSeries: record.timeSeries,
  };
}

const mapped = () =>
  [
    bulkDocument({}),
    bulkDocument({ hashId: true, conflictMeansStored: true }),
    bulkDocument({ id: 'fixed', document: { message: 'é ✓ 𝄞 non-ASCII' } }),
    bulkDocument({ timeSeries: true, dynamicTemplates: { 'a.b': 'counter_long' } }),
    bulkDocument({ target: { index: 'logs-é', dataStream: undefined } as BulkDocument['target'] }),
    bulkDocument({}),
    // Past the slab's own-buffer limit: a Buffer of its own.
    bulkDocument({ document: { message: 'x'.repeat(20_000) } }),
    // Written as a head and a tail that both share (the record keeps the two parts apart).
    splitDocument('{"message":"a"', { hashId: true }),
    splitDocument('{"message":"é ✓ 𝄞"', { id: 'split' }),
  ].map((doc) => encodeDocument(doc));

const sharedTail = sharedJsonTail(',"resource":{"attributes":{"service.name":"api ✓"}}}');

function splitDocument(head: string, overrides: Partial<BulkDocument>): BulkDocument {
  const json = head + sharedTail.text;
  return bulkDocument({
    ...overrides,
    json,
    split: { head, tail: sharedTail },
    document: JSON.parse(json) as BulkDocument['document'],
  });
}

test('bulk records go to the spool in the exporter layout and replay as mapped, ids and flags included', async () => {
  const records = mapped();
  const replayed = await replayThroughSpool(records, bulkRecordSpoolCodec);
  assert.equal(replayed.corrupt, 0);
  assert.equal(replayed.payloadTag, 0x45);
  assert.deepEqual(replayed.records.map(fieldsOf), records.map(fieldsOf));
  // The replayed batch makes the same request body, byte for byte.
  assert.deepEqual(buildBulkBody(replayed.records), buildBulkBody(records));
});

test('replayed documents are copied out of the payload: a record retried alone keeps only its slab', () => {
  const records = Array.from({ length: 200 }, (_, i) =>
    encodeDocument(bulkDocument({ document: { i, message: 'm'.repeat(1_000) } })),
  );
  const payload = bulkRecordSpoolCodec.encode(records);
  assert.ok(payload.length > 200_000);
  for (const record of bulkRecordSpoolCodec.decode(payload, records.length)) {
    assert.ok(record.documentBytes.buffer.byteLength <= 32 * 1024);
  }
  // Documents past the slab's own-buffer limit each get memory of their own size.
  const large = Array.from({ length: 20 }, (_, i) =>
    encodeDocument(bulkDocument({ document: { i, message: 'm'.repeat(10_000) } })),
  );
  for (const record of bulkRecordSpoolCodec.decode(
    bulkRecordSpoolCodec.encode(large),
    large.length,
  )) {
    assert.equal(record.documentBytes.buffer.byteLength, record.documentBytes.length);
  }
});

test('a repeated action line is written once per export', () => {
  const records = Array.from({ length: 100 }, () => encodeDocument(bulkDocument({})));
  const documentBytes = records.reduce((n, r) => n + r.documentBytes.length, 0);
  const payload = bulkRecordSpoolCodec.encode(records);
  // Tag, version, one action line; per record a flags byte, a reference, a length, the document.
  const actionBytes = Buffer.byteLength(records[0].action);
  assert.equal(payload.length, 2 + 1 + actionBytes + 100 * 3 + documentBytes);
});

test('a shared tail is written once per export and replays as the tail the mapping shares', () => {
  const text =
    ',"resource":{"attributes":{"service.name":"tails ✓","notes":"' + 'n'.repeat(2_000) + '"}}}';
  const tail = internedTail(text);
  const heads = Array.from({ length: 50 }, (_, i) => `{"message":"line ${i}"`);
  const records = heads.map((head) =>
    encodeDocument(bulkDocument({ json: head + text, split: { head, tail } })),
  );
  const payload = bulkRecordSpoolCodec.encode(records);
  // Tag, version, one action line; per record a flags byte, a reference and a length, its own
  // bytes and a tail reference; the tail once, with its length.
  const actionBytes = Buffer.byteLength(records[0].action);
  const headBytes = heads.reduce((n, head) => n + Buffer.byteLength(head), 0);
  const tailBytes = Buffer.byteLength(text);
  assert.equal(payload.length, 2 + 1 + actionBytes + 50 * 4 + headBytes + 2 + tailBytes);
  const replayed = bulkRecordSpoolCodec.decode(payload, records.length);
  assert.deepEqual(replayed.map(fieldsOf), records.map(fieldsOf));
  for (const record of replayed) {
    assert.equal(sharedTailOf(record), tail, 'the tail the mapping hands out for that text');
  }
  // Whole documents stay whole: no tail to share.
  const [whole] = bulkRecordSpoolCodec.decode(bulkRecordSpoolCodec.encode(mapped().slice(0, 1)), 1);
  assert.equal(sharedTailOf(whole), undefined);
});

test('a lone surrogate in a document replays as the escape the wire carried', async () => {
  const record = encodeDocument(bulkDocument({ document: { message: 'a\ud800b' } }));
  const [replayed] = (await replayThroughSpool([record], bulkRecordSpoolCodec)).records;
  // JSON.stringify escapes a lone surrogate, so the document line is well formed either way.
  assert.equal(replayed.document, record.document);
  assert.deepEqual(Buffer.from(replayed.documentBytes), Buffer.from(record.documentBytes));
});

test('records the core default codec wrote before this codec (columns) replay as bulk records', () => {
  const records = mapped();
  // What the spool held from the previous release: the flat records, document as text.
  const before = records.map((r) => ({
    index: r.index,
    id: r.id,
    action: r.action,
    document: r.document,
    bytes: r.bytes,
    conflictMeansStored: r.conflictMeansStored,
    timeSeries: r.timeSeries,
  }));
  const payload = defaultSpoolCodec.encode(before);
  assert.equal(payload[0], 0x03, 'columns');
  const replayed = bulkRecordSpoolCodec.decode(payload, before.length);
  assert.deepEqual(replayed.map(fieldsOf), records.map(fieldsOf));
  // A record with a lone surrogate in its index made the default codec take V8's serialisation.
  const odd = {
    ...before[0],
    index: 'logs-\ud800',
    action: '{"create":{"_index":"logs-\\ud800"}}',
  };
  const v8Payload = defaultSpoolCodec.encode([odd, before[1]]);
  assert.equal(v8Payload[0], 0xff, 'V8');
  assert.deepEqual(
    bulkRecordSpoolCodec.decode(v8Payload, 2).map((r) => [r.index, r.action, r.document]),
    [odd, before[1]].map((r) => [r.index, r.action, r.document]),
  );
  // Another exporter's records in the old layout are refused, not sent as bulk lines.
  assert.throws(
    () => bulkRecordSpoolCodec.decode(defaultSpoolCodec.encode([{ table: 'logs', data: '{}' }]), 1),
    /not a bulk record/,
  );
});

test('payloads that are not this layout are refused (counted corrupt by the spool), never misread', () => {
  const good = Buffer.from(bulkRecordSpoolCodec.encode(mapped().slice(0, 2)));
  const cases: [string, Buffer, RegExp][] = [
    ['a later format', Buffer.concat([Buffer.from([0x45, 2]), good.subarray(2)]), /format 2/],
    ['unknown flags', Buffer.from([0x45, 1, 8, 0]), /flags 8/],
    ['an action line never written', Buffer.from([0x45, 1, 0, 3, 0]), /action line 2 of 0/],
    ['cut short', good.subarray(0, good.length - 3), /ends early/],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0])]), /after its records/],
  ];
  for (const [name, payload, error] of cases) {
    assert.throws(() => bulkRecordSpoolCodec.decode(payload, 2), error, name);
  }
  // An action line of another kind (`index` overwrites: this exporter only ever creates).
  const line = Buffer.from('{"index":{"_index":"logs-x"}}');
  const notCreate = Buffer.concat([
    Buffer.from([0x45, 1, 0, 0, line.length]),
    line,
    Buffer.from([2]),
    Buffer.from('{}'),
  ]);
  assert.throws(() => bulkRecordSpoolCodec.decode(notCreate, 1), /not a bulk create/);
});
