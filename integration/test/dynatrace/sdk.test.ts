import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import type { ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { DeadLetter, UnmappedLetter } from '@otelpack/batching-core';
import {
  DynatraceLogRecordExporter,
  DynatraceMetricExporter,
  DynatraceSpanExporter,
} from '@otelpack/exporter-dynatrace';
import type { DynatraceMetricExporterOptions, DynatraceRecord } from '@otelpack/exporter-dynatrace';
import { envVarFor } from '../../src/backend';
import { DynatraceFake, FAKE_TOKEN } from '../../src/fakes/dynatrace-fake';
import type { DataLine } from '../../src/fakes/dynatrace-fake';
import { FAST, fakeUrl, metricRequests, refuse, storedLines, storedOtlp } from './helpers';

/*
 * FAKE (otelpack's Dynatrace ingest fake, from the documentation): the exporter's three signals
 * through the OpenTelemetry SDK. Metrics are read back line by line from what the fake took;
 * partial success is the fake refusing some lines of a request; the OneAgent default is a fake
 * listening on the OneAgent's port.
 */

const ONEAGENT_PORT = '14499';

/**
 * Why this run cannot listen on the OneAgent's port (14499), or undefined: with docker-compose the
 * harness's fake container publishes that port on the host, so a second fake cannot bind it.
 */
function oneAgentPortTaken(): string | undefined {
  const harness = process.env[envVarFor('dynatrace')];
  const port = harness ? new URL(harness).port : '';
  if (process.env.OTELPACK_IT_DOCKER === '1' || port === ONEAGENT_PORT) {
    return `the harness's Dynatrace fake holds the OneAgent's port ${ONEAGENT_PORT} (docker-compose)`;
  }
  return undefined;
}

function prefix(): string {
  return `it${randomUUID().slice(0, 8)}`;
}

async function collect(
  options: DynatraceMetricExporterOptions,
  record: (provider: MeterProvider) => void,
): Promise<DynatraceMetricExporter> {
  const exporter = new DynatraceMetricExporter({ ...FAST, ...options });
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout' }),
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })],
  });
  record(provider);
  await provider.shutdown();
  return exporter;
}

async function linesOf(url: string, keyPrefix: string): Promise<DataLine[]> {
  return (await storedLines(url))
    .map((l) => l.parsed)
    .filter((p): p is DataLine => p.kind === 'data' && p.key.startsWith(keyPrefix));
}

