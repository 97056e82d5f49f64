import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/*
 * The benchmark's data: what an HTTP service's tracing and logging look like (a server span with
 * the HTTP semantic-convention attributes, a client child span, an event now and then; an INFO
 * log line with a few attributes in the span's context). The same for every variant.
 */

export const RESOURCE = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '1.4.2',
  'service.instance.id': 'checkout-7d9f8c6b5-x2k4p',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34',
  'process.runtime.name': 'nodejs',
  'telemetry.sdk.language': 'nodejs',
});

const ROUTES = ['/api/orders', '/api/orders/:id', '/api/cart', '/api/users/:id', '/health'];

/**
 * BENCH_SPAN_SHAPE=issue11: the spans issue 11 quotes its CPU figures for, each with 10
 * attributes and 2 events (an exporter that writes events as documents of their own, as
 * Elasticsearch's does, writes three documents per span); otherwise the HTTP service's spans
 * below (9 and 5 attributes, an event on one span in ten).
 */
const SPAN_SHAPE = process.env.BENCH_SPAN_SHAPE;

/** An HTTP server span's 9 semantic-convention attributes, for request `i`. */
function serverAttributes(route: string, i: number): Attributes {
  return {
    'http.request.method': 'GET',
    'http.route': route,
    'url.path': `${route.replace(':id', String(i))}`,
    'url.scheme': 'https',
    'server.address': 'shop.example.com',
    'server.port': 443,
    'client.address': `10.0.${i % 255}.${(i * 7) % 255}`,
    'user_agent.original': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/129.0',
    'http.response.status_code': i % 50 === 0 ? 500 : 200,
  };
}

/** Two spans per iteration (a server span and its client child): `count` spans in all. */
export function emitSpans(provider: BasicTracerProvider, count: number, offset = 0): void {
  if (SPAN_SHAPE === 'issue11') {
    emitIssue11Spans(provider, count, offset);
    return;
  }
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.57.0');
  for (let i = offset; i < offset + count; i += 2) {
    const route = ROUTES[i % ROUTES.length];
    const server = tracer.startSpan(`GET ${route}`, {
      kind: SpanKind.SERVER,
      attributes: serverAttributes(route, i),
    });
    const child = tracer.startSpan(
      'SELECT orders',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.namespace': 'shop',
          'db.query.text': 'SELECT * FROM orders WHERE id = $1',
          'server.address': 'db.internal',
          'server.port': 5432,
        },
      },
      trace.setSpan(context.active(), server),
    );
    if (i % 10 === 0) child.addEvent('retry', { attempt: 1 });
    child.end();
    if (i % 50 === 0) server.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    server.end();
  }
}

/** Issue 11's spans: server and client in turn, 10 attributes and 2 events each. */
function emitIssue11Spans(provider: BasicTracerProvider, count: number, offset: number): void {
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.57.0');
  for (let i = offset; i < offset + count; i++) {
    const route = ROUTES[i % ROUTES.length];
    const span = tracer.startSpan(`GET ${route}`, {
      kind: i % 2 === 0 ? SpanKind.SERVER : SpanKind.CLIENT,
      attributes: { ...serverAttributes(route, i), 'network.protocol.version': '1.1' },
    });
    span.addEvent('request.received', { 'http.request.body.size': 512 });
    span.addEvent('response.sent', { 'http.response.body.size': 2048 });
    if (i % 50 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'upstream failed' });
    span.end();
  }
}

export function emitLogs(provider: LoggerProvider, count: number, offset = 0): void {
  const logger = provider.getLogger('checkout', '1.4.2');
  for (let i = offset; i < offset + count; i++) {
    logger.emit({
      severityNumber: 9,
      severityText: 'INFO',
      body: `order ${i} placed: 3 items, total 42.50 EUR`,
      attributes: {
        'order.id': `o-${i}`,
        'customer.tier': i % 3 === 0 ? 'gold' : 'standard',
        'cart.items': 3,
        'payment.method': 'card',
      },
    });
  }
}

export { RESOURCE as resource };
