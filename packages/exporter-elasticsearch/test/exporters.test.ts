import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  AggregationTemporality,
  DataPointType,
  ExportResultCode,
  InvalidConfigError,
} from '@otelpack/batching-core';
import type { DeadLetter, ExportResult, ResourceMetricsLike } from '@otelpack/batching-core';
import {
  assertLedgerBalances,
  deliveryLetter,
  downBackendUrl,
  eventually,
} from '@otelpack/batching-core/testing';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
  createElasticsearchClient,
} from '../src';
import type { BulkRecord, ElasticsearchExporterOptions } from '../src';
import { logRecord } from './helpers/fixtures';
import { startBulkSink } from './helpers/bulk-sink';
import type { BulkSink } from './helpers/bulk-sink';

// Compile-time proof that the exporters are the SDK's exporter interfaces.
const _span: (e: ElasticsearchSpanExporter) => SpanExporter = (e) => e;
const _log: (e: ElasticsearchLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: ElasticsearchMetricExporter) => PushMetricExporter = (e) => e;

const sinks: BulkSink[] = [];
after(async () => {
  await Promise.all(sinks.map((s) => s.close()));
});
afterEach(() => diag.disable());

async function sink(...args: Parameters<typeof startBulkSink>): Promise<BulkSink> {
  const s = await startBulkSink(...args);
  sinks.push(s);
  return s;
}

const FAST = { flushIntervalMs: 10, initialBackoffMs: 10, maxBackoffMs: 20 };
const resource = resourceFromAttributes({ 'service.name': 'checkout' });

test('SDK providers: spans, span events, logs and metrics land with the documented fields', async () => {
  const bulk = await sink();
  const spanExporter = new ElasticsearchSpanExporter({ url: bulk.url, ...FAST });
  const logExporter = new ElasticsearchLogRecordExporter({ url: bulk.url, ...FAST });
  const metricExporter = new ElasticsearchMetricExporter({ url: bulk.url, ...FAST });
  const tracerProvider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(spanExporter, { scheduledDelayMillis: 10 })],
  });
  const loggerProvider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter: logExporter, scheduledDelayMillis: 10 })],
  });
  const meterProvider = new MeterProvider({
    resource,
    readers: [
      new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 60_000 }),
    ],
  });

  const span = tracerProvider
    .getTracer('shop', '1.0.0')
    .startSpan('checkout', { attributes: { 'cart.items': 3 } });
  span.addEvent('payment.authorized', { amount: 12.5 });
  span.end();
  loggerProvider.getLogger('shop').emit({
    body: 'order placed',
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    attributes: { 'order.id': 'o-1' },
  });
  const counter = meterProvider.getMeter('shop').createCounter('orders', { unit: '{order}' });
  counter.add(2, { region: 'eu' });

  await tracerProvider.forceFlush();
  await loggerProvider.forceFlush();
  await meterProvider.forceFlush();
  await Promise.all([
    spanExporter.forceFlush(),
    logExporter.forceFlush(),
    metricExporter.forceFlush(),
  ]);

  const byIndex = (index: string) =>
    bulk.indexed.filter((d) => d.index === index).map((d) => d.source);
  const [spanDoc] = byIndex('traces-generic.otel-default');
  const ctx = span.spanContext();
  assert.equal(spanDoc.trace_id, ctx.traceId);
  assert.equal(spanDoc.span_id, ctx.spanId);
  assert.equal(spanDoc.name, 'checkout');
  assert.equal(spanDoc.kind, 'Internal');
  assert.deepEqual(spanDoc.attributes, { 'cart.items': 3 });
  assert.deepEqual(spanDoc.scope, { name: 'shop', version: '1.0.0' });
  assert.equal(
    (spanDoc.resource as { attributes: Record<string, unknown> }).attributes['service.name'],
    'checkout',
  );
  assert.match(String(spanDoc['@timestamp']), /^\d{13}\.\d{6}$/);

  const logs = byIndex('logs-generic.otel-default');
  assert.equal(logs.length, 2, 'the span event and the log record');
  const event = logs.find((d) => d.event_name === 'payment.authorized')!;
  assert.deepEqual(event.attributes, { amount: 12.5, 'event.name': 'payment.authorized' });
  assert.equal(event.span_id, ctx.spanId);
  const log = logs.find((d) => d.body !== undefined)!;
  assert.deepEqual(log.body, { text: 'order placed' });
  assert.equal(log.severity_number, 9);
  assert.equal(log.severity_text, 'INFO');
  assert.deepEqual(log.attributes, { 'order.id': 'o-1' });

  const [metricDoc] = byIndex('metrics-generic.otel-default');
  assert.deepEqual(metricDoc.metrics, { orders: 2 });
  assert.deepEqual(metricDoc.attributes, { region: 'eu' });
  assert.equal(metricDoc.unit, '{order}');
  const metricAction = bulk
    .bulkRequests()
    .map((r) => r.body.toString('utf8'))
    .find((body) => body.includes('metrics-generic.otel-default'))!;
  assert.match(metricAction, /"dynamic_templates":\{"metrics\.orders":"counter_double"\}/);

  for (const exporter of [spanExporter, logExporter, metricExporter]) {
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.droppedTotal, 0);
  }
  assert.deepEqual(
    [
      spanExporter.stats().delivered,
      logExporter.stats().delivered,
      metricExporter.stats().delivered,
    ],
    [2, 1, 1],
  );
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);
});

