/*
 * OpenTelemetry JS SDK 2.x (sdk-trace-base 2.x, sdk-logs 0.2xx, sdk-metrics 2.x) with the core
 * from source. The same scenarios run against SDK 3.x on Node 24 in compat/sdk3.
 */
import { test } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import {
  AggregationTemporality,
  DataPointType,
  InstrumentType,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import * as core from '../src';
import * as testing from '../src/testing';
import { SDK_ROUND_TRIP_SCENARIOS } from './helpers/sdk-roundtrip';
import type { SdkRoundTripKit } from './helpers/sdk-roundtrip';

// Compile-time proof that the core's classes are the SDK's exporter interfaces, checked by the
// root typecheck: a drift in either side's types fails `npm run lint`.
const _spanExporter: (e: core.PipelineSpanExporter<unknown>) => SpanExporter = (e) => e;
const _logExporter: (e: core.PipelineLogRecordExporter<unknown>) => LogRecordExporter = (e) => e;
const _metricExporter: (e: core.PipelineMetricExporter<unknown>) => PushMetricExporter = (e) => e;

const kit: SdkRoundTripKit = {
  label: 'SDK 2.x',
  core,
  testing,
  metricsEnums: { AggregationTemporality, DataPointType, InstrumentType },
  createTracerProvider: ({ exporter, serviceName, scheduledDelayMillis }) =>
    new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis })],
    }),
  createLoggerProvider: ({ exporter, serviceName, scheduledDelayMillis }) =>
    new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis })],
    }),
  createMeterProvider: ({ exporter, serviceName, exportIntervalMillis }) =>
    new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter,
          exportIntervalMillis,
          // The reader refuses a timeout longer than its interval.
          exportTimeoutMillis: exportIntervalMillis,
        }),
      ],
    }),
};

const LIMIT = { timeout: 20_000 };

for (const scenario of SDK_ROUND_TRIP_SCENARIOS) {
  test(`SDK 2.x: ${scenario.name}`, LIMIT, () => scenario.run(kit));
}
