import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import { doublingValue, selfReferringValue } from '@otelpack/batching-core/testing';
import { attributeText, mapLog } from '../src';

/*
 * Bad input (issue 11): a log body or attribute that refers to itself, or that doubles at every
 * level, is written bounded (the core's boundedValue) instead of throwing or expanding.
 */

const OPTIONS = { source: 'otlp_log_ingestion', globalTags: [], fallback: {} };

// Now: the logs mapping refuses records older than the intake's 18 h window.
const NOW_SECONDS = Math.floor(Date.now() / 1000);

function record(fields: Partial<Record<keyof ReadableLogRecordLike, unknown>>) {
  return {
    hrTime: [NOW_SECONDS, 0],
    hrTimeObserved: [NOW_SECONDS, 0],
    resource: { attributes: { 'service.name': 'api' } },
    instrumentationScope: { name: 's' },
    attributes: {},
    droppedAttributesCount: 0,
    ...fields,
  } as ReadableLogRecordLike;
}

test('a log body that refers to itself is written with the circular marker', () => {
  const { entry } = mapLog(record({ body: selfReferringValue() }), OPTIONS as never);
  assert.equal(entry.message, '{"a":"[circular]","b":"[circular]"}');
});

test('attributes that refer to themselves or double at every level are written bounded', () => {
  const { entry, bytes } = mapLog(
    record({ attributes: { self: selfReferringValue(), doubling: doublingValue() } }),
    OPTIONS as never,
  );
  assert.equal(entry['self.a'], '[circular]');
  assert.ok(bytes < 30_000_000, `${bytes} bytes`);
});

test('an array attribute that contains itself becomes text with the circular marker', () => {
  const list: unknown[] = [1];
  list.push(list);
  assert.equal(attributeText(list as never), '[1,"[circular]"]');
});
