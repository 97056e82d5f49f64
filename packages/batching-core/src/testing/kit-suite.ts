import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { InvalidConfigError } from '../errors';
import type { EnvironmentEntry } from '../options/define';
import { exporterPipelineOptionNames } from '../options/pipeline-environment';
import type { PipelineOptionName } from '../options/pipeline-environment';
import type { PipelineStats } from '../pipeline';
import type { Signal } from '../types';
import { serverOf } from '../telemetry';
import { withHangWatchdog } from './hang-watchdog';
import { assertLedgerBalances } from './ledger-assert';

/** What the suite needs of an exporter instance: the SDK interface, plus `stats()` and `name`. */
export interface KitExporter {
  readonly name: string;
  readonly pipeline: object;
  stats(): PipelineStats;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
  export(items: never, resultCallback: (result: { code: number }) => void): void;
}

/** One option's sample: a valid value in code, and the same as environment text. */
export interface OptionSample {
  value: unknown;
  text: string;
}

/** What the suite reads of an exporter's options definition (`defineExporterOptions`). */
export interface KitOptionsDefinition {
  readonly backend: string;
  readonly environment: readonly EnvironmentEntry[];
  optionNames(signal: Signal): string[];
  resolve(
    options: object | undefined,
    signal: Signal,
  ): { sourceOf(option: string): string | undefined };
}

export interface ExporterKitSuiteOptions {
  /** For the test names, e.g. `ClickHouse`. */
  title: string;
  /** The exporter's npm package: with the class name, its `otel.component.type`. */
  packageName: string;
  definition: KitOptionsDefinition;
  /** Makes the exporter of each signal it has; construction must not send anything. */
  create: Partial<Record<Signal, (options?: object) => KitExporter>>;
  /** Given to every construction (e.g. a URL nobody listens on, `createSchema: false`). */
  baseOptions?: object;
  /**
   * A valid value per option that has an environment variable (the exporter's own and the
   * shared ones: `url`, `headers`, `auth.username`, …); the pipeline's are the suite's.
   */
  samples: Record<string, OptionSample>;
  /** Invalid environment text per option, whose error must name the variable. */
  badText: Record<string, string>;
  /**
   * Credentials given in code or by environment variables; none of `secrets` (nor their base64
   * forms) may be reachable by `JSON.stringify`, `util.inspect` or `console.log` of an exporter.
   */
  credentials: { options?: object; environment?: Record<string, string>; secrets: string[] }[];
  /** Extra queue and batch bounds to construct with (e.g. small queues under the exporter's defaults). */
  limits?: object[];
  /** The README whose tables must list every variable the exporter reads, and no other. */
  readme?: string;
}

/** Where the suite's exporters spool (each name and signal in its own subdirectory). */
const KIT_SPOOL_DIRECTORY = join(tmpdir(), `otelpack-kit-suite-spool-${process.pid}`);

/** A valid value of every pipeline option, in code and as environment text. */
const PIPELINE_SAMPLES: Record<PipelineOptionName, OptionSample | { value: unknown }> = {
  maxQueueItems: { value: 1234, text: '1234' },
  maxQueueBytes: { value: 2_000_000, text: '2000000' },
  overflow: { value: 'drop_oldest', text: 'drop_oldest' },
  blockTimeoutMs: { value: 100, text: '100' },
  maxBatchItems: { value: 50, text: '50' },
  maxBatchBytes: { value: 100_000, text: '100000' },
  flushIntervalMs: { value: 10, text: '10' },
  deliveryMode: { value: 'direct', text: 'direct' },
  initialBackoffMs: { value: 10, text: '10' },
  maxBackoffMs: { value: 60_000, text: '60000' },
  multiplier: { value: 2.5, text: '2.5' },
  maxElapsedMs: { value: 1000, text: '1000' },
  maxConcurrency: { value: 1, text: '1' },
  adaptiveConcurrency: { value: false, text: 'false' },
  requestTimeoutMs: { value: 1000, text: '1000' },
  ordered: { value: false, text: 'false' },
  shutdownTimeoutMs: { value: 100, text: '100' },
  flushTimeoutMs: { value: 100, text: '100' },
  failureWarnAfterMs: { value: 5_000, text: '5000' },
  deadLetter: { value: () => undefined },
  deadLetterReasons: { value: ['rejected'], text: 'rejected,expired' },
  selfObsMeterProvider: { value: undefined },
  spool: {
    value: { directory: KIT_SPOOL_DIRECTORY, fsync: 'never' },
    text: `directory=${KIT_SPOOL_DIRECTORY},fsync=never`,
  },
};