test('partial failure: 429 items are retried alone and stored once; mapping errors go to the dead letter', async () => {
  const attempts = new Map<number, number>();
  const bulk = await sink((_action, doc) => {
    const seq = (doc.attributes as { seq: number }).seq;
    const attempt = (attempts.get(seq) ?? 0) + 1;
    attempts.set(seq, attempt);
    if (seq % 100 === 7) {
      return {
        status: 400,
        error: { type: 'mapper_parsing_exception', reason: `failed to parse field [seq] (${seq})` },
      };
    }
    // 10 % are refused the first two times they arrive.
    if (seq % 10 === 3 && attempt <= 2) {
      return {
        status: 429,
        error: { type: 'es_rejected_execution_exception', reason: 'rejected execution of bulk' },
      };
    }
    return undefined;
  });
  const letters: DeadLetter<BulkRecord>[] = [];
  const exporter = new ElasticsearchLogRecordExporter({
    url: bulk.url,
    ...FAST,
    maxBatchItems: 50,
    deadLetter: (letter) => {
      letters.push(deliveryLetter(letter));
    },
  });
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 10 })],
  });
  const logger = provider.getLogger('load');
  for (let seq = 0; seq < 300; seq++) logger.emit({ body: `line ${seq}`, attributes: { seq } });
  await provider.forceFlush();
  await exporter.forceFlush();

  const stored = bulk.indexed
    .map((d) => (d.source.attributes as { seq: number }).seq)
    .sort((a, b) => a - b);
  const expected = Array.from({ length: 300 }, (_, i) => i).filter((seq) => seq % 100 !== 7);
  assert.deepEqual(stored, expected, 'every non-rejected record exactly once');
  assert.equal(
    [...attempts.entries()].filter(([seq]) => seq % 10 === 3).every(([, n]) => n === 3),
    true,
    'each throttled record was sent exactly three times',
  );
  const rejected = letters.flatMap((l) => l.items);
  assert.deepEqual(
    letters.map((l) => l.reason),
    letters.map(() => 'rejected'),
  );
  assert.deepEqual(
    rejected
      .map(
        (item) =>
          (JSON.parse(item.record.document) as { attributes: { seq: number } }).attributes.seq,
      )
      .sort((a, b) => a - b),
    [7, 107, 207],
  );
  for (const item of rejected) {
    // Held by the dead-letter hook: its own memory, not a slab of records since delivered.
    assert.equal(item.record.documentBytes.byteLength, item.record.documentBytes.buffer.byteLength);
    assert.match(
      item.detail,
      /^400 mapper_parsing_exception: failed to parse field \[seq\] \(\d+\)$/,
    );
  }
  const stats = exporter.stats();
  assertLedgerBalances(stats);
  assert.equal(stats.accepted, 300);
  assert.equal(stats.delivered, 297);
  assert.equal(stats.dropped.rejected, 3);
  assert.equal(stats.retries, 60, '30 throttled records retried twice each');
  await provider.shutdown();
});

