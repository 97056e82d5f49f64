import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { DatadogLogRecordExporter } from '@otelpack/exporter-datadog';
import { LogsIntakeFake } from '../../src/fakes/datadog-logs-fake';

/*
 * FAKE (the logs intake fake, labelled; Datadog's intake is not reachable here): log records from
 * the SDK through DatadogLogRecordExporter, gzip, to /api/v2/logs, read back entry by entry; then
 * the intake's 413 (split), 429 (retried) and 403 (dropped, counted), and its 1,000-entry limit.
 */
const API_KEY = 'fake-api-key-0123456789abcdef';

describe('DatadogLogRecordExporter → logs intake /api/v2/logs (FAKE)', () => {
  const fake = new LogsIntakeFake(API_KEY);
  let url = '';
  before(async () => {
    url = await fake.listen();
  });
  after(() => fake.close());

  function setUp(options: object = {}) {
    const exporter = new DatadogLogRecordExporter({
      url,
      auth: { apiKey: API_KEY },
      deliveryMode: 'direct',
      initialBackoffMs: 10,
      ...options,
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({
        'service.name': 'billing',
        'deployment.environment.name': 'test',
        'host.name': 'web-7',
      }),
      processors: [
        new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 2_000, maxQueueSize: 5_000 }),
      ],
    });
    return { exporter, provider, logger: provider.getLogger('it') };
  }

  it('entries carry message, status, service, hostname, ddsource, ddtags and trace correlation', async () => {
    const { exporter, provider, logger } = setUp();
    logger.emit({
      body: 'payment failed',
      severityNumber: SeverityNumber.ERROR,
      severityText: 'ERROR',
      attributes: { order: { id: 42, items: ['a'] } },
      context: undefined,
    });
    logger.emit({
      body: { structured: true },
      severityNumber: SeverityNumber.INFO2,
      attributes: { msg: 'from attribute' },
    });
    await provider.forceFlush();
    await provider.shutdown();
    const [first, second] = fake.entries;
    assert.equal(first.message, 'payment failed');
    assert.equal(first.status, 'ERROR');
    assert.equal(first.service, 'billing');
    assert.equal(first.hostname, 'web-7');
    assert.equal(first.ddsource, 'otlp_log_ingestion');
    assert.equal(first.ddtags, 'service:billing,env:test');
    assert.equal(first['order.id'], 42);
    assert.equal(first['order.items'], '["a"]');
    assert.equal(second.message, 'from attribute');
    assert.equal(second.status, 'info');
    assert.equal(fake.requests[0].headers['content-encoding'], 'gzip');
    assertLedgerBalances(exporter.stats());
    assert.equal(exporter.stats().delivered, 2);
  });

  it('trace correlation: dd.trace_id and dd.span_id in decimal, the low 64 bits', async () => {
    const { provider, logger } = setUp();
    const { ROOT_CONTEXT, trace } = await import('@opentelemetry/api');
    const context = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: '0102030405060708090a0b0c0d0e0f10',
      spanId: '00000000000000ff',
      traceFlags: 1,
    });
    logger.emit({ body: 'in a span', context });
    await provider.forceFlush();
    await provider.shutdown();
    const entry = fake.entries.find((e) => e.message === 'in a span');
    assert.equal(entry?.['dd.trace_id'], BigInt('0x090a0b0c0d0e0f10').toString());
    assert.equal(entry?.['dd.span_id'], '255');
    assert.equal(entry?.['otel.trace_id'], '0102030405060708090a0b0c0d0e0f10');
  });

  it('1,500 records: cut into requests of at most 1,000 entries; 413 split, 429 retried', async () => {
    const before = fake.entries.length;
    const requestsBefore = fake.requests.length;
    fake.faults.push(413, 429);
    const { exporter, provider, logger } = setUp();
    for (let i = 0; i < 1_500; i++) logger.emit({ body: `line ${i}` });
    await provider.forceFlush();
    await provider.shutdown();
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 1_500, JSON.stringify(stats));
    assert.equal(fake.entries.length - before, 1_500);
    for (const r of fake.requests.slice(requestsBefore))
      assert.ok(r.entries <= 1_000, String(r.entries));
  });

  it("a record older than the intake's 18 h window: refused at mapping, counted as rejected", async () => {
    const { exporter, provider, logger } = setUp();
    const before = fake.entries.length;
    const tooOld = fake.tooOld;
    logger.emit({ body: 'stale', timestamp: Date.now() - 19 * 3_600_000 });
    logger.emit({ body: 'fresh', timestamp: Date.now() - 3_600_000 });
    await provider.forceFlush().catch(() => undefined);
    await provider.shutdown().catch(() => undefined);
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.dropped.rejected, 1);
    assert.deepEqual(
      fake.entries.slice(before).map((e) => e.message),
      ['fresh'],
    );
    assert.equal(fake.tooOld, tooOld, 'nothing reached the intake only to be dropped there');
  });

  it('a wrong API key: 403, dropped as rejected and counted; the key appears in no error', async () => {
    const { exporter, provider, logger } = setUp({ auth: { apiKey: 'wrong-key-0123456789' } });
    logger.emit({ body: 'denied' });
    await provider.forceFlush().catch(() => undefined);
    await provider.shutdown().catch(() => undefined);
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.dropped.rejected, 1);
    assert.ok(!JSON.stringify(stats).includes('wrong-key'));
  });
});
