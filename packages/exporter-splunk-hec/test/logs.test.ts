import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { logRecordToEvent, toRecord } from '../src';
import type { RoutingOptions } from '../src';
import { hr, logRecord } from './helpers/items';

/*
 * The Collector's log mapping, row by row. Inputs and expected events are the data of
 * open-telemetry/opentelemetry-collector-contrib exporter/splunkhecexporter/logdata_to_splunk_test.go
 * (Test_mapLogRecordToSplunkEvent), compared on the JSON we send; the rows marked
 * pkg/translator/splunk/logs_to_splunk.go (where the mapping lives now) follow its current code
 * where the test shows older behaviour (a record without a body is no longer sent) or has no case
 * (flattening of maps and arrays, the observed time as fallback).
 */
const TEST_FILE = 'exporter/splunkhecexporter/logdata_to_splunk_test.go';
const CODE_FILE = 'pkg/translator/splunk/logs_to_splunk.go';

/** `config.Source = "source"; config.SourceType = "sourcetype"`, as most rows set. */
const CONFIGURED: RoutingOptions = { source: 'source', sourcetype: 'sourcetype', index: '' };
const DEFAULTS: RoutingOptions = { source: '', sourcetype: '', index: '' };
const TS = hr(123);
const ROUTED = {
  'com.splunk.source': 'myapp',
  'com.splunk.sourcetype': 'myapp-type',
  'host.name': 'myhost',
};

interface Row {
  name: string;
  source: string;
  record: Parameters<typeof logRecord>[0];
  routing: RoutingOptions;
  /** The event as HEC receives it (time 0 is left out, as Go's omitempty does). */
  want: Record<string, unknown>;
}

const VALID: Row = {
  name: 'valid',
  source: TEST_FILE,
  record: { body: 'mylog', attributes: { ...ROUTED, custom: 'custom' }, time: TS },
  routing: CONFIGURED,
  want: {
    host: 'myhost',
    source: 'myapp',
    sourcetype: 'myapp-type',
    event: 'mylog',
    fields: { custom: 'custom' },
  },
};

