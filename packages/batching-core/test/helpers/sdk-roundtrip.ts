/*
 * One set of end-to-end assertions for every OpenTelemetry JS SDK major: core-based exporters are
 * registered in the SDK's real providers and processors, records travel over HTTP to a FaultSink,
 * and each pipeline's ledger must balance after the provider shuts down.
 *
 * This module is loaded by two different processes: the SDK 2.x suite (Node 20, the root
 * node_modules, the core from ../../src) and the SDK 3.x suite in compat/sdk3 (Node 24, its own
 * node_modules, the core as packed for npm). It therefore has no runtime import other than
 * Node builtins: a bare import here would resolve from the root node_modules and mix
 * @opentelemetry/api 1.9 into the SDK 3 process. The core, its test kit and the SDK wiring are
 * all handed in by the caller.
 */
import assert from 'node:assert/strict';
import type * as CoreModule from '../../src';
import type * as TestingModule from '../../src/testing';
import type {
  BatchSender,
  InstrumentType,
  MetricDataLike,
  Pipeline,
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
  TemporalityPreference,
} from '../../src';
import type { FaultSink } from '../../src/testing';

export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  service: unknown;
}

export interface LogRecord {
  body: unknown;
  severityNumber: number | null;
  severityText: string | null;
  service: unknown;
}

export interface MetricRecord {
  name: string;
  value: number;
  temporality: number;
  monotonic: boolean;
}

/** Only what the scenarios call on the SDK's objects; SDK 2 and SDK 3 both fit. */
export interface StartedSpan {
  spanContext(): { traceId: string; spanId: string };
  end(): void;
}

export interface TracerProviderLike {
  getTracer(name: string): { startSpan(name: string): StartedSpan };
  shutdown(): Promise<void>;
}

export interface LoggerProviderLike {
  getLogger(name: string): {
    emit(record: { body?: string; severityNumber?: number; severityText?: string }): void;
  };
  shutdown(): Promise<void>;
}

export interface MeterProviderLike {
  getMeter(name: string): {
    createCounter(name: string): { add(value: number): void };
    createUpDownCounter(name: string): { add(value: number): void };
  };
  shutdown(): Promise<void>;
}

/** The service name put on every provider's resource; the mappings read it back. */
export const SERVICE_NAME = 'otelpack-sdk-compat';

/**
 * How one SDK major is wired. The factories are the "normal SDK setup" of that major and
 * nothing more, so that the constructors' signatures are checked against that major's own types.
 */
export interface SdkRoundTripKit {
  /** E.g. `SDK 2.x`; prefixes every assertion message. */
  label: string;
  core: typeof CoreModule;
  testing: typeof TestingModule;
  /** sdk-metrics' own enums, which the core re-declares so that it never imports the SDK. */
  metricsEnums: {
    AggregationTemporality: Record<string, string | number>;
    DataPointType: Record<string, string | number>;
    InstrumentType: Record<string, string | number>;
  };
  /** A provider with `service.name` = `serviceName` and a BatchSpanProcessor on `exporter`. */
  createTracerProvider(options: {
    exporter: PipelineSpanExporter<SpanRecord>;
    serviceName: string;
    scheduledDelayMillis: number;
  }): TracerProviderLike;
  /** A provider with `service.name` = `serviceName` and a BatchLogRecordProcessor on `exporter`. */
  createLoggerProvider(options: {
    exporter: PipelineLogRecordExporter<LogRecord>;
    serviceName: string;
    scheduledDelayMillis: number;
  }): LoggerProviderLike;
  /** A provider with `service.name` = `serviceName` and a PeriodicExportingMetricReader on `exporter`. */
  createMeterProvider(options: {
    exporter: PipelineMetricExporter<MetricRecord>;
    serviceName: string;
    exportIntervalMillis: number;
  }): MeterProviderLike;
}

export interface SdkRoundTripScenario {
  name: string;
  run(kit: SdkRoundTripKit): Promise<void>;
}

