import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { createClient } from '@clickhouse/client';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '@otelpack/exporter-clickhouse';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
  createElasticsearchClient,
} from '@otelpack/exporter-elasticsearch';
import {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
} from '@otelpack/exporter-otlp';
import {
  DatadogLogRecordExporter,
  DatadogMetricExporter,
  DatadogSpanExporter,
} from '@otelpack/exporter-datadog';
import {
  SplunkHecLogRecordExporter,
  SplunkHecMetricExporter,
  SplunkHecSpanExporter,
} from '@otelpack/exporter-splunk-hec';
import { VictoriaMetricsExporter } from '@otelpack/exporter-victoriametrics';
import { backendUrl } from '../../src/env';
import { DogStatsDFake } from '../../src/fakes/dogstatsd-fake';
import { LogsIntakeFake } from '../../src/fakes/datadog-logs-fake';
import { TraceAgentFake } from '../../src/fakes/datadog-trace-agent-fake';
import { FAST_PIPELINE, select, uniqueDatabase } from '../clickhouse/support';
import { searchAll } from '../elasticsearch/helpers';
import { exporterOptions, newScope, receiverUrl, storedRequests } from '../otlp/helpers';
import { hecTarget, storedEvents } from '../splunk-hec/helpers';
import { eventually, exportVm, forceFlushVm } from '../victoriametrics/helpers';
import { TRANSFORM, assertCounted, assertRedacted, produce } from './scenario';

/*
 * The `transform` option end to end, through every exporter to its backend (REAL ClickHouse
 * engine and VictoriaMetrics; the Elasticsearch, OTLP and Splunk HEC protocol FAKES natively, the
 * real products with docker-compose; Datadog's trace agent, logs intake and DogStatsD FAKES in
 * this process, as in test/datadog — the Agent and the intake are not reachable here; the
 * OTLP presets, New Relic, Dynatrace's OTLP signals and Lightstep, are the OTLP exporter's
 * stage): the redaction preset removes a card number, a bearer token and
 * an e-mail address from span attributes, log bodies and resource attributes before they leave
 * the process, and a drop statement's items are counted (filtered) and absent from the backend.
 */

const FAST = { flushIntervalMs: 50, initialBackoffMs: 100, maxBackoffMs: 500 };

