import { inspect } from 'node:util';
import { diag } from '@opentelemetry/api';
import { InvalidConfigError, OtelpackError } from '../errors';
import type { Pipeline, PipelineStats, SubmitResult } from '../pipeline';
import type { BatchSender, Signal } from '../types';
import { mapEach } from './mapping';
import type { ItemMapping, MappedItems, RecordMapper } from './mapping';
import { serializeSdkItem } from './serialize';
import { temporalitySelector } from './temporality';
import type { TransformStage } from '../transform';
import type { TemporalityOption } from './temporality';
import { ExportResultCode } from './types';
import type {
  AggregationTemporality,
  ExportResult,
  InstrumentType,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from './types';

export interface PipelineExporterOptions<I, R, S extends BatchSender<R> = BatchSender<R>> {
  pipeline: Pipeline<R>;
  /** Maps one SDK item; an item it throws on is counted as unmapped. Give this or `mapping`. */
  map?: RecordMapper<I, R>;
  /** Maps one export's items to records and the items it could not map. */
  mapping?: ItemMapping<I, R>;
  /** The pipeline's sender, when the exporter shows it (its failover position, bytes sent). */
  sender?: S;
  /** Where it sends, credentials redacted: shown by `toJSON()` and `util.inspect`. */
  endpoints?: readonly string[];
  /** The `transform` option, compiled: runs on the SDK's items, on views, before mapping. */
  transform?: TransformStage;
}

/**
 * What the three SDK exporter interfaces share: map, hand to the pipeline, report. It never
 * throws into the SDK and never calls back twice; an item that cannot be mapped is counted as
 * dropped (`rejected`), and handed to the dead-letter handler, rather than lost from the ledger.
 */
abstract class PipelineExporterBase<I, R, S extends BatchSender<R>> {
  readonly pipeline: Pipeline<R>;
  readonly #mapping: ItemMapping<I, R>;
  readonly #sender: S | undefined;
  readonly #endpoints: readonly string[];
  readonly #transform: TransformStage | undefined;
  #lastUnmappedWarningMs: number | undefined;
  #unmappedSinceWarning = 0;

  protected constructor(options: PipelineExporterOptions<I, R, S>) {
    if (!options?.pipeline) throw new InvalidConfigError('pipeline', 'is required');
    if (options.mapping !== undefined) {
      if (typeof options.mapping?.map !== 'function') {
        throw new InvalidConfigError('mapping', 'expected an object with map(items)');
      }
      this.#mapping = options.mapping;
    } else if (typeof options.map === 'function') {
      this.#mapping = mapEach(options.map);
    } else {
      throw new InvalidConfigError('map', 'expected a function from an SDK item to records');
    }
    this.pipeline = options.pipeline;
    this.#sender = options.sender;
    this.#endpoints = [...(options.endpoints ?? [])];
    this.#transform = options.transform?.touches(this.pipeline.signal)
      ? options.transform
      : undefined;
  }

  /** The exporter's name in logs and stats (self-metrics carry otel.component.name). */
  get name(): string {
    return this.pipeline.name;
  }

  get signal(): Signal {
    return this.pipeline.signal;
  }

  /** The delivery ledger: accepted, delivered, dropped by reason, pending. */
  stats(): PipelineStats {
    return this.pipeline.stats();
  }

  protected get mapping(): ItemMapping<I, R> {
    return this.#mapping;
  }

  protected get sender(): S {
    if (!this.#sender) throw new Error(`otelpack ${this.name}: the exporter shows no sender`);
    return this.#sender;
  }

  protected exportItems(items: readonly I[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const done = (result: ExportResult): void => {
      if (called) return;
      called = true;
      try {
        resultCallback(result);
      } catch (error) {
        diag.error(`otelpack ${this.name}: the SDK's export callback threw`, error);
      }
    };
    try {
      const { items: kept, failed } = this.transformAll(items);
      const { records, unmapped, threw } = this.mapAll(kept);
      if (unmapped.length > 0) {
        this.warnUnmapped(unmapped.length, unmapped[0].detail);
        // Serialised only for a dead-letter handler that takes them: it is the costly part.
        const keep = this.pipeline.wantsDeadLetters('rejected');
        this.pipeline.rejectUnmapped(
          unmapped.map(({ item, detail }) => ({
            item: keep ? serializeSdkItem(this.signal, item) : {},
            detail,
          })),
        );
      }
      this.pipeline.submit(records).then(
        (outcome) =>
          done(
            toExportResult(
              outcome,
              (failsExport(this.signal, threw) ? unmapped.length : 0) + failed,
              items.length,
            ),
          ),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: asError(error) }),
      );
    } catch (error) {
      diag.error(`otelpack ${this.name}: export failed`, error);
      done({ code: ExportResultCode.FAILED, error: asError(error) });
    }
  }

  /**
   * Unmappable items are counted (rejected) every time, and said at WARN at most once a minute
   * with the count since: some exporters leave out data points on purpose (e.g. NaN where the
   * backend has no place for it), and a line per export would drown the log.
   */
  private warnUnmapped(count: number, detail: string): void {
    this.#unmappedSinceWarning += count;
    const nowMs = Date.now();
    if (this.#lastUnmappedWarningMs !== undefined && nowMs - this.#lastUnmappedWarningMs < 60_000) {
      return;
    }
    diag.warn(
      `otelpack ${this.name} ${this.signal}: could not map ${this.#unmappedSinceWarning} items${this.#lastUnmappedWarningMs === undefined ? '' : ' in the last minute'} (counted as rejected), e.g.: ${detail}`,
    );
    this.#lastUnmappedWarningMs = nowMs;
    this.#unmappedSinceWarning = 0;
  }

  /**
   * The transform stage: items its `drop` left out are counted `filtered`, items a statement
   * failed on under errorMode propagate `transform_error`, in the ledger, before mapping. If the
   * stage itself fails, the export's items are dropped as `transform_error` rather than sent
   * without the redaction the user asked for.
   */
  private transformAll(items: readonly I[]): { items: readonly I[]; failed: number } {
    const stage = this.#transform;
    if (!stage || items.length === 0) return { items, failed: 0 };
    let result;
    try {
      result = stage.apply(this.signal, items);
    } catch (error) {
      const count = this.signal === 'metrics' ? pointCount(items) : items.length;
      this.pipeline.dropTransformed(count, 'transform_error', messageOf(error));
      diag.error(`otelpack ${this.name}: the transform failed; ${count} items dropped`, error);
      return { items: [], failed: count };
    }
    if (result.filtered > 0) {
      this.pipeline.dropTransformed(result.filtered, 'filtered', 'left out by a drop statement');
    }
    if (result.failed > 0) {
      this.pipeline.dropTransformed(
        result.failed,
        'transform_error',
        result.firstError ?? 'a statement failed',
      );
    }
    this.pipeline.recordTransform(result.redacted, result.errors);
    return { items: result.items as I[], failed: result.failed };
  }

  /** A mapping that throws leaves every item of the call unmapped, with the error as the reason. */
  private mapAll(items: readonly I[]): MappedItems<R> & { threw: boolean } {
    try {
      const mapped = this.#mapping.map(items);
      return { records: mapped.records ?? [], unmapped: mapped.unmapped ?? [], threw: false };
    } catch (error) {
      const detail = messageOf(error);
      return { records: [], unmapped: items.map((item) => ({ item, detail })), threw: true };
    }
  }

  forceFlush(): Promise<void> {
    return this.pipeline.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.pipeline.shutdown();
  }

  /** A summary without credentials: the exporter's graph stays out of JSON and logs. */
  toJSON(): object {
    return { exporter: this.name, signal: this.signal, endpoints: this.#endpoints };
  }

  [inspect.custom](): string {
    return `${this.constructor.name} ${inspect(this.toJSON())}`;
  }
}

/** A `SpanExporter` (sdk-trace-base 2.x, sdk-trace 3.x) on a pipeline. */
export class PipelineSpanExporter<
  R,
  S extends BatchSender<R> = BatchSender<R>,
> extends PipelineExporterBase<ReadableSpanLike, R, S> {
  constructor(options: PipelineExporterOptions<ReadableSpanLike, R, S>) {
    super(options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    this.exportItems(spans, resultCallback);
  }
}

/** A `LogRecordExporter` (sdk-logs 0.2xx and 3.x) on a pipeline. */
export class PipelineLogRecordExporter<
  R,
  S extends BatchSender<R> = BatchSender<R>,
> extends PipelineExporterBase<ReadableLogRecordLike, R, S> {
  constructor(options: PipelineExporterOptions<ReadableLogRecordLike, R, S>) {
    super(options);
  }

  export(logs: ReadableLogRecordLike[], resultCallback: (result: ExportResult) => void): void {
    this.exportItems(logs, resultCallback);
  }
}

export interface PipelineMetricExporterOptions<
  R,
  S extends BatchSender<R> = BatchSender<R>,
> extends PipelineExporterOptions<ResourceMetricsLike, R, S> {
  temporality?: TemporalityOption;
}

/** A `PushMetricExporter` (sdk-metrics 2.x and 3.x) on a pipeline. */
export class PipelineMetricExporter<
  R,
  S extends BatchSender<R> = BatchSender<R>,
> extends PipelineExporterBase<ResourceMetricsLike, R, S> {
  readonly #temporality: (instrumentType: InstrumentType) => AggregationTemporality;

  constructor(options: PipelineMetricExporterOptions<R, S>) {
    super(options);
    this.#temporality = temporalitySelector(options.temporality ?? 'cumulative');
  }

  export(metrics: ResourceMetricsLike, resultCallback: (result: ExportResult) => void): void {
    this.exportItems([metrics], resultCallback);
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.#temporality(instrumentType);
  }
}

/**
 * Whether unmapped items fail the SDK's export. A span or log record that could not be mapped
 * does. A metrics export is one item holding many data points: points left out are counted
 * (rejected, dead letter, diag) while the rest are delivered, and the export fails only when the
 * mapping could not read it at all.
 */
function failsExport(signal: Signal, mappingThrew: boolean): boolean {
  return signal !== 'metrics' || mappingThrew;
}

function toExportResult(outcome: SubmitResult, unmapped: number, itemCount: number): ExportResult {
  const dropped = Object.values(outcome.dropped).reduce((sum, n) => sum + (n ?? 0), 0);
  if (dropped === 0 && unmapped === 0) return { code: ExportResultCode.SUCCESS };
  const parts: string[] = [];
  if (unmapped > 0) {
    parts.push(`${unmapped} of ${itemCount} items could not be mapped`);
  }
  if (dropped > 0) {
    parts.push(
      `${dropped} of ${outcome.accepted} records dropped (${outcome.firstDropDetail ?? 'unknown'})`,
    );
  }
  return {
    code: ExportResultCode.FAILED,
    error: new OtelpackError('OTELPACK_ERR_DROPPED', parts.join('; ')),
  };
}

function pointCount(items: readonly unknown[]): number {
  let count = 0;
  for (const item of items as ResourceMetricsLike[]) {
    for (const scope of item.scopeMetrics ?? []) {
      for (const metric of scope.metrics ?? []) count += metric.dataPoints?.length ?? 0;
    }
  }
  return count;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
