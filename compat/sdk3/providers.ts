/*
 * The three SDK 3 providers the exporter suites register their exporters in, each with its batch
 * processor or periodic reader as an application would set them up (short delays, so that the
 * suites run fast; metrics are collected once, at shutdown).
 */
import type { Attributes } from '@opentelemetry/api';
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
