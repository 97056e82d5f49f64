import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import type { TestContext } from 'node:test';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  NewRelicLogRecordExporter,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
  TRUNCATION_MARKER,
} from '@otelpack/exporter-newrelic';
import type { NewRelicExporterOptions } from '@otelpack/exporter-newrelic';
import { captureDiagWarnings } from '@otelpack/batching-core/testing';
import {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
} from '@otelpack/exporter-otlp';
import { backendUrl } from '../../src/env';
import { FAKE_LICENSE_KEY, FAKE_NAME, MAX_PAYLOAD_BYTES } from '../../src/fakes/newrelic-fake';
import type { NrIntegrationError, StoredNewRelicRequest } from '../../src/fakes/newrelic-fake';
import { SCOPE_HEADER } from '../../src/fakes/otlp-fake';
import { FAST, assertAllDelivered, newScope, setFaults } from '../otlp/helpers';

/*
 * FAKE: otelpack's New Relic OTLP endpoint fake (src/fakes/newrelic-fake.ts), since no test can
 * reach New Relic. It checks the license key, refuses payloads over 10^6 bytes with 413 and
 * records, as NrIntegrationError events, the items New Relic drops after answering 2xx. These
 * tests need the fake (keys, limits, read-back) and skip against a real Collector.
 */

async function fakeUrl(t: TestContext): Promise<string | undefined> {
  const url = backendUrl(t, 'newrelic');
  if (!url) return undefined;
  const answer = await fetch(url)
    .then((r) => r.text())
    .catch(() => '');
  if (!answer.includes(FAKE_NAME)) {
    t.skip('needs the otelpack New Relic fake; this receiver is something else');
    return undefined;
  }
  return url;
}

async function read<T>(url: string, path: string, scope: string, signal?: string): Promise<T[]> {
  const query = `scope=${scope}${signal ? `&signal=${signal}` : ''}`;
  const response = await fetch(new URL(`/_otelpack_fake/${path}?${query}`, url));
  assert.equal(response.status, 200);
  return (await response.json()) as T[];
}

const requestsOf = (url: string, scope: string, signal: string) =>
  read<StoredNewRelicRequest>(url, 'requests', scope, signal);
const errorsOf = (url: string, scope: string) =>
  read<NrIntegrationError>(url, 'nrintegrationerrors', scope);
const statusesOf = async (url: string, scope: string) =>
  (await read<{ status: number }>(url, 'answers', scope)).map((a) => a.status);

function options(url: string, scope: string, extra: NewRelicExporterOptions = {}) {
  return {
    url,
    auth: { apiKey: FAKE_LICENSE_KEY },
    headers: { [SCOPE_HEADER]: scope },
    ...FAST,
    ...extra,
  };
}

