/*
 * @otelpack/exporter-clickhouse, exactly as `npm pack` ships it, under OpenTelemetry JS SDK 3.x
 * (sdk-trace, sdk-logs, sdk-metrics 3.x, api 1.10) on Node 24: SDK 3's TracerProvider +
 * BatchSpanProcessor, LoggerProvider + BatchLogRecordProcessor and MeterProvider +
 * PeriodicExportingMetricReader export through the three packed exporters over HTTP.
 *
 * REAL engine: ClickHouse (26.x, from the npm package chdb) behind otelpack's HTTP front
 * (integration/src/fakes/clickhouse-front.ts, not ClickHouse's own server), run as a child
 * process on the repository's own Node (20) from the repository root, so that it loads the
 * root's node_modules/chdb (about 550 MB, deliberately not installed here). The rows are read
 * back with SQL over HTTP and compared exactly, and every exporter's ledger balances after
 * shutdown.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace } from '@opentelemetry/api';
import type { HrTime } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { LogRecordExporter } from '@opentelemetry/sdk-logs';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import {
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '@otelpack/exporter-clickhouse';
import { assertPackedExporter } from './packed.ts';
import { assertAllDelivered, sdk3Providers } from './providers.ts';

// Compile-time proof (run.sh typechecks this file): the packed exporters are SDK 3's interfaces.
const _span: (e: ClickHouseSpanExporter) => SpanExporter = (e) => e;
const _log: (e: ClickHouseLogRecordExporter) => LogRecordExporter = (e) => e;
const _metric: (e: ClickHouseMetricExporter) => PushMetricExporter = (e) => e;

test('SDK 3.x: @otelpack/exporter-clickhouse is the packed tarball, on the packed core', () => {
  assertPackedExporter('@otelpack/exporter-clickhouse');
});

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FRONT = join('integration', 'src', 'fakes', 'clickhouse-front.ts');
/** The repository's Node (run.sh passes the one on its PATH), not this suite's Node 24. */
const ROOT_NODE = process.env.SDK3_ROOT_NODE || 'node';
const READY_TIMEOUT_MS = 30_000;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

let front: ChildProcess | undefined;
let frontExit: Promise<void> | undefined;
let frontOutput = '';
let dataDir: string | undefined;
let url = '';

