import { diag } from '@opentelemetry/api';
import { InvalidConfigError, OtelpackError } from '../errors';
import type { Pipeline, SubmitResult } from '../pipeline';
import { AggregationTemporality, ExportResultCode } from './types';
import type {
  ExportResult,
  InstrumentType,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from './types';

/** Maps one SDK item to the records the pipeline carries; may throw on input it cannot map. */
export type RecordMapper<I, R> = (item: I) => R | R[] | undefined;

export interface PipelineExporterOptions<I, R> {
  pipeline: Pipeline<R>;
  map: RecordMapper<I, R>;
}

/**
 * What the three SDK exporter interfaces share: map, hand to the pipeline, report. It never
 * throws into the SDK and never calls back twice; a record that cannot be mapped is counted as
 * dropped (`rejected`) rather than lost from the ledger.
 */
abstract class PipelineExporterBase<I, R> {
  readonly pipeline: Pipeline<R>;
  private readonly mapItem: RecordMapper<I, R>;

  protected constructor(options: PipelineExporterOptions<I, R>) {
    if (!options?.pipeline) throw new InvalidConfigError('pipeline', 'is required');
    if (typeof options.map !== 'function') {
      throw new InvalidConfigError('map', 'expected a function from an SDK item to records');
    }
    this.pipeline = options.pipeline;
    this.mapItem = options.map;
  }

  protected exportItems(items: readonly I[], resultCallback: (result: ExportResult) => void): void {
    let called = false;
    const done = (result: ExportResult): void => {
      if (called) return;
      called = true;
      try {
        resultCallback(result);
      } catch (error) {
        diag.error(`otelpack ${this.pipeline.name}: the SDK's export callback threw`, error);
      }
    };
    try {
      const records: R[] = [];
      let unmapped = 0;
      let firstError: unknown;
      for (const item of items) {
        try {
          const mapped = this.mapItem(item);
          if (Array.isArray(mapped)) records.push(...mapped);
          else if (mapped !== undefined) records.push(mapped);
        } catch (error) {
          unmapped++;
          firstError ??= error;
        }
      }
      if (unmapped > 0) {
        const detail = `could not map ${unmapped} ${this.pipeline.signal} items: ${messageOf(firstError)}`;
        diag.error(`otelpack ${this.pipeline.name}: ${detail}`);
        this.pipeline.countUnmapped(unmapped, detail);
      }
      this.pipeline.submit(records).then(
        (outcome) => done(toExportResult(outcome, unmapped, items.length)),
        (error: unknown) => done({ code: ExportResultCode.FAILED, error: asError(error) }),
      );
    } catch (error) {
      diag.error(`otelpack ${this.pipeline.name}: export failed`, error);
      done({ code: ExportResultCode.FAILED, error: asError(error) });
    }
  }

  forceFlush(): Promise<void> {
    return this.pipeline.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.pipeline.shutdown();
  }
}

/** A `SpanExporter` (sdk-trace-base 2.x, sdk-trace 3.x) on a pipeline. */
export class PipelineSpanExporter<R> extends PipelineExporterBase<ReadableSpanLike, R> {
  constructor(options: PipelineExporterOptions<ReadableSpanLike, R>) {
    super(options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    this.exportItems(spans, resultCallback);
  }
}

/** A `LogRecordExporter` (sdk-logs 0.2xx and 3.x) on a pipeline. */
export class PipelineLogRecordExporter<R> extends PipelineExporterBase<ReadableLogRecordLike, R> {
  constructor(options: PipelineExporterOptions<ReadableLogRecordLike, R>) {
    super(options);
  }

  export(logs: ReadableLogRecordLike[], resultCallback: (result: ExportResult) => void): void {
    this.exportItems(logs, resultCallback);
  }
}

/**
 * - `cumulative`: every instrument cumulative (Prometheus remote write, ClickHouse, Elasticsearch).
 * - `delta`: counters, observable counters and histograms delta; up-down counters cumulative, as
 *   the OTLP exporters' delta preference does (Datadog, New Relic, Dynatrace).
 * - `lowmemory`: synchronous counters and histograms delta, the rest cumulative.
 */
export type TemporalityPreference = 'cumulative' | 'delta' | 'lowmemory';

export interface PipelineMetricExporterOptions<R> extends PipelineExporterOptions<
  ResourceMetricsLike,
  R
> {
  temporality?:
    TemporalityPreference | ((instrumentType: InstrumentType) => AggregationTemporality);
}

/** A `PushMetricExporter` (sdk-metrics 2.x and 3.x) on a pipeline. */
export class PipelineMetricExporter<R> extends PipelineExporterBase<ResourceMetricsLike, R> {
  private readonly temporality: (instrumentType: InstrumentType) => AggregationTemporality;

  constructor(options: PipelineMetricExporterOptions<R>) {
    super(options);
    this.temporality = temporalitySelector(options.temporality ?? 'cumulative');
  }

  export(metrics: ResourceMetricsLike, resultCallback: (result: ExportResult) => void): void {
    this.exportItems([metrics], resultCallback);
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    return this.temporality(instrumentType);
  }
}

export function temporalitySelector(
  preference: TemporalityPreference | ((instrumentType: InstrumentType) => AggregationTemporality),
): (instrumentType: InstrumentType) => AggregationTemporality {
  if (typeof preference === 'function') return preference;
  const { CUMULATIVE, DELTA } = AggregationTemporality;
  switch (preference) {
    case 'cumulative':
      return () => CUMULATIVE;
    case 'delta':
      return (type) =>
        type === 'UP_DOWN_COUNTER' || type === 'OBSERVABLE_UP_DOWN_COUNTER' ? CUMULATIVE : DELTA;
    case 'lowmemory':
      return (type) => (type === 'COUNTER' || type === 'HISTOGRAM' ? DELTA : CUMULATIVE);
    default:
      throw new InvalidConfigError(
        'temporality',
        `expected 'cumulative', 'delta', 'lowmemory' or a selector function, got ${JSON.stringify(preference)}`,
      );
  }
}

function toExportResult(outcome: SubmitResult, unmapped: number, itemCount: number): ExportResult {
  const dropped = Object.values(outcome.dropped).reduce((sum, n) => sum + (n ?? 0), 0);
  if (dropped === 0 && unmapped === 0) return { code: ExportResultCode.SUCCESS };
  const parts: string[] = [];
  if (unmapped > 0) parts.push(`${unmapped} of ${itemCount} items could not be mapped`);
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