// Generous: every wait below normally ends in tens of milliseconds; this only bounds a failure.
const ARRIVAL_TIMEOUT_MS = 8_000;
const INGEST_PATH = '/v1/ingest';

/** An NDJSON sender over the core's HttpTransport, as an exporter's sender would be. */
function ndjsonSender<R>(
  core: typeof CoreModule,
  url: string,
  compression: 'gzip' | 'none',
): BatchSender<R> {
  const transport = new core.HttpTransport({ url, compression, timeoutMs: 5_000 });
  return {
    sizeOf: (record) => Buffer.byteLength(JSON.stringify(record)) + 1,
    send: (batch, context) =>
      transport.send({
        method: 'POST',
        path: INGEST_PATH,
        headers: { 'content-type': 'application/x-ndjson' },
        body: batch.map((record) => JSON.stringify(record)).join('\n') + '\n',
        signal: context.signal,
      }),
    close: () => transport.close(),
  };
}

function newPipeline<R>(
  kit: SdkRoundTripKit,
  sink: FaultSink,
  signal: 'traces' | 'logs' | 'metrics',
  extra: { compression?: 'gzip' | 'none'; maxConcurrency?: number } = {},
): Pipeline<R> {
  return new kit.core.Pipeline<R>({
    name: 'sdk-compat',
    signal,
    sender: ndjsonSender<R>(kit.core, sink.url, extra.compression ?? 'none'),
    flushIntervalMs: 10,
    maxConcurrency: extra.maxConcurrency ?? 4,
    initialBackoffMs: 20,
    maxBackoffMs: 200,
    shutdownTimeoutMs: 5_000,
  });
}

/** Every request the sink saw must be one of ours, complete and well-formed. */
function assertRequestsWellFormed(kit: SdkRoundTripKit, sink: FaultSink): void {
  assert.ok(sink.requests.length > 0, `${kit.label}: the sink received no request`);
  for (const request of sink.requests) {
    assert.equal(request.method, 'POST', `${kit.label}: method`);
    assert.equal(request.path, INGEST_PATH, `${kit.label}: path`);
    assert.equal(request.headers['content-type'], 'application/x-ndjson', `${kit.label}: type`);
  }
  assert.equal(sink.malformedRequests, 0, `${kit.label}: malformed requests`);
}

/** After shutdown: everything accepted was delivered, nothing is left, and the ledger balances. */
function assertAllDelivered(
  kit: SdkRoundTripKit,
  pipeline: Pipeline<unknown>,
  count: number,
): void {
  const stats = pipeline.stats();
  kit.testing.assertLedgerBalances(stats, `${kit.label} ${pipeline.signal}`);
  assert.equal(stats.shutDown, true, `${kit.label}: provider shutdown reached the pipeline`);
  assert.equal(stats.accepted, count, `${kit.label}: accepted ${pipeline.signal} records`);
  assert.equal(stats.delivered, count, `${kit.label}: delivered ${pipeline.signal} records`);
  assert.equal(stats.droppedTotal, 0, `${kit.label}: dropped ${JSON.stringify(stats.dropped)}`);
  assert.equal(stats.pending, 0, `${kit.label}: pending`);
}

function serviceOf(resource: { attributes: Record<string, unknown> }): unknown {
  return resource.attributes['service.name'];
}

function mapSpan(span: ReadableSpanLike): SpanRecord {
  const context = span.spanContext();
  return {
    name: span.name,
    traceId: context.traceId,
    spanId: context.spanId,
    service: serviceOf(span.resource),
  };
}

function mapLog(log: ReadableLogRecordLike): LogRecord {
  return {
    body: log.body ?? null,
    severityNumber: log.severityNumber ?? null,
    severityText: log.severityText ?? null,
    service: serviceOf(log.resource),
  };
}