async function duplicateRun(
  deterministicIds: boolean,
): Promise<{ bulk: BulkSink; delivered: number }> {
  const bulk = await sink();
  // The first request is stored, then answered only after the client has given up.
  bulk.setFaults({ fault: { kind: 'slow', delayMs: 1_500 }, times: 1 });
  const exporter = new ElasticsearchSpanExporter({
    url: bulk.url,
    ...FAST,
    timeoutMs: 300,
    deterministicIds,
  });
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 10 })],
  });
  const tracer = provider.getTracer('dup');
  for (let i = 0; i < 20; i++) tracer.startSpan(`op ${i}`).end();
  await provider.forceFlush();
  await exporter.forceFlush();
  const stats = exporter.stats();
  assertLedgerBalances(stats);
  await provider.shutdown();
  return { bulk, delivered: stats.delivered };
}

test('duplicates: a batch stored but answered too late is retried; deterministic ids leave no duplicate', async () => {
  const { bulk, delivered } = await duplicateRun(true);
  assert.equal(bulk.bulkRequests().length, 2, 'the slow request and its retry');
  assert.equal(bulk.indexed.length, 20);
  assert.equal(new Set(bulk.indexed.map((d) => d.id)).size, 20);
  assert.equal(delivered, 20, 'the 409s of the retry count as delivered');

  // The same run without deterministic ids duplicates every span: the test can tell.
  const control = await duplicateRun(false);
  assert.equal(control.bulk.indexed.length, 40);
});

test('metrics: data points that cannot be mapped are counted as rejected, the rest delivered', async () => {
  const bulk = await sink();
  const exporter = new ElasticsearchMetricExporter({ url: bulk.url, ...FAST });
  const metrics: ResourceMetricsLike = {
    resource: { attributes: { 'service.name': 'checkout' } },
    scopeMetrics: [
      {
        scope: { name: 'm' },
        metrics: [
          {
            descriptor: { name: 'bad', description: '', unit: '', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.HISTOGRAM,
            dataPoints: [
              {
                startTime: [1, 0],
                endTime: [2, 0],
                attributes: {},
                value: { buckets: { boundaries: [1], counts: [1] }, count: 1 },
              },
            ],
          },
          {
            descriptor: { name: 'good', description: '', unit: '', valueType: 1 },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: [{ startTime: [1, 0], endTime: [2, 0], attributes: {}, value: 1 }],
          },
        ],
      },
    ],
  };
  const result = await new Promise<ExportResult>((resolve) => exporter.export(metrics, resolve));
  assert.equal(result.code, ExportResultCode.SUCCESS);
  await exporter.forceFlush();
  const stats = exporter.stats();
  assertLedgerBalances(stats);
  assert.equal(stats.accepted, 2);
  assert.equal(stats.delivered, 1);
  assert.equal(stats.dropped.rejected, 1);
  assert.equal(exporter.selectAggregationTemporality('COUNTER'), AggregationTemporality.CUMULATIVE);
  await exporter.shutdown();
});

test('secrets never reach the logs, even when the backend echoes them', async () => {
  const bulk = await sink();
  bulk.setFaults({
    fault: {
      kind: 'status',
      status: 401,
      body: '{"error":{"type":"security_exception","reason":"unable to authenticate user [elastic] with password [Sup3rSecret!]"}}',
    },
  });
  const lines: string[] = [];
  const capture = (...args: unknown[]) => {
    lines.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  diag.setLogger(
    { error: capture, warn: capture, info: capture, debug: capture, verbose: capture },
    DiagLogLevel.ALL,
  );
  const letters: DeadLetter<BulkRecord>[] = [];
  const exporter = new ElasticsearchLogRecordExporter({
    url: bulk.url,
    auth: { username: 'elastic', password: 'Sup3rSecret!' },
    ...FAST,
    deadLetter: (letter) => {
      letters.push(deliveryLetter(letter));
    },
  });
  const provider = new LoggerProvider({
    resource,
    processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 10 })],
  });
  provider.getLogger('x').emit({ body: 'hello' });
  await provider.forceFlush();
  await exporter.forceFlush();
  await provider.shutdown();
  assert.equal(exporter.stats().dropped.rejected, 1);
  const everything = [...lines, ...letters.flatMap((l) => l.items.map((i) => i.detail))].join('\n');
  assert.match(everything, /security_exception/);
  assert.equal(everything.includes('Sup3rSecret!'), false, everything);
});

