import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeDocument } from '../src/bulk/record';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import type { JsonObject } from '../src/mapping/json-value';
import { shareJson, stringifyDocument } from '../src/mapping/shared-json';
import {
  gauge,
  logRecord,
  plain,
  point,
  resource,
  resourceMetrics,
  scope,
  settings,
  span,
} from './helpers/fixtures';

test('a document with shared members serialises to the same JSON value as JSON.stringify', () => {
  const otel = settings();
  const res = resource({ 'service.name': 'checkout', 'host.name': 'h' });
  const sc = scope({ attributes: { a: 1 } });
  const docs = [
    ...mapSpan(
      span({ resource: res, scope: sc, events: [{ name: 'e', time: [1, 0], attributes: {} }] }),
      otel,
    ),
    mapLogRecord(logRecord({ resource: res, scope: sc, body: { k: 'v' } }), otel),
    mapLogRecord(logRecord({ resource: res, scope: sc }), otel),
    ...mapResourceMetrics(
      resourceMetrics([gauge('g', [point(1)])], { resource: res, scope: sc }),
      otel,
    ).documents,
  ];
  for (const doc of docs) {
    const line = encodeDocument(doc).document;
    assert.deepEqual(JSON.parse(line), plain(doc.document));
  }
  // The same SDK resource maps to the same shared field (span and log), serialised once.
  const resourceOf = (i: number) => (docs[i].document as { resource: unknown }).resource;
  assert.equal(resourceOf(0), resourceOf(2));
});

test('stringifyDocument: shared members only, none, and an empty rest', () => {
  const shared = shareJson({ x: 1 });
  assert.equal(stringifyDocument({ a: shared }), '{"a":{"x":1}}');
  assert.equal(stringifyDocument({ a: 1, b: 'q"' }), JSON.stringify({ a: 1, b: 'q"' }));
  assert.deepEqual(JSON.parse(stringifyDocument({ a: shared, b: [1], c: 'z' })), {
    a: { x: 1 },
    b: [1],
    c: 'z',
  });
  assert.ok(Object.isFrozen(shared), 'a shared member cannot drift from its JSON');
});

test('a top-level key named __proto__ beside a shared member is kept', () => {
  const document = JSON.parse('{"__proto__":"kept","a":1}') as JsonObject;
  document.shared = shareJson({ x: 1 });
  assert.equal(stringifyDocument(document), '{"__proto__":"kept","a":1,"shared":{"x":1}}');
});
