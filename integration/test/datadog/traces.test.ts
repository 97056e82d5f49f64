import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace as traceApi } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { DatadogSpanExporter } from '@otelpack/exporter-datadog';
import { TraceAgentFake } from '../../src/fakes/datadog-trace-agent-fake';

/*
 * FAKE (the trace-agent fake, labelled; no Datadog Agent runs here): spans from the SDK through
 * DatadogSpanExporter to /v0.4/traces, decoded from msgpack by the fake and checked field by
 * field; then the Agent's 413 (the core splits) and 429 (retried) on the way.
 */
describe('DatadogSpanExporter → trace Agent /v0.4/traces (FAKE)', () => {
  const fake = new TraceAgentFake();
  let url = '';
  before(async () => {
    url = await fake.listen();
  });
  after(() => fake.close());

  it('a server span and its client child arrive as one trace, converted as the Agent converts them', async () => {
    const exporter = new DatadogSpanExporter({ url, deliveryMode: 'direct' });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'service.name': 'checkout',
        'deployment.environment.name': 'test',
        'service.version': '3.0.0',
      }),
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('it-scope', '1.0.0');
    tracer.startActiveSpan(
      'GET /cart',
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'http.route': '/cart',
          'http.response.status_code': 500,
        },
      },
      (server) => {
        // No context manager is registered here: the parent is passed explicitly.
        const client = tracer.startSpan(
          'SELECT',
          {
            kind: SpanKind.CLIENT,
            attributes: { 'db.system': 'postgresql', 'db.query.text': 'SELECT * FROM carts' },
          },
          traceApi.setSpan(context.active(), server),
        );
        client.end();
        server.recordException(new TypeError('cart missing'));
        server.setStatus({ code: SpanStatusCode.ERROR });
        server.end();
      },
    );
    await provider.forceFlush();
    await provider.shutdown();

    assert.deepEqual(fake.refused, []);
    for (const payload of fake.payloads) {
      assert.equal(payload.headers['content-type'], 'application/msgpack');
    }
    const chunks = fake.payloads.flatMap((p) => p.traces);
    const trace = chunks.flat();
    const server = trace.find((s) => s.name === 'http.server.request');
    const client = trace.find((s) => s.name === 'postgresql.query');
    assert.ok(server && client, JSON.stringify(trace.map((s) => s.name)));
    assert.equal(client.parent_id, server.span_id);
    assert.equal(server.parent_id, 0n);
    assert.equal(server.trace_id, client.trace_id);
    assert.equal(server.service, 'checkout');
    assert.equal(server.resource, 'GET /cart');
    assert.equal(server.type, 'web');
    assert.equal(server.error, 1);
    assert.equal(server.meta['error.msg'], 'cart missing');
    assert.equal(server.meta['error.type'], 'TypeError');
    assert.equal(server.meta.env, 'test');
    assert.equal(server.meta.version, '3.0.0');
    assert.equal(server.metrics['http.status_code'], 500);
    assert.equal(client.resource, 'SELECT * FROM carts');
    assert.equal(client.type, 'sql');
    assert.equal(client.metrics['_dd.measured'], 1);
    // The full 128-bit id: low half in trace_id, high half in the first span's _dd.p.tid.
    const full = server.meta['otel.trace_id'];
    assert.equal(BigInt(`0x${full.slice(16)}`), server.trace_id);
    for (const chunk of chunks) assert.equal(chunk[0].meta['_dd.p.tid'], full.slice(0, 16));
    assert.ok(server.duration >= 0n && server.start > 1_600_000_000_000_000_000n);
    assert.deepEqual(exporter.sender.rateByService(), { 'service:,env:': 1 });
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 2);
  });

  it('413: the core halves the batch until it fits; 429: retried; nothing lost', async () => {
    const before = fake.spans().length;
    fake.faults.push(413, 429);
    const exporter = new DatadogSpanExporter({ url, deliveryMode: 'direct', initialBackoffMs: 10 });
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('it');
    for (let i = 0; i < 6; i++) tracer.startSpan(`op-${i}`).end();
    await provider.forceFlush();
    await provider.shutdown();
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 6, JSON.stringify(stats));
    assert.equal(fake.spans().length - before, 6);
    assert.deepEqual(
      fake.refused.map((r) => r.status),
      [413, 429],
    );
  });
});