test("a header provider's credentials are scrubbed too, when the backend echoes them", async () => {
  const bulk = await sink();
  bulk.setFaults({
    fault: {
      kind: 'status',
      status: 403,
      body: '{"error":{"type":"security_exception","reason":"bad key [Rotating-Token-77]"}}',
    },
  });
  const letters: DeadLetter<BulkRecord>[] = [];
  const exporter = new ElasticsearchLogRecordExporter({
    url: bulk.url,
    headers: async () => ({ 'x-api-key': 'Rotating-Token-77' }),
    ...FAST,
    deadLetter: (letter) => {
      letters.push(deliveryLetter(letter));
    },
  });
  const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
    exporter.export([logRecord()], resolve),
  );
  await exporter.forceFlush();
  await exporter.shutdown();
  assert.equal(exporter.stats().dropped.rejected, 1);
  const everything = [
    result.error?.message ?? '',
    ...letters.flatMap((l) => l.items.map((i) => i.detail)),
  ].join('\n');
  assert.match(everything, /security_exception/);
  assert.equal(everything.includes('Rotating-Token-77'), false, everything);
});

test('a shared client: createElasticsearchClient reads the same options, and a passed client is not closed', async () => {
  const bulk = await sink();
  const client = createElasticsearchClient({ url: bulk.url });
  const spans = new ElasticsearchSpanExporter({ client, ...FAST });
  const logs = new ElasticsearchLogRecordExporter({ client, ...FAST });
  await spans.shutdown();
  await logs.shutdown();
  // Still usable after both exporters shut down.
  const info = await client.transport.request({
    method: 'PUT',
    path: '/_index_template/x',
    body: {},
  });
  assert.deepEqual(info, { acknowledged: true });
  await client.close();
});

test('construction: invalid options of the exporter and of the core both throw InvalidConfigError', () => {
  const cases: [() => unknown, string][] = [
    [() => new ElasticsearchSpanExporter({ mappingMode: 'json' as never }), 'mappingMode'],
    [() => new ElasticsearchLogRecordExporter({ maxBatchItems: 0 }), 'maxBatchItems'],
    [() => new ElasticsearchMetricExporter({ temporality: 'weekly' as never }), 'temporality'],
    [() => new ElasticsearchMetricExporter({ overflow: 'spill' as never }), 'overflow'],
    [() => createElasticsearchClient({ client: createElasticsearchClient() }), 'client'],
  ];
  for (const [construct, option] of cases) {
    assert.throws(construct, (error: { name?: string; option?: string }) => {
      assert.equal(error.name, 'InvalidConfigError');
      assert.equal(error.option, option);
      return true;
    });
  }
});

