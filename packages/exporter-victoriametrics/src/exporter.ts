import { diag } from '@opentelemetry/api';
import type { Counter } from '@opentelemetry/api';
import { Pipeline, PipelineMetricExporter, pickPipelineOptions } from '@otelpack/batching-core';
import type { PipelineTuning, ResourceMetricsLike } from '@otelpack/batching-core';
import { EXPORTER_PIPELINE_DEFAULTS, resolveConfig } from './config';
import type { ResolvedConfig, VictoriaMetricsExporterOptions } from './config';
import { DeltaToCumulative } from './delta';
import { POINT_DROP_REASONS, mapResourceMetrics } from './mapping';
import type { PointDropReason } from './mapping';
import { RemoteWriteSender } from './sender';
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

class MappingState {
  readonly stats: Omit<MappingStats, 'deltaSeries' | 'droppedPointsTotal'> = {
    exports: 0,
    points: 0,
    series: 0,
    droppedPoints: Object.fromEntries(POINT_DROP_REASONS.map((r) => [r, 0])) as Record<
      PointDropReason,
      number
    >,
    truncatedLabelValues: 0,
  };
  private readonly lastWarnMs = new Map<PointDropReason, number>();
  private readonly unwarned = new Map<PointDropReason, number>();
  readonly delta: DeltaToCumulative | undefined;
  droppedCounter: Counter | undefined;

  constructor(
    private readonly config: ResolvedConfig,
    private readonly mapper: typeof mapResourceMetrics,
  ) {
    this.delta =
      config.deltaTemporality === 'accumulate'
        ? new DeltaToCumulative({ maxSeries: config.maxDeltaSeries, idleMs: 10 * 60_000 })
        : undefined;
  }

  map(resourceMetrics: ResourceMetricsLike): TimeSeries[] {
    this.stats.exports++;
    let input = resourceMetrics;
    if (this.delta) {
      const converted = this.delta.convert(resourceMetrics);
      input = converted.resourceMetrics;
      this.countDropped(converted.dropped);
    }
    const result = this.mapper(input, this.config.mapping);
    this.stats.points += result.points;
    this.stats.series += result.series.length;
    this.stats.truncatedLabelValues += result.truncatedLabelValues;
    this.countDropped(result.dropped);
    for (const note of result.notes) diag.warn(`otelpack ${this.config.name}: ${note}`);
    return result.series;
  }

  private countDropped(dropped: Partial<Record<PointDropReason, number>>): void {
    const now = Date.now();
    for (const reason of Object.keys(dropped) as PointDropReason[]) {
      const n = dropped[reason] ?? 0;
      if (n <= 0) continue;
      this.stats.droppedPoints[reason] += n;
      this.droppedCounter?.add(n, {
        'otelpack.exporter': this.config.name,
        'otelpack.signal': 'metrics',
        reason,
      });
      const pending = (this.unwarned.get(reason) ?? 0) + n;
      const last = this.lastWarnMs.get(reason);
      if (last === undefined || now - last >= WARN_INTERVAL_MS) {
        diag.warn(
          `otelpack ${this.config.name}: dropped ${pending} data points (${reason}); see mappingStats() and the README`,
        );
        this.lastWarnMs.set(reason, now);
        this.unwarned.set(reason, 0);
      } else {
        this.unwarned.set(reason, pending);
      }
    }
  }
}

/**
 * A PushMetricExporter (OpenTelemetry JS SDK 2.x and 3.x) that writes metrics to
 * VictoriaMetrics, or to any Prometheus remote-write receiver (Prometheus, Mimir, Thanos), over
 * remote write 1.0, through the otelpack delivery core. It asks the SDK for cumulative
 * temporality.
 */
export class VictoriaMetricsExporter extends PipelineMetricExporter<TimeSeries, RemoteWriteSender> {
  /** The resolved configuration: endpoints (credentials removed), headers, mapping options. */
  readonly endpoints: readonly string[];
  private readonly mappingState: MappingState;

  constructor(options: VictoriaMetricsExporterOptions = {}) {
    const config = resolveConfig(options);
    const sender = new RemoteWriteSender({
      endpoints: config.endpoints,
      transport: {
        headers: config.headers,
        ...(options.headerProvider ? { headerProvider: options.headerProvider } : {}),
        ...(options.tls ? { tls: options.tls } : {}),
        ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.connectTimeoutMs !== undefined
          ? { connectTimeoutMs: options.connectTimeoutMs }
          : {}),
        userAgent: 'otelpack-exporter-victoriametrics',
      },
    });
    // The exporter's defaults, then what the user gave (the core validates the values).
    const pipelineOptions: PipelineTuning<TimeSeries> = {
      ...EXPORTER_PIPELINE_DEFAULTS,
      ...pickPipelineOptions<TimeSeries>(options),
    };
    // Ordered delivery by default while one request is in flight: after an outage Prometheus
    // refuses a retried batch that arrives after a newer one. Whoever raises the concurrency
    // (for VictoriaMetrics, which takes any order) gets unordered delivery unless they ask.
    pipelineOptions.ordered ??=
      pipelineOptions.maxConcurrency === 1 && !pipelineOptions.adaptiveConcurrency;
    const pipeline = new Pipeline<TimeSeries>({
      ...pipelineOptions,
      name: config.name,
      signal: 'metrics',
      sender,
    });
    const state = new MappingState(config, mapResourceMetrics);
    super({ pipeline, sender, map: (rm) => state.map(rm), temporality: 'cumulative' });
    this.endpoints = config.endpoints.map((e) => e.display);
    this.mappingState = state;
    if (options.meterProvider) {
      state.droppedCounter = options.meterProvider
        .getMeter('@otelpack/exporter-victoriametrics')
        .createCounter('otelpack.exporter.points.dropped', {
          description: 'OpenTelemetry data points that became no remote-write series, by reason',
          unit: '{point}',
        });
    }
  }

  /** The sender (endpoints, failover position, bytes sent). */
  override get sender(): RemoteWriteSender {
    return super.sender;
  }

  /** What the mapping did; the delivery of the series it made is in `pipeline.stats()`. */
  mappingStats(): MappingStats {
    const s = this.mappingState.stats;
    return {
      ...s,
      droppedPoints: { ...s.droppedPoints },
      droppedPointsTotal: Object.values(s.droppedPoints).reduce((a, b) => a + b, 0),
      deltaSeries: this.mappingState.delta?.size ?? 0,
    };
  }
}
