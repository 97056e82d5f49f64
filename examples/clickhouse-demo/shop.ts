import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type {
  Attributes,
  Context,
  Counter,
  Histogram,
  Span,
  Tracer,
  UpDownCounter,
} from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { LoggerProvider } from '@opentelemetry/sdk-logs';

/*
 * A tiny shop service, instrumented by hand with the OpenTelemetry API (no auto-instrumentation
 * package needed): a SERVER span per request with the route, child spans for the "database" and
 * the "payment provider", logs tied to their span, and the usual HTTP metrics.
 */

export const ROUTES = [
  'GET /products',
  'GET /products/:id',
  'POST /checkout',
  'GET /health',
] as const;
export type Route = (typeof ROUTES)[number];

interface Instruments {
  tracer: Tracer;
  logger: Logger;
  requests: Counter;
  duration: Histogram;
  active: UpDownCounter;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A latency with a long tail, so that p95 differs from p50. */
function latencyMs(base: number): number {
  return base * (0.5 + Math.random()) + (Math.random() < 0.05 ? base * 4 : 0);
}

async function childSpan<T>(
  tools: Instruments,
  parent: Context,
  name: string,
  attributes: Attributes,
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tools.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  try {
    return await work(span);
  } finally {
    span.end();
  }
}

async function handle(
  tools: Instruments,
  route: Route,
  id: string,
  parent: Context,
): Promise<{ status: number; body: string }> {
  switch (route) {
    case 'GET /health':
      return { status: 200, body: 'ok' };
    case 'GET /products':
      await childSpan(tools, parent, 'SELECT products', { 'db.system.name': 'postgresql' }, () =>
        sleep(latencyMs(4)),
      );
      return { status: 200, body: '[{"id":1},{"id":2}]' };
    case 'GET /products/:id': {
      await childSpan(tools, parent, 'SELECT product', { 'db.system.name': 'postgresql' }, () =>
        sleep(latencyMs(6)),
      );
      if (id === '0') {
        tools.logger.emit({
          severityNumber: 13,
          severityText: 'WARN',
          body: 'product 0 not found',
          context: parent,
        });
        return { status: 404, body: 'not found' };
      }
      return { status: 200, body: `{"id":${id}}` };
    }
    case 'POST /checkout': {
      await childSpan(tools, parent, 'SELECT cart', { 'db.system.name': 'postgresql' }, () =>
        sleep(latencyMs(5)),
      );
      const declined = Math.random() < 0.1;
      await childSpan(
        tools,
        parent,
        'POST payments.example/charge',
        { 'server.address': 'payments.example' },
        async (span) => {
          await sleep(latencyMs(25));
          if (declined) span.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
        },
      );
      if (declined) {
        tools.logger.emit({
          severityNumber: 17,
          severityText: 'ERROR',
          body: 'checkout failed: payment declined by issuer',
          attributes: { 'payment.provider': 'payments.example', 'error.type': 'card_declined' },
          context: parent,
        });
        return { status: 502, body: 'payment declined' };
      }
      tools.logger.emit({
        severityNumber: 9,
        severityText: 'INFO',
        body: 'order placed',
        context: parent,
      });
      return { status: 201, body: 'ordered' };
    }
  }
}

function routeOf(method: string, path: string): { route: Route; id: string } | undefined {
  if (method === 'GET' && path === '/products') return { route: 'GET /products', id: '' };
  const item = /^\/products\/(\d+)$/.exec(path);
  if (method === 'GET' && item) return { route: 'GET /products/:id', id: item[1] };
  if (method === 'POST' && path === '/checkout') return { route: 'POST /checkout', id: '' };
  if (method === 'GET' && path === '/health') return { route: 'GET /health', id: '' };
  return undefined;
}

export interface Shop {
  url: string;
  close(): Promise<void>;
}

export async function startShop(providers: {
  tracerProvider: BasicTracerProvider;
  loggerProvider: LoggerProvider;
  meterProvider: MeterProvider;
}): Promise<Shop> {
  const meter = providers.meterProvider.getMeter('demo-shop');
  const tools: Instruments = {
    tracer: providers.tracerProvider.getTracer('demo-shop', '1.0.0'),
    logger: providers.loggerProvider.getLogger('demo-shop', '1.0.0'),
    requests: meter.createCounter('http.server.requests', {
      unit: '{request}',
      description: 'HTTP requests served',
    }),
    duration: meter.createHistogram('http.server.request.duration', {
      unit: 'ms',
      description: 'HTTP request latency',
      advice: { explicitBucketBoundaries: [5, 10, 25, 50, 100, 250] },
    }),
    active: meter.createUpDownCounter('http.server.active_requests', { unit: '{request}' }),
  };

  const server = http.createServer((req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://shop');
    const match = routeOf(req.method ?? 'GET', url.pathname);
    const route = match?.route ?? 'unknown';
    const span = tools.tracer.startSpan(match ? match.route : `${req.method} unknown`, {
      kind: SpanKind.SERVER,
      attributes: {
        'http.request.method': req.method ?? 'GET',
        'http.route': route,
        'url.path': url.pathname,
      },
    });
    const spanContext = trace.setSpan(context.active(), span);
    tools.active.add(1);
    req.resume();
    req.once('end', () => {
      const work = match
        ? handle(tools, match.route, match.id, spanContext)
        : Promise.resolve({ status: 404, body: '' });
      void work.then(({ status, body }) => {
        span.setAttribute('http.response.status_code', status);
        if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: body });
        span.end();
        const attributes = { 'http.route': route, 'http.response.status_code': status };
        tools.requests.add(1, attributes);
        tools.duration.record(performance.now() - started, { 'http.route': route });
        tools.active.add(-1);
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(body);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