describe('transform end to end: redaction and drop before the backend', () => {
  it('Elasticsearch: documents read back with _search', async (t) => {
    const url = backendUrl(t, 'elasticsearch');
    if (!url) return;
    const dataset = `it_transform_${randomUUID().slice(0, 8)}`;
    const client = createElasticsearchClient({ url });
    const options = { client, dataset, transform: TRANSFORM, ...FAST };
    const exporters = {
      spans: new ElasticsearchSpanExporter(options),
      logs: new ElasticsearchLogRecordExporter(options),
      metrics: new ElasticsearchMetricExporter(options),
    };
    await produce('it-transform-es', exporters);
    const traces = await searchAll(url, `traces-${dataset}.otel-default`);
    const logs = await searchAll(url, `logs-${dataset}.otel-default`);
    const metrics = await searchAll(url, `metrics-${dataset}.otel-default`);
    assert.deepEqual(
      traces.map((h) => h._source.name),
      ['POST /checkout'],
    );
    const span = traces[0]._source as {
      attributes: Record<string, unknown>;
      resource: { attributes: Record<string, unknown> };
    };
    assert.equal(span.attributes['payment.card'], '****');
    assert.equal(span.attributes['http.request.header.authorization'], 'Bearer ****');
    assert.equal(span.resource.attributes['billing.card'], '****');
    assert.equal(span.resource.attributes['deploy.owner'], '****');
    assert.equal(logs.length, 1);
    assert.deepEqual((logs[0]._source as { body: unknown }).body, {
      text: 'charged card ****, Authorization: Bearer ****',
    });
    assert.equal(metrics.length, 1);
    assertRedacted(JSON.stringify([traces, logs, metrics]), ['Bearer ****']);
    assertCounted(exporters.spans.stats(), 1);
    assertCounted(exporters.logs.stats(), 1);
    assertCounted(exporters.metrics.stats(), 1);
    await Promise.all(Object.values(exporters).map((e) => e.shutdown()));
    await client.close();
  });

  it('ClickHouse: rows read back with SELECT', async (t) => {
    const url = backendUrl(t, 'clickhouse');
    if (!url) return;
    const database = uniqueDatabase('it_transform');
    const options = { url, database, transform: TRANSFORM, ...FAST_PIPELINE };
    const exporters = {
      spans: new ClickHouseSpanExporter(options),
      logs: new ClickHouseLogRecordExporter(options),
      metrics: new ClickHouseMetricExporter(options),
    };
    await produce('it-transform-ch', exporters);
    const client = createClient({ url });
    try {
      const spans = await select<{
        SpanName: string;
        SpanAttributes: Record<string, string>;
        ResourceAttributes: Record<string, string>;
      }>(
        client,
        `SELECT SpanName, SpanAttributes, ResourceAttributes FROM ${database}.otel_traces`,
      );
      const logs = await select<{ Body: string; LogAttributes: Record<string, string> }>(
        client,
        `SELECT Body, LogAttributes FROM ${database}.otel_logs`,
      );
      const points = await select<{ Attributes: Record<string, string> }>(
        client,
        `SELECT Attributes FROM ${database}.otel_metrics_sum`,
      );
      assert.deepEqual(
        spans.map((s) => s.SpanName),
        ['POST /checkout'],
      );
      assert.equal(spans[0].SpanAttributes['payment.card'], '****');
      assert.equal(spans[0].ResourceAttributes['billing.card'], '****');
      assert.deepEqual(
        logs.map((l) => l.Body),
        ['charged card ****, Authorization: Bearer ****'],
      );
      assert.equal(logs[0].LogAttributes['user.email'], '****');
      assert.deepEqual(
        points.map((p) => p.Attributes['http.route']),
        ['/checkout'],
      );
      assertRedacted(JSON.stringify([spans, logs, points]), ['Bearer ****']);
    } finally {
      await client.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
      await client.close();
    }
    assertCounted(exporters.spans.stats(), 1);
    assertCounted(exporters.logs.stats(), 1);
    assertCounted(exporters.metrics.stats(), 1);
    await Promise.all(Object.values(exporters).map((e) => e.shutdown()));
  });

  it('VictoriaMetrics: series read back with /api/v1/export (labels, target_info)', async (t) => {
    const url = backendUrl(t, 'victoriametrics');
    if (!url) return;
    const service = `it_transform_${Date.now()}`;
    const exporter = new VictoriaMetricsExporter({ url, transform: TRANSFORM, ...FAST });
    await produce(service, { metrics: exporter });
    await forceFlushVm(url);
    const series = await eventually(async () => {
      const found = await exportVm(url, `{job="${service}"}`);
      assert.ok(
        found.some((s) => s.metric.__name__ === 'target_info'),
        'target_info stored',
      );
      assert.ok(
        found.some((s) => s.metric.__name__ !== 'target_info'),
        'the counter stored',
      );
      return found;
    });
    const counter = series.filter((s) => s.metric.__name__ !== 'target_info');
    assert.deepEqual(
      counter.map((s) => s.metric.http_route),
      ['/checkout'],
    );
    assert.equal(counter[0].metric.payment_card, '****');
    const info = series.find((s) => s.metric.__name__ === 'target_info');
    assert.equal(info?.metric.billing_card, '****');
    assert.equal(info?.metric.deploy_owner, '****');
    assertRedacted(JSON.stringify(series), ['****']);
    const stats = exporter.stats();
    assert.equal(stats.dropped.filtered, 1, JSON.stringify(stats));
    assert.equal(stats.pending, 0);
    await exporter.shutdown();
  });

  it('OTLP: requests read back from the receiver fake', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    const options = exporterOptions(receiver.url, scope, { transform: TRANSFORM });
    const exporters = {
      spans: new OtlpSpanExporter(options),
      logs: new OtlpLogRecordExporter(options),
      metrics: new OtlpMetricExporter(options),
    };
    await produce('it-transform-otlp', exporters);
    const stored = {
      traces: await storedRequests(receiver.url, 'traces', scope),
      logs: await storedRequests(receiver.url, 'logs', scope),
      metrics: await storedRequests(receiver.url, 'metrics', scope),
    };
    const text = JSON.stringify(stored);
    assert.equal(
      stored.traces.reduce((n, r) => n + r.items, 0),
      1,
    );
    assert.equal(
      stored.logs.reduce((n, r) => n + r.items, 0),
      1,
    );
    assert.ok(text.includes('"POST /checkout"') && !text.includes('"GET /health"'));
    assert.ok(text.includes('charged card ****, Authorization: Bearer ****'));
    assert.ok(!text.includes('health check ok'));
    assertRedacted(text, ['Bearer ****']);
    assertCounted(exporters.spans.stats(), 1);
    assertCounted(exporters.logs.stats(), 1);
    assertCounted(exporters.metrics.stats(), 1);
    await Promise.all(Object.values(exporters).map((e) => e.shutdown()));
  });

  it('Splunk HEC: events read back from the fake', async (t) => {
    // Read back needs the fake's store; a real Splunk would need its search API.
    const target = await hecTarget(t);
    if (!target) return;
    const options = {
      url: target.url,
      auth: { token: target.token },
      transform: TRANSFORM,
      ...FAST,
    };
    const exporters = {
      spans: new SplunkHecSpanExporter(options),
      logs: new SplunkHecLogRecordExporter(options),
      metrics: new SplunkHecMetricExporter(options),
    };
    await produce('it-transform-hec', exporters);
    const events = await storedEvents(target);
    const spans = events.filter(
      (e) => typeof e.event === 'object' && e.event !== null && 'span_id' in e.event,
    );
    assert.deepEqual(
      spans.map((e) => (e.event as { name: string }).name),
      ['POST /checkout'],
    );
    const span = spans[0].event as { attributes: Record<string, unknown> };
    assert.equal(span.attributes['payment.card'], '****');
    assert.ok(
      events.some((e) => e.event === 'charged card ****, Authorization: Bearer ****'),
      JSON.stringify(events),
    );
    assert.ok(!events.some((e) => e.event === 'health check ok'));
    const points = events.filter(
      (e) => e.fields && 'metric_name:it.transform.requests' in e.fields,
    );
    assert.deepEqual(
      points.map((e) => e.fields?.['http.route']),
      ['/checkout'],
    );
    assert.equal(points[0].fields?.['payment.card'], '****');
    assert.equal(points[0].fields?.['billing.card'], '****');
    assertRedacted(JSON.stringify(events), ['Bearer ****']);
    assertCounted(exporters.spans.stats(), 1);
    assertCounted(exporters.logs.stats(), 1);
    assertCounted(exporters.metrics.stats(), 1);
    await Promise.all(Object.values(exporters).map((e) => e.shutdown()));
  });

  it('Datadog: spans, log entries and DogStatsD samples read back from the fakes', async () => {
    const apiKey = 'fake-api-key-0123456789abcdef';
    const agent = new TraceAgentFake();
    const intake = new LogsIntakeFake(apiKey);
    const statsd = new DogStatsDFake();
    try {
      const agentUrl = await agent.listen();
      const intakeUrl = await intake.listen();
      const { port } = await statsd.listenUdp();
      const exporters = {
        spans: new DatadogSpanExporter({ url: agentUrl, transform: TRANSFORM, ...FAST }),
        logs: new DatadogLogRecordExporter({
          url: intakeUrl,
          auth: { apiKey },
          transform: TRANSFORM,
          ...FAST,
        }),
        metrics: new DatadogMetricExporter({
          dogstatsdUrl: `udp://127.0.0.1:${port}`,
          transform: TRANSFORM,
          ...FAST,
        }),
      };
      await produce('it-transform-dd', exporters);
      await statsd.waitForSamples(1);
      const spans = agent.spans();
      assert.deepEqual(
        spans.map((s) => s.resource),
        ['POST /checkout'],
      );
      assert.equal(spans[0].meta['payment.card'], '****');
      assert.deepEqual(
        intake.entries.map((e) => e.message),
        ['charged card ****, Authorization: Bearer ****'],
      );
      assert.equal(intake.entries[0]['user.email'], '****');
      assert.deepEqual(statsd.refused, []);
      const routes = statsd.samples
        .filter((sample) => sample.name === 'it.transform.requests')
        .map((sample) => sample.tags.find((tag) => tag.startsWith('http.route:')));
      assert.deepEqual(routes, ['http.route:/checkout']);
      // The trace agent's ids are 64-bit integers (BigInt): as text here.
      const text = JSON.stringify([spans, intake.entries, statsd.datagrams], (_key, value) =>
        typeof value === 'bigint' ? value.toString() : (value as unknown),
      );
      assertRedacted(text, ['Bearer ****', 'payment.card:****']);
      assertCounted(exporters.spans.stats(), 1);
      assertCounted(exporters.logs.stats(), 1);
      assertCounted(exporters.metrics.stats(), 1);
      await Promise.all(Object.values(exporters).map((e) => e.shutdown()));
    } finally {
      await Promise.all([agent.close(), intake.close(), statsd.close()]);
    }
  });
});
