import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { tempSpoolDir } from './helpers/spool';
import {
  Failover,
  SEND_DEADLINE_GRACE_MS,
  TLS_FIELDS,
  defineExporter,
  defineExporterOptions,
  environmentVariableName,
  mapEach,
  optionKinds,
  serializeSdkItem,
} from '../src';
import type {
  BatchSender,
  DeadLetter,
  ExporterClasses,
  ReadableSpanLike,
  SendContext,
  PipelineStats,
  SendResult,
  UnmappedLetter,
  InvalidConfigError,
} from '../src';
import {
  FaultSink,
  NdjsonSinkSender,
  assertLedgerBalances,
  runExporterKitSuite,
} from '../src/testing';

/*
 * A small exporter made with the kit, as a backend package would make one: NDJSON over the core's
 * transport, failover over its URLs. The kit's suite runs against it, then the parts one by one.
 */

const SINK_OPTIONS = defineExporterOptions({
  backend: 'kitsink',
  url: { default: 'http://127.0.0.1:9/' },
  headers: {},
  auth: { forms: ['basic', 'bearerToken'], env: { username: ['KITSINK_USER'] } },
  tls: { fields: TLS_FIELDS },
  compression: { default: 'none' },
  connectTimeoutMs: { default: 1_000 },
  temporality: { default: 'cumulative' },
  own: {
    tenant: optionKinds.string(),
    labels: optionKinds.keyValues(),
    retriesBudget: optionKinds.integer({ default: 3, min: 0 }),
    client: optionKinds.custom((value) => value),
  },
  pipelineDefaults: { maxBatchBytes: 16 * 1024 * 1024, maxQueueItems: 50_000 },
});

/** Sends through the current URL; a retryable failure moves on to the next. */
class KitSinkSender implements BatchSender<string> {
  readonly #failover: Failover<NdjsonSinkSender<string>>;

  constructor(config: ReturnType<typeof SINK_OPTIONS.resolve>) {
    const auth = config.auth;
    const headers = { ...config.headers };
    if (auth && 'bearerToken' in auth) headers.authorization = `Bearer ${auth.bearerToken}`;
    if (auth && 'password' in auth) {
      headers.authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    }
    const senders = config.urls.map(
      (url) =>
        new NdjsonSinkSender<string>({
          url,
          headers,
          timeoutMs: config.timeoutMs,
          ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
          ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
          ...(config.tls ? { tls: config.tls } : {}),
        }),
    );
    this.#failover = new Failover(senders, (s) => s.transport.origin, config.name);
  }

  get currentEndpoint(): string {
    return this.#failover.currentLabel;
  }

  sizeOf(record: string): number {
    return record.length + 3;
  }

  async send(batch: readonly string[], context: SendContext): Promise<SendResult> {
    const sender = this.#failover.current;
    const result = await sender.send(batch, context);
    if (result.kind === 'retryable') this.#failover.moveOn(sender, result.reason);
    return result;
  }

  async close(): Promise<void> {
    await Promise.all(this.#failover.all().map((s) => s.close()));
  }
}

type SinkOptions = Record<string, unknown>;

const kitSink: ExporterClasses<SinkOptions, string, KitSinkSender> = defineExporter({
  packageName: '@otelpack/kit-test',
  options: SINK_OPTIONS,
  sender: (config) => new KitSinkSender(config),
  traces: () =>
    mapEach((span: ReadableSpanLike) => {
      if (span.name === 'unmappable') throw new Error('no record for unmappable');
      return span.name;
    }),
  logs: () => mapEach((log) => String(log.body)),
  metrics: () => ({
    map: (items) => ({
      records: items.flatMap((rm) =>
        rm.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)),
      ),
      unmapped: [],
    }),
  }),
});

class KitSinkSpanExporter extends kitSink.SpanExporter {}
class KitSinkLogRecordExporter extends kitSink.LogRecordExporter {}
class KitSinkMetricExporter extends kitSink.MetricExporter {}

