import { DataPointType, setOwnField } from '@otelpack/batching-core';
import type {
  DataPointLike,
  HistogramValue,
  MetricDataLike,
  ResourceMetricsLike,
  UnmappedItem,
} from '@otelpack/batching-core';
import { sanitizeFloat } from './event';
import type { HecEvent } from './event';
import { defaultRoute, envelope, takeRouting } from './routing';
import type { Route, RoutingOptions } from './routing';
import { asString, epochSecondsMs, formatFloatG } from './values';

/** The Collector's keys: `metric_name:<name>` per value, `metric_type` per event. */
export const METRIC_NAME_PREFIX = 'metric_name:';
export const METRIC_TYPE_FIELD = 'metric_type';

/** `@opentelemetry/api`'s ValueType.INT: integer instruments keep integer values. */
const VALUE_TYPE_INT = 0;

export interface MetricMappingOptions extends RoutingOptions {
  /** Merge events that differ only in their values into one (Splunk 8.0's multiple-metric format). */
  multiMetric: boolean;
}

export interface MetricEvents {
  events: HecEvent[];
  unmapped: UnmappedItem[];
}

/**
 * The Collector's `mapMetricToSplunkEvent`, for one export: an event `"metric"` per value, with the
 * resource's attributes (as text) and the point's as dimensions, `metric_type` Gauge | Sum |
 * Histogram, and the value under `metric_name:<name>`. Histograms: `_sum` (left out when absent or
 * NaN), `_count`, then a cumulative `_bucket` per bound with `le`, and `le="+Inf"`; their buckets
 * are left out when the counts do not match the bounds. Exponential histograms, which the
 * Collector does not map either, are reported as unmapped, each point with why.
 */
export function resourceMetricsToEvents(
  resourceMetrics: ResourceMetricsLike,
  options: MetricMappingOptions,
): MetricEvents {
  const route = defaultRoute(options);
  const common: Record<string, unknown> = {};
  const resource = resourceMetrics.resource.attributes;
  for (const key of Object.keys(resource)) {
    // Assigned, a key named `__proto__` would be lost (setOwnField says why).
    if (!takeRouting(route, key, resource[key])) setOwnField(common, key, asString(resource[key]));
  }
  const events: HecEvent[] = [];
  const unmapped: UnmappedItem[] = [];
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) mapMetric(metric, route, common, events, unmapped);
  }
  return { events: options.multiMetric ? mergeMultiMetric(events) : events, unmapped };
}

function mapMetric(
  metric: MetricDataLike,
  route: Route,
  common: Record<string, unknown>,
  events: HecEvent[],
  unmapped: UnmappedItem[],
): void {
  const name = METRIC_NAME_PREFIX + metric.descriptor.name;
  // Read before the switch narrows it away: a producer outside the SDK can send any type.
  const pointType: number = metric.dataPointType;
  switch (metric.dataPointType) {
    case DataPointType.GAUGE:
    case DataPointType.SUM: {
      const type = metric.dataPointType === DataPointType.GAUGE ? 'Gauge' : 'Sum';
      const integer = metric.descriptor.valueType === VALUE_TYPE_INT;
      for (const point of metric.dataPoints) {
        const value =
          integer && Number.isInteger(point.value) ? point.value : sanitizeFloat(point.value);
        events.push(metricEvent(route, common, point, type, { [name]: value }));
      }
      return;
    }
    case DataPointType.HISTOGRAM:
      for (const point of metric.dataPoints) histogramEvents(route, common, point, name, events);
      return;
    default:
      for (const point of metric.dataPoints) {
        unmapped.push({
          item: { metric: metric.descriptor.name, point },
          detail:
            pointType === DataPointType.EXPONENTIAL_HISTOGRAM
              ? 'exponential histograms have no HEC mapping (the Collector drops them as "Point with unsupported type"); use an explicit-bucket histogram view'
              : `data point type ${pointType} has no HEC mapping (the Collector drops it as "Point with unsupported type")`,
        });
      }
  }
}

function histogramEvents(
  route: Route,
  common: Record<string, unknown>,
  point: DataPointLike<HistogramValue>,
  name: string,
  events: HecEvent[],
): void {
  const { sum, count, buckets } = point.value;
  if (sum !== undefined && !Number.isNaN(sum)) {
    events.push(
      metricEvent(route, common, point, 'Histogram', { [`${name}_sum`]: sanitizeFloat(sum) }),
    );
  }
  events.push(metricEvent(route, common, point, 'Histogram', { [`${name}_count`]: count }));
  const { boundaries, counts } = buckets;
  if (counts.length === 0 || counts.length !== boundaries.length + 1) return;
  let cumulative = 0;
  for (let i = 0; i < boundaries.length; i++) {
    cumulative += counts[i];
    events.push(
      metricEvent(
        route,
        common,
        point,
        'Histogram',
        { [`${name}_bucket`]: cumulative },
        formatFloatG(boundaries[i]),
      ),
    );
  }
  cumulative += counts[counts.length - 1];
  events.push(
    metricEvent(route, common, point, 'Histogram', { [`${name}_bucket`]: cumulative }, '+Inf'),
  );
}

function metricEvent(
  route: Route,
  common: Record<string, unknown>,
  point: DataPointLike<unknown>,
  type: string,
  values: Record<string, unknown>,
  le?: string,
): HecEvent {
  const fields: Record<string, unknown> = { ...common };
  const attributes = point.attributes;
  for (const key of Object.keys(attributes)) setOwnField(fields, key, asString(attributes[key]));
  if (le !== undefined) fields.le = le;
  Object.assign(fields, values);
  fields[METRIC_TYPE_FIELD] = type;
  return { time: epochSecondsMs(point.endTime), ...envelope(route), event: 'metric', fields };
}

/**
 * The Collector's `mergeEventsToMultiMetricFormat`: events equal but for their `metric_name:`
 * fields become one, in the position of the first, a later value winning for the same name.
 * Compared on their full content (the Collector compares 32-bit hashes of it, which can collide).
 */
export function mergeMultiMetric(events: HecEvent[]): HecEvent[] {
  const byKey = new Map<string, HecEvent>();
  const merged: HecEvent[] = [];
  for (const event of events) {
    const key = identity(event);
    const first = byKey.get(key);
    if (!first) {
      const copy = { ...event, fields: { ...event.fields } };
      byKey.set(key, copy);
      merged.push(copy);
      continue;
    }
    for (const field of Object.keys(event.fields)) {
      if (field.startsWith(METRIC_NAME_PREFIX)) first.fields[field] = event.fields[field];
    }
  }
  return merged;
}

function identity(event: HecEvent): string {
  const dimensions = Object.keys(event.fields)
    .filter((k) => !k.startsWith(METRIC_NAME_PREFIX))
    .sort()
    .map((k) => [k, event.fields[k]]);
  return JSON.stringify([
    event.time,
    event.host,
    event.source,
    event.sourcetype,
    event.index,
    event.event,
    dimensions,
  ]);
}
