/*
 * NO BACKEND: the packed exporters under SDK 3.x on Node 24, with every exporter's default
 * options, against a port nobody listens on (down) and a local TCP server that accepts and never
 * answers (stalled). Each provider's shutdown must end within the documented deadline
 * (shutdownTimeoutMs, 10 s) + 1 s, with one WARN line saying what was dropped. The cases of one
 * backend state run at once: about 2 × 10 s.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { PIPELINE_DEFAULTS } from '@otelpack/batching-core';
import type { PipelineStats } from '@otelpack/batching-core';
import {
  assertLedgerBalances,
  captureDiagWarnings,
  downBackendUrl,
  startStalledBackend,
  timeShutdown,
} from '@otelpack/batching-core/testing';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '@otelpack/exporter-clickhouse';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
} from '@otelpack/exporter-elasticsearch';
import { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';

const DEADLINE_MS = PIPELINE_DEFAULTS.shutdownTimeoutMs;
const MARGIN_MS = 1_000;

interface Exporter {
  stats(): PipelineStats;
}

interface Case {
  name: string;
  signal: 'traces' | 'logs' | 'metrics';
  make(url: string): Exporter;
}

const CASES: Case[] = [
  {
    name: 'elasticsearch',
    signal: 'traces',
    make: (url) => new ElasticsearchSpanExporter({ url }),
  },
  {
    name: 'elasticsearch',
    signal: 'logs',
    make: (url) => new ElasticsearchLogRecordExporter({ url }),
  },
  {
    name: 'elasticsearch',
    signal: 'metrics',
    make: (url) => new ElasticsearchMetricExporter({ url }),
  },
  { name: 'clickhouse', signal: 'traces', make: (url) => new ClickHouseSpanExporter({ url }) },
  { name: 'clickhouse', signal: 'logs', make: (url) => new ClickHouseLogRecordExporter({ url }) },
  { name: 'clickhouse', signal: 'metrics', make: (url) => new ClickHouseMetricExporter({ url }) },
  {
    name: 'victoriametrics',
    signal: 'metrics',
    make: (url) => new VictoriaMetricsExporter({ url }),
  },
];

async function exportThenShutDown(c: Case, exporter: Exporter): Promise<number> {
  const resource = resourceFromAttributes({ 'service.name': 'shutdown-deadline' });
  if (c.signal === 'traces') {
    const provider = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: exporter as never })],
    });
    const tracer = provider.getTracer('deadline');
    for (let i = 0; i < 20; i++) tracer.startSpan(`op-${i}`).end();
    return timeShutdown(() => provider.shutdown());
  }
  if (c.signal === 'logs') {
    const provider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: exporter as never })],
    });
    const logger = provider.getLogger('deadline');
    for (let i = 0; i < 20; i++)
      logger.emit({ body: `line ${i}`, severityNumber: SeverityNumber.WARN });
    return timeShutdown(() => provider.shutdown());
  }
  const provider = new MeterProvider({
    resource,
    readers: [new PeriodicExportingMetricReader({ exporter: exporter as never })],
  });
  const meter = provider.getMeter('deadline');
  meter.createCounter('deadline.requests').add(3, { route: '/a' });
  meter.createHistogram('deadline.latency').record(12);
  return timeShutdown(() => provider.shutdown());
}

for (const state of ['down', 'stalled'] as const) {
  test(`SDK 3.x: provider.shutdown() with the backend ${state} ends within ${DEADLINE_MS} ms + ${MARGIN_MS} ms for every exporter and signal, and says at WARN what was dropped`, async (t) => {
    const stalled = state === 'stalled' ? await startStalledBackend() : undefined;
    const url = stalled?.url ?? (await downBackendUrl());
    const warnings = captureDiagWarnings();
    try {
      const runs = await Promise.all(
        CASES.map(async (c) => {
          const exporter = c.make(url);
          return { c, exporter, elapsedMs: await exportThenShutDown(c, exporter) };
        }),
      );
      t.diagnostic(runs.map((r) => `${r.c.name} ${r.c.signal}: ${r.elapsedMs} ms`).join(', '));
      for (const { c, exporter, elapsedMs } of runs) {
        const label = `${c.name} ${c.signal}`;
        assert.ok(
          elapsedMs <= DEADLINE_MS + MARGIN_MS,
          `${label}: provider.shutdown() took ${elapsedMs} ms`,
        );
        const stats = exporter.stats();
        assertLedgerBalances(stats, label);
        assert.equal(stats.pending, 0, `${label}: nothing left pending after shutdown`);
        assert.ok(stats.dropped.shutdown > 0, `${label}: ${JSON.stringify(stats.dropped)}`);
        const said = warnings.lines.filter((line) =>
          line.startsWith(`otelpack ${c.name} ${c.signal}: shut down with`),
        );
        assert.equal(said.length, 1, `${label}: WARN lines:\n${warnings.lines.join('\n')}`);
        assert.match(said[0], new RegExp(`shutdown: ${stats.dropped.shutdown}\\)`));
      }
      if (stalled) assert.ok(stalled.connections > 0, 'the exporters reached the stalled backend');
    } finally {
      warnings.stop();
      await stalled?.close();
    }
  });
}
