import { Pipeline } from '../pipeline';
import { serverOf } from '../telemetry';
import type { PipelineOptions } from '../pipeline';
import type {
  CompressionCodec,
  DefaultCompressionCodec,
  ExporterOptionsDefinition,
  ResolvedOptions,
} from '../options/define';
import type { BatchSender, Signal } from '../types';
import {
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
} from './exporters';
import type { PipelineExporterOptions } from './exporters';
import type { ItemMapping } from './mapping';
import type { ReadableLogRecordLike, ReadableSpanLike, ResourceMetricsLike } from './types';

/** The SDK item each signal's exporter receives. */
export interface SignalItems {
  traces: ReadableSpanLike;
  logs: ReadableLogRecordLike;
  metrics: ResourceMetricsLike;
}

/**
 * An exporter, as the kit makes it: its options (declared with `defineExporterOptions`), a
 * sender, and a mapping per signal it takes. Everything else (option resolution, the pipeline
 * and its defaults, the one timeout rule, the SDK classes, `stats()`, unmapped items) is the kit's.
 */
export interface ExporterDefinition<
  Own,
  R,
  S extends BatchSender<R>,
  Codec extends CompressionCodec = DefaultCompressionCodec,
> {
  /**
   * The npm package that declares the exporter classes: with the class's name it makes the
   * self-telemetry's `otel.component.type` (`@otelpack/exporter-x.XSpanExporter`).
   */
  packageName: string;
  options: ExporterOptionsDefinition<Own, Codec>;
  /**
   * The URL whose host and port self-telemetry reports as `server.address` / `server.port`.
   * Default: the first URL. Return undefined where the exporter cannot know it (a client the
   * user made): no attribute is better than a wrong one.
   */
  serverUrl?(config: ResolvedOptions<Own, Codec>): string | undefined;
  /**
   * The pipeline's deadline for one send, where a send is more than one request (a request, then
   * a wait for the backend's acknowledgement that it stored the data). Default: the one timeout
   * rule, `timeoutMs` and a grace.
   */
  sendDeadlineMs?(config: ResolvedOptions<Own, Codec>): number | undefined;
  /** One sender per exporter instance, that is per signal. */
  sender(config: ResolvedOptions<Own, Codec>, signal: Signal): S;
  traces?(config: ResolvedOptions<Own, Codec>): ItemMapping<ReadableSpanLike, R>;
  logs?(config: ResolvedOptions<Own, Codec>): ItemMapping<ReadableLogRecordLike, R>;
  metrics?(config: ResolvedOptions<Own, Codec>): ItemMapping<ResourceMetricsLike, R>;
}

/** The SDK classes of one exporter; `OM` is the metric exporter's options (with `temporality`). */
export interface ExporterClasses<O, R, S extends BatchSender<R>, OM = O> {
  SpanExporter: new (options?: O) => PipelineSpanExporter<R, S>;
  LogRecordExporter: new (options?: O) => PipelineLogRecordExporter<R, S>;
  MetricExporter: new (options?: OM) => PipelineMetricExporter<R, S>;
}

/**
 * Options → resolved configuration → sender and pipeline → mapping: the same steps for every
 * exporter and signal. The pipeline options the user gave (in code or the environment) go to the
 * core over the exporter's defaults, which the core layers and reconciles; an error about a value
 * read from the environment names the variable.
 */
export function assembleExporter<
  Own,
  R,
  S extends BatchSender<R>,
  K extends Signal,
  Codec extends CompressionCodec = DefaultCompressionCodec,
>(
  definition: ExporterDefinition<Own, R, S, Codec>,
  signal: K,
  options: object | undefined,
  className = `${signal}Exporter`,
): PipelineExporterOptions<SignalItems[K], R, S> & { config: ResolvedOptions<Own, Codec> } {
  const config = definition.options.resolve(options, signal);
  const build = definition[signal] as
    ((config: ResolvedOptions<Own, Codec>) => ItemMapping<SignalItems[K], R>) | undefined;
  if (!build) throw new Error(`otelpack ${config.name}: this exporter takes no ${signal}`);
  let sender: S | undefined;
  let mapping: ItemMapping<SignalItems[K], R>;
  let pipeline: Pipeline<R>;
  try {
    // The exporter's own checks name options; withSource makes them name the variable a value
    // came from, as the kit's and the core's do.
    mapping = build(config);
    sender = definition.sender(config, signal);
    const sendDeadlineMs = definition.sendDeadlineMs?.(config);
    pipeline = new Pipeline<R>(
      {
        ...(config.pipeline as Partial<PipelineOptions<R>>),
        ...(sendDeadlineMs !== undefined ? { requestTimeoutMs: sendDeadlineMs } : {}),
        defaults: config.pipelineDefaults as PipelineOptions<R>['defaults'],
        name: config.name,
        signal,
        sender,
      },
      {
        identity: {
          type: `${definition.packageName}.${className}`,
          ...serverOf(definition.serverUrl ? definition.serverUrl(config) : config.displayUrls[0]),
        },
      },
    );
  } catch (error) {
    void sender?.close?.().catch(() => undefined);
    throw config.withSource(error);
  }
  return {
    pipeline,
    sender,
    mapping,
    endpoints: config.displayUrls,
    transform: config.transform,
    config,
  };
}

/**
 * Makes an exporter's three SDK classes from its definition; its package then declares each in
 * a line: `export class XSpanExporter extends x.SpanExporter {}`. The options types `O` and `OM`
 * come from the annotation of the result: `const x: ExporterClasses<XOptions, …> = defineExporter(…)`.
 */
export function defineExporter<
  Own,
  R,
  S extends BatchSender<R>,
  O = object,
  OM = O,
  Codec extends CompressionCodec = DefaultCompressionCodec,
>(definition: ExporterDefinition<Own, R, S, Codec>): ExporterClasses<O, R, S, OM> {
  const assemble = <K extends Signal>(
    signal: K,
    options: unknown,
    constructed: ClassLike,
    kitClass: ClassLike,
  ) =>
    assembleExporter(
      definition,
      signal,
      options as object | undefined,
      declaredClassName(constructed, kitClass),
    );
  const SpanExporter = class SpanExporter extends PipelineSpanExporter<R, S> {
    constructor(options?: O) {
      super(assemble('traces', options, new.target, SpanExporter));
    }
  };
  const LogRecordExporter = class LogRecordExporter extends PipelineLogRecordExporter<R, S> {
    constructor(options?: O) {
      super(assemble('logs', options, new.target, LogRecordExporter));
    }
  };
  const MetricExporter = class MetricExporter extends PipelineMetricExporter<R, S> {
    constructor(options?: OM) {
      const assembled = assemble('metrics', options, new.target, MetricExporter);
      super({ ...assembled, temporality: assembled.config.temporality });
    }
  };
  return { SpanExporter, LogRecordExporter, MetricExporter };
}

type ClassLike = abstract new (...args: never[]) => unknown;

/**
 * The name of the class the exporter's package declares on the kit's class (`XSpanExporter`),
 * also when an application subclasses it again: the component type names our class, not theirs.
 */
function declaredClassName(constructed: ClassLike, kitClass: ClassLike): string {
  let current = constructed;
  for (;;) {
    const parent = Object.getPrototypeOf(current) as ClassLike | null;
    if (!parent || parent === kitClass) return current.name;
    current = parent;
  }
}