runExporterKitSuite({
  title: 'a kit-made exporter',
  packageName: '@otelpack/kit-test',
  definition: SINK_OPTIONS,
  create: {
    traces: (options) => new KitSinkSpanExporter(options as SinkOptions),
    logs: (options) => new KitSinkLogRecordExporter(options as SinkOptions),
    metrics: (options) => new KitSinkMetricExporter(options as SinkOptions),
  },
  baseOptions: { url: 'http://127.0.0.1:9/' },
  samples: {
    name: { value: 'sink-a', text: 'sink-a' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/a,http://127.0.0.1:9/b' },
    headers: { value: { 'x-a': '1' }, text: 'x-a=1' },
    auth: { value: { bearerToken: 'code-token' }, text: '' },
    'auth.username': { value: 'u', text: 'env-user' },
    'auth.password': { value: 'p', text: 'env-password' },
    'auth.bearerToken': { value: 't', text: 'env-token' },
    compression: { value: 'gzip', text: 'gzip' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    temporality: { value: 'delta', text: 'delta' },
    tenant: { value: 't1', text: 't2' },
    labels: { value: { a: 'b' }, text: 'a=b' },
    retriesBudget: { value: 1, text: '1' },
  },
  badText: {
    url: 'localhost:8123',
    compression: 'brotli',
    timeoutMs: 'soon',
    temporality: 'sideways',
    labels: 'novalue',
    retriesBudget: '-1',
  },
  credentials: [
    {
      options: {
        url: 'http://url-user:url-password-1@127.0.0.1:9/',
        auth: { username: 'code-user', password: 'code-password-1' },
        headers: { 'x-api-key': 'header-key-1' },
        tls: { key: 'PRIVATE-KEY-PEM-1', cert: 'CERT' },
      },
      secrets: [
        'url-password-1',
        'code-password-1',
        'header-key-1',
        'PRIVATE-KEY-PEM-1',
        'code-user:code-password-1',
      ],
    },
    {
      environment: {
        OTELPACK_KITSINK_URL: 'http://u2:env-url-password-2@127.0.0.1:9/',
        OTELPACK_KITSINK_BEARER_TOKEN: 'env-bearer-token-2',
        OTELPACK_KITSINK_HEADERS: 'authorization=Bearer%20env-header-token-2',
      },
      secrets: ['env-url-password-2', 'env-bearer-token-2', 'env-header-token-2'],
    },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }, { maxQueueBytes: 8 * 1024 * 1024 }],
});

describe('the kit, part by part', () => {
  const made: { shutdown(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((e) => e.shutdown()));
    for (const name of Object.keys(process.env)) {
      if (name.startsWith('OTELPACK_KITSINK_') || name === 'KITSINK_USER') delete process.env[name];
    }
  });

  it('one rule names the variables: OTELPACK_<BACKEND>_<OPTION> in SCREAMING_SNAKE_CASE', () => {
    assert.equal(environmentVariableName('victoriametrics', 'url'), 'OTELPACK_VICTORIAMETRICS_URL');
    assert.equal(
      environmentVariableName('clickhouse', 'maxQueueBytes'),
      'OTELPACK_CLICKHOUSE_MAX_QUEUE_BYTES',
    );
    assert.equal(environmentVariableName('x', 'bearerToken'), 'OTELPACK_X_BEARER_TOKEN');
    const variables = SINK_OPTIONS.environment.flatMap((e) => e.variables);
    assert.ok(variables.includes('KITSINK_USER'), "the backend's own variable replaces the rule's");
    assert.ok(!variables.includes('OTELPACK_KITSINK_USERNAME'));
    assert.ok(variables.includes('OTELPACK_KITSINK_FLUSH_INTERVAL_MS'));
    assert.ok(!variables.includes('OTELPACK_KITSINK_CLIENT'), 'objects have no variable');
    assert.ok(!variables.includes('OTELPACK_KITSINK_REQUEST_TIMEOUT_MS'), 'derived: no variable');
  });

  it('OTELPACK_<BACKEND>_SPOOL gives the exporter a spool in <directory>/<name>-<signal>, which the next one replays', async () => {
    const { dir, cleanup } = tempSpoolDir('kit');
    try {
      process.env.OTELPACK_KITSINK_SPOOL = `directory=${dir},fsync=always`;
      const first = new KitSinkLogRecordExporter({
        url: 'http://127.0.0.1:9/',
        shutdownTimeoutMs: 10,
      });
      const spool = first.stats().spool as { directory: string; fsync: string };
      assert.deepEqual(
        { directory: spool.directory, fsync: spool.fsync },
        { directory: join(dir, 'kitsink-logs'), fsync: 'always' },
      );
      const accepted = await new Promise<number>((resolve) =>
        first.export(
          [{ body: 'kept' }, { body: 'for later' }] as unknown as Parameters<
            typeof first.export
          >[0],
          () => resolve(first.stats().accepted),
        ),
      );
      assert.equal(accepted, 2);
      await first.shutdown();
      assert.equal(first.stats().leftInSpool, 2, 'nobody listens on port 9: kept on disk');
      const second = new KitSinkLogRecordExporter({
        url: 'http://127.0.0.1:9/',
        shutdownTimeoutMs: 10,
      });
      assert.equal(second.stats().replayed, 2);
      await second.shutdown();
    } finally {
      delete process.env.OTELPACK_KITSINK_SPOOL;
      cleanup();
    }
  });

  it('echoes a bad URL from the environment with its credentials redacted', () => {
    process.env.OTELPACK_KITSINK_URL = 'localhost:8123';
    assert.throws(
      () => SINK_OPTIONS.resolve({}, 'traces'),
      /^InvalidConfigError: OTELPACK_KITSINK_URL: expected an http:\/\/ or https:\/\/ URL \(as a string or URL object\), got "localhost:8123"$/,
    );
    process.env.OTELPACK_KITSINK_URL = 'user:hunter2@host:8123';
    assert.throws(
      () => SINK_OPTIONS.resolve({}, 'traces'),
      (error: Error) => !error.message.includes('hunter2') && /REDACTED/.test(error.message),
    );
  });

  it("credentials given in code with the URL or an Authorization header beat the environment's", () => {
    process.env.OTELPACK_KITSINK_BEARER_TOKEN = 'env-token';
    const withUserInfo = SINK_OPTIONS.resolve({ url: 'http://u:code-pw@127.0.0.1:9/' }, 'traces');
    assert.equal(withUserInfo.auth, undefined, 'the URL user info is the credential');
    const withHeader = SINK_OPTIONS.resolve(
      { headers: { Authorization: 'Bearer code-token' } },
      'traces',
    );
    assert.equal(withHeader.auth, undefined, 'the Authorization header is the credential');
    // Without either, the environment's credential is used.
    assert.deepEqual(SINK_OPTIONS.resolve({}, 'traces').auth, { bearerToken: 'env-token' });
    // A URL with user info from the environment is no code: both come from there, and the
    // exporter's own rule decides between them.
    process.env.OTELPACK_KITSINK_URL = 'http://u:env-pw@127.0.0.1:9/';
    assert.deepEqual(SINK_OPTIONS.resolve({}, 'traces').auth, { bearerToken: 'env-token' });
  });

  it('a malformed headers variable is refused without echoing it (headers carry credentials)', () => {
    process.env.OTELPACK_KITSINK_HEADERS = 'X-Api-Key: LEAK-21';
    assert.throws(
      () => SINK_OPTIONS.resolve({}, 'traces'),
      (error: Error) =>
        error.message.startsWith('OTELPACK_KITSINK_HEADERS: expected key=value pairs') &&
        !error.message.includes('LEAK-21'),
    );
  });

  it('the one timeout rule: the pipeline gives a send timeoutMs and a fixed grace', () => {
    const config = SINK_OPTIONS.resolve({ timeoutMs: 5_000 }, 'traces');
    assert.equal(config.timeoutMs, 5_000);
    assert.equal(config.pipeline.requestTimeoutMs, 5_000 + SEND_DEADLINE_GRACE_MS);
    assert.equal(SINK_OPTIONS.resolve({}, 'logs').pipeline.requestTimeoutMs, 31_000);
  });

  it('the exporter defaults are layered under the user values by the core, never spread over them', () => {
    const tiny = new KitSinkSpanExporter({ maxQueueBytes: 512 * 1024 });
    made.push(tiny);
    assert.equal(tiny.stats().maxQueueBytes, 512 * 1024);
    const plain = new KitSinkSpanExporter({});
    made.push(plain);
    assert.equal(plain.stats().maxQueueItems, 50_000, "the exporter's default holds otherwise");
  });

  it('pipeline defaults may depend on the signal (one package, intakes with different limits)', () => {
    const perSignal = defineExporterOptions({
      backend: 'persignal',
      own: {},
      pipelineDefaults: (_user, signal) => ({ maxBatchItems: signal === 'logs' ? 1_000 : 5_000 }),
    });
    assert.equal(perSignal.resolve({}, 'logs').pipelineDefaults.maxBatchItems, 1_000);
    assert.equal(perSignal.resolve({}, 'traces').pipelineDefaults.maxBatchItems, 5_000);
  });

  it('credentials in the environment: one form only, and a password needs its user', () => {
    process.env.KITSINK_USER = 'u';
    process.env.OTELPACK_KITSINK_BEARER_TOKEN = 't';
    assert.throws(
      () => SINK_OPTIONS.resolve({}, 'traces'),
      (e: InvalidConfigError) =>
        e.option === 'OTELPACK_KITSINK_BEARER_TOKEN' &&
        /set either KITSINK_USER or/.test(e.message),
    );
    delete process.env.KITSINK_USER;
    delete process.env.OTELPACK_KITSINK_BEARER_TOKEN;
    process.env.OTELPACK_KITSINK_PASSWORD = 'p';
    assert.throws(
      () => SINK_OPTIONS.resolve({}, 'traces'),
      (e: InvalidConfigError) => e.option === 'KITSINK_USER',
    );
    assert.deepEqual(SINK_OPTIONS.resolve({ auth: { bearerToken: 'x' } }, 'traces').auth, {
      bearerToken: 'x',
    });
    assert.throws(
      () => SINK_OPTIONS.resolve({ auth: { apiKey: 'x' } }, 'traces'),
      /^InvalidConfigError: auth: expected \{ username, password \} or \{ bearerToken \}/,
    );
  });

  it('temporality is the metric exporter’s only; tls fields are checked', () => {
    assert.throws(
      () => new KitSinkSpanExporter({ temporality: 'delta' }),
      (e: InvalidConfigError) => e.option === 'temporality',
    );
    const metrics = new KitSinkMetricExporter({ temporality: 'delta' });
    made.push(metrics);
    assert.equal(metrics.selectAggregationTemporality('COUNTER'), 0);
    assert.throws(
      () => new KitSinkSpanExporter({ tls: { cert: 'c' } }),
      /tls: cert and key go together/,
    );
    assert.throws(() => new KitSinkSpanExporter({ tls: { ca: 5 } }), /tls\.ca: expected PEM/);
  });

  it('items the mapping refuses are rejected in the ledger and reach the dead-letter handler, JSON-safe', async () => {
    const letters: (DeadLetter<string> | UnmappedLetter)[] = [];
    const exporter = new KitSinkSpanExporter({
      shutdownTimeoutMs: 100,
      deadLetter: (letter: DeadLetter<string> | UnmappedLetter) => void letters.push(letter),
    });
    made.push(exporter);
    const span = (name: string) =>
      ({
        name,
        kind: 0,
        spanContext: () => ({ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), traceFlags: 1 }),
        startTime: [1_700_000_000, 5],
        endTime: [1_700_000_001, 0],
        attributes: { big: 10n as never, bytes: new Uint8Array([1, 2]) as never },
        events: [],
        links: [],
        resource: { attributes: { 'service.name': 's' } },
        instrumentationScope: { name: 'scope' },
      }) as unknown as ReadableSpanLike;
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export([span('fine'), span('unmappable')], resolve),
    );
    assert.equal(result.code, 1);
    assert.match(result.error?.message ?? '', /1 of 2 items could not be mapped/);
    assert.equal(exporter.stats().dropped.rejected, 1);
    assertLedgerBalances(exporter.stats());
    const letter = letters[0] as UnmappedLetter;
    assert.equal(letter.stage, 'mapping');
    assert.equal(letter.items[0].detail, 'no record for unmappable');
    assert.deepEqual(JSON.parse(JSON.stringify(letter.items[0].item)), letter.items[0].item);
    assert.equal(letter.items[0].item.traceId, 'ab'.repeat(16));
    assert.equal(letter.items[0].item.startTime, '2023-11-14T22:13:20.000000005Z');
    assert.deepEqual(letter.items[0].item.attributes, { big: '10', bytes: 'AQI=' });
  });

  it('a mapping that throws counts every item of that export as unmapped, with its error', async () => {
    const throwing = defineExporter({
      packageName: '@otelpack/kit-test',
      options: SINK_OPTIONS,
      sender: (config) => new KitSinkSender(config),
      logs: () => ({
        map: () => {
          throw new Error('mapping bug');
        },
      }),
    });
    const exporter = new throwing.LogRecordExporter({});
    made.push(exporter);
    const result = await new Promise<{ code: number; error?: Error }>((resolve) =>
      exporter.export([{ body: 'a' }, { body: 'b' }] as never, resolve),
    );
    assert.match(result.error?.message ?? '', /2 of 2 items could not be mapped/);
    assert.equal(exporter.stats().dropped.rejected, 2);
    assert.equal(exporter.stats().accepted, 2);
  });

  it('sendDeadlineMs: a send that waits past timeoutMs (for an acknowledgement) is not cut at timeoutMs', async () => {
    // Each send takes 1.2 s: past the one timeout rule's deadline for timeoutMs 50 (50 + 1,000 ms grace).
    class SlowSender extends KitSinkSender {
      override async send(): Promise<SendResult> {
        await new Promise((resolve) => setTimeout(resolve, 1_200));
        return { kind: 'delivered' };
      }
    }
    const outcomes: Record<string, PipelineStats> = {};
    for (const [label, deadline] of [
      ['default rule', undefined],
      ['sendDeadlineMs 5,000', 5_000],
    ] as const) {
      const slow = defineExporter({
        packageName: '@otelpack/kit-test',
        options: SINK_OPTIONS,
        sendDeadlineMs: () => deadline,
        sender: (config) => new SlowSender(config),
        logs: () => mapEach((log) => String(log.body)),
      });
      const exporter = new slow.LogRecordExporter({
        timeoutMs: 50,
        flushIntervalMs: 1,
        shutdownTimeoutMs: 100,
      });
      made.push(exporter);
      exporter.export([{ body: 'a' }] as never, () => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1_400));
      outcomes[label] = exporter.stats();
    }
    assert.equal(outcomes['default rule'].delivered, 0);
    assert.equal(outcomes['sendDeadlineMs 5,000'].delivered, 1);
  });

  it("an application's subclass still reports the package's class as otel.component.type", async () => {
    const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
    class PullReader extends MetricReader {
      protected async onShutdown(): Promise<void> {}
      protected async onForceFlush(): Promise<void> {}
    }
    class MyAppSpanExporter extends KitSinkSpanExporter {}
    const reader = new PullReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const exporter = new MyAppSpanExporter({
      url: 'http://127.0.0.1:9/',
      selfObsMeterProvider: meterProvider,
    });
    const { resourceMetrics } = await reader.collect();
    const gauge = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((m) => m.descriptor.name === 'otelpack.exporter.queue.capacity');
    assert.equal(
      gauge?.dataPoints[0].attributes['otel.component.type'],
      '@otelpack/kit-test.KitSinkSpanExporter',
    );
    await exporter.shutdown();
    await meterProvider.shutdown();
  });

  it('serializeSdkItem never throws and gives JSON-safe values', () => {
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const item = serializeSdkItem('metrics', {
      metric: { descriptor: { name: 'm' }, dataPointType: 2, aggregationTemporality: 1 },
      dataPoint: { value: NaN, attributes: { n: 1n }, startTime: [1, 0], endTime: [2, 0], cyclic },
    });
    const text = JSON.stringify(item);
    assert.match(text, /"value":"NaN"/);
    assert.match(text, /"n":"1"/);
    assert.match(text, /\[Circular\]/);
    const hostile = {
      get name(): string {
        throw new Error('getter');
      },
    };
    assert.doesNotThrow(() => JSON.stringify(serializeSdkItem('traces', hostile)));
  });

  it('serializeSdkItem keeps keys named __proto__ as keys, and changes no prototype', () => {
    // JSON.parse makes `__proto__` an own key, as an attribute map may hold it.
    const item = serializeSdkItem('logs', {
      body: JSON.parse('{"__proto__":{"k":"v"}}'),
      attributes: JSON.parse('{"__proto__":"a","constructor":"c"}'),
      resource: { attributes: JSON.parse('{"__proto__":"r"}') },
    });
    const text = JSON.stringify(item);
    assert.match(text, /"body":\{"__proto__":\{"k":"v"\}\}/);
    assert.match(text, /"attributes":\{"__proto__":"a","constructor":"c"\}/);
    assert.match(text, /"resource":\{"attributes":\{"__proto__":"r"\}\}/);
    assert.equal(Object.getPrototypeOf(item.body), Object.prototype);
  });

  it('failover: a retryable failure moves the next sends to the next URL; nothing is lost', async () => {
    const [first, second] = await Promise.all([FaultSink.start(), FaultSink.start()]);
    try {
      first.setFaults({ fault: { kind: 'status', status: 503 } });
      const exporter = new KitSinkLogRecordExporter({
        url: [first.url, second.url],
        flushIntervalMs: 1,
        initialBackoffMs: 1,
        maxBackoffMs: 2,
      });
      made.push(exporter);
      await new Promise((resolve) => exporter.export([{ body: 'x' }] as never, resolve));
      await exporter.forceFlush();
      const stats = exporter.stats();
      assert.equal(stats.delivered, 1);
      assertLedgerBalances(stats);
      assert.equal(second.records.length, 1);
      assert.ok(inspect(exporter).includes(first.url.replace(/\/$/, '')));
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});
