/**
 * The process the spool crash test kills: one exporter on a spool, fed records through the SDK:
 * log records through the BatchLogRecordProcessor or spans through the BatchSpanProcessor, each
 * numbered `seq` (attribute, and in the body or name), or metric samples from the periodic
 * metric reader, each named as the parent finds it again in the backend.
 *
 * Per export it prints, one JSON object a line:
 *   {"accepted":[…]}  the keys it hands to the exporter, before the call;
 *   {"returned":n}    once the call returned: the pipeline writes an export to the spool before
 *                     its export() returns, so an export without this line is the one the kill
 *                     cut (at most one: exports are synchronous);
 *   {"ok":[…]}        when the export callback reports success: the promise the spool must keep.
 * With `count: 0` it only replays the spool, flushes, shuts down and prints `{"done":stats}`.
 * Not a test file: the crash test runs it with `node --import tsx`.
 */
import type * as NodeFs from 'node:fs';
import { createRequire } from 'node:module';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { PipelineStats } from '@otelpack/batching-core';
import { seriesKey } from '../victoriametrics/helpers';

export type CrashExporter =
  | 'elasticsearch'
  | 'elasticsearch-metrics'
  | 'clickhouse'
  | 'clickhouse-traces'
  | 'clickhouse-metrics'
  | 'otlp'
  | 'otlp-metrics'
  | 'newrelic'
  | 'splunk-hec'
  | 'datadog'
  | 'datadog-logs'
  | 'lightstep'
  | 'victoriametrics'
  | 'dynatrace';

export interface CrashChildConfig {
  exporter: CrashExporter;
  /** The exporter's own options: its URL, where the run's records go, credentials. */
  options: Record<string, unknown>;
  spool: string;
  /** The run's `service.name` (VictoriaMetrics' job, the Datadog Agent's service). */
  service: string;
  first: number;
  count: number;
  /**
   * Records in bursts of 7 to 37, each followed by a pause longer than the flush interval: the
   * pipeline cuts each burst as a batch of its own by the timer, where a backlog replayed at
   * once would be cut in full batches — unless the spool replays batches as they were sent.
   */
  bursts?: boolean;
  /**
   * The process kills itself inside its spool's first roll to a new segment file: once the file
   * is created (`created`: empty) or once its header is written (`header`), before the frame
   * that made the roll. No kill timed from outside lands between those system calls.
   */
  killInRoll?: 'created' | 'header';
}

/** Delivery quick enough for a short test, and a spool that rolls segments often (64 KiB). */
function delivery(config: CrashChildConfig) {
  return {
    flushIntervalMs: 20,
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    maxBatchItems: 100,
    spool: { directory: config.spool, fsync: 'interval' as const, segmentBytes: 64 * 1024 },
  };
}