const ROWS: Row[] = [
  VALID,
  // The same input and event as 'valid' in the Collector's current table.
  { ...VALID, name: 'with_name', source: 'pkg/translator/splunk/logs_to_splunk_test.go' },
  {
    name: 'with_hec_token',
    source: TEST_FILE,
    record: { body: 'mylog', attributes: { 'com.splunk.hec.access_token': 'mytoken' }, time: TS },
    routing: CONFIGURED,
    want: { host: 'unknown', source: 'source', sourcetype: 'sourcetype', event: 'mylog' },
  },
  {
    name: 'non-string attribute',
    source: TEST_FILE,
    record: { body: 'mylog', attributes: { ...ROUTED, foo: 123 }, time: TS },
    routing: CONFIGURED,
    want: {
      host: 'myhost',
      source: 'myapp',
      sourcetype: 'myapp-type',
      event: 'mylog',
      fields: { foo: 123 },
    },
  },
  {
    name: 'with_config',
    source: TEST_FILE,
    record: { body: 'mylog', attributes: { custom: 'custom' }, time: TS },
    routing: CONFIGURED,
    want: {
      host: 'unknown',
      source: 'source',
      sourcetype: 'sourcetype',
      event: 'mylog',
      fields: { custom: 'custom' },
    },
  },
  {
    name: 'with span and trace id (with a body: a record without one is not sent)',
    source: TEST_FILE,
    record: {
      body: 'mylog',
      spanId: '0000000000000032',
      traceId: '00000000000000000000000000000064',
    },
    routing: CONFIGURED,
    want: {
      host: 'unknown',
      source: 'source',
      sourcetype: 'sourcetype',
      event: 'mylog',
      fields: { span_id: '0000000000000032', trace_id: '00000000000000000000000000000064' },
    },
  },
  ...(
    [
      ['with double body', 42],
      ['with int body', 42],
      ['with bool body', true],
      ['with map body', { '23': 45, foo: 'bar' }],
      ['with array body', ['foo']],
    ] as const
  ).map(([name, body]) => ({
    name,
    source: TEST_FILE,
    record: { body: body as never, attributes: { ...ROUTED, custom: 'custom' }, time: TS },
    routing: CONFIGURED,
    want: {
      host: 'myhost',
      source: 'myapp',
      sourcetype: 'myapp-type',
      event: body,
      fields: { custom: 'custom' },
    },
  })),
  {
    name: 'log resource attribute',
    source: TEST_FILE,
    record: {
      body: 'mylog',
      time: TS,
      resource: {
        resourceAttr1: 'some_string',
        'com.splunk.sourcetype': 'myapp-type-from-resource-attr',
        'com.splunk.index': 'index-resource',
        'com.splunk.source': 'myapp-resource',
        'host.name': 'myhost-resource',
      },
    },
    routing: DEFAULTS,
    want: {
      host: 'myhost-resource',
      source: 'myapp-resource',
      sourcetype: 'myapp-type-from-resource-attr',
      index: 'index-resource',
      event: 'mylog',
      fields: { resourceAttr1: 'some_string' },
    },
  },
  {
    name: 'with severity',
    source: TEST_FILE,
    record: {
      body: 'mylog',
      attributes: { ...ROUTED, custom: 'custom' },
      severityText: 'DEBUG',
      severityNumber: 5,
      time: TS,
    },
    routing: CONFIGURED,
    want: {
      host: 'myhost',
      source: 'myapp',
      sourcetype: 'myapp-type',
      event: 'mylog',
      fields: {
        custom: 'custom',
        'otel.log.severity.number': 5,
        'otel.log.severity.text': 'DEBUG',
      },
    },
  },
  {
    name: 'with_custom_mapping',
    source: TEST_FILE,
    record: {
      body: 'mylog',
      attributes: {
        custom: 'custom',
        mysource: 'mysource',
        mysourcetype: 'mysourcetype',
        myindex: 'myindex',
        myhost: 'myhost',
      },
      severityText: 'DEBUG',
      severityNumber: 5,
      time: TS,
    },
    routing: {
      ...DEFAULTS,
      attributes: {
        source: 'mysource',
        sourcetype: 'mysourcetype',
        index: 'myindex',
        host: 'myhost',
      },
      severityFields: { severityText: 'myseverity', severityNumber: 'myseveritynum' },
    },
    want: {
      host: 'myhost',
      source: 'mysource',
      sourcetype: 'mysourcetype',
      index: 'myindex',
      event: 'mylog',
      fields: { custom: 'custom', myseverity: 'DEBUG', myseveritynum: 5 },
    },
  },
  {
    name: 'the record wins over its resource; maps flattened with dots; nested arrays as JSON text',
    source: CODE_FILE,
    record: {
      body: 'mylog',
      resource: { 'host.name': 'from-resource', team: 'a' },
      attributes: {
        'host.name': 'from-record',
        team: 'b',
        http: { request: { method: 'GET' }, status: 200 },
        flat: ['a', 1, true],
        nested: [['a'], { b: 1 }],
      },
      time: hr(1_001_990_000n),
    },
    routing: DEFAULTS,
    want: {
      time: 1.002,
      host: 'from-record',
      event: 'mylog',
      fields: {
        team: 'b',
        'http.request.method': 'GET',
        'http.status': 200,
        flat: ['a', 1, true],
        nested: '[["a"],{"b":1}]',
      },
    },
  },
];

describe('logs: the Collector splunkhecexporter mapping', () => {
  for (const row of ROWS) {
    it(`${row.name} (${row.source})`, () => {
      const record = toRecord(logRecordToEvent(logRecord(row.record), row.routing));
      assert.deepEqual(JSON.parse(record.json), row.want);
      assert.equal(record.bytes, Buffer.byteLength(record.json) + 1);
    });
  }

  for (const [name, body] of [
    ['log_is_empty', undefined],
    ['with nil body', null],
    ['empty string body', ''],
  ] as const) {
    it(`${name}: not mapped, since HEC refuses an event without a body (${CODE_FILE})`, () => {
      assert.throws(
        () => logRecordToEvent(logRecord({ body, attributes: ROUTED }), CONFIGURED),
        /without a body/,
      );
    });
  }

  it(`no time of its own: the observed time (${CODE_FILE})`, () => {
    const record = {
      ...logRecord({ body: 'x' }),
      hrTime: [0, 0] as [number, number],
      hrTimeObserved: hr(1_700_000_000_250_000_000n),
    };
    assert.equal(logRecordToEvent(record, DEFAULTS).time, 1700000000.25);
  });

  it('the event name goes to otel.log.name (an addition to the Collector)', () => {
    const event = logRecordToEvent(logRecord({ body: 'x', eventName: 'login' }), DEFAULTS);
    assert.equal(event.fields['otel.log.name'], 'login');
  });
});
