import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createClient } from '@clickhouse/client';
import { ClickHouseSpanExporter } from '@otelpack/exporter-clickhouse';
import { backendUrl } from '../../src/env';
import { makeSpans } from './spans';
import {
  FAST_PIPELINE,
  assertAllDelivered,
  assertLogsStored,
  assertMetricsStored,
  assertTracesStored,
  clickHouseExporters,
  exporterStats,
  produceTelemetry,
  recordedCounts,
  select,
  shutdownExporters,
  uniqueDatabase,
} from './support';

/*
 * REAL engine behind the HTTP front, with a TEST FAKE in between: a small fault-injecting proxy
 * written here (the front itself injects no faults). It answers 503, resets connections, and —
 * the case deduplication exists for — forwards an insert, lets ClickHouse store it, then cuts
 * the connection before the answer, so the exporter retries rows the server already has.
 */

const ID = 'clickhouse';

type Fault = '503' | 'reset' | 'lost-ack';

class FaultProxy {
  readonly seen: Record<Fault | 'passed', number> = {
    '503': 0,
    reset: 0,
    'lost-ack': 0,
    passed: 0,
  };
  private readonly sockets = new Set<Socket>();
  private server!: http.Server;
  url = '';

  /** `faults` apply, in order, to the INSERT requests that come through; then all pass. */
  constructor(
    private readonly upstream: URL,
    private readonly faults: Fault[],
  ) {}

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const isInsert = /query=INSERT/i.test(decodeURIComponent(req.url ?? ''));
    const fault = isInsert ? this.faults.shift() : undefined;
    if (fault === '503') {
      this.seen['503']++;
      req.resume();
      req.once('end', () => {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('Service Unavailable (injected)');
      });
      return;
    }
    if (fault === 'reset') {
      this.seen.reset++;
      req.once('data', () => req.socket.resetAndDestroy());
      return;
    }
    if (!fault) this.seen.passed++;
    else this.seen['lost-ack']++;
    const forward = http.request(
      new URL(req.url ?? '/', this.upstream),
      { method: req.method, headers: { ...req.headers, host: this.upstream.host } },
      (answer) => {
        if (fault === 'lost-ack') {
          // ClickHouse has stored the rows; the exporter never learns it.
          answer.resume();
          answer.once('end', () => req.socket.resetAndDestroy());
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => req.socket.destroy());
    req.pipe(forward);
  }
}

const FAST = { ...FAST_PIPELINE, maxBackoffMs: 300 };

test('503s, resets and lost acknowledgements for a while: nothing lost, nothing stored twice', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const faults: Fault[] = [
    '503',
    'reset',
    'lost-ack',
    'lost-ack',
    '503',
    'reset',
    'lost-ack',
    '503',
    'reset',
  ];
  const proxy = await new FaultProxy(new URL(url), [...faults]).start();
  const database = uniqueDatabase('it_faults');
  const exporters = clickHouseExporters({ url: proxy.url, database, ...FAST });
  const client = createClient({ url });
  try {
    const recorded = await produceTelemetry(exporters, database);
    const stats = exporterStats(exporters);
    assertAllDelivered(stats, recordedCounts(recorded));
    assert.deepEqual(
      { '503': proxy.seen['503'], reset: proxy.seen.reset, 'lost-ack': proxy.seen['lost-ack'] },
      { '503': 3, reset: 3, 'lost-ack': 3 },
      'every scripted fault was met',
    );
    assert.ok(
      stats.reduce((sum, s) => sum + s.retries, 0) >= 9,
      'the faulted inserts were retried',
    );
    // Exactly one row per record: the lost acknowledgements' retries were deduplicated.
    await assertTracesStored(client, database, recorded);
    await assertLogsStored(client, database, recorded);
    await assertMetricsStored(client, database, recorded);
    const [lookup] = await select<{ traces: string }>(
      client,
      `SELECT uniqExact(TraceId) AS traces FROM \`${database}\`.otel_traces_trace_id_ts`,
    );
    assert.equal(
      Number(lookup.traces),
      new Set(recorded.spans.map((s) => s.spanContext().traceId)).size,
    );
  } finally {
    await client.close();
    await shutdownExporters(exporters);
    await proxy.close();
  }
});

test('a large batch stream under repeated faults: counts exact, ledger balanced', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const faults: Fault[] = [];
  for (let i = 0; i < 12; i++) faults.push((['503', 'reset', 'lost-ack'] as Fault[])[i % 3]);
  const proxy = await new FaultProxy(new URL(url), faults).start();
  const database = uniqueDatabase('it_faults_bulk');
  const exporter = new ClickHouseSpanExporter({
    url: proxy.url,
    database,
    ...FAST,
    maxBatchItems: 500,
  });
  const client = createClient({ url });
  try {
    const spans = makeSpans(5_000, 'bulk');
    for (let i = 0; i < spans.length; i += 250) {
      await new Promise((resolve) => exporter.export(spans.slice(i, i + 250), resolve));
    }
    await exporter.forceFlush();
    assertAllDelivered([exporter.stats()], { traces: 5_000, logs: 0, metrics: 0 });
    assert.equal(proxy.seen['lost-ack'], 4);
    const [counts] = await select<{ rows: string; ids: string }>(
      client,
      `SELECT count() AS rows, uniqExact(SpanId) AS ids FROM \`${database}\`.otel_traces`,
    );
    assert.deepEqual(counts, { rows: '5000', ids: '5000' });
  } finally {
    await client.close();
    await exporter.shutdown();
    await proxy.close();
  }
});

test('failover: with the first host down, every insert goes to the next one', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  // A port that was free a moment ago: connections are refused.
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const deadPort = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const database = uniqueDatabase('it_failover');
  const exporter = new ClickHouseSpanExporter({
    url: [`http://127.0.0.1:${deadPort}`, url],
    database,
    ...FAST,
  });
  const client = createClient({ url });
  try {
    await new Promise((resolve) => exporter.export(makeSpans(300, 'failover'), resolve));
    await exporter.forceFlush();
    const stats = exporter.stats();
    assertAllDelivered([stats], { traces: 300, logs: 0, metrics: 0 });
    assert.ok(stats.retries >= 300, 'the first attempt went to the dead host');
    const [counts] = await select<{ rows: string }>(
      client,
      `SELECT count() AS rows FROM \`${database}\`.otel_traces`,
    );
    assert.equal(counts.rows, '300');
  } finally {
    await client.close();
    await exporter.shutdown();
  }
});
