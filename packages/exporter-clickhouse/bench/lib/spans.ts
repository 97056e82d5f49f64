import type { ReadableSpanLike } from '@otelpack/batching-core';

/**
 * Deterministic, realistic finished spans (HTTP server spans with the usual attributes, one
 * event, a resource of eight attributes), structurally what the SDK hands to an exporter.
 */
export function benchSpans(count: number): ReadableSpanLike[] {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const resource = {
    attributes: {
      'service.name': 'bench-shop',
      'service.version': '2.3.1',
      'service.instance.id': '0c9a6a2e-3b5e-4c1c-9d57-0f7d1f2b4e11',
      'deployment.environment.name': 'bench',
      'host.name': 'bench-host-1',
      'host.arch': 'amd64',
      'process.pid': 4242,
      'telemetry.sdk.language': 'nodejs',
    },
  };
  const scope = { name: '@opentelemetry/instrumentation-http', version: '0.57.0' };
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);
  const spans: ReadableSpanLike[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const traceId = hex(i * 2_654_435_761 + 1, 16) + hex(i + 7, 16);
    const spanId = hex(i * 40_503 + 11, 16);
    const start: [number, number] = [nowSeconds, (i * 7_919_993) % 1_000_000_000];
    const route = `/api/v1/items/${i % 50}`;
    spans[i] = {
      name: `GET ${route}`,
      kind: 1,
      spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
      parentSpanContext:
        i % 3 === 0 ? undefined : { traceId, spanId: hex(i * 31 + 5, 16), traceFlags: 1 },
      startTime: start,
      endTime: [nowSeconds, Math.min(999_999_999, start[1] + 1_234_567)],
      status: { code: i % 20 === 0 ? 2 : 0, message: i % 20 === 0 ? 'upstream error' : undefined },
      attributes: {
        'http.request.method': 'GET',
        'http.route': route,
        'url.path': `${route}?page=${i % 7}`,
        'http.response.status_code': i % 20 === 0 ? 502 : 200,
        'server.address': 'shop.internal',
        'server.port': 8080,
        'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) bench',
        'network.protocol.version': '1.1',
      },
      links: [],
      events: [{ name: 'request.handled', time: start, attributes: { 'db.calls': i % 4 } }],
      duration: [0, 1_234_567],
      ended: true,
      resource,
      instrumentationScope: scope,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    };
  }
  return spans;
}