describe('New Relic preset into the New Relic fake', () => {
  it('traces, logs and metrics from the SDK: delivered with api-key, nothing dropped after the 2xx', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    const resource = resourceFromAttributes({ 'service.name': `nr-${scope}` });
    const spans = new NewRelicSpanExporter(options(url, scope));
    const logs = new NewRelicLogRecordExporter(options(url, scope));
    const metrics = new NewRelicMetricExporter(options(url, scope));
    const tracerProvider = new BasicTracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor(spans)],
    });
    const loggerProvider = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: logs })],
    });
    const meterProvider = new MeterProvider({
      resource,
      readers: [
        new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 }),
      ],
    });
    for (let i = 0; i < 20; i++) {
      tracerProvider
        .getTracer('nr')
        .startSpan(`span ${i}`, { attributes: { 'db.statement': 'q'.repeat(5000) } })
        .end();
      loggerProvider
        .getLogger('nr')
        .emit({ body: `log ${i}`, attributes: { payload: 'p'.repeat(5000) } });
    }
    const meter = meterProvider.getMeter('nr');
    meter.createCounter('nr.orders').add(3);
    meter.createUpDownCounter('nr.queue').add(-2);
    meter.createHistogram('nr.latency').record(12);
    meter.createGauge('nr.temperature').record(21);
    await Promise.all([
      tracerProvider.shutdown(),
      loggerProvider.shutdown(),
      meterProvider.shutdown(),
    ]);

    assertAllDelivered(spans.stats(), 20);
    assertAllDelivered(logs.stats(), 20);
    assertAllDelivered(metrics.stats(), 4);
    assert.deepEqual(await errorsOf(url, scope), [], 'New Relic would have dropped some');
    for (const signal of ['traces', 'logs', 'metrics']) {
      const requests = await requestsOf(url, scope, signal);
      assert.ok(requests.length > 0, signal);
      assert.ok(requests.every((r) => r.headers['api-key'] === FAKE_LICENSE_KEY));
      assert.ok(requests.every((r) => r.headers['content-type'] === 'application/x-protobuf'));
    }
    const text = JSON.stringify((await requestsOf(url, scope, 'traces'))[0].request);
    assert.match(text, new RegExp(`"key":"${TRUNCATION_MARKER}"`));
    // Temporality as New Relic wants it: 1 delta, 2 cumulative.
    const decoded = (await requestsOf(url, scope, 'metrics')).flatMap((r) =>
      (
        r.request.resourceMetrics as {
          scopeMetrics: { metrics: Record<string, { aggregationTemporality?: number }>[] }[];
        }[]
      ).flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)),
    );
    const temporality = Object.fromEntries(
      decoded.map((m) => [
        m.name as unknown as string,
        (m.sum ?? m.histogram)?.aggregationTemporality ?? 'gauge',
      ]),
    );
    assert.deepEqual(temporality, {
      'nr.orders': 1,
      'nr.queue': 2,
      'nr.latency': 1,
      'nr.temperature': 'gauge',
    });
  });

  it('the fake enforces the limits: the official OTLP exporter, set up as New Relic documents, loses the span after a 2xx', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    const official = new OTLPTraceExporter({
      url: `${url}/v1/traces`,
      headers: { 'api-key': FAKE_LICENSE_KEY, [SCOPE_HEADER]: scope },
    });
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(official)],
    });
    provider
      .getTracer('nr')
      .startSpan('too long', { attributes: { 'db.statement': 'q'.repeat(4096) } })
      .end();
    provider
      .getTracer('nr')
      .startSpan('fine', { attributes: { 'db.statement': 'q'.repeat(4095) } })
      .end();
    await provider.shutdown();
    const errors = await errorsOf(url, scope);
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.match(
      errors[0].message,
      /span too long: attribute db\.statement value is 4096 characters, over 4095/,
    );
  });
});

describe('New Relic preset: keys', () => {
  it('a key the account does not have: 403, counted rejected, reported once at ERROR without the key', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const log = captureDiagWarnings();
    const errors = log.lines;
    try {
      const scope = newScope();
      const key = 'a'.repeat(36) + 'NRAL';
      const exporter = new NewRelicSpanExporter(options(url, scope, { auth: { apiKey: key } }));
      const provider = new BasicTracerProvider({
        spanProcessors: [new BatchSpanProcessor(exporter)],
      });
      provider.getTracer('nr').startSpan('refused').end();
      await provider.shutdown();
      assert.equal(exporter.stats().dropped.rejected, 1);
      const reports = errors.filter((e) => /refused the license key/.test(e));
      assert.equal(reports.length, 1, errors.join('\n'));
      assert.match(reports[0], /HTTP 403/);
      assert.ok(!errors.join('\n').includes(key));
    } finally {
      log.stop();
    }
  });

  it('no key to a receiver of your own: 401 from New Relic, counted rejected', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    const exporter = new NewRelicLogRecordExporter({
      url,
      headers: { [SCOPE_HEADER]: scope },
      ...FAST,
    });
    const provider = new LoggerProvider({
      processors: [new BatchLogRecordProcessor({ exporter })],
    });
    provider.getLogger('nr').emit({ body: 'no key' });
    await provider.shutdown();
    assert.equal(exporter.stats().dropped.rejected, 1);
  });

  it('an EU key at a US endpoint is refused: 403 counted; with region us, at construction', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const euKey = `eu01xx${'0a'.repeat(15)}NRAL`;
    assert.throws(
      () => new NewRelicSpanExporter({ auth: { apiKey: euKey }, region: 'us' }),
      /region/,
    );
    const scope = newScope();
    const exporter = new NewRelicSpanExporter(options(url, scope, { auth: { apiKey: euKey } }));
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    provider.getTracer('nr').startSpan('eu').end();
    await provider.shutdown();
    assert.equal(exporter.stats().dropped.rejected, 1);
  });
});