describe('Dynatrace metrics through the SDK', () => {
  it('counters, up-down counters, histograms and gauges arrive as documented lines', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const p = prefix();
    const exporter = await collect({ url, auth: { token: FAKE_TOKEN }, prefix: p }, (provider) => {
      const meter = provider.getMeter('it');
      meter
        .createCounter('http.requests', { unit: '{request}', description: 'Requests served' })
        .add(3, { 'HTTP.Method': 'GET' });
      meter.createUpDownCounter('pool.size').add(-2);
      const histogram = meter.createHistogram('http.duration', { unit: 'ms' });
      for (const v of [5, 15, 100]) histogram.record(v);
      meter.createGauge('queue.depth').record(7, { queue: 'a b,c' });
    });
    const stats = exporter.stats();
    assert.equal(stats.delivered, stats.accepted, JSON.stringify(stats));
    const lines = await linesOf(url, p);
    const byKey = Object.fromEntries(lines.map((l) => [l.key, l]));
    assert.deepEqual(byKey[`${p}.http.requests.count`].payload, { type: 'count', delta: 3 });
    assert.deepEqual(byKey[`${p}.http.requests.count`].dimensions, {
      'service.name': 'checkout',
      'http.method': 'GET',
    });
    assert.deepEqual(byKey[`${p}.pool.size`].payload, { type: 'gauge', value: -2 });
    assert.deepEqual(byKey[`${p}.http.duration`].payload, {
      type: 'summary',
      min: 5,
      max: 100,
      sum: 120,
      count: 3,
    });
    assert.deepEqual(byKey[`${p}.queue.depth`].dimensions.queue, 'a b,c');
    assert.ok(
      lines.every((l) => l.warning === undefined),
      'no key changed by the ingest',
    );
    const metadata = (await storedLines(url)).filter(
      (l) => l.parsed.kind === 'metadata' && l.parsed.key.startsWith(p),
    );
    assert.deepEqual(metadata.map((l) => l.text).sort(), [
      `#${p}.http.duration gauge dt.meta.unit=ms`,
      `#${p}.http.requests.count count dt.meta.description=Requests\\ served,dt.meta.unit={request}`,
    ]);
  });

  it('1,800 series go in requests of at most 1,000 lines, with the token', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const p = prefix();
    const before = (await metricRequests(url)).length;
    const exporter = await collect(
      { url, auth: { token: FAKE_TOKEN }, prefix: p, metadataLines: false },
      (provider) => {
        // Under the SDK's default of 2,000 series per instrument.
        const counter = provider.getMeter('it').createCounter('series');
        for (let i = 0; i < 1_800; i++) counter.add(1, { series: `s${i}` });
      },
    );
    assert.equal(exporter.stats().delivered, 1_800, JSON.stringify(exporter.stats()));
    const requests = (await metricRequests(url)).slice(before);
    assert.ok(requests.length >= 2, `${requests.length} requests`);
    assert.ok(requests.every((r) => r.lines <= 1_000));
    assert.ok(requests.every((r) => r.headers.authorization === `Api-Token ${FAKE_TOKEN}`));
    assert.equal((await linesOf(url, p)).length, 1_800);
  });

  it('a 400 naming invalid lines: those rejected with the ingest’s error, the rest delivered once', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const p = prefix();
    await refuse(url, `${p}.refused`, 'metric key limit reached');
    const letters: (DeadLetter<DynatraceRecord> | UnmappedLetter)[] = [];
    const exporter = await collect(
      {
        url,
        auth: { token: FAKE_TOKEN },
        prefix: p,
        metadataLines: false,
        deadLetter: (letter) => void letters.push(letter),
      },
      (provider) => {
        const meter = provider.getMeter('it');
        meter.createCounter('kept').add(1, { a: '1' });
        meter.createCounter('refused').add(1, { a: '1' });
        meter.createCounter('refused').add(1, { a: '2' });
        meter.createCounter('also.kept').add(5);
      },
    );
    const stats = exporter.stats();
    assert.equal(stats.accepted, 4);
    assert.equal(stats.delivered, 2);
    assert.equal(stats.dropped.rejected, 2);
    assert.equal(stats.retries, 0, 'nothing sent again');
    const rejected = letters.flatMap((l) => (l.stage === 'delivery' ? l.items : []));
    assert.equal(rejected.length, 2);
    for (const item of rejected) {
      assert.match(String(item.record), new RegExp(`^${p}\\.refused\\.count,`));
      assert.match(item.detail, /HTTP 400: line \d+: metric key limit reached/);
    }
    const taken = await linesOf(url, p);
    assert.deepEqual(taken.map((l) => l.key).sort(), [`${p}.also.kept.count`, `${p}.kept.count`]);
  });

  it('a refused token: every line rejected, counted, nothing retried', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const exporter = await collect(
      { url, auth: { token: 'dt0c01.WRONG' }, prefix: prefix() },
      (provider) => {
        provider.getMeter('it').createCounter('denied').add(1);
      },
    );
    const stats = exporter.stats();
    assert.equal(stats.delivered, 0);
    assert.equal(stats.dropped.rejected, stats.accepted);
    assert.ok(stats.accepted > 0);
  });

  it('no URL: the local OneAgent’s /metrics/ingest, without a token', async (t) => {
    const reason = oneAgentPortTaken();
    if (reason) {
      t.skip(reason);
      return;
    }
    const oneAgent = new DynatraceFake();
    await oneAgent.listen(Number(ONEAGENT_PORT), 'localhost');
    try {
      const p = prefix();
      const exporter = await collect({ auth: { token: FAKE_TOKEN }, prefix: p }, (provider) => {
        provider.getMeter('it').createCounter('local').add(2);
      });
      assert.equal(exporter.stats().delivered, exporter.stats().accepted);
      const lines = oneAgent.lines.filter((l) => l.parsed.key.startsWith(p));
      assert.ok(lines.every((l) => l.path === '/metrics/ingest'));
      assert.deepEqual(
        lines.filter((l) => l.parsed.kind === 'data').map((l) => l.parsed.key),
        [`${p}.local.count`],
      );
      assert.ok(oneAgent.metricRequests.every((r) => r.headers.authorization === undefined));
    } finally {
      await oneAgent.close();
    }
  });
});

