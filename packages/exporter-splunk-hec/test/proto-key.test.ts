import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataPointType } from '@otelpack/batching-core';
import { logRecordToEvent, resourceMetricsToEvents, spanToEvent, toRecord } from '../src';
import type { HecEvent, RoutingOptions } from '../src';
import { logRecord, numberMetric, resourceMetrics, span } from './helpers/items';

/*
 * An attribute (or map key) named `__proto__`, assigned into an object literal, sets the
 * object's prototype or is ignored: the field would be lost without a count. JSON.parse makes
 * such keys as the SDK may hold them (own properties); the JSON sent is parsed back the same way.
 */
const ROUTING: RoutingOptions = { source: '', sourcetype: '', index: '' };
const proto = <T>(json: string) => JSON.parse(json) as T;

function sent(event: HecEvent): { fields: Record<string, unknown>; event: unknown } {
  return JSON.parse(toRecord(event).json) as { fields: Record<string, unknown>; event: unknown };
}

/** An own key's value; undefined where the key or the object (an empty `fields`) is absent. */
const own = (object: unknown, key: string): unknown =>
  object === undefined ? undefined : Object.getOwnPropertyDescriptor(object, key)?.value;

describe('keys named __proto__ are sent', () => {
  it('span: a resource attribute as a field, a span attribute in the event', () => {
    const out = sent(
      spanToEvent(
        span({
          resourceAttributes: proto('{"__proto__":"resource"}'),
          attributes: proto('{"__proto__":"span"}'),
        }),
        ROUTING,
      ),
    );
    assert.equal(own(out.fields, '__proto__'), 'resource');
    assert.equal(own((out.event as { attributes: unknown }).attributes, '__proto__'), 'span');
  });

  it('log: resource and record attributes as fields, nested keys flattened, body map keys kept', () => {
    for (const side of ['resource', 'attributes'] as const) {
      const out = sent(
        logRecordToEvent(
          logRecord({
            body: proto('{"__proto__":"body","map":{"__proto__":"body-nested"}}'),
            [side]: proto(`{"__proto__":"${side}","map":{"__proto__":"${side}-nested"}}`),
          }),
          ROUTING,
        ),
      );
      assert.equal(own(out.fields, '__proto__'), side);
      assert.equal(own(out.fields, 'map.__proto__'), `${side}-nested`);
      assert.equal(own(out.event, '__proto__'), 'body');
      assert.equal(own((out.event as { map: unknown }).map, '__proto__'), 'body-nested');
    }
  });

  for (const multiMetric of [false, true]) {
    it(`metric${multiMetric ? ' (multi-metric)' : ''}: resource and point attributes as fields`, () => {
      for (const side of ['resource', 'point'] as const) {
        const attributes = proto<Record<string, string>>(`{"__proto__":"${side}"}`);
        const { events } = resourceMetricsToEvents(
          resourceMetrics(side === 'resource' ? attributes : {}, [
            numberMetric(
              'm',
              DataPointType.GAUGE,
              [{ value: 1, time: [1, 0], ...(side === 'point' ? { attributes } : {}) }],
              1,
            ),
          ]),
          { ...ROUTING, multiMetric },
        );
        assert.equal(events.length, 1);
        assert.equal(own(sent(events[0]).fields, '__proto__'), side);
      }
    });
  }
});