/**
 * The exporter metrics of OpenTelemetry's semantic conventions, as
 * open-telemetry/semantic-conventions `model/otel/metrics.yaml` defines them (status:
 * development): per signal, name → instrument and unit. Each carries `otel.component.type` and
 * `otel.component.name`, `server.address` / `server.port` when the exporter has a server, and
 * `error.type` only on what failed.
 */
const EXPORTER_CONVENTIONS: Record<
  Signal,
  { name: string; instrument: 'Counter' | 'UpDownCounter' | 'Histogram'; unit: string }[]
> = {
  traces: [
    { name: 'otel.sdk.exporter.span.inflight', instrument: 'UpDownCounter', unit: '{span}' },
    { name: 'otel.sdk.exporter.span.exported', instrument: 'Counter', unit: '{span}' },
    { name: 'otel.sdk.exporter.operation.duration', instrument: 'Histogram', unit: 's' },
  ],
  logs: [
    { name: 'otel.sdk.exporter.log.inflight', instrument: 'UpDownCounter', unit: '{log_record}' },
    { name: 'otel.sdk.exporter.log.exported', instrument: 'Counter', unit: '{log_record}' },
    { name: 'otel.sdk.exporter.operation.duration', instrument: 'Histogram', unit: 's' },
  ],
  metrics: [
    {
      name: 'otel.sdk.exporter.metric_data_point.inflight',
      instrument: 'UpDownCounter',
      unit: '{data_point}',
    },
    {
      name: 'otel.sdk.exporter.metric_data_point.exported',
      instrument: 'Counter',
      unit: '{data_point}',
    },
    { name: 'otel.sdk.exporter.operation.duration', instrument: 'Histogram', unit: 's' },
  ],
};

/** Minimal SDK items: enough to reach the mapping (which may refuse them: they count either way). */
const SAMPLE_ITEMS: Record<Signal, unknown> = {
  traces: [
    {
      name: 'kit-span',
      kind: 0,
      spanContext: () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }),
      startTime: [1_700_000_000, 0],
      endTime: [1_700_000_001, 0],
      duration: [1, 0],
      ended: true,
      status: { code: 0 },
      attributes: { 'kit.attribute': 'x' },
      links: [],
      events: [],
      resource: { attributes: { 'service.name': 'kit' } },
      instrumentationScope: { name: 'kit' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    },
  ],
  logs: [
    {
      hrTime: [1_700_000_000, 0],
      hrTimeObserved: [1_700_000_000, 0],
      severityText: 'INFO',
      severityNumber: 9,
      body: 'kit log',
      attributes: {},
      resource: { attributes: { 'service.name': 'kit' } },
      instrumentationScope: { name: 'kit' },
      droppedAttributesCount: 0,
    },
  ],
  metrics: {
    resource: { attributes: { 'service.name': 'kit' } },
    scopeMetrics: [
      {
        scope: { name: 'kit' },
        metrics: [
          {
            descriptor: { name: 'kit.gauge', description: '', unit: '', valueType: 1 },
            aggregationTemporality: 1,
            dataPointType: 2,
            dataPoints: [
              {
                attributes: {},
                startTime: [1_700_000_000, 0],
                endTime: [1_700_000_000, 0],
                value: 1,
              },
            ],
          },
        ],
      },
    ],
  },
};

/** Times an SDK item may carry from a bad clock, a bad conversion or a hand-made item. */
const HOSTILE_TIMES: [number, number][] = [
  [Infinity, 0],
  [-Infinity, 0],
  [NaN, 0],
  [1_700_000_000, NaN],
  [1e300, 0],
  [2 ** 63, 0],
  [-5, 0],
  [1_700_000_000, 5e9],
];

/** One export per hostile time: every time field of the sample item set to it. */
function hostileTimeExports(signal: Signal): unknown[] {
  return HOSTILE_TIMES.map((time) => {
    if (signal === 'traces') {
      const [span] = SAMPLE_ITEMS.traces as Record<string, unknown>[];
      return [
        {
          ...span,
          startTime: time,
          endTime: time,
          duration: time,
          events: [{ name: 'e', time, attributes: {} }],
        },
      ];
    }
    if (signal === 'logs') {
      const [record] = SAMPLE_ITEMS.logs as Record<string, unknown>[];
      return [{ ...record, hrTime: time, hrTimeObserved: time }];
    }
    const metrics = SAMPLE_ITEMS.metrics as {
      scopeMetrics: { metrics: { dataPoints: object[] }[] }[];
    };
    const [metric] = metrics.scopeMetrics[0].metrics;
    return {
      ...metrics,
      scopeMetrics: [
        {
          ...metrics.scopeMetrics[0],
          metrics: [
            {
              ...metric,
              dataPoints: [{ ...metric.dataPoints[0], startTime: time, endTime: time }],
            },
          ],
        },
      ],
    };
  });
}

