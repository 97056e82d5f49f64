import { dogStatsDTarget } from './dogstatsd-target';
import type { DogStatsDTarget } from './dogstatsd-target';
import type { MetricMappingOptions } from './metrics/mapping';
import { DATADOG_OPTIONS } from './options';
import type { DatadogExporterOptions, InitialCumulativeValue } from './options';
import type { ServiceTags } from './tags';

export type DatadogResolved = ReturnType<typeof DATADOG_OPTIONS.resolve>;

/** A cumulative series not updated for an hour is forgotten (the translator's `delta_ttl`). */
export const CUMULATIVE_IDLE_MS = 3_600_000;

export interface MetricsConfig {
  name: string;
  target: DogStatsDTarget;
  mapping: MetricMappingOptions;
  cumulative: { maxSeries: number; idleMs: number; initialValue: InitialCumulativeValue };
}

function serviceTags(config: DatadogResolved): ServiceTags {
  const own = config.own;
  return {
    ...(own.service !== undefined ? { service: own.service } : {}),
    ...(own.env !== undefined ? { env: own.env } : {}),
    ...(own.version !== undefined ? { version: own.version } : {}),
  };
}

/** What the DogStatsD sender and mapping need; the metric exporter takes no `url`. */
export function metricsConfig(config: DatadogResolved): MetricsConfig {
  const own = config.own;
  return {
    name: config.name,
    target: dogStatsDTarget(config.own, (option) => config.sourceOf(option)),
    mapping: {
      timestamps: own.timestamps,
      histograms: own.histograms,
      histogramAggregations: own.histogramAggregations,
      resourceAttributesAsTags: own.resourceAttributesAsTags,
      globalTags: own.tags,
      fallback: serviceTags(config),
      ...(own.hostname !== undefined ? { hostname: own.hostname } : {}),
    },
    cumulative: {
      maxSeries: own.maxCumulativeSeries,
      idleMs: CUMULATIVE_IDLE_MS,
      initialValue: own.initialCumulativeValue,
    },
  };
}

/** Every option checked and defaulted, for the metric exporter. */
export function resolveMetricsConfig(options: DatadogExporterOptions = {}): MetricsConfig {
  return metricsConfig(DATADOG_OPTIONS.resolve(options, 'metrics'));
}

export { serviceTags };
