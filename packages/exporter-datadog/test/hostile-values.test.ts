import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { attributeText, mapLog, mapSpan } from '../src';

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

test('span event and link attributes that refer to themselves are written with the circular marker', () => {
  const list: unknown[] = [1];
  list.push(list);
  const span = {
    name: 'op',
    kind: 0,
    spanContext: () => ({ traceId: '01'.repeat(16), spanId: '02'.repeat(8), traceFlags: 1 }),
    startTime: [1, 0],
    endTime: [2, 0],
    duration: [1, 0],
    status: { code: 0 },
    attributes: {},
    events: [{ name: 'e', time: [1, 5], attributes: { list } }],
    links: [
      {
        context: { traceId: '03'.repeat(16), spanId: '04'.repeat(8), traceFlags: 1 },
        attributes: { list },
      },
    ],
    ended: true,
    resource: { attributes: { 'service.name': 'api' } },
    instrumentationScope: { name: 'scope' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as ReadableSpanLike;
  const { meta } = mapSpan(span).span;
  assert.deepEqual(JSON.parse(meta.events)[0].attributes, { list: [1, '[circular]'] });
  assert.deepEqual(JSON.parse(meta['_dd.span_links'])[0].attributes, { list: [1, '[circular]'] });
});

test('a body or attribute whose every leaf shares one long text is cut by characters', () => {
  const { entry, bytes } = mapLog(
    record({ body: doublingTextValue(), attributes: { text: doublingTextValue() } }),
    OPTIONS as never,
  );
  assert.match(String(entry.message), /\[truncated\]/);
  assert.ok(bytes < 30_000_000, `${bytes} bytes`);
});
