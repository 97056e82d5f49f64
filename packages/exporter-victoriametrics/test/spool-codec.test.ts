import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SpoolPayloadReader, defaultSpoolCodec } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import {
  DEFAULT_MAPPING_OPTIONS,
  encodeWriteRequest,
  encodeWriteRequestV2,
  mapResourceMetrics,
} from '../src';
import type { TimeSeries } from '../src';
import { timeSeriesSpoolCodec } from '../src/spool-codec';
import { syntheticExport } from '../bench/typical-request';

const T = 1_700_000_000_123;

/** Every field a series can carry, with values a rounding or a lost field would change. */
const shared = { name: 'job', value: 'shop/checkout' };
const EVERY_FIELD: TimeSeries[] = [
  {
    labels: [{ name: '__name__', value: 'req_total' }, shared, { name: 'ü', value: 'Zürich 🚀' }],
    samples: [
      { value: 0.1 + 0.2, timestampMs: T },
      { value: -0, timestampMs: -1 },
      { value: NaN, timestampMs: 2 ** 53 - 1 },
      { value: Infinity, timestampMs: 0 },
    ],
    exemplars: [
      {
        labels: [{ name: 'trace_id', value: '4bf92f3577b34da6a3ce929d0e0e4736' }],
        value: 0.42,
        timestampMs: T - 5,
      },
      { labels: [], value: 0, timestampMs: 0 },
    ],
    metadata: { type: 'counter', unit: 'requests', help: 'Requests "served".\n' },
    createdTimestampMs: T - 60_000,
  },
  {
    labels: [{ name: '__name__', value: 'op_duration_seconds' }, shared],
    samples: [],
    histograms: [
      {
        count: 51,
        sum: 12.34,
        schema: -4,
        zeroThreshold: 1e-128,
        zeroCount: 3,
        negativeSpans: [{ offset: -2, length: 1 }],
        negativeDeltas: [1],
        positiveSpans: [
          { offset: 0, length: 2 },
          { offset: 3, length: 1 },
        ],
        positiveDeltas: [5, -2, 7],
        timestampMs: T,
      },
    ],
    metadata: { type: 'histogram', unit: 'seconds', help: '' },
  },
  { labels: [], samples: [{ value: 1, timestampMs: T }], exemplars: [] },
  { labels: [shared], samples: [{ value: 2, timestampMs: T }], histograms: [] },
];

describe('the remote-write sender’s spool codec', () => {
  it('gives back every field of every series, labels shared as they were', async () => {
    const replayed = await replayThroughSpool(EVERY_FIELD, timeSeriesSpoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x56);
    assert.deepEqual(replayed.records, EVERY_FIELD);
    // -0 stays -0: a text or integer form on the way would lose it.
    assert.ok(Object.is(replayed.records[0].samples[1].value, -0));
    assert.equal(replayed.records[1].labels[1], replayed.records[0].labels[1]);
    assert.equal(replayed.records[3].labels[0], replayed.records[0].labels[1]);
    assert.deepEqual(encodeWriteRequestV2(replayed.records), encodeWriteRequestV2(EVERY_FIELD));
  });

  it('replays a typical export into the same request, with as many label objects', async () => {
    const series = mapResourceMetrics(syntheticExport(300, T), DEFAULT_MAPPING_OPTIONS).series;
    const replayed = await replayThroughSpool(series, timeSeriesSpoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.deepEqual(encodeWriteRequest(replayed.records), encodeWriteRequest(series));
    const labelObjects = (list: readonly TimeSeries[]) =>
      new Set(list.flatMap((s) => [...s.labels])).size;
    assert.equal(labelObjects(replayed.records), labelObjects(series));
  });

  it('replays a spool written before it, by the core’s default codec (V8)', () => {
    const before = defaultSpoolCodec.encode(EVERY_FIELD);
    assert.equal(before[0], 0xff, 'what an older version wrote: V8’s serialisation');
    assert.deepEqual(timeSeriesSpoolCodec.decode(before, EVERY_FIELD.length), EVERY_FIELD);
  });

  it('refuses what it cannot replay: V8 records of another shape, another layout, a later format', () => {
    const foreign = defaultSpoolCodec.encode([{ table: 'otel_logs', data: { line: 1 } }]);
    assert.equal(foreign[0], 0xff);
    assert.throws(() => timeSeriesSpoolCodec.decode(foreign, 1), /not a remote-write series/);
    const strings = defaultSpoolCodec.encode(['a line']);
    assert.throws(
      () => timeSeriesSpoolCodec.decode(strings, 1),
      /not a remote-write spool payload/,
    );
    const later = Buffer.from(timeSeriesSpoolCodec.encode(EVERY_FIELD));
    later[1] = 2;
    assert.throws(
      () => timeSeriesSpoolCodec.decode(later, EVERY_FIELD.length),
      /format 2, this exporter reads 1/,
    );
  });

  it('refuses to write a frame it could not read back: an unknown metric type', () => {
    const series = { ...EVERY_FIELD[0], metadata: { type: 'stateset', unit: '', help: '' } };
    assert.throws(
      () => timeSeriesSpoolCodec.encode([series as unknown as TimeSeries]),
      /unknown metric type stateset/,
    );
  });

  it('refuses every truncation, trailing bytes, a wrong count and an index out of range', () => {
    const payload = Buffer.from(timeSeriesSpoolCodec.encode(EVERY_FIELD));
    const count = EVERY_FIELD.length;
    assert.equal(timeSeriesSpoolCodec.decode(payload, count).length, count);
    for (let end = 0; end < payload.length; end++) {
      assert.throws(
        () => timeSeriesSpoolCodec.decode(payload.subarray(0, end), count),
        `cut at ${end}`,
      );
    }
    assert.throws(() =>
      timeSeriesSpoolCodec.decode(Buffer.concat([payload, Buffer.from([0])]), count),
    );
    assert.throws(() => timeSeriesSpoolCodec.decode(payload, count - 1), /bytes after its records/);
    assert.throws(() => timeSeriesSpoolCodec.decode(payload, count + 1), /ends early/);
    // The first label's name index (a one-byte varint after the strings and the label count)
    // made out of range.
    const input = new SpoolPayloadReader(payload, 2);
    const strings = input.uv();
    for (let i = 0; i < strings; i++) input.text();
    input.uv(); // the label count
    assert.ok(strings < 0x80);
    const bad = Buffer.from(payload);
    bad[input.position] = strings;
    assert.throws(() => timeSeriesSpoolCodec.decode(bad, count), /names string \d+ of \d+/);
  });
});
