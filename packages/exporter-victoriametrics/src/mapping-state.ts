import { diag } from '@opentelemetry/api';
import type { Counter, MeterProvider } from '@opentelemetry/api';
import type {
  ItemMapping,
  MappedItems,
  ResourceMetricsLike,
  UnmappedItem,
} from '@otelpack/batching-core';
import type { RemoteWriteConfig } from './config';
import { DeltaToCumulative } from './delta';
import { POINT_DROP_REASONS, mapResourceMetrics } from './mapping';
import type { DroppedPoints, PointDropReason } from './mapping';
import type { TimeSeries } from './types';

/** What the mapping did, since the exporter was made. */
export interface MappingStats {
  /** `export()` calls from the SDK. */
  exports: number;
  /** Data points seen. */
  points: number;
  /** Series handed to the delivery core (the records its ledger counts). */
  series: number;
  /** Data points that became no series, by reason (see the README). */
  droppedPoints: Record<PointDropReason, number>;
  droppedPointsTotal: number;
  /** Label values cut to `maxLabelValueBytes`. */
  truncatedLabelValues: number;
  /** Series tracked for delta → cumulative accumulation. */
  deltaSeries: number;
}

/** Warn about each drop reason at once, then at most once a minute with the count since. */
const WARN_INTERVAL_MS = 60_000;
/** `otel.component.type` of the exporter class, as the kit names it for the core's self-metrics. */
const COMPONENT_TYPE = '@otelpack/exporter-victoriametrics.VictoriaMetricsExporter';

/**
 * One exporter's mapping: delta accumulation, then series. Data points that become no series are
 * handed to the kit as unmapped (one per point, with its metric and reason): the ledger counts
 * them as `rejected`, like every exporter's unmappable items; `mappingStats()` keeps the tally by
 * reason.
 */
export class RemoteWriteMapping implements ItemMapping<ResourceMetricsLike, TimeSeries> {
  readonly #stats: Omit<MappingStats, 'deltaSeries' | 'droppedPointsTotal'> = {
    exports: 0,
    points: 0,
    series: 0,
    droppedPoints: Object.fromEntries(POINT_DROP_REASONS.map((r) => [r, 0])) as Record<
      PointDropReason,
      number
    >,
    truncatedLabelValues: 0,
  };
  readonly #lastWarnMs = new Map<PointDropReason, number>();
  readonly #unwarned = new Map<PointDropReason, number>();
  readonly #delta: DeltaToCumulative | undefined;
  readonly #droppedCounter: Counter | undefined;
  readonly #config: RemoteWriteConfig;

  constructor(config: RemoteWriteConfig, meterProvider?: MeterProvider) {
    this.#config = config;
    this.#delta =
      config.deltaTemporality === 'accumulate'
        ? new DeltaToCumulative({ maxSeries: config.maxDeltaSeries, idleMs: 10 * 60_000 })
        : undefined;
    this.#droppedCounter = meterProvider
      ?.getMeter('@otelpack/exporter-victoriametrics', '0.1.0')
      .createCounter('otelpack.exporter.points.dropped', {
        description: 'OpenTelemetry data points that became no remote-write series, by reason',
        unit: '{point}',
      });
  }

  map(items: readonly ResourceMetricsLike[]): MappedItems<TimeSeries> {
    const records: TimeSeries[] = [];
    const unmapped: UnmappedItem[] = [];
    for (const resourceMetrics of items) {
      this.#stats.exports++;
      let input = resourceMetrics;
      if (this.#delta) {
        const converted = this.#delta.convert(resourceMetrics);
        input = converted.resourceMetrics;
        this.#countDropped(converted.droppedByMetric, unmapped);
      }
      const result = mapResourceMetrics(input, this.#config.mapping);
      this.#stats.points += result.points;
      this.#stats.series += result.series.length;
      this.#stats.truncatedLabelValues += result.truncatedLabelValues;
      this.#countDropped(result.droppedByMetric, unmapped);
      for (const note of result.notes) diag.warn(`otelpack ${this.#config.name}: ${note}`);
      for (const series of result.series) records.push(series);
    }
    return { records, unmapped };
  }

  stats(): MappingStats {
    const s = this.#stats;
    return {
      ...s,
      droppedPoints: { ...s.droppedPoints },
      droppedPointsTotal: Object.values(s.droppedPoints).reduce((a, b) => a + b, 0),
      deltaSeries: this.#delta?.size ?? 0,
    };
  }

  #countDropped(drops: readonly DroppedPoints[], unmapped: UnmappedItem[]): void {
    const now = Date.now();
    for (const { metric, reason, count } of drops) {
      this.#stats.droppedPoints[reason] += count;
      for (let i = 0; i < count; i++) {
        unmapped.push({ item: { metric, reason }, detail: `${reason}: a data point of ${metric}` });
      }
      this.#droppedCounter?.add(count, {
        'otel.component.type': COMPONENT_TYPE,
        'otelpack.exporter.name': this.#config.name,
        'otelpack.point.drop_reason': reason,
      });
      const pending = (this.#unwarned.get(reason) ?? 0) + count;
      const last = this.#lastWarnMs.get(reason);
      if (last === undefined || now - last >= WARN_INTERVAL_MS) {
        diag.warn(
          `otelpack ${this.#config.name}: dropped ${pending} data points (${reason}); see mappingStats() and the README`,
        );
        this.#lastWarnMs.set(reason, now);
        this.#unwarned.set(reason, 0);
      } else {
        this.#unwarned.set(reason, pending);
      }
    }
  }
}