before(async () => {
  if (!existsSync(join(ROOT, 'node_modules', 'chdb', 'package.json'))) {
    throw new Error(
      `sdk3 clickhouse: ${join(ROOT, 'node_modules', 'chdb')} is missing. The ClickHouse HTTP front ` +
        'runs the chdb engine from the repository root: run `npm ci` at the root first ' +
        '(chdb is a devDependency of @otelpack/integration, about 550 MB).',
    );
  }
  dataDir = mkdtempSync(join(tmpdir(), 'otelpack-sdk3-clickhouse-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const child = spawn(
    ROOT_NODE,
    ['--import', 'tsx', FRONT, '--port', String(port), '--dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  front = child;
  child.stdout?.on('data', (chunk: Buffer) => (frontOutput += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (frontOutput += chunk.toString()));
  let exited: string | undefined;
  frontExit = new Promise((done) => {
    child.once('exit', (code, signal) => {
      exited = `exited (code ${code}, signal ${signal})`;
      done();
    });
    child.once('error', (error) => {
      exited = `could not be started (${error.message})`;
      done();
    });
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      throw new Error(`the ClickHouse front ${exited} before it was ready:\n${frontOutput}`);
    }
    try {
      const answer = await fetch(`${url}/ping`);
      if (answer.status === 200 && (await answer.text()) === 'Ok.\n') return;
    } catch {
      // Not listening yet: the engine opens its data directory first.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the ClickHouse front did not answer GET /ping within ${READY_TIMEOUT_MS} ms:\n${frontOutput}`,
      );
    }
    await sleep(100);
  }
});

after(async () => {
  const child = front;
  if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    // The front stops within 3 s by itself; SIGKILL if it does not.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await frontExit;
    clearTimeout(killer);
  }
  if (child?.pid !== undefined) {
    assert.throws(
      () => process.kill(child.pid!, 0),
      { code: 'ESRCH' },
      `the ClickHouse front (pid ${child.pid}) is still running`,
    );
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Rows as JSON, 64-bit integers as strings so that they compare exactly. */
async function select<T>(query: string): Promise<T[]> {
  const params = new URLSearchParams({
    query,
    default_format: 'JSONEachRow',
    output_format_json_quote_64bit_integers: '1',
  });
  const answer = await fetch(`${url}/?${params}`);
  const text = await answer.text();
  assert.equal(answer.status, 200, `${query}\n${text}`);
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

const nanos = ([seconds, nanoseconds]: HrTime) =>
  (BigInt(seconds) * 1_000_000_000n + BigInt(nanoseconds)).toString();

test('SDK 3.x: the ClickHouse exporters write spans, logs and sums as rows (REAL engine, chdb behind the HTTP front)', async () => {
  const database = `sdk3_${randomBytes(6).toString('hex')}`;
  const options = {
    url,
    database,
    createSchema: true,
    flushIntervalMs: 50,
    initialBackoffMs: 50,
    maxBackoffMs: 200,
  };
  const spanExporter = new ClickHouseSpanExporter(options);
  const logExporter = new ClickHouseLogRecordExporter(options);
  const metricExporter = new ClickHouseMetricExporter(options);
  const { tracerProvider, loggerProvider, meterProvider } = sdk3Providers({
    resourceAttributes: { 'service.name': 'sdk3-checkout', 'host.cpus': 2 },
    spanExporter,
    logExporter,
    metricExporter,
  });

  // Fixed times with odd nanoseconds, near now, so that timestamps and durations compare exactly.
  const seconds = Math.floor(Date.now() / 1000);
  const serverStart: HrTime = [seconds, 123_456_789];
  const serverEnd: HrTime = [seconds + 1, 0];
  const eventTime: HrTime = [seconds, 500_000_001];
  const childStart: HrTime = [seconds, 200_000_003];
  const childEnd: HrTime = [seconds, 300_000_007];
  const logTime: HrTime = [seconds, 400_000_009];

  const tracer = tracerProvider.getTracer('sdk3-http', '0.9.1');
  const server = tracer.startSpan('POST /checkout', {
    kind: 1, // SERVER
    attributes: { 'http.route': '/checkout', 'http.response.status_code': 502, cached: false },
    startTime: serverStart,
  });
  server.addEvent('cart loaded', { items: 3 }, eventTime);
  const serverContext = trace.setSpan(context.active(), server);
  const child = tracer.startSpan(
    'SELECT carts',
    { kind: 2, attributes: { 'db.system': 'postgresql' }, startTime: childStart }, // CLIENT
    serverContext,
  );
  child.end(childEnd);
  loggerProvider.getLogger('sdk3-app', '3.0.0').emit({
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment declined by issuer',
    attributes: { 'order.id': 1234, retry: true },
    timestamp: logTime,
    context: serverContext,
  });
  server.setStatus({ code: 2, message: 'payment declined' });
  server.end(serverEnd);

  const meter = meterProvider.getMeter('sdk3-meter', '2.0.0');
  const requests = meter.createCounter('sdk3.requests', { unit: '{request}' });
  requests.add(3, { route: '/checkout' });
  requests.add(2, { route: '/checkout' });
  requests.add(1, { route: '/cart' });
  const inFlight = meter.createUpDownCounter('sdk3.inflight', { unit: '{request}' });
  inFlight.add(4);
  inFlight.add(-1);

  // Shutdown flushes each processor, collects the metrics once, and shuts the exporters down,
  // which delivers what their pipelines still hold.
  await Promise.all([
    tracerProvider.shutdown(),
    loggerProvider.shutdown(),
    meterProvider.shutdown(),
  ]);

  assertAllDelivered([spanExporter, logExporter, metricExporter], {
    traces: 2,
    logs: 1,
    metrics: 3,
  });

  const serverIds = server.spanContext();
  const db = `\`${database}\``;
  const spans = await select<Record<string, unknown>>(
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, TraceId, SpanId, ParentSpanId,
            SpanName, SpanKind, ServiceName, ResourceAttributes, ScopeName, ScopeVersion,
            SpanAttributes, Duration, StatusCode, StatusMessage,
            arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS eventNs,
            Events.Name AS eventNames, Events.Attributes AS eventAttributes
     FROM ${db}.otel_traces ORDER BY ns`,
  );
  const resourceRow = { 'host.cpus': '2', 'service.name': 'sdk3-checkout' };
  assert.deepEqual(spans, [
    {
      ns: nanos(serverStart),
      TraceId: serverIds.traceId,
      SpanId: serverIds.spanId,
      ParentSpanId: '',
      SpanName: 'POST /checkout',
      SpanKind: 'Server',
      ServiceName: 'sdk3-checkout',
      ResourceAttributes: resourceRow,
      ScopeName: 'sdk3-http',
      ScopeVersion: '0.9.1',
      SpanAttributes: {
        cached: 'false',
        'http.response.status_code': '502',
        'http.route': '/checkout',
      },
      Duration: '876543211',
      StatusCode: 'Error',
      StatusMessage: 'payment declined',
      eventNs: [nanos(eventTime)],
      eventNames: ['cart loaded'],
      eventAttributes: [{ items: '3' }],
    },
    {
      ns: nanos(childStart),
      TraceId: serverIds.traceId,
      SpanId: child.spanContext().spanId,
      ParentSpanId: serverIds.spanId,
      SpanName: 'SELECT carts',
      SpanKind: 'Client',
      ServiceName: 'sdk3-checkout',
      ResourceAttributes: resourceRow,
      ScopeName: 'sdk3-http',
      ScopeVersion: '0.9.1',
      SpanAttributes: { 'db.system': 'postgresql' },
      Duration: '100000004',
      StatusCode: 'Unset',
      StatusMessage: '',
      eventNs: [],
      eventNames: [],
      eventAttributes: [],
    },
  ]);

  const logs = await select<Record<string, unknown>>(
    `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, TraceId, SpanId, SeverityText,
            SeverityNumber, ServiceName, Body, ResourceAttributes, ScopeName, ScopeVersion,
            LogAttributes
     FROM ${db}.otel_logs`,
  );
  assert.deepEqual(logs, [
    {
      ns: nanos(logTime),
      TraceId: serverIds.traceId,
      SpanId: serverIds.spanId,
      SeverityText: 'ERROR',
      SeverityNumber: 17,
      ServiceName: 'sdk3-checkout',
      Body: 'payment declined by issuer',
      ResourceAttributes: resourceRow,
      ScopeName: 'sdk3-app',
      ScopeVersion: '3.0.0',
      LogAttributes: { 'order.id': '1234', retry: 'true' },
    },
  ]);

  const sums = await select<Record<string, unknown>>(
    `SELECT MetricName, MetricUnit, ServiceName, ScopeName, ScopeVersion, Attributes, Value,
            IsMonotonic, AggregationTemporality, StartTimeUnix < TimeUnix AS ordered
     FROM ${db}.otel_metrics_sum ORDER BY MetricName, Value`,
  );
  const sum = (MetricName: string, Attributes: object, Value: number, IsMonotonic: boolean) => ({
    MetricName,
    MetricUnit: '{request}',
    ServiceName: 'sdk3-checkout',
    ScopeName: 'sdk3-meter',
    ScopeVersion: '2.0.0',
    Attributes,
    Value,
    IsMonotonic,
    AggregationTemporality: 2, // cumulative
    ordered: 1,
  });
  assert.deepEqual(sums, [
    sum('sdk3.inflight', {}, 3, false),
    sum('sdk3.requests', { route: '/cart' }, 1, true),
    sum('sdk3.requests', { route: '/checkout' }, 5, true),
  ]);
});