interface Stats {
  stats(): PipelineStats;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
type Options = Record<string, unknown>;
type Made =
  | { signal: 'logs'; exporter: LogRecordExporter & Stats }
  | { signal: 'traces'; exporter: SpanExporter & Stats }
  | {
      signal: 'metrics';
      exporter: PushMetricExporter & Stats;
      keys(collected: ResourceMetrics): string[];
    };

/*
 * Each exporter is imported only when it is the one run: loading all nine doubles the start of
 * every process the test spawns.
 */
type Loaded<E> = Promise<new (options: Options) => E>;
const logs =
  (load: () => Loaded<LogRecordExporter & Stats>) =>
  async (o: Options): Promise<Made> => ({ signal: 'logs', exporter: new (await load())(o) });
const traces =
  (load: () => Loaded<SpanExporter & Stats>) =>
  async (o: Options): Promise<Made> => ({ signal: 'traces', exporter: new (await load())(o) });

const EXPORTERS: Record<CrashExporter, (options: Options) => Promise<Made>> = {
  elasticsearch: logs(
    async () => (await import('@otelpack/exporter-elasticsearch')).ElasticsearchLogRecordExporter,
  ),
  // Metrics into a time series data stream: no ids of its own, a repeated series and timestamp
  // answered 409 (counted delivered only for a batch the spool says was sent before the kill).
  'elasticsearch-metrics': async (o) => {
    const { ElasticsearchMetricExporter } = await import('@otelpack/exporter-elasticsearch');
    return { signal: 'metrics', exporter: new ElasticsearchMetricExporter(o), keys: pointKeys };
  },
  clickhouse: logs(
    async () => (await import('@otelpack/exporter-clickhouse')).ClickHouseLogRecordExporter,
  ),
  // Span rows: arrays and maps of events and links, through the same row codec and dedup token.
  'clickhouse-traces': traces(
    async () => (await import('@otelpack/exporter-clickhouse')).ClickHouseSpanExporter,
  ),
  // Metric rows, the sum table's, through the same row codec and dedup token.
  'clickhouse-metrics': async (o) => {
    const { ClickHouseMetricExporter } = await import('@otelpack/exporter-clickhouse');
    return { signal: 'metrics', exporter: new ClickHouseMetricExporter(o), keys: pointKeys };
  },
  otlp: logs(async () => (await import('@otelpack/exporter-otlp')).OtlpLogRecordExporter),
  // Metrics through the OTLP codec's own layout for them (resource and scope groups, points).
  'otlp-metrics': async (o) => {
    const { OtlpMetricExporter } = await import('@otelpack/exporter-otlp');
    return { signal: 'metrics', exporter: new OtlpMetricExporter(o), keys: pointKeys };
  },
  newrelic: logs(
    async () => (await import('@otelpack/exporter-newrelic')).NewRelicLogRecordExporter,
  ),
  'splunk-hec': logs(
    async () => (await import('@otelpack/exporter-splunk-hec')).SplunkHecLogRecordExporter,
  ),
  datadog: traces(async () => (await import('@otelpack/exporter-datadog')).DatadogSpanExporter),
  // Log entries: the intake's JSON through the exporter's own text codec.
  'datadog-logs': logs(
    async () => (await import('@otelpack/exporter-datadog')).DatadogLogRecordExporter,
  ),
  lightstep: traces(
    async () => (await import('@otelpack/exporter-lightstep')).LightstepSpanExporter,
  ),
  victoriametrics: async (o) => {
    const vm = await import('@otelpack/exporter-victoriametrics');
    // A sample as the parent finds it (`labels@timestamp`), through the exporter's own pure
    // mapping (the exporter's stateful one must not see a collection twice).
    const keys = (collected: ResourceMetrics) =>
      vm
        .mapResourceMetrics(collected, vm.DEFAULT_MAPPING_OPTIONS)
        .series.map(
          (series) =>
            `${seriesKey(Object.fromEntries(series.labels.map((l) => [l.name, l.value])))}@${series.samples[0].timestampMs}`,
        );
    return { signal: 'metrics', exporter: new vm.VictoriaMetricsExporter(o), keys };
  },
  dynatrace: async (o) => {
    const { DynatraceMetricExporter } = await import('@otelpack/exporter-dynatrace');
    return { signal: 'metrics', exporter: new DynatraceMetricExporter(o), keys: pointKeys };
  },
};

/**
 * Dynatrace, Elasticsearch, OTLP and ClickHouse: a point as the parent finds it, `worker@timestamp`: its
 * dimension and its timestamp, the point's end time in whole ms (one data line, one document, or
 * one OTLP data point a point).
 */
function pointKeys(collected: ResourceMetrics): string[] {
  const keys: string[] = [];
  for (const scope of collected.scopeMetrics) {
    for (const metric of scope.metrics) {
      for (const point of metric.dataPoints) {
        const [seconds, nanos] = point.endTime;
        keys.push(`${String(point.attributes.worker)}@${Math.floor(seconds * 1000 + nanos / 1e6)}`);
      }
    }
  }
  return keys;
}

const write = (line: object) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** The exporter's `export` as the SDK calls it, telling the parent what it handed over and when. */
function watched<T>(
  exporter: { export(items: T, done: (result: ExportResult) => void): void },
  keysOf: (items: T) => string[],
): (items: T, done: (result: ExportResult) => void) => void {
  return (items, done) => {
    const keys = keysOf(items);
    write({ accepted: keys });
    exporter.export(items, (result) => {
      if (result.code === 0) write({ ok: keys });
      done(result);
    });
    write({ returned: keys.length });
  };
}

const seqOf = (items: { attributes: Record<string, unknown> }[]) =>
  items.map((item) => String(item.attributes.seq));

/** Metrics: `count` > 0 adds to a counter of 20 series every 5 ms, until killed. */
async function metrics(
  config: CrashChildConfig,
  made: Extract<Made, { signal: 'metrics' }>,
): Promise<void> {
  const { MeterProvider, PeriodicExportingMetricReader } =
    await import('@opentelemetry/sdk-metrics');
  const { exporter } = made;
  const reader = new PeriodicExportingMetricReader({
    exporter: {
      export: watched(exporter, made.keys),
      selectAggregationTemporality: exporter.selectAggregationTemporality?.bind(exporter),
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush(),
    },
    exportIntervalMillis: 20,
    exportTimeoutMillis: 20,
  });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': config.service }),
    readers: [reader],
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
  process.exit(0);
}

/** Logs and spans: `count` records from `first`, under load, in steps of 50. */
async function numbered(
  config: CrashChildConfig,
  made: Exclude<Made, { signal: 'metrics' }>,
): Promise<void> {
  const batch = { scheduledDelayMillis: 5, maxExportBatchSize: 64, maxQueueSize: 100_000 };
  const resource = resourceFromAttributes({ 'service.name': config.service });
  let emit: (seq: number) => void;
  let provider: { forceFlush(): Promise<void>; shutdown(): Promise<void> };
  const { exporter } = made;
  const common = { shutdown: () => exporter.shutdown(), forceFlush: () => exporter.forceFlush() };
  if (made.signal === 'logs') {
    const { BatchLogRecordProcessor, LoggerProvider } = await import('@opentelemetry/sdk-logs');
    const logs = new LoggerProvider({
      resource,
      processors: [
        new BatchLogRecordProcessor({
          exporter: { ...common, export: watched(made.exporter, seqOf) },
          ...batch,
        }),
      ],
    });
    const logger = logs.getLogger('spool-crash');
    emit = (seq) => logger.emit({ body: `crash record ${seq}`, attributes: { seq } });
    provider = logs;
  } else {
    const { BasicTracerProvider, BatchSpanProcessor } =
      await import('@opentelemetry/sdk-trace-base');
    const spans: SpanExporter = {
      ...common,
      export: watched(made.exporter, (items: ReadableSpan[]) => seqOf(items)),
    };
    const traces = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(spans, batch)],
    });
    const tracer = traces.getTracer('spool-crash');
    emit = (seq) => tracer.startSpan(`crash record ${seq}`, { attributes: { seq } }).end();
    provider = traces;
  }
  write({ started: exporter.stats().replayed });
  let burstLeft = 7;
  for (let seq = config.first; seq < config.first + config.count; seq++) {
    emit(seq);
    if (config.bursts) {
      if (--burstLeft > 0) continue;
      burstLeft = 7 + ((seq * 13) % 31);
      await new Promise((resolve) => setTimeout(resolve, 40));
      continue;
    }
    // Under load, in steps: the parent kills at some moment of it.
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

/**
 * Wraps the `fs` calls the spool makes (the core's CommonJS build looks them up on the module at
 * each call) to SIGKILL this process at `point` of the second segment file's creation.
 */
function killInsideRoll(point: 'created' | 'header'): void {
  const fs = createRequire(__filename)('node:fs') as typeof NodeFs;
  const { openSync, writeSync } = fs;
  let segmentsCreated = 0;
  let rolledFd: number | undefined;
  fs.openSync = ((...args: Parameters<typeof openSync>) => {
    const fd = openSync(...args);
    if (String(args[0]).endsWith('.seg') && args[1] === 'wx' && ++segmentsCreated === 2) {
      if (point === 'created') process.kill(process.pid, 'SIGKILL');
      rolledFd = fd;
    }
    return fd;
  }) as typeof openSync;
  fs.writeSync = ((...args: Parameters<typeof writeSync>) => {
    const written = (writeSync as (...a: unknown[]) => number)(...args);
    if (args[0] === rolledFd) process.kill(process.pid, 'SIGKILL');
    return written;
  }) as typeof writeSync;
}

async function main(): Promise<void> {
  const config = JSON.parse(process.env.CRASH_CHILD_CONFIG as string) as CrashChildConfig;
  if (config.killInRoll) killInsideRoll(config.killInRoll);
  const made = await EXPORTERS[config.exporter]({ ...config.options, ...delivery(config) });
  if (made.signal === 'metrics') return metrics(config, made);
  return numbered(config, made);
}

void main();
