import type { HrTime } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  MetricDataLike,
  UnmappedItem,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { cleanKey, toJsonObject } from './json-value';
import type { JsonObject, JsonValue } from './json-value';
import { applyMappingHints, dynamicTemplateFor, pointValue } from './metric-values';
import { MAPPING_HINTS_ATTRIBUTE, ROUTING_ATTRIBUTES, resolveTarget } from './routing';
import { epochMillis } from './time';
import type { BulkDocument, MappingResult, MappingSettings, Target } from './types';

export interface GroupedMetric {
  name: string;
  value: JsonValue;
  dynamicTemplate: string;
  /** The data point's count, when its mapping hints ask for `_doc_count`. */
  docCount: number | undefined;
}

/**
 * Data points that share resource, scope, attributes, timestamps, unit and target: they become
 * one document, each metric a field, as the Collector's `otel` mode groups them.
 */
export interface MetricGroup {
  target: Target;
  scope: InstrumentationScopeLike;
  /** The data points' attributes, converted, without routing attributes. */
  attributes: JsonObject;
  startTime: HrTime;
  endTime: HrTime;
  unit: string;
  metrics: GroupedMetric[];
}

export interface MetricGrouping {
  groups: MetricGroup[];
  /** Data points that make no document (with their metric), and why. */
  invalid: UnmappedItem[];
}

/** Attribute maps compared by content, whatever the order of their keys. */
function canonical(attributes: JsonObject): string {
  const keys = Object.keys(attributes).sort();
  let out = '';
  for (const key of keys) out += `${JSON.stringify(key)}:${JSON.stringify(attributes[key])},`;
  return out;
}

export function groupMetrics(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
): MetricGrouping {
  const resourceAttributes = resourceMetrics.resource?.attributes;
  const groups: MetricGroup[] = [];
  const invalid: UnmappedItem[] = [];
  // One key may hold several groups: a metric name met twice starts another document rather
  // than overwriting the first value.
  const byKey = new Map<string, MetricGroup[]>();

  (resourceMetrics.scopeMetrics ?? []).forEach((scopeMetrics, scopeIndex) => {
    const scope = scopeMetrics.scope ?? { name: '' };
    for (const metric of scopeMetrics.metrics ?? []) {
      const name = cleanKey(String(metric.descriptor?.name ?? ''), settings.limits);
      const unit = typeof metric.descriptor?.unit === 'string' ? metric.descriptor.unit : '';
      const dynamicTemplate = dynamicTemplateFor(metric);
      for (const point of (metric.dataPoints ?? []) as MetricDataLike['dataPoints']) {
        const hinted = applyMappingHints(
          metric,
          point.value,
          point.attributes?.[MAPPING_HINTS_ATTRIBUTE],
          dynamicTemplate,
        );
        const converted = hinted.value ?? pointValue(metric, point.value);
        if (!converted.ok) {
          invalid.push({
            item: { metric, dataPoint: point },
            detail: `metric ${name}: ${converted.problem}`,
          });
          continue;
        }
        const attributes = toJsonObject(point.attributes, settings.limits, ROUTING_ATTRIBUTES);
        const target = resolveTarget(
          'metrics',
          settings,
          [point.attributes, scope.attributes, resourceAttributes],
          point.endTime,
          scope.name,
        );
        const key = [
          scopeIndex,
          target.index,
          epochMillis(point.endTime),
          epochMillis(point.startTime),
          unit,
          canonical(attributes),
        ].join('\u0000');
        const candidates = byKey.get(key) ?? [];
        let group = candidates.find((g) => !g.metrics.some((m) => m.name === name));
        if (!group) {
          group = {
            target,
            scope,
            attributes,
            startTime: point.startTime,
            endTime: point.endTime,
            unit,
            metrics: [],
          };
          candidates.push(group);
          byKey.set(key, candidates);
          groups.push(group);
        }
        group.metrics.push({
          name,
          value: converted.value,
          dynamicTemplate: hinted.dynamicTemplate,
          docCount: hinted.docCount,
        });
      }
    }
  });
  return { groups, invalid };
}

/** One document per group, in each mode's shape; the data points no group took are listed. */
export function metricGroupDocuments(
  resourceMetrics: ResourceMetricsLike,
  settings: MappingSettings,
  groupDocument: (group: MetricGroup) => BulkDocument,
): MappingResult {
  const { groups, invalid } = groupMetrics(resourceMetrics, settings);
  return { documents: groups.map((group) => groupDocument(group)), invalid };
}