/** Spans whose attributes do not compress, `bytes` of them each. */
async function sendIncompressible(exporter: NewRelicSpanExporter, count: number, bytes: number) {
  const provider = new BasicTracerProvider({
    spanProcessors: [
      new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, maxQueueSize: 4096 }),
    ],
  });
  for (let i = 0; i < count; i++) {
    const attributes: Record<string, string> = {};
    for (let a = 0; a * 4000 < bytes; a++)
      attributes[`blob.${a}`] = randomBytes(3000).toString('base64');
    provider.getTracer('nr').startSpan(`big ${i}`, { attributes }).end();
  }
  await provider.shutdown();
}

describe('New Relic preset: payloads within 10^6 bytes', () => {
  it('by default, batches are cut under the limit: no 413 at all, nothing lost', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    const exporter = new NewRelicSpanExporter(options(url, scope));
    await sendIncompressible(exporter, 400, 8000);
    assertAllDelivered(exporter.stats(), 400);
    assert.equal(exporter.stats().retries, 0);
    const requests = await requestsOf(url, scope, 'traces');
    assert.ok(requests.length >= 4, `${requests.length} requests`);
    assert.ok(requests.every((r) => r.wireBytes <= MAX_PAYLOAD_BYTES));
    assert.ok((await statusesOf(url, scope)).every((status) => status === 200));
  });

  it('batches made larger than the limit: 413, halved until they fit, nothing lost', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    const exporter = new NewRelicSpanExporter(
      options(url, scope, { maxBatchBytes: 8_000_000, maxQueueBytes: 64_000_000 }),
    );
    await sendIncompressible(exporter, 400, 8000);
    assertAllDelivered(exporter.stats(), 400);
    const requests = await requestsOf(url, scope, 'traces');
    assert.equal(
      requests.reduce((sum, r) => sum + r.items, 0),
      400,
      'each span stored once',
    );
    assert.ok(requests.every((r) => r.wireBytes <= MAX_PAYLOAD_BYTES));
    const statuses = await statusesOf(url, scope);
    assert.ok(statuses.filter((s) => s === 413).length > 0, statuses.join(' '));
  });

  it('429 with Retry-After: retried after it, delivered', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const scope = newScope();
    await setFaults(url, scope, [
      { fault: { kind: 'status', status: 429, retryAfter: '1' }, times: 1 },
    ]);
    const exporter = new NewRelicSpanExporter(options(url, scope));
    const started = Date.now();
    const provider = new BasicTracerProvider({
      spanProcessors: [new BatchSpanProcessor(exporter)],
    });
    provider.getTracer('nr').startSpan('throttled').end();
    await provider.shutdown();
    assertAllDelivered(exporter.stats(), 1);
    assert.equal(exporter.stats().retries, 1);
    assert.deepEqual(await statusesOf(url, scope), [429, 200]);
    assert.ok(Date.now() - started >= 900, 'Retry-After: 1 was not honoured');
  });
});

