import assert from 'node:assert/strict';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PipelineStats, TransformStatements } from '@otelpack/batching-core';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';

/*
 * One scenario for every exporter: the OpenTelemetry SDK records a credit card number, a bearer
 * token and an e-mail address in span attributes, log bodies and resource attributes, and one
 * health-check item per signal; the exporter's `transform` redacts the first and drops the
 * second. Each backend's test reads back what it stored and hands it here as text.
 */

export const TRANSFORM: TransformStatements = {
  span: ['drop() where attributes["http.route"] == "/health"'],
  log: ['drop() where IsMatch(body, "^health check")'],
  datapoint: ['drop() where attributes["http.route"] == "/health"'],
  redaction: { summary: 'info' },
};

/** What must not reach any backend, in any form the SDK recorded it. */
// The card's digits as each form writes them, not '4111' alone: a stored millisecond timestamp
// (1796319804111) holds that too, and failed a CI run.
export const SECRETS = [
  '4111 1111',
  '41111111',
  '4111-1111',
  'abc123',
  'def456',
  'ann@example.com',
];

export interface Exporters {
  spans?: SpanExporter & { stats(): PipelineStats; forceFlush(): Promise<void> };
  logs?: LogRecordExporter & { stats(): PipelineStats; forceFlush(): Promise<void> };
  metrics?: PushMetricExporter & { stats(): PipelineStats };
}

export async function produce(service: string, exporters: Exporters): Promise<void> {
  const resource = resourceFromAttributes({
    'service.name': service,
    'deploy.owner': 'ann@example.com',
    'billing.card': '4111 1111 1111 1111',
  });
  if (exporters.spans) {
    const provider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(exporters.spans, { scheduledDelayMillis: 50 })],
    });
    const tracer = provider.getTracer('it-transform', '1.0.0');
    tracer
      .startSpan('POST /checkout', {
        attributes: {
          'http.route': '/checkout',
          'payment.card': '4111111111111111',
          'http.request.header.authorization': 'Bearer abc123.def456',
        },
      })
      .end();
    tracer.startSpan('GET /health', { attributes: { 'http.route': '/health' } }).end();
    await provider.forceFlush();
    await exporters.spans.forceFlush();
    await provider.shutdown();
  }
  if (exporters.logs) {
    const provider = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({ exporter: exporters.logs, scheduledDelayMillis: 50 }),
      ],
    });
    const logger = provider.getLogger('it-transform');
    logger.emit({
      body: 'charged card 4111-1111-1111-1111, Authorization: Bearer abc123.def456',
      attributes: { 'user.email': 'ann@example.com' },
    });
    logger.emit({ body: 'health check ok' });
    await provider.forceFlush();
    await exporters.logs.forceFlush();
    await provider.shutdown();
  }
  if (exporters.metrics) {
    const provider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({
          exporter: exporters.metrics,
          exportIntervalMillis: 60_000,
        }),
      ],
    });
    const counter = provider.getMeter('it-transform').createCounter('it.transform.requests');
    counter.add(1, { 'http.route': '/checkout', 'payment.card': '4111111111111111' });
    counter.add(1, { 'http.route': '/health' });
    // One collection only: shutdown collects once, exports, and shuts the exporter down, which
    // delivers what it holds (a forceFlush before would export the cumulative points twice).
    await provider.shutdown();
  }
}

/** The health-check item of each signal was counted as filtered, the other delivered. */
export function assertCounted(stats: PipelineStats, delivered: number): void {
  assertLedgerBalances(stats);
  assert.equal(stats.dropped.filtered, 1, JSON.stringify(stats));
  assert.equal(stats.delivered, delivered, JSON.stringify(stats));
  assert.equal(stats.droppedTotal, 1, JSON.stringify(stats));
}

/** The stored text of a signal: no secret in it, the masks in their place. */
export function assertRedacted(stored: string, masks: string[]): void {
  for (const secret of SECRETS) {
    assert.ok(!stored.includes(secret), `${secret} reached the backend: ${stored.slice(0, 2000)}`);
  }
  for (const mask of masks) {
    assert.ok(stored.includes(mask), `${mask} not found in ${stored.slice(0, 2000)}`);
  }
}
