import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { Encoder } from '@msgpack/msgpack';
import { defaultSpoolCodec } from '@otelpack/batching-core';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import {
  DogStatsDSender,
  LogRecord,
  TraceAgentSender,
  dogStatsDTarget,
  encodeLine,
  mapLog,
  mapSpan,
} from '../src';
import type { TraceRecord } from '../src';
import { LogsIntakeSender } from '../src/logs/sender';
import { traceRecordSpoolCodec } from '../src/traces/spool-codec';

const NOW_MS = 1_700_000_060_000;
const OPTIONS = { source: 'otlp', globalTags: ['team:pay'], fallback: {}, now: () => NOW_MS };

function log(body: unknown): ReadableLogRecordLike {
  return {
    hrTime: [1_700_000_000, 123_456_789],
    hrTimeObserved: [1_700_000_000, 0],
    resource: { attributes: { 'service.name': 'api' } },
    instrumentationScope: { name: 's' },
    attributes: { 'http.route': '/orders' },
    droppedAttributesCount: 0,
    body,
    severityNumber: 9,
  } as unknown as ReadableLogRecordLike;
}

describe('the senders’ spool codecs', () => {
  it('a spool of log records replays them as LogRecords, text and bytes as mapped', async () => {
    const sender = new LogsIntakeSender({
      url: new URL('http://127.0.0.1:1'),
      apiKey: 'k',
      compression: 'none',
    });
    const records = ['plain', 'é ✓ 𝄞 non-ASCII', '', '{"a":1}'].map((b) => mapLog(log(b), OPTIONS));
    const replayed = await replayThroughSpool(records, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x01);
    // deepStrictEqual compares prototypes: a plain { text, bytes } would not pass.
    assert.deepEqual(replayed.records, records);
    assert.ok(replayed.records.every((r) => r instanceof LogRecord));
    assert.deepEqual(
      replayed.records.map((r) => r.entry),
      records.map((r) => r.entry),
    );
  });

  it('without it a LogRecord would come back a plain object (why the sender gives one)', async () => {
    const records = [mapLog(log('x'), OPTIONS)];
    const replayed = await replayThroughSpool(records);
    assert.equal(replayed.records[0] instanceof LogRecord, false);
  });

  it('a spool of DogStatsD lines replays them with their byte lengths', async () => {
    const sender = new DogStatsDSender({
      target: dogStatsDTarget({}),
      name: 't',
      client: { sendMessage: (_m, done) => done(null), close: (done) => done?.() },
    });
    const records = [
      encodeLine({ name: 'http.requests', value: 3, type: 'c', tags: ['route:/a'] }),
      encodeLine({ name: 'é', value: -0.5, type: 'g', tags: [], timestampS: 1_700_000_000 }),
      encodeLine({ name: 'latency', value: 12.5, type: 'd', tags: ['ü:✓'], sampleRate: 0.5 }),
    ];
    const replayed = await replayThroughSpool(records, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x01);
    assert.deepEqual(replayed.records, records);
  });
});

