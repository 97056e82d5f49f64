import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Encoder, decode } from '@msgpack/msgpack';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { TraceAgentSender, chunksOf, mapSpan, spanId, traceIdLow } from '../src';

const TRACE = '0102030405060708090a0b0c0d0e0f10';

function span(fields: Partial<Record<keyof ReadableSpanLike, unknown>> = {}): ReadableSpanLike {
  return {
    name: 'GET /users',
    kind: 1,
    spanContext: () => ({ traceId: TRACE, spanId: '0102030405060708', traceFlags: 1 }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 5],
    endTime: [1_700_000_001, 5],
    duration: [1, 0],
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    ended: true,
    resource: {
      attributes: {
        'service.name': 'api',
        'deployment.environment.name': 'Prod',
        'service.version': '2.1',
      },
    },
    instrumentationScope: { name: '@opentelemetry/instrumentation-http', version: '0.1' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...fields,
  } as ReadableSpanLike;
}

describe('span conversion (pkg/trace/transform/transform.go OtelSpanToDDSpan rules)', () => {
  it('ids: the trace id low 64 bits, high bits in otel.trace_id; span and parent as uint64 (otel_util.go OTelTraceIDToUint64)', () => {
    // otel_util_test.go testTraceID {1..16}: low half 0x090a0b0c0d0e0f10.
    assert.equal(traceIdLow(TRACE), 0x090a0b0c0d0e0f10n);
    assert.equal(spanId('0102030405060708'), 0x0102030405060708n);
    const dd = mapSpan(
      span({ parentSpanContext: { traceId: TRACE, spanId: 'ffffffffffffffff', traceFlags: 1 } }),
    ).span;
    assert.equal(dd.trace_id, 0x090a0b0c0d0e0f10n);
    assert.equal(dd.parent_id, 0xffffffffffffffffn);
    assert.equal(dd.meta['otel.trace_id'], TRACE);
    assert.equal(dd.start, 1_700_000_000_000_000_005n);
    assert.equal(dd.duration, 1_000_000_000n);
  });

  it('service, name, resource, type, unified service tags, span.kind, scope and status', () => {
    const dd = mapSpan(
      span({
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/users',
          'http.response.status_code': 200,
          'url.full': 'http://x/users',
        },
      }),
    ).span;
    assert.equal(dd.service, 'api');
    assert.equal(dd.name, 'http.server.request');
    assert.equal(dd.resource, 'GET /users');
    assert.equal(dd.type, 'web');
    assert.equal(dd.meta.env, 'prod');
    assert.equal(dd.meta.version, '2.1');
    assert.equal(dd.meta['span.kind'], 'server');
    assert.equal(dd.meta['otel.scope.name'], '@opentelemetry/instrumentation-http');
    assert.equal(dd.meta['otel.status_code'], 'Unset');
    assert.equal(dd.meta['http.method'], 'GET');
    assert.equal(dd.meta['http.url'], 'http://x/users');
    assert.equal(dd.metrics['http.status_code'], 200);
    assert.equal(dd.metrics._sampling_priority_v1, 1);
    assert.equal(dd.metrics._top_level, 1);
    assert.equal(dd.error, 0);
  });

  it('numbers go to metrics, the rest to meta; the span wins over the resource', () => {
    const dd = mapSpan(
      span({
        attributes: { retries: 3, ok: true, tags: ['a', 'b'], 'service.version': '9' },
        resource: {
          attributes: { 'service.name': 'api', retries: 'resource', 'service.version': '1' },
        },
      }),
    ).span;
    assert.equal(dd.metrics.retries, 3);
    assert.equal(dd.meta.retries, undefined);
    assert.equal(dd.meta.ok, 'true');
    assert.equal(dd.meta.tags, '["a","b"]');
    assert.equal(dd.meta.version, '9');
  });

  it('error from the status and the last exception event', () => {
    const dd = mapSpan(
      span({
        status: { code: 2, message: 'boom' },
        events: [
          {
            name: 'exception',
            time: [1_700_000_000, 0],
            attributes: {
              'exception.message': 'bad input',
              'exception.type': 'TypeError',
              'exception.stacktrace': 'at x',
            },
          },
        ],
      }),
    ).span;
    assert.equal(dd.error, 1);
    assert.equal(dd.meta['error.msg'], 'bad input');
    assert.equal(dd.meta['error.type'], 'TypeError');
    assert.equal(dd.meta['error.stack'], 'at x');
    assert.equal(dd.meta['_dd.span_events.has_exception'], 'true');
    assert.equal(dd.meta['otel.status_description'], 'boom');
    const events = JSON.parse(dd.meta.events) as { name: string; time_unix_nano: number }[];
    assert.equal(events[0].name, 'exception');
    const noException = mapSpan(
      span({ status: { code: 2 }, attributes: { 'http.response.status_code': 503 } }),
    ).span;
    assert.equal(noException.meta['error.msg'], '503 Service Unavailable');
  });

  it('links as _dd.span_links JSON; sampling.priority attribute; client spans measured', () => {
    const dd = mapSpan(
      span({
        kind: 2,
        attributes: { 'sampling.priority': 2 },
        links: [
          {
            context: { traceId: TRACE, spanId: '1111111111111111', traceFlags: 1 },
            attributes: { k: 'v' },
          },
        ],
      }),
    ).span;
    assert.deepEqual(JSON.parse(dd.meta['_dd.span_links']), [
      { trace_id: TRACE, span_id: '1111111111111111', attributes: { k: 'v' } },
    ]);
    assert.equal(dd.metrics._sampling_priority_v1, 2);
    assert.equal(dd.metrics['_dd.measured'], 1);
  });
});

