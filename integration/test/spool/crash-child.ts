/**
 * The process the spool crash test kills: one exporter on a spool, fed log records numbered
 * `seq` through the SDK's BatchLogRecordProcessor (VictoriaMetrics: series samples from the
 * SDK's periodic metric reader). Every export whose callback reports success
 * prints its seqs (`{"ok":[…]}`), so the parent knows what the exporter promised. With
 * `count: 0` it only replays the spool, flushes, shuts down and prints `{"done":stats}`.
 * Not a test file: the crash test runs it with `node --import tsx`.
 */
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ClickHouseLogRecordExporter } from '@otelpack/exporter-clickhouse';
import { ElasticsearchLogRecordExporter } from '@otelpack/exporter-elasticsearch';
import { OtlpLogRecordExporter } from '@otelpack/exporter-otlp';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  DEFAULT_MAPPING_OPTIONS,
  VictoriaMetricsExporter,
  mapResourceMetrics,
} from '@otelpack/exporter-victoriametrics';
import { seriesKey } from '../victoriametrics/helpers';
import type { PipelineStats } from '@otelpack/batching-core';
import { SCOPE_HEADER } from '../../src/fakes/otlp-fake';

export interface CrashChildConfig {
  exporter: 'elasticsearch' | 'clickhouse' | 'otlp' | 'victoriametrics';
  url: string;
  spool: string;
  /** Where the run's records go: a dataset, a database, or the OTLP fake's scope. */
  target: string;
  first: number;
  count: number;
}

type Exporter = LogRecordExporter & { stats(): PipelineStats; forceFlush(): Promise<void> };

function common(config: CrashChildConfig) {
  return {
    url: config.url,
    flushIntervalMs: 20,
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    maxBatchItems: 100,
    spool: { directory: config.spool, fsync: 'interval' as const, segmentBytes: 64 * 1024 },
  };
}

function makeExporter(config: CrashChildConfig): Exporter {
  switch (config.exporter) {
    case 'elasticsearch':
      return new ElasticsearchLogRecordExporter({
        ...common(config),
        dataset: config.target,
        deterministicIds: true,
      });
    case 'clickhouse':
      return new ClickHouseLogRecordExporter({ ...common(config), database: config.target });
    default:
      return new OtlpLogRecordExporter({
        ...common(config),
        headers: { [SCOPE_HEADER]: config.target },
      });
  }
}

const write = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/**
 * VictoriaMetrics: a metric exporter fed by the SDK's periodic reader; a record is one series
 * sample, named as the parent finds it again (`labels@timestamp`, through the exporter's own
 * pure mapping). `count` is the number of collections.
 */
async function metrics(config: CrashChildConfig): Promise<void> {
  const exporter = new VictoriaMetricsExporter(common(config));
  const watched: PushMetricExporter = {
    export(collected, done) {
      const keys = mapResourceMetrics(collected, DEFAULT_MAPPING_OPTIONS).series.map(
        (series) =>
          `${seriesKey(Object.fromEntries(series.labels.map((l) => [l.name, l.value])))}@${series.samples[0].timestampMs}`,
      );
      exporter.export(collected, (result) => {
        if (result.code === 0) write({ ok: keys });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': config.target }),
    readers: [
      new PeriodicExportingMetricReader({
        exporter: watched,
        exportIntervalMillis: 20,
        exportTimeoutMillis: 20,
      }),
    ],
  });
  const counter = provider.getMeter('spool-crash').createCounter('spool.crash.ops');
  write({ started: exporter.stats().replayed });
  if (config.count > 0) {
    setInterval(() => {
      for (let w = 0; w < 20; w++) counter.add(1, { worker: `w${w}` });
    }, 5);
    return;
  }
  await exporter.forceFlush();
  const stats = exporter.stats();
  // No provider shutdown: its last collection would add records the parent never saw.
  await exporter.shutdown();
  write({ done: stats });
  void provider;
  process.exit(0);
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CRASH_CHILD_CONFIG as string) as CrashChildConfig;
  if (config.exporter === 'victoriametrics') return metrics(config);
  const exporter = makeExporter(config);
  // What the SDK is told, per export: the promise the spool must keep.
  const watched: LogRecordExporter = {
    export(records: ReadableLogRecord[], done) {
      exporter.export(records, (result) => {
        if (result.code === 0) write({ ok: records.map((r) => String(r.attributes.seq)) });
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'spool-crash' }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: watched,
        scheduledDelayMillis: 5,
        maxExportBatchSize: 64,
        maxQueueSize: 100_000,
      }),
    ],
  });
  const logger = provider.getLogger('spool-crash');
  write({ started: exporter.stats().replayed });
  for (let seq = config.first; seq < config.first + config.count; seq++) {
    logger.emit({ body: `crash record ${seq}`, attributes: { seq } });
    // Under load, in steps: the parent kills at a random moment of it.
    if (seq % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (config.count > 0) {
    await new Promise(() => undefined);
    return;
  }
  await provider.forceFlush();
  await exporter.forceFlush();
  const stats = exporter.stats();
  await provider.shutdown();
  write({ done: stats });
}

void main();