/**
 * The exporter kit's promises, checked against one exporter package/**
 * The exporter kit's promises, checked against one exporter package: every exporter runs it
 * against itself (one call in a test file), so that every exporter keeps them.
 */
export function runExporterKitSuite(suite: ExporterKitSuiteOptions): void {
  const { definition } = suite;
  const signals = Object.keys(suite.create) as Signal[];
  const variables = [...new Set(definition.environment.flatMap((entry) => entry.variables))];
  const saved = new Map<string, string | undefined>();
  const made: KitExporter[] = [];

  /** An exporter with the base options under `options`; `exact`: with `options` alone. */
  const make = (signal: Signal, options: object = {}, exact = false): KitExporter => {
    const create = suite.create[signal] as (options?: object) => KitExporter;
    const exporter = create(exact ? options : { ...suite.baseOptions, ...options });
    made.push(exporter);
    return exporter;
  };
  /** Throws InvalidConfigError naming `source` (or a field of it: `source.key`, `source[1]`). */
  const throwsNaming = (run: () => unknown, source: string, what: string) =>
    assert.throws(run, (error: unknown) => {
      assert.ok(error instanceof InvalidConfigError, `${what}: ${String(error)}`);
      const named =
        error.option === source ||
        error.option.startsWith(`${source}.`) ||
        error.option.startsWith(`${source}[`);
      assert.ok(named, `${what}: names ${error.option}, not ${source}`);
      assert.ok(error.message.startsWith(`${error.option}: `), error.message);
      return true;
    });
  const sampleOf = (option: string): OptionSample => {
    const sample =
      suite.samples[option] ?? (PIPELINE_SAMPLES as Record<string, OptionSample>)[option];
    assert.ok(sample && 'text' in sample, `the suite needs a sample for ${option}`);
    return sample;
  };
  /** The base options without one option, so that its environment variable is read. */
  const baseWithout = (option: string): Record<string, unknown> => {
    const base: Record<string, unknown> = { ...suite.baseOptions };
    delete base[option.startsWith('auth.') ? 'auth' : option];
    return base;
  };
  const entriesFor = (signal: Signal) =>
    definition.environment.filter(
      (entry) =>
        (!entry.metricsOnly || signal === 'metrics') &&
        (entry.signal === undefined || entry.signal === signal),
    );

  describe(`${suite.title}: the exporter kit's promises`, () => {
    beforeEach(() => {
      for (const variable of variables) {
        saved.set(variable, process.env[variable]);
        delete process.env[variable];
      }
    });
    afterEach(async () => {
      for (const [variable, value] of saved) {
        if (value === undefined) delete process.env[variable];
        else process.env[variable] = value;
      }
      await Promise.all(made.splice(0).map((exporter) => exporter.shutdown()));
    });
    after(async () => {
      await Promise.all(made.splice(0).map((exporter) => exporter.shutdown()));
      rmSync(KIT_SPOOL_DIRECTORY, { recursive: true, force: true });
    });

    it('takes every pipeline option of the core, under its name, but the derived requestTimeoutMs', () => {
      for (const signal of signals) {
        const names = definition.optionNames(signal);
        for (const option of exporterPipelineOptionNames()) {
          assert.ok(names.includes(option), `${signal}: ${option} is not taken`);
          const { value } = PIPELINE_SAMPLES[option];
          make(signal, { [option]: value });
        }
        const tuned = make(signal, { maxQueueItems: 4321, maxConcurrency: 3 }).stats();
        assert.equal(tuned.maxQueueItems, 4321);
        assert.equal(tuned.concurrencyLimit, 3);
        throwsNaming(() => make(signal, { requestTimeoutMs: 1000 }), 'requestTimeoutMs', signal);
      }
    });

    it('refuses an unknown option, suggesting the closest known name', () => {
      for (const signal of signals) {
        for (const option of definition.optionNames(signal)) {
          if (option.length < 5) continue;
          const misspelt = option.slice(0, -1);
          assert.throws(
            () => make(signal, { [misspelt]: 1 }),
            (error: unknown) =>
              error instanceof InvalidConfigError &&
              error.option === misspelt &&
              error.message.includes(`did you mean '${option}'`),
            `${signal}: ${misspelt}`,
          );
        }
      }
    });

    it('reads every environment variable it documents; an explicit option wins', () => {
      for (const signal of signals) {
        for (const entry of entriesFor(signal)) {
          const option = entry.option.startsWith('auth.') ? 'auth' : entry.option;
          const sample = sampleOf(entry.option);
          const base = baseWithout(option);
          for (const variable of entry.variables) {
            process.env[variable] = sample.text;
            let expected = variable;
            if (entry.option === 'auth.password') {
              // A password alone is no credential: it goes with the username's variable.
              expected = entryOf('auth.username').variables[0];
              process.env[expected] = sampleOf('auth.username').text;
            }
            if (entry.option === 'auth.username') {
              process.env[entryOf('auth.password').variables[0]] = sampleOf('auth.password').text;
            }
            const fromEnvironment = definition.resolve(base, signal);
            assert.equal(fromEnvironment.sourceOf(option), expected, `${signal}: ${variable}`);
            make(signal, base, true);
            const explicit = option === 'auth' ? suite.samples.auth : sample;
            assert.ok(explicit, `the suite needs a sample for ${option}`);
            const fromCode = definition.resolve({ ...base, [option]: explicit.value }, signal);
            assert.equal(
              fromCode.sourceOf(option),
              option,
              `${signal}: ${option} over ${variable}`,
            );
            for (const name of variables) delete process.env[name];
          }
        }
      }
    });

    it('names the source of a bad value: the option, or the environment variable', () => {
      for (const signal of signals) {
        throwsNaming(() => make(signal, { maxQueueItems: 0 }), 'maxQueueItems', signal);
        throwsNaming(() => make(signal, { timeoutMs: -1 }), 'timeoutMs', signal);
        for (const entry of entriesFor(signal)) {
          const bad =
            suite.badText[entry.option] ??
            (entry.option in PIPELINE_SAMPLES && typeof sampleOf(entry.option).value === 'number'
              ? 'lots'
              : undefined);
          if (bad === undefined) continue;
          for (const variable of entry.variables) {
            process.env[variable] = bad;
            throwsNaming(
              () => make(signal, baseWithout(entry.option), true),
              variable,
              `${signal}: ${variable}=${bad}`,
            );
            delete process.env[variable];
          }
        }
        // A value the core refuses (below its minimum) from the environment names the variable.
        const queueItems = entryOf('maxQueueItems').variables[0];
        process.env[queueItems] = '0';
        throwsNaming(() => make(signal), queueItems, signal);
        delete process.env[queueItems];
      }
    });

    it('never throws for valid queue and batch bounds, whatever their combination', () => {
      const queueBytes = [undefined, 1, 512 * 1024, 8 * 1024 * 1024, 256 * 1024 * 1024];
      const batchBytes = [undefined, 1, 1024 * 1024, 64 * 1024 * 1024];
      const queueItems = [undefined, 1, 100_000];
      const batchItems = [undefined, 1, 1_000_000];
      const table: object[] = [...(suite.limits ?? [])];
      for (const maxQueueBytes of queueBytes)
        for (const maxBatchBytes of batchBytes)
          for (const maxQueueItems of queueItems)
            for (const maxBatchItems of batchItems)
              table.push({ maxQueueBytes, maxBatchBytes, maxQueueItems, maxBatchItems });
      for (const signal of signals) {
        for (const limits of table) {
          const stats = make(signal, limits).stats();
          const wanted = limits as { maxQueueBytes?: number; maxQueueItems?: number };
          if (wanted.maxQueueBytes !== undefined) {
            assert.equal(stats.maxQueueBytes, wanted.maxQueueBytes, JSON.stringify(limits));
          }
          if (wanted.maxQueueItems !== undefined) {
            assert.equal(stats.maxQueueItems, wanted.maxQueueItems, JSON.stringify(limits));
          }
        }
      }
    });

    it('keeps every credential, given in code or the environment, out of JSON, inspect and console.log', () => {
      assert.ok(suite.credentials.length > 0, 'the suite needs credentials to look for');
      for (const signal of signals) {
        for (const { options, environment, secrets } of suite.credentials) {
          for (const [name, value] of Object.entries(environment ?? {})) process.env[name] = value;
          const exporter = make(signal, options);
          for (const name of Object.keys(environment ?? {})) delete process.env[name];
          const views = {
            'JSON.stringify': JSON.stringify(exporter),
            'util.inspect': inspect(exporter, { depth: 10 }),
            'console.log': format('%s %o', exporter, exporter),
            'the graph (customInspect off)': inspect(exporter, { depth: 20, customInspect: false }),
            'the pipeline': inspect(exporter.pipeline, { depth: 20, customInspect: false }),
            'the pipeline as JSON': safeJson(exporter.pipeline),
          };
          const forms = secrets.flatMap((s) => [s, Buffer.from(s).toString('base64')]);
          for (const [view, text] of Object.entries(views)) {
            for (const secret of forms) {
              assert.ok(!text.includes(secret), `${signal}: ${view} shows ${secret}`);
            }
          }
          assert.match(views['JSON.stringify'], new RegExp(exporter.name));
        }
      }
    });

    it('has stats(), name, forceFlush and shutdown; the ledger balances after an export', async () => {
      for (const signal of signals) {
        // Nothing listens at the base options' URL: shutdown gives up quickly on what is held.
        const exporter = make(signal, { name: `kit-${signal}`, shutdownTimeoutMs: 100 });
        assert.equal(exporter.name, `kit-${signal}`);
        assert.equal(exporter.stats().exporter, `kit-${signal}`);
        const result = await new Promise<{ code: number }>((resolve) =>
          exporter.export(SAMPLE_ITEMS[signal] as never, resolve),
        );
        assert.ok(result.code === 0 || result.code === 1);
        const stats = exporter.stats();
        assert.ok(stats.accepted >= 1, `${signal}: nothing was accepted`);
        assertLedgerBalances(stats);
        await exporter.shutdown();
        assertLedgerBalances(exporter.stats());
      }
    });

    it('answers an export of items whose times are no time (NaN, ±Infinity, past int64, negative), counting each', async () => {
      for (const signal of signals) {
        const exporter = make(signal, { name: `kit-times-${signal}`, shutdownTimeoutMs: 100 });
        const exports = hostileTimeExports(signal);
        for (let i = 0; i < exports.length; i++) {
          const result = await withHangWatchdog(
            `${suite.packageName} ${signal} export of hostile times #${i}`,
            20_000,
            () =>
              new Promise<{ code: number }>((resolve) =>
                exporter.export(exports[i] as never, resolve),
              ),
          );
          assert.ok(result.code === 0 || result.code === 1, `${signal} #${i}: ${result.code}`);
        }
        assert.ok(exporter.stats().accepted >= 1, `${signal}: nothing was accepted`);
        assertLedgerBalances(exporter.stats(), signal);
        await withHangWatchdog(`${suite.packageName} ${signal} shutdown`, 20_000, () =>
          exporter.shutdown(),
        );
        assertLedgerBalances(exporter.stats(), signal);
      }
    });

    it('takes transform: what a drop statement leaves out is counted filtered; a bad statement throws at construction', async () => {
      const contexts = { traces: 'span', logs: 'log', metrics: 'datapoint' } as const;
      for (const signal of signals) {
        const context = contexts[signal];
        const exporter = make(signal, {
          shutdownTimeoutMs: 100,
          transform: { [context]: ['drop()'] },
        });
        await new Promise((resolve) => exporter.export(SAMPLE_ITEMS[signal] as never, resolve));
        const stats = exporter.stats();
        assert.ok(stats.dropped.filtered >= 1, `${signal}: ${JSON.stringify(stats.dropped)}`);
        assert.equal(stats.accepted, stats.dropped.filtered, `${signal}: only filtered records`);
        assertLedgerBalances(stats);
        await exporter.shutdown();
        assert.throws(
          () => make(signal, { transform: { [context]: ['drop('] } }),
          new RegExp(`transform\\.${context}\\[0\\]: .* at column 6 of "drop\\("`),
        );
      }
    });

    it("reports self-metrics by OpenTelemetry's conventions for exporters (otel.sdk.exporter.*)", async () => {
      // Loaded here, so that the test kit needs @opentelemetry/sdk-metrics only to run this.
      const { DataPointType, MeterProvider, MetricReader } =
        await import('@opentelemetry/sdk-metrics');
      class PullReader extends MetricReader {
        protected async onShutdown(): Promise<void> {}
        protected async onForceFlush(): Promise<void> {}
      }
      const baseUrl = (suite.baseOptions as { url?: unknown } | undefined)?.url;
      const server = typeof baseUrl === 'string' ? serverOf(baseUrl) : {};
      for (const signal of signals) {
        const reader = new PullReader();
        const meterProvider = new MeterProvider({ readers: [reader] });
        const exporter = make(signal, {
          shutdownTimeoutMs: 100,
          selfObsMeterProvider: meterProvider,
        });
        await new Promise((resolve) => exporter.export(SAMPLE_ITEMS[signal] as never, resolve));
        await exporter.shutdown();
        const stats = exporter.stats();
        const { resourceMetrics, errors } = await reader.collect();
        assert.deepEqual(errors, []);
        const metrics = new Map(
          resourceMetrics.scopeMetrics
            .flatMap((scope) => scope.metrics)
            .map((m) => [m.descriptor.name, m]),
        );
        const type = `${suite.packageName}.${exporter.constructor.name}`;
        for (const convention of EXPORTER_CONVENTIONS[signal]) {
          const what = `${signal}: ${convention.name}`;
          const metric = metrics.get(convention.name);
          if (convention.instrument === 'Histogram' && stats.requests === 0) continue;
          assert.ok(metric, `${what} is not reported`);
          assert.equal(metric.descriptor.unit, convention.unit, `${what}: unit`);
          if (convention.instrument === 'Histogram') {
            assert.equal(metric.dataPointType, DataPointType.HISTOGRAM, `${what}: instrument`);
          } else {
            assert.equal(metric.dataPointType, DataPointType.SUM, `${what}: instrument`);
            const monotonic = (metric as { isMonotonic?: boolean }).isMonotonic;
            assert.equal(monotonic, convention.instrument === 'Counter', `${what}: monotonic`);
          }
          assert.ok(metric.dataPoints.length > 0, `${what} has no point`);
          for (const point of metric.dataPoints) {
            const attributes = point.attributes;
            assert.equal(attributes['otel.component.type'], type, `${what}: component type`);
            const name = String(attributes['otel.component.name']);
            assert.ok(
              name.startsWith(`${type}/`) && /^\d+$/.test(name.slice(type.length + 1)),
              `${what}: component name ${name}`,
            );
            assert.equal(
              attributes['server.address'],
              server.serverAddress,
              `${what}: server.address`,
            );
            assert.equal(attributes['server.port'], server.serverPort, `${what}: server.port`);
          }
        }
        // exported: every accepted item once at its outcome, a dropped one with its reason.
        const item = EXPORTER_CONVENTIONS[signal][1].name;
        const byError: Record<string, number> = {};
        for (const point of metrics.get(item)?.dataPoints ?? []) {
          const key = String(point.attributes['error.type'] ?? 'delivered');
          byError[key] = (byError[key] ?? 0) + (point.value as number);
        }
        const expected: Record<string, number> = {};
        if (stats.delivered > 0) expected.delivered = stats.delivered;
        for (const [reason, count] of Object.entries(stats.dropped)) {
          if (count > 0) expected[reason] = count;
        }
        assert.deepEqual(byError, expected, `${signal}: exported by error.type vs the ledger`);
        const inflight = metrics.get(EXPORTER_CONVENTIONS[signal][0].name)?.dataPoints ?? [];
        assert.deepEqual(
          inflight.map((p) => p.value),
          [0],
          `${signal}: nothing in flight after shutdown`,
        );
        await meterProvider.shutdown();
      }
    });

    if (suite.readme) {
      const readme = suite.readme;
      it('documents every variable it reads in its README, and no other', () => {
        const text = readFileSync(readme, 'utf8');
        for (const variable of variables) {
          assert.ok(text.includes(`\`${variable}\``), `${variable} is not in ${readme}`);
        }
        const prefix = `OTELPACK_${definition.backend.toUpperCase()}_`;
        for (const match of text.matchAll(new RegExp(`${prefix}[A-Z0-9_]+`, 'g'))) {
          assert.ok(variables.includes(match[0]), `${readme} names ${match[0]}, which is not read`);
        }
      });
    }
  });

  function entryOf(option: string) {
    const entry = definition.environment.find((e) => e.option === option);
    assert.ok(entry, `no environment entry for ${option}`);
    return entry;
  }
}

/** JSON of an object graph with cycles cut, as a logger that handles cycles would write it. */
function safeJson(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, field: unknown) => {
    if (typeof field === 'bigint') return field.toString();
    if (field && typeof field === 'object') {
      if (seen.has(field)) return '[Circular]';
      seen.add(field);
    }
    return field;
  });
}
