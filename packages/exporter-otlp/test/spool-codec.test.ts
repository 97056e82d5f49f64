import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Signal } from '@otelpack/batching-core';
import { SpoolPayloadReader, defaultSpoolCodec } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { codecFor } from '../src';
import type { OtlpRecord } from '../src';
import { otlpSpoolCodec } from '../src/spool-codec';
import { mapWithOurs } from './helpers/encode';
import { sdkLogs, sdkMetrics, sdkSpans } from './helpers/sdk-data';

async function sdkItems(signal: Signal): Promise<unknown[]> {
  if (signal === 'traces') return sdkSpans();
  if (signal === 'logs') return sdkLogs();
  return [await sdkMetrics()];
}

const distinct = <T>(values: T[]): number => new Set(values).size;

describe('the OTLP sender’s spool codec', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    for (const signal of ['traces', 'logs', 'metrics'] as const) {
      it(`replays ${signal} (OTLP/${encoding}) into the same request, groups shared as mapped`, async () => {
        const records = mapWithOurs(signal, await sdkItems(signal), encoding);
        // The fixtures hold several scopes (spans, logs) or metrics: the groups are exercised.
        assert.ok(distinct(records.map((r) => r.metric ?? r.scope)) > 1);
        const replayed = await replayThroughSpool(records, otlpSpoolCodec(encoding));
        assert.equal(replayed.corrupt, 0);
        assert.equal(replayed.payloadTag, 0x4f);
        assert.equal(replayed.records.length, records.length);
        const codec = codecFor(encoding);
        assert.deepEqual(
          codec.request(replayed.records, signal),
          codec.request(records, signal),
          'the request of the replayed records is byte for byte the original one',
        );
        for (const field of ['scope', 'metric'] as const) {
          assert.equal(
            distinct(replayed.records.map((r) => r[field])),
            distinct(records.map((r) => r[field])),
            `one ${field} object per ${field} of the export`,
          );
        }
        assert.equal(
          distinct(replayed.records.map((r) => r.scope.resource)),
          distinct(records.map((r) => r.scope.resource)),
        );
        records.forEach((record, i) => {
          assert.equal(codec.recordSize(replayed.records[i]), codec.recordSize(record));
        });
      });
    }
  }

  it('keeps every field of the groups: schema URLs (non-ASCII too), a metric’s data field, empty parts', () => {
    const resource = {
      encoded: Buffer.from([0x0a, 0x01]),
      schemaUrl: 'https://example.com/ß/1.26.0',
    };
    const other = { encoded: Buffer.alloc(0), schemaUrl: '' };
    const scope = {
      resource,
      encoded: Buffer.from([0x0a, 0x02, 0x68, 0x69]),
      schemaUrl: 'https://s/1',
    };
    const scope2 = { resource: other, encoded: Buffer.alloc(0), schemaUrl: 'https://s/2' };
    const metric = {
      scope: scope2,
      head: Buffer.from([1, 2, 3]),
      dataField: 10,
      tail: Buffer.from([4]),
    };
    const records: OtlpRecord[] = [
      { scope, metric: undefined, body: Buffer.from('span one') },
      { scope, metric: undefined, body: new Uint8Array(0) },
      { scope: scope2, metric, body: Buffer.from([0xff, 0x00]) },
    ];
    const codec = otlpSpoolCodec('protobuf');
    const decoded = codec.decode(codec.encode(records), records.length);
    assert.deepEqual(
      decoded.map((r) => ({ ...r, body: Buffer.from(r.body) })),
      records.map((r) => ({ ...r, body: Buffer.from(r.body) })),
    );
    assert.equal(decoded[0].scope, decoded[1].scope);
    assert.equal(decoded[2].metric?.scope, decoded[2].scope);
  });

  it('replays a spool written before it, by the core’s default codec (V8), into the same request', () => {
    for (const encoding of ['protobuf', 'json'] as const) {
      const records = mapWithOurs('traces', sdkSpans(), encoding);
      const before = defaultSpoolCodec.encode(records);
      assert.equal(before[0], 0xff, 'what an older version wrote: V8’s serialisation');
      const replayed = otlpSpoolCodec(encoding).decode(before, records.length);
      const codec = codecFor(encoding);
      assert.deepEqual(codec.request(replayed, 'traces'), codec.request(records, 'traces'));
    }
  });

  it('refuses what it cannot replay: another encoding’s V8 records, records of another shape, a later format', () => {
    const protobuf = mapWithOurs('logs', sdkLogs(), 'protobuf');
    assert.throws(
      () => otlpSpoolCodec('json').decode(defaultSpoolCodec.encode(protobuf), protobuf.length),
      /spooled as OTLP\/protobuf, this exporter sends OTLP\/json/,
    );
    const json = mapWithOurs('logs', sdkLogs(), 'json');
    assert.throws(
      () => otlpSpoolCodec('protobuf').decode(defaultSpoolCodec.encode(json), json.length),
      /spooled as OTLP\/json, this exporter sends OTLP\/protobuf/,
    );
    const foreign = defaultSpoolCodec.encode([{ table: 'otel_logs', data: { line: 1 } }]);
    assert.equal(foreign[0], 0xff);
    assert.throws(() => otlpSpoolCodec('protobuf').decode(foreign, 1), /not an OTLP record/);
    const strings = defaultSpoolCodec.encode(['a line']); // the core's strings layout
    assert.throws(() => otlpSpoolCodec('protobuf').decode(strings, 1), /not an OTLP spool payload/);
    const later = Buffer.from(otlpSpoolCodec('protobuf').encode(protobuf));
    later[1] = 2;
    assert.throws(
      () => otlpSpoolCodec('protobuf').decode(later, protobuf.length),
      /format 2, this exporter reads 1/,
    );
  });

  it('refuses to write a frame it could not read back: a metric of another scope than its record’s', () => {
    const [record] = mapWithOurs('logs', sdkLogs(), 'protobuf');
    const otherScope = { ...record.scope };
    const metric = {
      scope: otherScope,
      head: Buffer.from([1]),
      dataField: 5,
      tail: Buffer.alloc(0),
    };
    assert.throws(
      () => otlpSpoolCodec('protobuf').encode([{ ...record, metric }]),
      /metric belongs to another scope/,
    );
  });

  it('refuses a payload another encoding wrote, naming both', async () => {
    const records = mapWithOurs('logs', sdkLogs(), 'protobuf');
    const payload = otlpSpoolCodec('protobuf').encode(records);
    assert.throws(
      () => otlpSpoolCodec('json').decode(payload, records.length),
      /spooled as OTLP\/protobuf, this exporter sends OTLP\/json/,
    );
  });

  it('refuses every truncation, trailing bytes, a wrong count and a group index out of range', async () => {
    const records = mapWithOurs('metrics', [await sdkMetrics()], 'protobuf');
    const codec = otlpSpoolCodec('protobuf');
    const payload = Buffer.from(codec.encode(records));
    assert.equal(codec.decode(payload, records.length).length, records.length);
    for (let end = 0; end < payload.length; end++) {
      assert.throws(() => codec.decode(payload.subarray(0, end), records.length), `cut at ${end}`);
    }
    assert.throws(() => codec.decode(Buffer.concat([payload, Buffer.from([0])]), records.length));
    assert.throws(() => codec.decode(payload, records.length - 1), /bytes after its records/);
    assert.throws(() => codec.decode(payload, records.length + 1), /ends early/);
    // The first scope's resource index (a one-byte varint after the resources) made out of range.
    const input = new SpoolPayloadReader(payload, 3);
    const resources = input.uv();
    for (let i = 0; i < resources; i++) {
      input.bytesView();
      input.text();
    }
    input.uv(); // the scope count
    assert.ok(resources < 0x80);
    const bad = Buffer.from(payload);
    bad[input.position] = resources;
    assert.throws(() => codec.decode(bad, records.length), /names resource \d+ of \d+/);
  });
});
