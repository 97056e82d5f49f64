import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutsideTimeWindowError } from '@otelpack/batching-core';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import {
  DATADOG_OPTIONS,
  LOGS_MAX_AGE_MS,
  SITES,
  decimalId,
  logsIntakeUrl,
  logsUrl,
  mapLog,
  statusFromSeverity,
} from '../src';

// The records below are stamped 1_700_000_000 s; the clock reads one minute later.
const NOW_MS = 1_700_000_060_000;
const OPTIONS = {
  source: 'otlp_log_ingestion',
  globalTags: ['team:pay'],
  fallback: { version: '1.0' },
  now: () => NOW_MS,
};

function record(
  fields: Partial<Record<keyof ReadableLogRecordLike, unknown>> = {},
): ReadableLogRecordLike {
  return {
    hrTime: [1_700_000_000, 123_456_789],
    hrTimeObserved: [1_700_000_000, 0],
    resource: { attributes: { 'service.name': 'api', hostname: 'h', 'k8s.pod.name': 'p-1' } },
    instrumentationScope: { name: 's' },
    attributes: {},
    droppedAttributesCount: 0,
    ...fields,
  } as ReadableLogRecordLike;
}

// opentelemetry-mapping-go pkg/otlp/logs/transform.go: severity number ranges → status.
const SEVERITY: [number | undefined, string | undefined][] = [
  [undefined, undefined],
  [0, undefined],
  [1, 'trace'],
  [4, 'trace'],
  [5, 'debug'],
  [8, 'debug'],
  [9, 'info'],
  [12, 'info'],
  [13, 'warn'],
  [16, 'warn'],
  [17, 'error'],
  [20, 'error'],
  [21, 'fatal'],
  [24, 'fatal'],
];

