/*
 * OpenTelemetry JS SDK 3.x (sdk-trace, sdk-logs, sdk-metrics 3.x, api 1.10) on Node 24 with the
 * core as npm packs it. Run by run.sh; the scenarios are the SDK 2.x suite's
 * (packages/batching-core/test/sdk-compat.test.ts), from one shared helper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
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
import * as core from '@otelpack/batching-core';
import * as testing from '@otelpack/batching-core/testing';
import { SDK_ROUND_TRIP_SCENARIOS } from '../../packages/batching-core/test/helpers/sdk-roundtrip.ts';
import type { SdkRoundTripKit } from '../../packages/batching-core/test/helpers/sdk-roundtrip.ts';

// Compile-time proof (run.sh typechecks this file) that the PACKED declarations are SDK 3's
// exporter interfaces: a TypeScript user on SDK 3 registers our exporters without a cast.
const _spanExporter: (e: core.PipelineSpanExporter<unknown>) => SpanExporter = (e) => e;
const _logExporter: (e: core.PipelineLogRecordExporter<unknown>) => LogRecordExporter = (e) => e;
const _metricExporter: (e: core.PipelineMetricExporter<unknown>) => PushMetricExporter = (e) => e;

const HERE = dirname(fileURLToPath(import.meta.url));
const OWN_MODULES = join(HERE, 'node_modules') + sep;

/** The package.json of `name` as Node resolves it from `fromFile`. */
function manifestOf(name: string, fromFile: string): { path: string; version: string } {
  let dir = dirname(createRequire(fromFile).resolve(name));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const manifest = JSON.parse(readFileSync(candidate, 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === name) return { path: candidate, version: manifest.version };
    }
    const parent = dirname(dir);
    assert.notEqual(parent, dir, `no package.json of ${name} above ${fromFile}`);
    dir = parent;
  }
}

// A run that silently fell back to Node 20, the workspace copy of the core or the root's api
// 1.9 would prove nothing about SDK 3: check the setup before the scenarios.
test('SDK 3.x: runs on Node >= 22.15 with the packed core and api 1.10', () => {
  const [major, minor] = process.versions.node.split('.').map(Number);
  assert.ok(
    major > 22 || (major === 22 && minor >= 15),
    `SDK 3 needs Node >= 22.15, running ${process.version}`,
  );

  const coreEntry = fileURLToPath(import.meta.resolve('@otelpack/batching-core'));
  assert.ok(coreEntry.startsWith(OWN_MODULES), `core loaded from ${coreEntry}`);
  assert.equal(
    realpathSync(coreEntry),
    coreEntry,
    'the core must be the installed tarball, not a link into packages/',
  );

  const api = manifestOf('@opentelemetry/api', coreEntry);
  assert.ok(api.path.startsWith(OWN_MODULES), `the core's api is ${api.path}`);
  assert.match(api.version, /^1\.10\./, `the core's @opentelemetry/api`);

  const testFile = fileURLToPath(import.meta.url);
  for (const sdk of ['sdk-trace', 'sdk-logs', 'sdk-metrics', 'resources']) {
    const { version } = manifestOf(`@opentelemetry/${sdk}`, testFile);
    assert.match(version, /^3\./, `@opentelemetry/${sdk}`);
  }
});

const kit: SdkRoundTripKit = {
  label: 'SDK 3.x',
  // The helper is typed against ../../src; the packed dist/ declares the same classes a second
  // time, which TypeScript treats as distinct because of their private members.
  core: core as unknown as SdkRoundTripKit['core'],
  testing: testing as unknown as SdkRoundTripKit['testing'],
  metricsEnums: { AggregationTemporality, DataPointType, InstrumentType },
  // SDK 3 renamed BasicTracerProvider to TracerProvider, and its BatchSpanProcessor takes the
  // exporter inside an options object.
  createTracerProvider: ({ exporter, serviceName, scheduledDelayMillis }) =>
    new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      spanProcessors: [
        new BatchSpanProcessor({
          exporter: exporter as unknown as SpanExporter,
          scheduledDelayMillis,
        }),
      ],
    }),
  createLoggerProvider: ({ exporter, serviceName, scheduledDelayMillis }) =>
    new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      processors: [
        new BatchLogRecordProcessor({
          exporter: exporter as unknown as LogRecordExporter,
          scheduledDelayMillis,
        }),
      ],
    }),
  createMeterProvider: ({ exporter, serviceName, exportIntervalMillis }) =>
    new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': serviceName }),
      readers: [
        new PeriodicExportingMetricReader({
          exporter: exporter as unknown as PushMetricExporter,
          exportIntervalMillis,
          // The reader refuses a timeout longer than its interval.
          exportTimeoutMillis: exportIntervalMillis,
        }),
      ],
    }),
};

const LIMIT = { timeout: 20_000 };

for (const scenario of SDK_ROUND_TRIP_SCENARIOS) {
  test(`SDK 3.x: ${scenario.name}`, LIMIT, () => scenario.run(kit));
}
