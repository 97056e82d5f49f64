import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { PipelineStats } from '@otelpack/batching-core';
import {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
} from '@otelpack/exporter-otlp';
import type { OtlpExporterOptions } from '@otelpack/exporter-otlp';
import { backendUrl } from '../../src/env';
import { isOtelpackFake } from '../../src/fake-probe';
import { FAKE_NAME, SCOPE_HEADER } from '../../src/fakes/otlp-fake';
import type { FaultRule, StoredRequest } from '../../src/fakes/otlp-fake';
import type { OtlpSignal } from '../../src/protocols/otlp';

/*
 * The OTLP integration tests reach either otelpack's OTLP receiver fake (native run) or the
 * OpenTelemetry Collector (OTELPACK_IT_DOCKER=1). Against both they check what the exporter
 * says it delivered; against the fake they also read back what it decoded, and script faults.
 * Each test tags its requests with a scope header of its own.
 */

export const ID = 'otlp';
export const FAST = { flushIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200 };

export function newScope(): string {
  return `it-${randomUUID().slice(0, 8)}`;
}

export function isFake(url: string): Promise<boolean> {
  return isOtelpackFake(url, FAKE_NAME);
}

/** The receiver's URL; `fakeOnly` skips the test against a real Collector. */
export async function receiverUrl(
  t: TestContext,
  fakeOnly = false,
): Promise<{ url: string; fake: boolean } | undefined> {
  const url = backendUrl(t, ID);
  if (!url) return undefined;
  const fake = await isFake(url);
  if (fakeOnly && !fake) {
    t.skip(
      'needs the otelpack OTLP fake (read-back, scripted faults); this receiver is a real Collector',
    );
    return undefined;
  }
  return { url, fake };
}

export async function storedRequests(
  url: string,
  signal: OtlpSignal,
  scope: string,
): Promise<StoredRequest[]> {
  const response = await fetch(
    new URL(`/_otelpack_fake/requests?signal=${signal}&scope=${encodeURIComponent(scope)}`, url),
  );
  assert.equal(response.status, 200);
  return (await response.json()) as StoredRequest[];
}

export async function setFaults(
  url: string,
  scope: string,
  rules: FaultRule[],
  maxRequestBytes?: number,
): Promise<void> {
  const response = await fetch(new URL('/_otelpack_fake/faults', url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ scope, rules, ...(maxRequestBytes ? { maxRequestBytes } : {}) }),
  });
  assert.equal(response.status, 200, await response.text());
}

export async function clearFaults(url: string, scope: string): Promise<void> {
  await fetch(new URL(`/_otelpack_fake/faults?scope=${scope}`, url), { method: 'DELETE' });
}

/** The exporter options of a test: the receiver, the scope header, quick retries. */
export function exporterOptions(url: string, scope: string, extra: OtlpExporterOptions = {}) {
  return { url, headers: { [SCOPE_HEADER]: scope }, ...FAST, ...extra };
}

export function assertAllDelivered(stats: PipelineStats, count: number): void {
  assert.equal(stats.accepted, count, JSON.stringify(stats));
  assert.equal(stats.delivered, count, JSON.stringify(stats));
  assert.equal(stats.pending, 0);
  for (const [reason, dropped] of Object.entries(stats.dropped)) {
    assert.equal(dropped, 0, `dropped as ${reason}: ${JSON.stringify(stats)}`);
  }
}

/** `count` spans named `span <i>` through the SDK and this exporter; returns its stats. */
export async function sendSpans(
  options: OtlpExporterOptions,
  service: string,
  count: number,
): Promise<{ exporter: OtlpSpanExporter; stats: PipelineStats }> {
  const exporter = new OtlpSpanExporter(options);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 10_000 }),
    ],
  });
  const tracer = provider.getTracer('it-otlp', '1.0.0');
  for (let i = 0; i < count; i++) {
    const span = tracer.startSpan(`span ${i}`, {
      attributes: { index: i, payload: 'x'.repeat(64) },
    });
    span.addEvent('work', { step: i });
    span.end();
  }
  await provider.shutdown();
  return { exporter, stats: exporter.stats() };
}

export async function sendLogs(options: OtlpExporterOptions, service: string, count: number) {
  const exporter = new OtlpLogRecordExporter(options);
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new BatchLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('it-otlp');
  for (let i = 0; i < count; i++) {
    logger.emit({
      body: `log ${i}`,
      severityNumber: 9,
      severityText: 'INFO',
      attributes: { index: i },
    });
  }
  await provider.shutdown();
  return { exporter, stats: exporter.stats() };
}

/** One collection of `count` counter series; returns the data points the exporter took. */
export async function sendMetrics(options: OtlpExporterOptions, service: string, count: number) {
  const exporter = new OtlpMetricExporter(options);
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  const counter = provider.getMeter('it-otlp').createCounter('it.requests');
  for (let i = 0; i < count; i++) counter.add(i + 1, { series: `s${i}` });
  await provider.shutdown();
  return { exporter, stats: exporter.stats() };
}

/** The names (spans), bodies (logs) or series attributes (metrics) the fake decoded. */
export function decodedKeys(signal: OtlpSignal, requests: StoredRequest[]): string[] {
  const keys: string[] = [];
  for (const stored of requests) {
    const request = stored.request as Record<string, Record<string, unknown>[]>;
    const resources =
      request.resourceSpans ?? request.resourceLogs ?? request.resourceMetrics ?? [];
    for (const resource of resources) {
      const scopes = (resource.scopeSpans ??
        resource.scopeLogs ??
        resource.scopeMetrics ??
        []) as Record<string, unknown>[];
      for (const scope of scopes) {
        if (signal === 'traces') {
          for (const span of scope.spans as { name: string }[]) keys.push(span.name);
        } else if (signal === 'logs') {
          for (const log of scope.logRecords as { body: { stringValue: string } }[])
            keys.push(log.body.stringValue);
        } else {
          for (const metric of scope.metrics as {
            sum: { dataPoints: { attributes: { value: { stringValue: string } }[] }[] };
          }[]) {
            for (const point of metric.sum.dataPoints)
              keys.push(point.attributes[0].value.stringValue);
          }
        }
      }
    }
  }
  return keys;
}