describe('New Relic preset: every limit against the fake, nothing lost unseen', () => {
  it('what the generic OTLP exporter loses after a 2xx, the preset delivers changed or counts rejected', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const attributes: Record<string, unknown> = {
      long: 'v'.repeat(5000),
      ['k'.repeat(300)]: 'long name',
      list: Array.from({ length: 100 }, (_, i) => i),
    };
    for (let i = 0; i < 300; i++) attributes[`a${i}`] = i;

    const run = async (preset: boolean) => {
      const scope = newScope();
      const common = {
        url,
        headers: { [SCOPE_HEADER]: scope, 'api-key': FAKE_LICENSE_KEY },
        ...FAST,
      };
      const upDownDelta = (type: string) => (type === 'COUNTER' ? 1 : 0);
      const spans = preset ? new NewRelicSpanExporter(common) : new OtlpSpanExporter(common);
      const logs = preset
        ? new NewRelicLogRecordExporter(common)
        : new OtlpLogRecordExporter(common);
      const metrics = preset
        ? new NewRelicMetricExporter({ ...common, temporality: upDownDelta as never })
        : new OtlpMetricExporter({ ...common, temporality: upDownDelta as never });
      const tracerProvider = new BasicTracerProvider({
        spanLimits: { attributeCountLimit: 1000 },
        spanProcessors: [new BatchSpanProcessor(spans)],
      });
      const loggerProvider = new LoggerProvider({
        processors: [new BatchLogRecordProcessor({ exporter: logs })],
      });
      const meterProvider = new MeterProvider({
        readers: [
          new PeriodicExportingMetricReader({ exporter: metrics, exportIntervalMillis: 3_600_000 }),
        ],
      });
      tracerProvider
        .getTracer('nr')
        .startSpan('limited', { attributes: attributes as never })
        .end();
      loggerProvider.getLogger('nr').emit({ body: 'limited', attributes: attributes as never });
      const meter = meterProvider.getMeter('nr');
      meter
        .createCounter('nr.wide')
        .add(1, Object.fromEntries(Object.entries(attributes).slice(3, 203)) as never);
      meter.createUpDownCounter('nr.delta.updown').add(-1);
      await Promise.all([
        tracerProvider.shutdown(),
        loggerProvider.shutdown(),
        meterProvider.shutdown(),
      ]);
      return { scope, stats: [spans.stats(), logs.stats(), metrics.stats()] };
    };

    const generic = await run(false);
    const lost = await errorsOf(url, generic.scope);
    // The span, the log record, the wide point and the delta up-down sum: all answered 2xx, then lost.
    assert.equal(lost.length, 4, JSON.stringify(lost));
    for (const stats of generic.stats) assert.equal(stats.dropped.rejected, 0);

    const preset = await run(true);
    assert.deepEqual(await errorsOf(url, preset.scope), []);
    const [spans, logs, metrics] = preset.stats;
    assertAllDelivered(spans, 1);
    assertAllDelivered(logs, 1);
    assert.equal(metrics.accepted, 2);
    assert.equal(metrics.delivered, 1, 'the wide point, its attributes within 150');
    assert.equal(metrics.dropped.rejected, 1, 'the delta up-down sum, counted with its reason');
  });

  it('nested log maps, as New Relic flattens them: a 300-key map and a 401-character dotted name', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const deep = { ['a'.repeat(200)]: { ['b'.repeat(200)]: 'x' } };
    const run = async (preset: boolean) => {
      const scope = newScope();
      const common = {
        url,
        headers: { [SCOPE_HEADER]: scope, 'api-key': FAKE_LICENSE_KEY },
        ...FAST,
      };
      const logs = preset
        ? new NewRelicLogRecordExporter(common)
        : new OtlpLogRecordExporter(common);
      const provider = new LoggerProvider({
        processors: [new BatchLogRecordProcessor({ exporter: logs })],
      });
      provider.getLogger('nr').emit({ body: 'wide', attributes: { wide } as never });
      provider.getLogger('nr').emit({ body: 'deep', attributes: deep as never });
      await provider.shutdown();
      return { scope, stats: logs.stats() };
    };

    const generic = await run(false);
    const lost = await errorsOf(url, generic.scope);
    assert.equal(lost.length, 2, JSON.stringify(lost));
    assert.equal(generic.stats.delivered, 2, 'answered 2xx, then lost');

    const preset = await run(true);
    assert.deepEqual(await errorsOf(url, preset.scope), []);
    assertAllDelivered(preset.stats, 2);
  });
});
