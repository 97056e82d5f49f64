import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { RowEncoder } from '../src/encoding/encoder';
import { logRecordToRow } from '../src/mapping/logs';
import { anyValueAsString } from '../src/mapping/values';
import { makeLogRecord } from './fixtures';

/*
 * Bad input (issue 11): a body or attribute that refers to itself, or that doubles at every
 * level, is written bounded (the core's boundedValue) instead of exhausting the heap.
 */

test('a log body that refers to itself is written with the circular marker', () => {
  assert.equal(
    anyValueAsString(selfReferringValue() as never),
    '{"a":"[circular]","b":"[circular]"}',
  );
});

test('a log body and attribute that double at every level are written bounded, in every format', () => {
  const record = makeLogRecord({
    body: doublingValue() as never,
    attributes: { self: selfReferringValue() as never, doubling: doublingValue() as never },
  });
  const row = logRecordToRow(record);
  assert.ok(row.Body.length < 10_000_000, `${row.Body.length} characters`);
  assert.match(row.Body, /\[too deep\]|\[truncated\]/);
  const attributes = Object.fromEntries(row.LogAttributes);
  assert.equal(attributes.self, '{"a":"[circular]","b":"[circular]"}');
  for (const format of ['JSONEachRow', 'RowBinary'] as const) {
    const encoded = new RowEncoder(format).encode('logs', row).data;
    assert.ok(encoded.length < 30_000_000, `${format}: ${encoded.length}`);
  }
});

test('a log body whose every leaf shares one long text is cut by characters, not written out', () => {
  // 131,072 leaves of 40,000 characters: 5.2 billion characters naively, 4 GB within the count
  // of values alone.
  const row = logRecordToRow(makeLogRecord({ body: doublingTextValue() as never }));
  assert.ok(row.Body.length < 5_000_000, `${row.Body.length} characters`);
  assert.match(row.Body, /\[truncated\]/);
});
