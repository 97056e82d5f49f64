import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TraceState } from '@opentelemetry/api';
import { spanToEvent, toRecord } from '../src';
import type { RoutingOptions } from '../src';
import { hr, span } from './helpers/items';

/*
 * The Collector's span mapping: the data of open-telemetry/opentelemetry-collector-contrib
 * exporter/splunkhecexporter/tracedata_to_splunk_test.go (Test_traceDataToSplunk, initSpan,
 * commonSplunkEvent), compared on the JSON we send. One difference the JS API imposes: it has no
 * UNSPECIFIED span kind (its default, 0, is INTERNAL), so the row's kind is SPAN_KIND_INTERNAL.
 */
const SOURCE = 'exporter/splunkhecexporter/tracedata_to_splunk_test.go';
const DEFAULTS: RoutingOptions = { source: '', sourcetype: '', index: '' };
const TS = hr(123);

const traceState = (text: string): TraceState =>
  ({ serialize: () => text }) as unknown as TraceState;

/** initSpan("myspan", 123, …) */
const INIT_SPAN = span({
  name: 'myspan',
  startTime: TS,
  attributes: { foo: 'bar' },
  links: [
    {
      context: {
        traceId: '12345678000000000000000000000000',
        spanId: '1234000000000000',
        traceFlags: 0,
        traceState: traceState('OK'),
      },
      attributes: { foo: 1, bar: false, foobar: ['a', 'b'] },
    },
  ],
  events: [{ name: 'myEvent', time: hr(126), attributes: { foo: 'bar' } }],
  resourceAttributes: {
    'com.splunk.source': 'myservice',
    'host.name': 'myhost',
    'com.splunk.sourcetype': 'mysourcetype',
    'com.splunk.index': 'myindex',
  },
});

describe('spans: the Collector splunkhecexporter mapping', () => {
  it(`valid (${SOURCE})`, () => {
    const record = toRecord(spanToEvent(INIT_SPAN, DEFAULTS));
    assert.deepEqual(JSON.parse(record.json), {
      host: 'myhost',
      source: 'myservice',
      sourcetype: 'mysourcetype',
      index: 'myindex',
      event: {
        trace_id: '',
        span_id: '',
        parent_span_id: '',
        name: 'myspan',
        attributes: { foo: 'bar' },
        end_time: 0,
        kind: 'SPAN_KIND_INTERNAL',
        status: { message: '', code: 'STATUS_CODE_UNSET' },
        start_time: 123,
        events: [{ attributes: { foo: 'bar' }, name: 'myEvent', timestamp: 126 }],
        links: [
          {
            attributes: { foo: 1, bar: false, foobar: ['a', 'b'] },
            trace_id: '12345678000000000000000000000000',
            span_id: '1234000000000000',
            trace_state: 'OK',
          },
        ],
      },
    });
  });

  it(`custom_config (${SOURCE})`, () => {
    const custom = {
      ...INIT_SPAN,
      resource: {
        attributes: {
          mysource: 'myservice',
          myhost: 'myhost',
          mysourcetype: 'othersourcetype',
          myindex: 'mysourcetype',
        },
      },
    };
    const parsed = JSON.parse(
      toRecord(
        spanToEvent(custom, {
          ...DEFAULTS,
          attributes: {
            source: 'mysource',
            sourcetype: 'mysourcetype',
            host: 'myhost',
            index: 'myindex',
          },
        }),
      ).json,
    ) as Record<string, unknown>;
    assert.deepEqual(
      [parsed.host, parsed.source, parsed.sourcetype, parsed.index, parsed.fields],
      ['myhost', 'myservice', 'othersourcetype', 'mysourcetype', undefined],
    );
  });

  it('ids, parent, kind, status and 19-digit nanosecond times as written (pkg/translator/splunk/traces_to_splunk.go)', () => {
    const child = span({
      name: 'GET /',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanContext: {
        traceId: '0af7651916cd43dd8448eb211c80319c',
        spanId: '00f067aa0ba902b7',
        traceFlags: 1,
      },
      kind: 1,
      status: { code: 2, message: 'boom' },
      startTime: hr(1_700_000_000_123_456_789n),
      endTime: hr(1_700_000_000_223_456_789n),
      resourceAttributes: { 'service.name': 'checkout' },
    });
    const json = toRecord(
      spanToEvent(child, { source: 's', sourcetype: 'otel', index: 'traces' }),
    ).json;
    // JSON.parse would round the nanoseconds: compare the text.
    assert.match(json, /"end_time":1700000000223456789,/);
    assert.match(json, /"start_time":1700000000123456789[,}]/);
    const parsed = JSON.parse(json) as Record<string, unknown>;
    assert.equal(parsed.time, 1700000000.123);
    assert.deepEqual(parsed.fields, { 'service.name': 'checkout' });
    assert.equal(parsed.host, 'unknown');
    assert.equal(parsed.index, 'traces');
    const event = parsed.event as Record<string, unknown>;
    assert.equal(event.parent_span_id, '00f067aa0ba902b7');
    assert.equal(event.kind, 'SPAN_KIND_SERVER');
    assert.deepEqual(event.status, { message: 'boom', code: 'STATUS_CODE_ERROR' });
    assert.equal('events' in event || 'links' in event || 'attributes' in event, false);
  });
});