function metricsMapper(core: typeof CoreModule): (metrics: ResourceMetricsLike) => MetricRecord[] {
  return (metrics) => {
    const records: MetricRecord[] = [];
    for (const scope of metrics.scopeMetrics) {
      for (const metric of scope.metrics as MetricDataLike[]) {
        // The scenarios record sums only. Throwing makes anything else show up in the ledger
        // as a mapping rejection instead of passing unnoticed.
        if (metric.dataPointType !== core.DataPointType.SUM) {
          throw new Error(
            `unexpected data point type ${metric.dataPointType} for ${metric.descriptor.name}`,
          );
        }
        for (const point of metric.dataPoints) {
          records.push({
            name: metric.descriptor.name,
            value: point.value,
            temporality: metric.aggregationTemporality,
            monotonic: metric.isMonotonic,
          });
        }
      }
    }
    return records;
  };
}

async function spansScenario(kit: SdkRoundTripKit): Promise<void> {
  const sink = await kit.testing.FaultSink.start();
  let provider: TracerProviderLike | undefined;
  try {
    const pipeline = newPipeline<SpanRecord>(kit, sink, 'traces');
    const exporter = new kit.core.PipelineSpanExporter<SpanRecord>({ pipeline, map: mapSpan });
    provider = kit.createTracerProvider({
      exporter,
      serviceName: SERVICE_NAME,
      scheduledDelayMillis: 20,
    });
    const tracer = provider.getTracer('sdk-compat');
    const expected: SpanRecord[] = [];
    for (const name of ['checkout', 'charge-card', 'ship-order']) {
      const span = tracer.startSpan(name);
      const { traceId, spanId } = span.spanContext();
      expected.push({ name, traceId, spanId, service: SERVICE_NAME });
      span.end();
    }
    for (const record of expected) {
      assert.match(record.traceId, /^[0-9a-f]{32}$/, `${kit.label}: SDK trace id`);
      assert.match(record.spanId, /^[0-9a-f]{16}$/, `${kit.label}: SDK span id`);
    }

    // Before any shutdown or flush: the processor's timer and the pipeline's must deliver alone.
    await sink.waitForRecords(expected.length, ARRIVAL_TIMEOUT_MS);
    await provider.shutdown();
    provider = undefined;

    const byName = (a: SpanRecord, b: SpanRecord): number => a.name.localeCompare(b.name);
    assert.deepEqual(
      [...(sink.records as SpanRecord[])].sort(byName),
      [...expected].sort(byName),
      `${kit.label}: spans at the sink`,
    );
    assertRequestsWellFormed(kit, sink);
    assertAllDelivered(kit, pipeline as Pipeline<unknown>, expected.length);
  } finally {
    await provider?.shutdown();
    await sink.close();
  }
}

async function logsScenario(kit: SdkRoundTripKit): Promise<void> {
  const sink = await kit.testing.FaultSink.start();
  let provider: LoggerProviderLike | undefined;
  try {
    // gzip here so that one signal also proves the transport's compressed path end to end.
    const pipeline = newPipeline<LogRecord>(kit, sink, 'logs', { compression: 'gzip' });
    const exporter = new kit.core.PipelineLogRecordExporter<LogRecord>({ pipeline, map: mapLog });
    provider = kit.createLoggerProvider({
      exporter,
      serviceName: SERVICE_NAME,
      // Far beyond the test: only the provider's shutdown may export these logs.
      scheduledDelayMillis: 60_000,
    });
    const logger = provider.getLogger('sdk-compat');
    logger.emit({ body: 'order placed', severityNumber: 9, severityText: 'INFO' });
    logger.emit({ body: 'card declined', severityNumber: 17, severityText: 'ERROR' });
    logger.emit({ body: 'retrying payment', severityNumber: 13, severityText: 'WARN' });
    assert.equal(sink.records.length, 0, `${kit.label}: logs left before shutdown`);

    // Shutdown must flush the processor into the exporter and the pipeline to the sink.
    await provider.shutdown();
    provider = undefined;

    assert.deepEqual(
      sink.records,
      [
        { body: 'order placed', severityNumber: 9, severityText: 'INFO', service: SERVICE_NAME },
        { body: 'card declined', severityNumber: 17, severityText: 'ERROR', service: SERVICE_NAME },
        {
          body: 'retrying payment',
          severityNumber: 13,
          severityText: 'WARN',
          service: SERVICE_NAME,
        },
      ],
      `${kit.label}: logs at the sink`,
    );
    assertRequestsWellFormed(kit, sink);
    for (const request of sink.requests) {
      assert.equal(request.headers['content-encoding'], 'gzip', `${kit.label}: log compression`);
    }
    assertAllDelivered(kit, pipeline as Pipeline<unknown>, 3);
  } finally {
    await provider?.shutdown();
    await sink.close();
  }
}