describe('logs mapping (opentelemetry-mapping-go pkg/otlp/logs/transform.go rules)', () => {
  for (const [number, status] of SEVERITY) {
    it(`severity ${number} → ${status} (transform.go)`, () =>
      assert.equal(statusFromSeverity(number), status));
  }

  it('status: a status/level attribute, else the severity text, else the number', () => {
    assert.equal(
      mapLog(record({ attributes: { level: 'warning' }, severityText: 'INFO' }), OPTIONS).entry
        .status,
      'warning',
    );
    assert.equal(
      mapLog(record({ severityText: 'Notice', severityNumber: 10 }), OPTIONS).entry.status,
      'Notice',
    );
    assert.equal(mapLog(record({ severityNumber: 18 }), OPTIONS).entry.status, 'error');
  });

  it('message: msg / message / log attribute, else the body (maps as JSON)', () => {
    assert.equal(
      mapLog(record({ body: 'b', attributes: { message: 'm' } }), OPTIONS).entry.message,
      'm',
    );
    assert.equal(mapLog(record({ body: { a: [1, 2] } }), OPTIONS).entry.message, '{"a":[1,2]}');
  });

  it('resource attributes as text, hostname/service renamed; nested attributes flattened', () => {
    const entry = mapLog(
      record({ attributes: { http: { status: 200, ok: true }, deep: { a: { b: 'c' } } } }),
      OPTIONS,
    ).entry;
    assert.equal(entry['otel.hostname'], 'h');
    assert.equal(entry['service.name'], 'api');
    assert.equal(entry['http.status'], 200);
    assert.equal(entry['http.ok'], true);
    assert.equal(entry['deep.a.b'], 'c');
    assert.equal(entry.service, 'api');
    assert.equal(entry.ddsource, 'otlp_log_ingestion');
    assert.equal(entry.ddtags, 'service:api,pod_name:p-1,version:1.0,team:pay');
    assert.equal(entry['@timestamp'], '2023-11-14T22:13:20.123Z');
    assert.equal(entry['otel.timestamp'], '1700000000123456789');
  });

  // transform.go switches on strings.ToLower(k): a key's case does not matter.
  it('message and status attributes whatever the case of their keys', () => {
    const entry = mapLog(
      record({ body: 'b', severityNumber: 9, attributes: { Level: 'error', MSG: 'boom' } }),
      OPTIONS,
    ).entry;
    assert.deepEqual([entry.status, entry.message], ['error', 'boom']);
    assert.equal(entry.Level, 'error', 'the attributes themselves stay as they were named');
    const tagged = mapLog(record({ attributes: { DDTags: 'team:x' } }), OPTIONS).entry;
    assert.match(String(tagged.ddtags), /(^|,)team:x$/);
  });

  // Rows of transform_test.go (opentelemetry-mapping-go pkg/otlp/logs): ids a logger put in
  // attributes, decimal of the low 64 bits beside the hex as given; a bad one is ignored.
  const ATTRIBUTE_IDS: [string, Record<string, string>, string | undefined, string | undefined][] =
    [
      [
        'trace from attributes',
        { traceid: '437ab4d83468c540bb0f3398a39faa59' },
        '437ab4d83468c540bb0f3398a39faa59',
        '13479048940416379481',
      ],
      [
        'trace from attributes (underscore)',
        { trace_id: '740112b325075be8c80a48de336ebc67' },
        '740112b325075be8c80a48de336ebc67',
        '14414413676535528551',
      ],
      ['trace from attributes decode error', { traceid: 'invalidtraceid' }, undefined, undefined],
      [
        'trace from attributes size error',
        {
          traceid:
            'eb068afe5e53704f3b0dc3d3e1e397cb760549a7b58547db4f1dee845d9101f8db1ccf8fdd0976a9112f',
        },
        undefined,
        undefined,
      ],
      [
        '(ours) a logger’s upper-case key, MDC form',
        { 'contextMap.traceId': '740112b325075be8c80a48de336ebc67' },
        '740112b325075be8c80a48de336ebc67',
        '14414413676535528551',
      ],
    ];
  for (const [name, attributes, otel, dd] of ATTRIBUTE_IDS) {
    it(`transform_test.go: ${name}`, () => {
      const entry = mapLog(record({ attributes }), OPTIONS).entry;
      assert.deepEqual([entry['otel.trace_id'], entry['dd.trace_id']], [otel, dd]);
    });
  }

  it('a span id from attributes; the record’s own context wins over both', () => {
    const fromAttributes = mapLog(
      record({ attributes: { span_id: '00000000000000ff' } }),
      OPTIONS,
    ).entry;
    assert.deepEqual(
      [fromAttributes['otel.span_id'], fromAttributes['dd.span_id']],
      ['00000000000000ff', '255'],
    );
    const both = mapLog(
      record({
        attributes: { trace_id: '740112b325075be8c80a48de336ebc67', spanid: '00000000000000ff' },
        spanContext: {
          traceId: '0102030405060708090a0b0c0d0e0f10',
          spanId: '0000000000000001',
          traceFlags: 1,
        },
      }),
      OPTIONS,
    ).entry;
    assert.deepEqual([both['dd.trace_id'], both['dd.span_id']], ['651345242494996240', '1']);
  });

  it('trace ids in Datadog decimal form (the low 64 bits) beside the hex', () => {
    assert.equal(decimalId('0102030405060708090a0b0c0d0e0f10'), '651345242494996240');
    const entry = mapLog(
      record({
        spanContext: {
          traceId: '0102030405060708090a0b0c0d0e0f10',
          spanId: '00000000000000ff',
          traceFlags: 1,
        },
      }),
      OPTIONS,
    ).entry;
    assert.equal(entry['dd.trace_id'], '651345242494996240');
    assert.equal(entry['dd.span_id'], '255');
  });

  it('the record size counts the JSON the intake limits', () => {
    const mapped = mapLog(record({ body: 'é' }), OPTIONS);
    assert.equal(mapped.bytes, Buffer.byteLength(JSON.stringify(mapped.entry)) + 1);
  });

  it('takes every Datadog site, and a later region of its domains; refuses anything else', () => {
    // https://docs.datadoghq.com/getting_started/site/ (English and Japanese pages, the latter
    // with US2-FED) and https://docs.datadoghq.com/api/latest/logs/send-logs/ (UK1).
    const documented = [
      'datadoghq.com',
      'us3.datadoghq.com',
      'us5.datadoghq.com',
      'datadoghq.eu',
      'ap1.datadoghq.com',
      'ap2.datadoghq.com',
      'uk1.datadoghq.com',
      'ddog-gov.com',
      'us2.ddog-gov.com',
    ];
    const later = [
      'ap3.datadoghq.com',
      'eu2.datadoghq.eu',
      'us3.ddog-gov.com',
      'US7.DATADOGHQ.COM',
    ];
    for (const site of [...documented, ...later]) {
      const resolved = DATADOG_OPTIONS.resolve({ site }, 'logs').own.site;
      assert.equal(resolved, site.toLowerCase(), site);
      // Every signal checks the site: none may refuse to start on one Datadog runs.
      for (const signal of ['metrics', 'traces'] as const)
        DATADOG_OPTIONS.resolve({ site }, signal);
    }
    assert.deepEqual([...SITES].sort(), [...documented].sort(), 'the documented list, whole');
    for (const site of [
      'datadog.com',
      'datadoghq.org',
      'example.com',
      'uk1.datadoghq.com.example.com',
      'a.b.datadoghq.com',
      // The common mistakes: the app's or the API's host for the site.
      'app.datadoghq.com',
      'www.datadoghq.com',
      'api.datadoghq.com',
      'app.datadoghq.eu',
      '-x.datadoghq.com',
      '',
    ]) {
      assert.throws(() => DATADOG_OPTIONS.resolve({ site }, 'logs'), /site/, site);
    }
  });

  it('the intake URL of each site, and the path', () => {
    assert.equal(logsIntakeUrl('datadoghq.eu').href, 'https://http-intake.logs.datadoghq.eu/');
    assert.equal(
      logsUrl(logsIntakeUrl('us5.datadoghq.com')).href,
      'https://http-intake.logs.us5.datadoghq.com/api/v2/logs',
    );
  });
});

