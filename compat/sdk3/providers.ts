/*
 * The three SDK 3 providers the exporter suites register their exporters in, each with its batch
 * processor or periodic reader as an application would set them up (short delays, so that the
 * suites run fast; metrics are collected once, at shutdown).
 */
import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import type { PipelineStats } from '@otelpack/batching-core';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';

export function sdk3Providers(options: {
  resourceAttributes: Attributes;
  spanExporter: SpanExporter;
  logExporter: LogRecordExporter;
  metricExporter: PushMetricExporter;
}) {
  const resource = resourceFromAttributes(options.resourceAttributes);
  const tracerProvider = new TracerProvider({
    resource,
    spanProcessors: [
      new BatchSpanProcessor({ exporter: options.spanExporter, scheduledDelayMillis: 50 }),
    ],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [
      new BatchLogRecordProcessor({ exporter: options.logExporter, scheduledDelayMillis: 50 }),
    ],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({
        exporter: options.metricExporter,
        exportIntervalMillis: 60_000,
      }),
    ],
  });
  return { tracerProvider, loggerProvider, meterProvider };
}

/** What the exporter suites check after shutdown: each ledger balances with exactly `delivered`. */
export function assertAllDelivered(
  exporters: { stats(): PipelineStats }[],
  delivered: Record<'traces' | 'logs' | 'metrics', number>,
): void {
  for (const exporter of exporters) {
    const stats = exporter.stats();
    assertLedgerBalances(stats, stats.signal);
    assert.equal(stats.droppedTotal, 0, `${stats.signal}: ${JSON.stringify(stats.dropped)}`);
    assert.equal(stats.pending, 0, `${stats.signal}: pending`);
    assert.equal(stats.delivered, delivered[stats.signal], `${stats.signal}: delivered`);
  }
}