/**
 * A counter gets add(5), the test waits until an export carrying it arrives, then add(5) again.
 * Cumulative exports then read 5 ... 5, 10 ... 10; delta exports read 5 once and 5 once more
 * (intervals without measurements export nothing, or 0), and never 10. An up-down counter
 * stays cumulative under both preferences, as the core's `delta` preference promises.
 */
async function metricsScenario(
  kit: SdkRoundTripKit,
  preference: TemporalityPreference,
): Promise<void> {
  const { CUMULATIVE, DELTA } = kit.core.AggregationTemporality;
  const sink = await kit.testing.FaultSink.start();
  let provider: MeterProviderLike | undefined;
  try {
    // One request at a time, so that the sink sees exports in the order the reader made them.
    const pipeline = newPipeline<MetricRecord>(kit, sink, 'metrics', { maxConcurrency: 1 });
    const exporter = new kit.core.PipelineMetricExporter<MetricRecord>({
      pipeline,
      map: metricsMapper(kit.core),
      temporality: preference,
    });
    provider = kit.createMeterProvider({
      exporter,
      serviceName: SERVICE_NAME,
      exportIntervalMillis: 40,
    });
    const meter = provider.getMeter('sdk-compat');
    const orders = meter.createCounter('orders');
    const inflight = meter.createUpDownCounter('inflight');
    const counterRecords = (): MetricRecord[] =>
      (sink.records as MetricRecord[]).filter((r) => r.name === 'orders');

    orders.add(5);
    inflight.add(3);
    inflight.add(-1);
    await kit.testing.eventually(
      () => counterRecords().some((r) => r.value === 5),
      `${kit.label}: an export of orders = 5`,
      ARRIVAL_TIMEOUT_MS,
    );
    orders.add(5);
    if (preference === 'cumulative') {
      await kit.testing.eventually(
        () => counterRecords().some((r) => r.value === 10),
        `${kit.label}: a cumulative export of orders = 10`,
        ARRIVAL_TIMEOUT_MS,
      );
    } else {
      // A 10 ends the wait too: a reader that ignored the preference fails below, with figures.
      await kit.testing.eventually(
        () =>
          counterRecords().filter((r) => r.value === 5).length >= 2 ||
          counterRecords().some((r) => r.value === 10),
        `${kit.label}: a second delta export of orders = 5`,
        ARRIVAL_TIMEOUT_MS,
      );
    }

    // The reader's final collection goes through the exporter before the pipeline shuts down.
    await provider.shutdown();
    provider = undefined;

    const counter = counterRecords();
    const values = counter.map((r) => r.value);
    for (const record of counter) assert.equal(record.monotonic, true, `${kit.label}: monotonic`);
    if (preference === 'cumulative') {
      assert.ok(
        counter.every((r) => r.temporality === CUMULATIVE),
        `${kit.label}: cumulative counter exports, got ${JSON.stringify(counter)}`,
      );
      assert.equal(
        values[0],
        5,
        `${kit.label}: first cumulative value of ${JSON.stringify(values)}`,
      );
      assert.equal(
        values.at(-1),
        10,
        `${kit.label}: last cumulative value of ${JSON.stringify(values)}`,
      );
      assert.ok(
        values.every((v, i) => (v === 5 || v === 10) && (i === 0 || v >= values[i - 1])),
        `${kit.label}: cumulative values run 5 ... 10, got ${JSON.stringify(values)}`,
      );
    } else {
      assert.ok(
        counter.every((r) => r.temporality === DELTA),
        `${kit.label}: the reader honoured selectAggregationTemporality (delta), got ${JSON.stringify(counter)}`,
      );
      assert.deepEqual(
        values.filter((v) => v !== 0),
        [5, 5],
        `${kit.label}: delta values, got ${JSON.stringify(values)}`,
      );
    }

    const upDown = (sink.records as MetricRecord[]).filter((r) => r.name === 'inflight');
    assert.ok(upDown.length > 0, `${kit.label}: no export of the up-down counter`);
    for (const record of upDown) {
      assert.deepEqual(
        record,
        { name: 'inflight', value: 2, temporality: CUMULATIVE, monotonic: false },
        `${kit.label}: up-down counter under '${preference}'`,
      );
    }
    assert.equal(
      sink.records.length,
      counter.length + upDown.length,
      `${kit.label}: only the two instruments were exported`,
    );

    assertRequestsWellFormed(kit, sink);
    assertAllDelivered(kit, pipeline as Pipeline<unknown>, sink.records.length);
  } finally {
    await provider?.shutdown();
    await sink.close();
  }
}

