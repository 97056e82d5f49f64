/*
 * NO BACKEND: the packed exporters under SDK 3.x on Node 24, with every exporter's default
 * options, against a port nobody listens on (down) and a local TCP server that accepts and never
 * answers (stalled). Each provider's shutdown must end within the documented deadline
 * (shutdownTimeoutMs, 10 s) + 1 s, with one WARN line saying what was dropped. The cases of one
 * backend state run at once: about 2 × 10 s.
 */
import { test } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { PIPELINE_DEFAULTS } from '@otelpack/batching-core';
import type { PipelineStats } from '@otelpack/batching-core';
import { checkShutdownDeadline, timeShutdown } from '@otelpack/batching-core/testing';
import type { ShutdownDeadlineCase } from '@otelpack/batching-core/testing';
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

type Case = ShutdownDeadlineCase<Exporter>;

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
  test(`SDK 3.x: provider.shutdown() with the backend ${state} ends within ${DEADLINE_MS} ms + ${MARGIN_MS} ms for every exporter and signal, and says at WARN what was dropped`, (t) =>
    checkShutdownDeadline({
      state,
      cases: CASES,
      exportThenShutDown,
      deadlineMs: DEADLINE_MS,
      marginMs: MARGIN_MS,
      report: (text) => t.diagnostic(text),
    }));
}
