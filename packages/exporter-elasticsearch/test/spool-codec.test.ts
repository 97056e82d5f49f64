import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { encodeDocument } from '../src/bulk/record';
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

test('bulk records go to the spool as columns (not V8) and replay as mapped, ids and flags included', async () => {
  const records = [
    bulkDocument({}),
    bulkDocument({ hashId: true, conflictMeansStored: true }),
    bulkDocument({ id: 'fixed', document: { message: 'é ✓ 𝄞 non-ASCII' } }),
    bulkDocument({ timeSeries: true, dynamicTemplates: { 'a.b': 'counter_long' } }),
  ].map(encodeDocument);
  // The bulk sender gives no codec: the core's default keeps these flat records in columns.
  const replayed = await replayThroughSpool(records);
  assert.equal(replayed.corrupt, 0);
  assert.equal(replayed.payloadTag, 0x03);
  assert.deepEqual(replayed.records, records);
});