/** The values the core copied from sdk-metrics must be the SDK's, or exports are misread. */
async function enumsScenario(kit: SdkRoundTripKit): Promise<void> {
  const sdk = kit.metricsEnums;
  assert.deepEqual(
    { ...kit.core.AggregationTemporality },
    { DELTA: sdk.AggregationTemporality.DELTA, CUMULATIVE: sdk.AggregationTemporality.CUMULATIVE },
    `${kit.label}: AggregationTemporality`,
  );
  assert.deepEqual(
    { ...kit.core.DataPointType },
    {
      HISTOGRAM: sdk.DataPointType.HISTOGRAM,
      EXPONENTIAL_HISTOGRAM: sdk.DataPointType.EXPONENTIAL_HISTOGRAM,
      GAUGE: sdk.DataPointType.GAUGE,
      SUM: sdk.DataPointType.SUM,
    },
    `${kit.label}: DataPointType`,
  );
  // The core's InstrumentType is a type only; its members must be values the SDK hands out.
  const coreInstrumentTypes: InstrumentType[] = [
    'COUNTER',
    'GAUGE',
    'HISTOGRAM',
    'UP_DOWN_COUNTER',
    'OBSERVABLE_COUNTER',
    'OBSERVABLE_GAUGE',
    'OBSERVABLE_UP_DOWN_COUNTER',
  ];
  assert.deepEqual(
    Object.values(sdk.InstrumentType).sort(),
    [...coreInstrumentTypes].sort(),
    `${kit.label}: InstrumentType`,
  );
}

/** Each scenario is independent (its own sink, pipeline and provider): one test apiece. */
export const SDK_ROUND_TRIP_SCENARIOS: readonly SdkRoundTripScenario[] = [
  { name: 'the core mirrors the sdk-metrics enums it re-declares', run: enumsScenario },
  { name: 'spans reach the sink through BatchSpanProcessor', run: spansScenario },
  { name: 'logs reach the sink through BatchLogRecordProcessor on shutdown', run: logsScenario },
  {
    name: 'cumulative metrics reach the sink through PeriodicExportingMetricReader',
    run: (kit) => metricsScenario(kit, 'cumulative'),
  },
  {
    name: 'the reader honours a delta selectAggregationTemporality',
    run: (kit) => metricsScenario(kit, 'delta'),
  },
];

/** All scenarios in sequence, for callers that want one call. */
export async function runSdkRoundTrip(kit: SdkRoundTripKit): Promise<void> {
  for (const scenario of SDK_ROUND_TRIP_SCENARIOS) await scenario.run(kit);
}
