import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';

/*
 * Realistic inputs made by the OpenTelemetry SDK itself: HTTP server spans with a dozen
 * attributes (one in five with an exception event), and application log records with a message
 * and a few attributes, on a resource like the Node SDK's.
 */

const resource = resourceFromAttributes({
  'service.name': 'checkout',
  'service.version': '2.14.1',
  'service.instance.id': '6c1f0f1e-4f8e-4d8e-9a3c-0c9f2d1b7a55',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34.eu-west-1.compute.internal',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.18.1',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.1.0',
});

export function makeSpans(count: number): ReadableSpanLike[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.203.0');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`GET /api/cart/:id`, {
      kind: 1,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/api/cart/:id',
        'url.path': `/api/cart/${i}`,
        'url.scheme': 'https',
        'server.address': 'shop.example.com',
        'server.port': 443,
        'client.address': `10.0.${i % 256}.${(i * 7) % 256}`,
        'user_agent.original':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        'http.response.status_code': i % 50 === 0 ? 500 : 200,
        'network.protocol.version': '1.1',
        'cart.items': i % 9,
        'cart.value': (i % 1000) * 1.25,
      },
    });
    if (i % 5 === 0) {
      span.addEvent('exception', {
        'exception.type': 'TypeError',
        'exception.message': `Cannot read properties of undefined (reading 'price') at item ${i}`,
        'exception.stacktrace':
          'TypeError: Cannot read properties of undefined\n    at priceOf (/app/cart.js:42:17)\n    at /app/cart.js:88:5',
      });
    }
    span.setStatus({ code: i % 50 === 0 ? 2 : 0 });
    span.end();
  }
  return memory.getFinishedSpans() as unknown as ReadableSpanLike[];
}

export async function makeLogs(count: number): Promise<ReadableLogRecordLike[]> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('checkout', '2.14.1');
  for (let i = 0; i < count; i++) {
    logger.emit({
      body: `order ${i} placed for customer c-${i % 977}: 3 items, total 74.50 EUR, payment authorised`,
      severityNumber: i % 20 === 0 ? SeverityNumber.WARN : SeverityNumber.INFO,
      severityText: i % 20 === 0 ? 'WARN' : 'INFO',
      attributes: {
        'order.id': `o-${i}`,
        'customer.id': `c-${i % 977}`,
        'order.items': 3,
        'order.total': 74.5,
        'payment.provider': 'stripe',
      },
    });
  }
  // The simple processor exports on a later tick.
  await provider.forceFlush();
  return memory.getFinishedLogRecords() as unknown as ReadableLogRecordLike[];
}