// https://docs.datadoghq.com/api/latest/logs/send-logs/: logs up to 18 h in the past are taken;
// the intake answers 202 for older ones and drops them, so they are refused at mapping (counted).
describe("logs older than the intake's 18 h window", () => {
  const at = (ageMs: number) => {
    const ms = NOW_MS - ageMs;
    return record({ hrTime: [Math.floor(ms / 1_000), (ms % 1_000) * 1_000_000] });
  };
  const ROWS: [string, number, boolean][] = [
    ['just now', 0, true],
    ['17 h 59 min old', LOGS_MAX_AGE_MS - 60_000, true],
    ['exactly 18 h old', LOGS_MAX_AGE_MS, true],
    ['18 h and 1 s old', LOGS_MAX_AGE_MS + 1_000, false],
    ['a week old', 7 * 24 * 3_600_000, false],
  ];
  for (const [name, ageMs, taken] of ROWS) {
    it(`${name}: ${taken ? 'mapped' : 'refused with the reason'}`, () => {
      if (taken) assert.equal(typeof mapLog(at(ageMs), OPTIONS).entry['@timestamp'], 'string');
      else
        assert.throws(
          () => mapLog(at(ageMs), OPTIONS),
          (error: Error) =>
            error instanceof OutsideTimeWindowError &&
            error.code === 'OTELPACK_OUTSIDE_TIME_WINDOW' &&
            /ago; Datadog's logs intake drops anything older than 18 h$/.test(error.message),
        );
    });
  }
});

describe('keys named __proto__', () => {
  it('a resource, scope or record attribute named __proto__ is sent as a field, a nested one under its dotted name', () => {
    // JSON.parse makes `__proto__` an own key, as the SDK may hold it.
    const attrs = (value: string) =>
      JSON.parse(`{"__proto__":"${value}","map":{"__proto__":"${value}-nested"}}`) as never;
    for (const [fields, value] of [
      [{ resource: { attributes: attrs('resource') } }, 'resource'],
      [{ instrumentationScope: { name: 's', attributes: attrs('scope') } }, 'scope'],
      [{ attributes: attrs('record') }, 'record'],
    ] as const) {
      const text = mapLog(record(fields), OPTIONS).text;
      const sent = JSON.parse(text) as Record<string, unknown>;
      assert.equal(Object.getOwnPropertyDescriptor(sent, '__proto__')?.value, value, text);
      if (value !== 'resource') assert.equal(sent['map.__proto__'], `${value}-nested`, text);
    }
  });
});