/** A span as the SDK hands it over, with `fields` over a server span's defaults. */
function span(
  i: number,
  fields: Partial<Record<keyof ReadableSpanLike, unknown>> = {},
): ReadableSpanLike {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  return {
    name: `GET /orders/${i % 3}`,
    kind: 1 + (i % 2),
    spanContext: () => ({ traceId: hex(i + 1, 32), spanId: hex(i + 100, 16), traceFlags: 1 }),
    parentSpanContext:
      i % 2 ? { traceId: hex(i + 1, 32), spanId: hex(i, 16), traceFlags: 1 } : undefined,
    startTime: [1_700_000_000 + i, 5],
    endTime: [1_700_000_001 + i, 5],
    duration: [1, 0],
    status: { code: 0 },
    attributes: {
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'http.response.status_code': 200 + i,
    },
    links: [],
    events: [],
    ended: true,
    resource: { attributes: { 'service.name': 'api', 'service.version': '2.1' } },
    instrumentationScope: { name: '@opentelemetry/instrumentation-http', version: '0.1' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...fields,
  } as ReadableSpanLike;
}

/** Spans that reach every field the codec writes, and the values that are easy to get wrong. */
function traceRecords(): TraceRecord[] {
  const records = Array.from({ length: 40 }, (_, i) => mapSpan(span(i), { env: 'prod' }));
  records.push(
    mapSpan(
      span(40, {
        // The largest ids, an error with its exception event, a link, a trace state.
        spanContext: () => ({
          traceId: 'f'.repeat(32),
          spanId: 'f'.repeat(16),
          traceFlags: 1,
          traceState: { serialize: () => 'dd=s:1' },
        }),
        status: { code: 2, message: 'boom' },
        events: [
          {
            name: 'exception',
            time: [1_700_000_040, 0],
            attributes: { 'exception.message': 'no' },
          },
        ],
        links: [{ context: { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 } }],
        attributes: {
          ['__proto__']: 'an own key',
          'é ✓ 𝄞': 'non-ASCII',
          ratio: 0.25,
          big: 2 ** 60,
        },
      }),
    ),
    // An end before the start: a negative duration.
    mapSpan(span(41, { endTime: [1_699_999_999, 0], duration: [-2, 0] })),
  );
  return records;
}

describe('the trace sender’s spool codec', () => {
  it('replays mapped spans as they were mapped: ids, times, meta and metrics, key order and all', async () => {
    const records = traceRecords();
    const sender = new TraceAgentSender({ url: new URL('http://127.0.0.1:1'), name: 'dd' });
    assert.equal(sender.spoolCodec, traceRecordSpoolCodec);
    const replayed = await replayThroughSpool(records, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x44);
    assert.deepEqual(replayed.records, records);
    // The own `__proto__` key came back as a key, not as the meta object's prototype.
    const withProto = replayed.records[40].span.meta;
    assert.equal(Object.getPrototypeOf(withProto), Object.prototype);
    assert.equal(Object.getOwnPropertyDescriptor(withProto, '__proto__')?.value, 'an own key');
    // What the Agent receives is the same, byte for byte, and the key order with it.
    const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
    assert.deepEqual(
      replayed.records.map((r) => Buffer.from(encoder.encode(r.span))),
      records.map((r) => Buffer.from(encoder.encode(r.span))),
    );
  });

  it('a lone surrogate comes back as it was: the Agent receives the same msgpack', () => {
    const [record] = [mapSpan(span(0, { name: 'x', attributes: { k: 'bad \ud800 half' } }))];
    const [back] = traceRecordSpoolCodec.decode(traceRecordSpoolCodec.encode([record]), 1);
    assert.equal(back.span.meta.k, 'bad \ud800 half');
    const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
    assert.deepEqual(
      Buffer.from(encoder.encode(back.span)),
      Buffer.from(encoder.encode(record.span)),
    );
  });

  it('writes repeated keys and names once: fewer bytes than V8’s serialisation', () => {
    const records = traceRecords();
    const ours = traceRecordSpoolCodec.encode(records).length;
    const v8 = defaultSpoolCodec.encode(records).length;
    assert.ok(ours < v8 / 2, `${ours} bytes against V8's ${v8}`);
  });

  it('replays a spool written before it, by the core’s default codec (V8)', () => {
    const records = traceRecords();
    const before = defaultSpoolCodec.encode(records);
    assert.equal(before[0], 0xff, 'what an older version wrote: V8’s serialisation');
    assert.deepEqual(traceRecordSpoolCodec.decode(before, records.length), records);
  });

  it('refuses what it cannot replay: V8 records of another shape, another layout, a later format', () => {
    const foreign = defaultSpoolCodec.encode([{ table: 'otel_logs', data: { line: 1 } }]);
    assert.throws(() => traceRecordSpoolCodec.decode(foreign, 1), /not a Datadog trace record/);
    const strings = defaultSpoolCodec.encode(['a line']);
    assert.throws(
      () => traceRecordSpoolCodec.decode(strings, 1),
      /not a Datadog trace spool payload/,
    );
    const records = traceRecords();
    const later = Buffer.from(traceRecordSpoolCodec.encode(records));
    later[1] = 2;
    assert.throws(
      () => traceRecordSpoolCodec.decode(later, records.length),
      /format 2, this exporter reads 1/,
    );
  });

  it('a time past int64 is clamped at mapping, and the span spooled with the rest of its export', async () => {
    const records = [
      mapSpan(span(0, { startTime: [1e11, 0], endTime: [1e11, 5], duration: [1e11, 0] })),
      mapSpan(span(1, { startTime: [1e300, 0], endTime: [-1e300, 0], duration: [-1e300, 0] })),
      ...traceRecords().slice(0, 2),
    ];
    assert.equal(records[0].span.start, 2n ** 63n - 1n);
    assert.equal(records[1].span.duration, -(2n ** 63n));
    const replayed = await replayThroughSpool(records, traceRecordSpoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.deepEqual(replayed.records, records);
  });

  it('refuses to write what it could not read back: an id past 64 bits', () => {
    const [record] = traceRecords();
    const bad = { ...record, span: { ...record.span, span_id: 2n ** 64n } };
    assert.throws(() => traceRecordSpoolCodec.encode([bad]), RangeError);
  });

  it('refuses every truncation, trailing bytes, a wrong count and a string reference out of range', () => {
    const records = traceRecords().slice(0, 3);
    const payload = Buffer.from(traceRecordSpoolCodec.encode(records));
    const count = records.length;
    for (let end = 0; end < payload.length; end++) {
      assert.throws(
        () => traceRecordSpoolCodec.decode(payload.subarray(0, end), count),
        `cut at ${end}`,
      );
    }
    assert.throws(() =>
      traceRecordSpoolCodec.decode(Buffer.concat([payload, Buffer.from([0])]), count),
    );
    assert.throws(
      () => traceRecordSpoolCodec.decode(payload, count - 1),
      /bytes after its records/,
    );
    assert.throws(() => traceRecordSpoolCodec.decode(payload, count + 1), /ends early/);
    // The first span's name (after tag, version, 5 × 8 bytes of ids and times, the error flag):
    // a reference to a string the table does not have yet.
    const bad = Buffer.from(payload);
    const nameAt = 2 + 40 + 1;
    assert.equal(bad[nameAt], 0, 'the first string of the export is a new one');
    bad[nameAt] = 6;
    assert.throws(() => traceRecordSpoolCodec.decode(bad, count), /names string 4 of 0/);
  });
});
