import type { Attributes } from '@opentelemetry/api';
import type {
  AnyValueMap,
  DataPointLike,
  ItemMapping,
  MetricDataLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import type { OtlpRecord } from '@otelpack/exporter-otlp';
import { NEW_RELIC_ATTRIBUTE_LIMITS, limitAttributes } from './attributes';
import type { AttributeLimits } from './attributes';
import { AttributeBudget } from './budget';
import type { LimitEvent } from './codec';

/**
 * Data point attributes within New Relic's limits. A point is encoded without its resource in
 * sight, so the limit is applied here, on the SDK's collections, where the resource's share of
 * the 150 attributes is known; collections without a change are passed on as they are.
 */
export function limitPoints(
  collections: readonly ResourceMetricsLike[],
  budget: AttributeBudget,
  limits: AttributeLimits = NEW_RELIC_ATTRIBUTE_LIMITS,
  onLimited?: (event: LimitEvent) => void,
): ResourceMetricsLike[] {
  return collections.map((collection) => {
    const max = budget.forRecord(collection.resource);
    let changed = false;
    const scopeMetrics = collection.scopeMetrics.map((scoped) => {
      const metrics = scoped.metrics.map((metric) => {
        let metricChanged = false;
        const dataPoints = (metric.dataPoints as DataPointLike<unknown>[]).map((point) => {
          const limited = limitAttributes(point.attributes as AnyValueMap, limits, max);
          if (limited.attributes === point.attributes) return point;
          metricChanged = true;
          try {
            onLimited?.({
              item: 'data point',
              shortened: limited.shortened,
              dropped: limited.dropped,
            });
          } catch {
            // A report must not turn into a failed mapping.
          }
          return { ...point, attributes: limited.attributes as Attributes };
        });
        if (!metricChanged) return metric;
        changed = true;
        return { ...metric, dataPoints } as MetricDataLike;
      });
      return metrics.some((m, i) => m !== scoped.metrics[i]) ? { ...scoped, metrics } : scoped;
    });
    return changed ? { ...collection, scopeMetrics } : collection;
  });
}

/** exporter-otlp's metric mapping, after `limitPoints`. */
export function withPointLimits(
  mapping: ItemMapping<ResourceMetricsLike, OtlpRecord>,
  onLimited?: (event: LimitEvent) => void,
): ItemMapping<ResourceMetricsLike, OtlpRecord> {
  const budget = new AttributeBudget('metrics');
  return {
    map: (collections) =>
      mapping.map(limitPoints(collections, budget, NEW_RELIC_ATTRIBUTE_LIMITS, onLimited)),
  };
}