describe('Dynatrace traces and logs through the SDK (OTLP)', () => {
  it('spans and log records arrive as OTLP protobuf with the token; a span or log record too old is rejected with the reason, the rest delivered', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const service = prefix();
    const before = {
      traces: (await storedOtlp(url, 'traces')).length,
      logs: (await storedOtlp(url, 'logs')).length,
    };
    const options = { url, auth: { token: FAKE_TOKEN }, ...FAST };
    const letters: (DeadLetter<DynatraceRecord> | UnmappedLetter)[] = [];
    const spanExporter = new DynatraceSpanExporter({
      ...options,
      deadLetter: (l) => void letters.push(l),
    });
    const logExporter = new DynatraceLogRecordExporter({
      ...options,
      deadLetter: (l) => void letters.push(l),
    });
    const resource = resourceFromAttributes({ 'service.name': service });
    // Spans made by the SDK, then exported in one call: the stale one is in the batch.
    const made = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new SimpleSpanProcessor(made)],
    });
    const logged = new InMemoryLogRecordExporter();
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new SimpleLogRecordProcessor({ exporter: logged })],
    });
    const tracer = tracerProvider.getTracer('it');
    for (let i = 0; i < 4; i++) tracer.startSpan(`span ${i}`).end();
    const twoHoursAgo = Date.now() - 2 * 3_600_000;
    tracer.startSpan('stale', { startTime: twoHoursAgo - 1000 }).end(twoHoursAgo);
    for (let i = 0; i < 3; i++)
      loggerProvider.getLogger('it').emit({ body: `log ${i}`, severityNumber: 9 });
    // One record from yesterday: the log ingest would refuse its whole request for it.
    const yesterday = Date.now() - 25 * 3_600_000;
    loggerProvider.getLogger('it').emit({ body: 'late', timestamp: yesterday });
    const result = await new Promise<ExportResult>((resolve) =>
      spanExporter.export(made.getFinishedSpans(), resolve),
    );
    // The SDK hears FAILED for the batch: one of its items was not delivered.
    assert.match(String(result.error), /1 of 5 items could not be mapped/);
    await loggerProvider.forceFlush();
    assert.equal(logged.getFinishedLogRecords().length, 4);
    const logResult = await new Promise<ExportResult>((resolve) =>
      logExporter.export(logged.getFinishedLogRecords(), resolve),
    );
    assert.match(String(logResult.error), /1 of 4 items could not be mapped/);
    await Promise.all([
      spanExporter.shutdown(),
      logExporter.shutdown(),
      tracerProvider.shutdown(),
      loggerProvider.shutdown(),
    ]);

    assert.equal(spanExporter.stats().delivered, 4);
    assert.equal(logExporter.stats().delivered, 3);
    const unmapped = letters
      .flatMap((l) => (l.stage === 'mapping' ? l.items : []))
      .map((i) => i.detail);
    assert.equal(unmapped.length, 2);
    assert.ok(
      unmapped.some((d) =>
        /the span ended 2 h ago; Dynatrace drops anything older than 60 min/.test(d),
      ),
    );
    assert.ok(
      unmapped.some((d) =>
        /the log record is from 25 h ago; Dynatrace drops anything older than 24 h/.test(d),
      ),
    );
    const traces = (await storedOtlp(url, 'traces')).slice(before.traces);
    const logs = (await storedOtlp(url, 'logs')).slice(before.logs);
    assert.equal(
      traces.reduce((n, r) => n + r.items, 0),
      4,
    );
    assert.equal(
      logs.reduce((n, r) => n + r.items, 0),
      3,
    );
    for (const r of [...traces, ...logs]) {
      assert.equal(r.headers.authorization, `Api-Token ${FAKE_TOKEN}`);
      assert.equal(r.headers['content-type'], 'application/x-protobuf');
    }
  });
});
