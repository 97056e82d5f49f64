import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DataPointType } from '@otelpack/batching-core';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { logRecordToEvent, resourceMetricsToEvents, spanToEvent, toRecord } from '../src';
import type { RoutingOptions } from '../src';
import { logRecord, numberMetric, resourceMetrics, span } from './helpers/items';

/*
 * Bad input (issue 11): a log body or attribute that refers to itself, or that doubles at every
 * level, is written bounded (the core's boundedValue) instead of throwing or never ending.
 */

const ROUTING: RoutingOptions = { source: '', sourcetype: '', index: '' };

function eventJson(fields: Parameters<typeof logRecord>[0]): Record<string, unknown> {
  const record = toRecord(logRecordToEvent(logRecord(fields), ROUTING));
  return JSON.parse(record.json) as Record<string, unknown>;
}

test('a log body that refers to itself is written with the circular marker', () => {
  assert.deepEqual(eventJson({ body: selfReferringValue() as never }).event, {
    a: '[circular]',
    b: '[circular]',
  });
});

// Without the bound the doubling cases never end (2^40 values, synchronously: no test timeout
// can stop them), as in every exporter's hostile-values test: CI's time limit fails them.
test('a body that doubles at every level is cut at the core bound, not written out', () => {
  const record = toRecord(logRecordToEvent(logRecord({ body: doublingValue() as never }), ROUTING));
  assert.ok(record.json.includes('"[truncated]"'), 'cut with the truncation marker');
  assert.ok(record.bytes < 30_000_000, `${record.bytes} bytes`);
});

test('attributes that refer to themselves or double at every level become bounded fields', () => {
  const json = eventJson({
    body: 'hello',
    attributes: { self: selfReferringValue(), doubling: doublingValue() } as never,
  });
  const fields = json.fields as Record<string, unknown>;
  assert.equal(fields['self.a'], '[circular]');
  assert.equal(fields['self.b'], '[circular]');
  const doublingFields = Object.keys(fields).filter((key) => key.startsWith('doubling.'));
  assert.ok(
    doublingFields.length > 0 && doublingFields.length <= 100_001,
    `${doublingFields.length}`,
  );
});

test('an array attribute that contains itself keeps its items, the repeat as the marker', () => {
  const list: unknown[] = [1];
  list.push(list);
  const fields = eventJson({ body: 'hello', attributes: { list } as never }).fields as Record<
    string,
    unknown
  >;
  // Flat once bounded: kept as an array, as the Collector keeps a flat array attribute.
  assert.deepEqual(fields.list, [1, '[circular]']);
});

/** An array that contains itself: what the SDK keeps in a resource or metric attribute. */
function selfContainingList(): unknown[] {
  const list: unknown[] = [1];
  list.push(list);
  return list;
}

test('spans: resource, span and event attributes that refer to themselves are written bounded', () => {
  const event = spanToEvent(
    span({
      traceId: 'a'.repeat(32),
      spanId: 'b'.repeat(16),
      resourceAttributes: { list: selfContainingList() } as never,
      attributes: { self: selfReferringValue(), list: selfContainingList() } as never,
      events: [{ name: 'e', time: [1, 0], attributes: { self: selfReferringValue() } as never }],
    }) as never,
    ROUTING,
  );
  const json = JSON.parse(toRecord(event).json) as {
    event: { attributes: Record<string, unknown>; events?: unknown };
    fields: Record<string, unknown>;
  };
  // pdata's AsString of a slice: its JSON, the repeat as the marker.
  assert.equal(json.fields.list, '[1,"[circular]"]');
  assert.deepEqual(json.event.attributes.self, { a: '[circular]', b: '[circular]' });
  assert.deepEqual(json.event.attributes.list, [1, '[circular]']);
  assert.match(JSON.stringify(json.event), /"self":\{"a":"\[circular\]","b":"\[circular\]"\}/);
});

test('metrics: resource and data point attributes that refer to themselves become bounded dimensions', () => {
  const { events } = resourceMetricsToEvents(
    resourceMetrics({ list: selfContainingList() } as never, [
      numberMetric(
        'load',
        DataPointType.GAUGE,
        [{ value: 1, time: [1, 0], attributes: { self: selfReferringValue() } as never }],
        1,
      ),
    ]) as never,
    { ...ROUTING, multiMetric: false },
  );
  assert.equal(events.length, 1);
  const fields = events[0].fields as Record<string, unknown>;
  assert.equal(fields.list, '[1,"[circular]"]');
  assert.equal(fields.self, '{"a":"[circular]","b":"[circular]"}');
});

test('a body whose every leaf shares one long text is cut by characters', () => {
  const record = toRecord(
    logRecordToEvent(logRecord({ body: doublingTextValue() as never }), ROUTING),
  );
  assert.ok(record.json.includes('"[truncated]"'), 'cut with the truncation marker');
  assert.ok(record.bytes < 5_000_000, `${record.bytes} bytes`);
});