test("the core's options are taken at the top level; a misspelt one throws at construction", async () => {
  const url = 'http://127.0.0.1:1';
  const tuned = new ElasticsearchSpanExporter({ url, maxQueueItems: 1_234, maxConcurrency: 3 });
  assert.equal(tuned.pipeline.stats().maxQueueItems, 1_234);
  assert.equal(tuned.pipeline.stats().concurrencyLimit, 3);
  await tuned.shutdown();

  for (const [name, suggestion] of [
    ['maxBatchItem', 'maxBatchItems'],
    ['mappingmode', 'mappingMode'],
  ]) {
    assert.throws(
      () => new ElasticsearchLogRecordExporter({ url, [name]: 5 } as ElasticsearchExporterOptions),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        error.option === name &&
        error.message === `${name}: unknown option (did you mean '${suggestion}'?)`,
    );
  }
  // The metric exporter's own option is no option of the others.
  assert.throws(
    () =>
      new ElasticsearchSpanExporter({ url, temporality: 'delta' } as ElasticsearchExporterOptions),
    (error: unknown) => error instanceof InvalidConfigError && error.option === 'temporality',
  );
});

test('self-telemetry names the server of the url, and no server when the client is the user’s own', async () => {
  const { MetricReader } = await import('@opentelemetry/sdk-metrics');
  class PullReader extends MetricReader {
    protected async onShutdown(): Promise<void> {}
    protected async onForceFlush(): Promise<void> {}
  }
  const serverOfExporter = async (options: ElasticsearchExporterOptions) => {
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const exporter = new ElasticsearchSpanExporter({
      ...options,
      selfObsMeterProvider: meterProvider,
    });
    const { resourceMetrics } = await reader.collect();
    const attributes = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'otelpack.exporter.queue.capacity')!.dataPoints[0]
      .attributes;
    await exporter.shutdown();
    await meterProvider.shutdown();
    return [attributes['server.address'], attributes['server.port']];
  };
  assert.deepEqual(await serverOfExporter({ url: 'https://es.example.com:9243' }), [
    'es.example.com',
    9243,
  ]);
  assert.deepEqual(await serverOfExporter({ url: 'https://es.example.com' }), [
    'es.example.com',
    443,
  ]);
  const client = createElasticsearchClient({ url: 'http://es.internal.example:9243' });
  assert.deepEqual(await serverOfExporter({ client }), [undefined, undefined]);
  await client.close();
});

test('by default the 5 MB byte cap cuts requests, not a count of documents', async () => {
  const bulk = await sink();
  const exporter = new ElasticsearchLogRecordExporter({ url: bulk.url, flushIntervalMs: 60_000 });
  const exportAll = (records: ReturnType<typeof logRecord>[]) =>
    new Promise<ExportResult>((resolve) => exporter.export(records, resolve));
  // 3,000 documents of ~360 bytes: one request (the core's own default would cut three).
  const small = Array.from({ length: 3_000 }, (_, i) => logRecord({ body: `line ${i}` }));
  assert.equal((await exportAll(small)).code, ExportResultCode.SUCCESS);
  await exporter.forceFlush();
  assert.equal(bulk.bulkRequests().length, 1, 'one request for 3,000 small documents');
  // 12,000 documents of ~670 bytes (8 MB): the first request is cut at 5 MB, short of 10,000.
  const larger = Array.from({ length: 12_000 }, (_, i) =>
    logRecord({ body: `${i} ${'x'.repeat(300)}` }),
  );
  assert.equal((await exportAll(larger)).code, ExportResultCode.SUCCESS);
  await exporter.forceFlush();
  const bodies = bulk.bulkRequests().slice(1);
  const lines = (body: Buffer) => body.toString('utf8').split('\n').length - 1;
  assert.equal(bodies.length, 2, `bodies of ${bodies.map((r) => r.body.length).join(', ')} bytes`);
  for (const { body } of bodies) assert.ok(body.length <= 5_000_000, `a body of ${body.length}`);
  // The two go out together (either may arrive first): the larger is the one the cap cut.
  const counts = bodies.map(({ body }) => lines(body) / 2).sort((a, b) => b - a);
  assert.equal(counts[0] + counts[1], 12_000);
  assert.ok(
    counts[0] > 5_000 && counts[0] < 10_000,
    `the byte cap cut the first request at ${counts[0]} documents`,
  );
  assert.equal(bulk.indexed.length, 15_000);
  assertLedgerBalances(exporter.stats());
  await exporter.shutdown();
});

