/**
 * Realistic SDK items for the exporters' memory benchmarks, made by the OpenTelemetry SDK itself
 * (2.x): finished HTTP server spans, log records emitted inside a trace, and metric collections
 * read from a MeterProvider. Every generator makes one export's worth at a time, as the SDK's
 * processors and readers hand them over, so that what an export leaves behind is garbage once
 * the exporter has mapped it. Shapes are parameters, so that a benchmark can vary record sizes.
 * Deterministic: every run makes the same items.
 */
import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Attributes } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordProcessor, SdkLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type {
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '../../src/sdk/types';
import { seededRandom } from '../../src/testing/seeded-random';

/** A Node service's resource, as the Node SDK's detectors fill it in. */
export const RESOURCE_ATTRIBUTES: Attributes = {
  'service.name': 'checkout',
  'service.namespace': 'shop',
  'service.version': '2.14.1',
  'service.instance.id': '6c1f0f1e-4f8e-4d8e-9a3c-0c9f2d1b7a55',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34.eu-west-1.compute.internal',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'process.pid': 4242,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.18.1',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.1.0',
};

function hex(random: () => number, length: number): string {
  let text = '';
  while (text.length < length)
    text += Math.floor(random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
  return text.slice(0, length);
}

const WORDS = [
  'order',
  'cart',
  'payment',
  'customer',
  'authorised',
  'shipping',
  'warehouse',
  'inventory',
  'reserved',
  'item',
  'total',
  'EUR',
  'retry',
  'upstream',
  'latency',
  'cache',
];

/** Text of exactly `length` characters, different for every `n`, like a formatted message. */
function text(random: () => number, n: number, length: number): string {
  let out = `#${n} `;
  while (out.length < length) out += `${WORDS[Math.floor(random() * WORDS.length)]} `;
  return out.slice(0, length);
}

export interface SpanShape {
  /** Span attributes (the default: 10, those of an HTTP server span). */
  attributes: number;
  /** Events per span (the default: 2). */
  events: number;
  /** Characters of the second event's message (the default: 120). */
  eventText: number;
}

export const DEFAULT_SPAN_SHAPE: SpanShape = { attributes: 10, events: 2, eventText: 120 };

const ROUTES = ['/api/orders/:id', '/api/cart/:id', '/api/users/:id', '/api/payments/authorize'];

/** Finished HTTP server spans from a BasicTracerProvider, `count` per call. */
export function spanSource(
  shape: SpanShape = DEFAULT_SPAN_SHAPE,
): (count: number) => ReadableSpanLike[] {
  let finished: ReadableSpan[] = [];
  const collector: SpanProcessor = {
    onStart: () => {},
    onEnd: (span) => {
      finished.push(span);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    spanProcessors: [collector],
  });
  const tracer = provider.getTracer('@opentelemetry/instrumentation-http', '0.203.0');
  const random = seededRandom(7);
  let n = 0;
  return (count) => {
    for (let k = 0; k < count; k++, n++) {
      const route = ROUTES[n % ROUTES.length];
      const id = Math.floor(random() * 1e9);
      const attributes: Attributes = {
        'http.request.method': n % 4 === 3 ? 'POST' : 'GET',
        'http.route': route,
        'url.path': route.replace(':id', String(id)),
        'url.scheme': 'https',
        'server.address': 'shop.example.com',
        'server.port': 443,
        'client.address': `10.${n % 256}.${(n >> 8) % 256}.${(n * 7) % 256}`,
        'user_agent.original':
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
        'http.response.status_code': n % 50 === 0 ? 500 : 200,
        'network.protocol.version': '1.1',
      };
      const keys = Object.keys(attributes);
      for (let a = keys.length; a > shape.attributes; a--) delete attributes[keys[a - 1]];
      for (let a = keys.length; a < shape.attributes; a++) {
        attributes[`app.attribute_${a}`] = text(random, n, 24);
      }
      const span = tracer.startSpan(`GET ${route}`, { kind: 1, attributes });
      if (shape.events > 0) {
        span.addEvent('cache.lookup', { 'cache.hit': n % 3 !== 0, 'cache.key': `cart:${id}` });
      }
      for (let e = 1; e < shape.events; e++) {
        span.addEvent('exception', {
          'exception.type': 'UpstreamTimeoutError',
          'exception.message': text(random, n, shape.eventText),
        });
      }
      span.setStatus({ code: n % 50 === 0 ? 2 : 1 });
      span.end();
    }
    const out = finished;
    finished = [];
    return out as unknown as ReadableSpanLike[];
  };
}

export interface LogShape {
  /** Characters of the body (the default: 200). */
  body: number;
}

export const DEFAULT_LOG_SHAPE: LogShape = { body: 200 };

/** Log records emitted inside a trace through a LoggerProvider, `count` per call. */
export function logSource(
  shape: LogShape = DEFAULT_LOG_SHAPE,
): (count: number) => ReadableLogRecordLike[] {
  let finished: SdkLogRecord[] = [];
  const collector: LogRecordProcessor = {
    onEmit: (record) => {
      finished.push(record);
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    processors: [collector],
  });
  const logger = provider.getLogger('checkout', '2.14.1');
  const random = seededRandom(11);
  let n = 0;
  return (count) => {
    for (let k = 0; k < count; k++, n++) {
      const context = trace.setSpanContext(ROOT_CONTEXT, {
        traceId: hex(random, 32),
        spanId: hex(random, 16),
        traceFlags: 1,
      });
      const warn = n % 20 === 0;
      logger.emit({
        context,
        body: text(random, n, shape.body),
        severityNumber: warn ? SeverityNumber.WARN : SeverityNumber.INFO,
        severityText: warn ? 'WARN' : 'INFO',
        attributes: {
          'order.id': `o-${n}`,
          'customer.id': `c-${n % 977}`,
          'order.items': 3,
          'payment.provider': 'stripe',
        },
      });
    }
    const out = finished;
    finished = [];
    // The SDK's processors hand these over as ReadableLogRecords.
    return out as unknown as ReadableLogRecordLike[];
  };
}

export interface MetricShape {
  /** Monotonic counter series (one data point each). */
  sums: number;
  /** Gauge series. */
  gauges: number;
  /** Histogram series, with `boundaries` explicit bucket boundaries. */
  histograms: number;
  boundaries: number;
  /** Attributes per series beyond the four HTTP ones (the default: 0). */
  extraAttributes: number;
}

/** 120,000 series: in rows of ClickHouse's tables (one per data point). */
export const DEFAULT_METRIC_SHAPE: MetricShape = {
  sums: 96_000,
  gauges: 12_000,
  histograms: 12_000,
  boundaries: 10,
  extraAttributes: 0,
};

class CollectingReader extends MetricReader {
  constructor() {
    super({
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      // The SDK keeps 2,000 series per instrument unless told otherwise.
      cardinalitySelector: () => 1_000_000,
    });
  }
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * A MeterProvider with cumulative counters, gauges and histograms over the shape's series;
 * each call records one value per series and collects, as a PeriodicExportingMetricReader
 * would: one ResourceMetrics of every series. The SDK keeps the series (and their attribute
 * objects) between collections, as it does in a real process.
 */
export function metricSource(
  shape: MetricShape = DEFAULT_METRIC_SHAPE,
): () => Promise<ResourceMetricsLike> {
  const reader = new CollectingReader();
  const provider = new MeterProvider({
    resource: resourceFromAttributes(RESOURCE_ATTRIBUTES),
    readers: [reader],
  });
  const meter = provider.getMeter('@opentelemetry/instrumentation-http', '0.203.0');
  const boundaries = Array.from({ length: shape.boundaries }, (_, i) => 0.005 * 2 ** i);
  const requests = meter.createCounter('http.server.request.count', { unit: '{request}' });
  const inflight = meter.createGauge('http.server.active_requests', { unit: '{request}' });
  const duration = meter.createHistogram('http.server.request.duration', {
    unit: 's',
    advice: { explicitBucketBoundaries: boundaries },
  });
  const attributeSets = (count: number, salt: string): Attributes[] =>
    Array.from({ length: count }, (_, i) => {
      const attributes: Attributes = {
        'http.request.method': i % 3 === 0 ? 'POST' : 'GET',
        'http.route': `${ROUTES[i % ROUTES.length].replace(':id', salt)}/${Math.floor(i / ROUTES.length)}`,
        'http.response.status_code': i % 17 === 0 ? 500 : 200,
        'server.address': `checkout-${i % 8}.internal`,
      };
      for (let a = 0; a < shape.extraAttributes; a++)
        attributes[`app.label_${a}`] = `v${(i * 31 + a) % 1000}`;
      return attributes;
    });
  const sumSets = attributeSets(shape.sums, 's');
  const gaugeSets = attributeSets(shape.gauges, 'g');
  const histogramSets = attributeSets(shape.histograms, 'h');
  let round = 0;
  return async () => {
    round++;
    for (let i = 0; i < sumSets.length; i++) requests.add(1 + ((i + round) % 5), sumSets[i]);
    for (let i = 0; i < gaugeSets.length; i++) inflight.record((i * round) % 97, gaugeSets[i]);
    for (let i = 0; i < histogramSets.length; i++) {
      duration.record(0.003 * (1 + ((i * 7 + round) % 200)), histogramSets[i]);
    }
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`collect failed: ${String(errors[0])}`);
    return resourceMetrics as unknown as ResourceMetricsLike;
  };
}