describe('TraceAgentSender', () => {
  it('groups by trace id, _dd.p.tid on each chunk’s first span, msgpack with uint64 ids', async () => {
    const other = 'ffffffffffffffff0000000000000001';
    const records = [
      mapSpan(span()),
      mapSpan(
        span({
          spanContext: () => ({ traceId: other, spanId: '0000000000000002', traceFlags: 1 }),
        }),
      ),
      mapSpan(
        span({
          spanContext: () => ({ traceId: TRACE, spanId: '0000000000000003', traceFlags: 1 }),
        }),
      ),
    ];
    const chunks = chunksOf(records);
    assert.deepEqual(
      chunks.map((c) => c.length),
      [2, 1],
    );
    assert.equal(chunks[0][0].meta['_dd.p.tid'], '0102030405060708');
    assert.equal(chunks[0][1].meta['_dd.p.tid'], undefined);
    assert.equal(chunks[1][0].meta['_dd.p.tid'], 'ffffffffffffffff');

    const received: {
      headers: Record<string, unknown>;
      body: Buffer;
      method?: string;
      url?: string;
    }[] = [];
    const statuses = [413, 429, 200];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        received.push({
          headers: req.headers,
          body: Buffer.concat(parts),
          method: req.method,
          url: req.url,
        });
        const status = statuses.shift() ?? 200;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(status === 200 ? '{"rate_by_service":{"service:api,env:prod":0.5}}' : 'no');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const sender = new TraceAgentSender({ url, name: 't' });
    const context = { signal: new AbortController().signal, attempt: 1 };
    try {
      assert.equal((await sender.send(records, context)).kind, 'too_large');
      const busy = await sender.send(records, context);
      assert.equal(busy.kind, 'retryable');
      assert.equal((await sender.send(records, context)).kind, 'delivered');
    } finally {
      await sender.close();
      server.close();
    }
    const last = received[2];
    assert.equal(last.method, 'PUT');
    assert.equal(last.url, '/v0.4/traces');
    assert.equal(last.headers['content-type'], 'application/msgpack');
    assert.equal(last.headers['x-datadog-trace-count'], '2');
    const decoded = decode(last.body, { useBigInt64: true }) as {
      trace_id: bigint;
      span_id: bigint;
    }[][];
    assert.equal(decoded[0][0].trace_id, 0x090a0b0c0d0e0f10n);
    assert.equal(decoded[1][0].span_id, 2n);
    assert.deepEqual(sender.rateByService(), { 'service:api,env:prod': 0.5 });
  });
});

describe('keys named __proto__', () => {
  it('a span or resource attribute named __proto__ is sent in meta (a string) or metrics (a number)', () => {
    const encoder = new Encoder({ useBigInt64: true, ignoreUndefined: true });
    const pair = (key: string, value: unknown) =>
      Buffer.concat([encoder.encode(key), encoder.encode(value)]);
    // JSON.parse makes `__proto__` an own key, as the SDK may hold it.
    for (const [fields, value] of [
      [{ attributes: JSON.parse('{"__proto__":"span"}') }, 'span'],
      [{ attributes: JSON.parse('{"__proto__":7}') }, 7],
      [
        { resource: { attributes: JSON.parse('{"service.name":"api","__proto__":"resource"}') } },
        'resource',
      ],
    ] as const) {
      const dd = mapSpan(span(fields)).span;
      const field = typeof value === 'number' ? dd.metrics : dd.meta;
      assert.equal(Object.getOwnPropertyDescriptor(field, '__proto__')?.value, value);
      const sent = Buffer.from(encoder.encode(dd));
      assert.ok(sent.includes(pair('__proto__', value)), `${value} in the msgpack sent`);
    }
  });

  it('a client span whose db.system is named like an Object.prototype member is of type db', () => {
    // Datadog's table of database types has no such system: the Agent's fallback, 'db', applies.
    for (const system of ['constructor', '__proto__', 'toString']) {
      const dd = mapSpan(span({ kind: 2, attributes: { 'db.system': system } })).span;
      assert.equal(dd.type, 'db', system);
      assert.doesNotThrow(() => new Encoder({ useBigInt64: true }).encode(dd), system);
    }
  });
});
