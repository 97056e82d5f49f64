import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode } from '@msgpack/msgpack';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { TraceAgentSender, mapSpan } from '@otelpack/exporter-datadog';
import type { DdSpan } from '@otelpack/exporter-datadog';

/*
 * ORACLE (no backend): dd-trace's own v0.4 encoder (dd-trace 6.x,
 * packages/dd-trace/src/encode/0.4.js) encodes the same Datadog spans as this exporter; both
 * payloads decode to the same shape: an array of traces of span maps with the same keys, uint64
 * ids, the same strings, meta and metrics.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AgentEncoder } = require('dd-trace/packages/dd-trace/src/encode/0.4.js') as {
  AgentEncoder: new (writer: { flush(): void }) => {
    encode(trace: object[]): void;
    makePayload(): Buffer;
  };
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createId = require('dd-trace/packages/dd-trace/src/id.js') as (
  value: string,
  radix: number,
) => object;

const TRACE = 'abcdef0123456789090a0b0c0d0e0f10';

function sdkSpan(
  i: number,
  kind: number,
  attributes: Record<string, string | number>,
): ReadableSpanLike {
  return {
    name: `op-${i}`,
    kind,
    spanContext: () => ({
      traceId: TRACE,
      spanId: (i + 1).toString(16).padStart(16, '0'),
      traceFlags: 1,
    }),
    parentSpanContext:
      i === 0 ? undefined : { traceId: TRACE, spanId: '0000000000000001', traceFlags: 1 },
    startTime: [1_700_000_000, 1_000 * i],
    endTime: [1_700_000_001, 0],
    duration: [0, 999_000_000],
    status: { code: i === 2 ? 2 : 0, ...(i === 2 ? { message: 'failed' } : {}) },
    attributes,
    links: [],
    events: [],
    ended: true,
    resource: { attributes: { 'service.name': 'oracle', 'deployment.environment.name': 'test' } },
    instrumentationScope: { name: 'oracle-scope', version: '1.0.0' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as ReadableSpanLike;
}

function toDdTraceInput(span: DdSpan): object {
  const hex = (v: bigint) => v.toString(16).padStart(16, '0');
  return {
    ...span,
    trace_id: createId(hex(span.trace_id), 16),
    span_id: createId(hex(span.span_id), 16),
    parent_id: createId(hex(span.parent_id), 16),
    // dd-trace keeps times as numbers of nanoseconds.
    start: Number(span.start),
    duration: Number(span.duration),
  };
}

describe("the v0.4 payload against dd-trace's own encoder (ORACLE)", () => {
  it('decodes to the same traces, span keys, ids, strings, meta and metrics', () => {
    const records = [
      mapSpan(
        sdkSpan(0, 1, {
          'http.request.method': 'GET',
          'http.route': '/a',
          'http.response.status_code': 200,
        }),
      ),
      mapSpan(
        sdkSpan(1, 2, { 'db.system': 'redis', 'db.query.text': 'GET k', 'net.peer.port': 6379 }),
      ),
      mapSpan(sdkSpan(2, 0, { note: 'ünïcödé ✓' })),
    ];
    const ours = decode(
      new TraceAgentSender({ url: new URL('http://127.0.0.1:9'), name: 'o' }).encode(records).body,
      {
        useBigInt64: true,
      },
    ) as Record<string, unknown>[][];

    const encoder = new AgentEncoder({ flush() {} });
    // The same chunk as ours (with _dd.p.tid on its first span).
    encoder.encode(
      (ours[0] as unknown as DdSpan[]).map((span) =>
        toDdTraceInput({
          ...records.find((r) => r.span.span_id === span.span_id)!.span,
          meta: span.meta as Record<string, string>,
        }),
      ),
    );
    const theirs = decode(encoder.makePayload(), { useBigInt64: true }) as Record<
      string,
      unknown
    >[][];

    assert.equal(ours.length, 1);
    assert.equal(theirs.length, ours.length);
    assert.equal(theirs[0].length, ours[0].length);
    for (let i = 0; i < ours[0].length; i++) {
      const a = ours[0][i];
      const b = theirs[0][i];
      assert.deepEqual(Object.keys(a).sort(), Object.keys(b).sort(), `span ${i} keys`);
      for (const key of ['trace_id', 'span_id', 'parent_id']) {
        assert.equal(typeof a[key], 'bigint', key);
        assert.equal(a[key], b[key], key);
      }
      for (const key of ['name', 'resource', 'service', 'type', 'error']) {
        assert.equal(a[key], b[key], key);
      }
      assert.deepEqual(a.meta, b.meta, `span ${i} meta`);
      assert.deepEqual(a.metrics, b.metrics, `span ${i} metrics`);
      // dd-trace holds start as a double: equal within its precision.
      const delta = Number(a.start as bigint) - Number(b.start as bigint);
      assert.ok(Math.abs(delta) < 1_000, `start differs by ${delta} ns`);
      // Both msgpack integers; ours always as uint64 (from bigint), dd-trace's in the smallest form.
      assert.equal(BigInt(a.duration as bigint), BigInt(b.duration as number));
    }
  });
});