/** A resource of ~5 kB: in `otel` mode documents refer to its members, in `ecs` mode each copies them. */
const bigResource = (name = 'checkout') => ({
  attributes: { 'service.name': name, 'build.notes': 'n'.repeat(5_000) },
});

/** Log records of `resources` resources of ~5 kB, taking turns. */
const bigResourceRecords = (count: number, resources = 1) => {
  const made = Array.from({ length: resources }, (_, r) => bigResource(`service-${r}`));
  return Array.from({ length: count }, (_, i) =>
    logRecord({ resource: made[i % resources], body: `line ${i}` }),
  );
};

test("maxQueueBytes counts an otel-mode record's shared resource once, an ecs-mode record's copy each time", async () => {
  const url = await downBackendUrl();
  const heldPerRecord: Record<string, number> = {};
  const cases = [
    { name: 'otel', mappingMode: 'otel', resources: 1 },
    { name: 'ecs', mappingMode: 'ecs', resources: 1 },
    // More resources than the mapping finds again by text (otel-writer.ts): records of one text
    // then hold tails of their own, and each is counted.
    { name: 'otel, 300 resources in turn', mappingMode: 'otel', resources: 300 },
  ] as const;
  for (const { name, mappingMode, resources } of cases) {
    const exporter = new ElasticsearchLogRecordExporter({
      url,
      mappingMode,
      flushIntervalMs: 60_000,
      shutdownTimeoutMs: 100,
    });
    const count = resources === 1 ? 50 : 600;
    const result = await new Promise<ExportResult>((resolve) =>
      exporter.export(bigResourceRecords(count, resources), resolve),
    );
    assert.equal(result.code, 0, name);
    const stats = exporter.stats();
    assert.equal(stats.queuedItems, count, name);
    heldPerRecord[name] = stats.queuedBytes / count;
    await exporter.shutdown();
    assert.equal(exporter.stats().queuedBytes, 0, `${name}: the tails released with the records`);
  }
  // 200 + 1.06 × own wire bytes (src/bulk/sender.ts), and the tail's ~15 kB once for all 50.
  assert.ok(heldPerRecord.otel < 1_000, `otel: ${heldPerRecord.otel} bytes per record`);
  assert.ok(heldPerRecord.otel > 300, `otel: ${heldPerRecord.otel} bytes per record`);
  assert.ok(heldPerRecord.ecs > 5_500, `ecs: ${heldPerRecord.ecs} bytes per record`);
  const turns = heldPerRecord['otel, 300 resources in turn'];
  assert.ok(turns > 10_000, `otel, 300 resources: ${turns} bytes per record`);
});

test('a queue full of otel-mode records when the process stops replays whole: the spool keeps tails shared', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-es-tails-'));
  try {
    const options = {
      url: await downBackendUrl(),
      spool: { directory },
      maxQueueBytes: 64 * 1024,
      flushIntervalMs: 60_000,
      shutdownTimeoutMs: 100,
    };
    const first = new ElasticsearchLogRecordExporter(options);
    // Exports of five: each is a spool payload of its own, and the tails it names are found
    // again across payloads on replay, not made once per payload.
    const records = bigResourceRecords(200, 2);
    for (let at = 0; at < records.length; at += 5) {
      await new Promise<ExportResult>((resolve) =>
        first.export(records.slice(at, at + 5), resolve),
      );
    }
    const before = first.stats();
    assert.ok(before.dropped.queue_full > 0, 'the queue is full');
    assert.ok(before.queuedItems > 40, `${before.queuedItems} records held`);
    await first.shutdown();
    assert.equal(first.stats().leftInSpool, before.queuedItems);

    const next = new ElasticsearchLogRecordExporter(options);
    await eventually(() => next.stats().replayed > 0, 'the replay');
    const after = next.stats();
    // Replayed records find their tails again, so they are counted as before the stop.
    assert.deepEqual(
      { replayed: after.replayed, queueFull: after.dropped.queue_full },
      { replayed: before.queuedItems, queueFull: 0 },
    );
    assert.equal(after.queuedBytes, before.queuedBytes);
    await next.shutdown();
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});
