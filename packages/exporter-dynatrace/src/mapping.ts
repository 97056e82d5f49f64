import { diag } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  attributesIdentity,
  hrTimeToEpochMs,
} from '@otelpack/batching-core';
import type {
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  ItemMapping,
  MappedItems,
  MetricDataLike,
  ResourceMetricsLike,
  UnmappedItem,
} from '@otelpack/batching-core';
import { attributeText, DimensionWriter } from './dimensions';
import type { Dimension } from './dimensions';
import { countPayload, formatLine, gaugePayload, lineTimestamp, metadataLine } from './lines';
import { MetadataMemory } from './metadata';
import { normalizeDimensionKey, normalizeDimensionValue, normalizeMetricKey } from './normalize';
import { estimateBounds, histogramSum, summaryOf } from './summary';
import { DEFAULT_MAX_SERIES, SeriesState, forgottenSeries } from './temporality';

export interface LineMappingOptions {
  /** Joined to every key with a dot. */
  prefix?: string;
  /** Dimensions on every line, under the point's own. */
  defaultDimensions: readonly Dimension[];
  /** Dimensions on every line, over the point's own (the OneAgent's metadata). */
  staticDimensions: readonly Dimension[];
  /** Resource attributes written as dimensions. */
  resourceAttributes: readonly string[];
  /**
   * A `#key … dt.meta.description=…,dt.meta.unit=…` line with a metric's points until the ingest
   * has settled one (see metadata.ts).
   */
  metadataLines: boolean;
  /** Which metadata lines the ingest settled (the sender tells it); one of its own when not given. */
  metadata?: MetadataMemory;
  /** Series remembered for cumulative → delta. */
  maxSeries?: number;
}

type Kind = 'gauge' | 'count';

// Metric names whose keys are remembered, so that normalisation runs once per metric.
const KEY_MEMORY = 10_000;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The ingest appends `.count` to a count's key that lacks it, and `.gauge` to a gauge's that has
 * it (and says so in warnings): the key is given that form here, so metadata lines, and what the
 * README tells users to chart, name the key the ingest keeps.
 */
export function keyForKind(key: string, kind: Kind): string {
  const counted = key.endsWith('.count');
  if (kind === 'count') return counted ? key : withSuffix(key, '.count');
  return counted ? withSuffix(key, '.gauge') : key;
}

/** The protocol page: "The length of the key must be in range from 3 to 255 characters". */
const MAX_INGEST_KEY_LENGTH = 255;

/**
 * `key` and `suffix`, the key cut (at a section's end where it can) so that both fit the ingest's
 * 255 characters: normalisation cut the key to 250, which `.count` or `.gauge` took to 256.
 */
function withSuffix(key: string, suffix: string): string {
  if (key.length + suffix.length <= MAX_INGEST_KEY_LENGTH) return key + suffix;
  // No empty section (`a..count`) or trailing separator is left at the cut.
  const cut = key.slice(0, MAX_INGEST_KEY_LENGTH - suffix.length).replace(/[._-]+$/, '');
  return cut + suffix;
}

/** Why the ingest would refuse a normalised key (the protocol page's rules), or undefined. */
export function refusedKey(key: string): string | undefined {
  if (key.length < 3)
    return `the metric key '${key}' is shorter than the 3 characters Dynatrace takes`;
  if (key.startsWith('dt.'))
    return `the metric key '${key}' has the prefix dt., which Dynatrace reserves`;
  return undefined;
}

/**
 * SDK metrics → lines: one per data point (plus metadata lines), with the point's end time.
 * Points the ingest would refuse (no valid key, too many dimensions, too long a line, a non-finite
 * value) are unmapped with the reason, which the kit counts as rejected.
 */
export class LineMapping implements ItemMapping<ResourceMetricsLike, string> {
  private readonly dimensions: DimensionWriter;
  private readonly state: SeriesState;
  private readonly maxSeries: number;
  private readonly keys = new Map<string, string | null>();
  private readonly metadata: MetadataMemory;
  // The metadata lines of the current map() call, so that a metric in two resources has one.
  private readonly written = new Set<string>();

  constructor(private readonly options: LineMappingOptions) {
    this.dimensions = new DimensionWriter(options.defaultDimensions, options.staticDimensions);
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.state = new SeriesState(this.maxSeries, Date.now, () =>
      diag.warn(
        `otelpack dynatrace metrics: ${forgottenSeries(this.maxSeries)} (and for every series not seen since; a reader that hands delta points, the default temporality, keeps no state)`,
      ),
    );
    this.metadata = options.metadata ?? new MetadataMemory();
  }

  map(items: readonly ResourceMetricsLike[]): MappedItems<string> {
    const records: string[] = [];
    const unmapped: UnmappedItem[] = [];
    this.written.clear();
    for (const item of items) {
      const resource = this.resourceDimensions(item.resource.attributes);
      const resourceId = attributesIdentity(item.resource.attributes);
      for (const scope of item.scopeMetrics) {
        const scopeId = `${resourceId}\u0000${scope.scope.name}\u0000${scope.scope.version ?? ''}`;
        for (const metric of scope.metrics) {
          this.mapMetric(metric, resource, scopeId, records, unmapped);
        }
      }
    }
    return { records, unmapped };
  }

  private resourceDimensions(attributes: Record<string, unknown>): Dimension[] {
    const result: Dimension[] = [];
    for (const name of this.options.resourceAttributes) {
      const text = attributeText(attributes[name] as never);
      const key = normalizeDimensionKey(name);
      if (text !== undefined && key !== undefined)
        result.push([key, normalizeDimensionValue(text)]);
    }
    return result;
  }

  private metricKey(name: string): string | undefined {
    let key = this.keys.get(name);
    if (key === undefined) {
      const full = this.options.prefix ? `${this.options.prefix}.${name}` : name;
      key = normalizeMetricKey(full) ?? null;
      if (this.keys.size >= KEY_MEMORY) this.keys.clear();
      this.keys.set(name, key);
    }
    return key ?? undefined;
  }

  private kindOf(metric: MetricDataLike): Kind {
    if (metric.dataPointType !== DataPointType.SUM || !metric.isMonotonic) return 'gauge';
    return 'count';
  }

  private mapMetric(
    metric: MetricDataLike,
    resource: readonly Dimension[],
    scopeId: string,
    records: string[],
    unmapped: UnmappedItem[],
  ): void {
    const base = this.metricKey(metric.descriptor.name);
    if (base === undefined) {
      const detail = `the metric name ${JSON.stringify(metric.descriptor.name)} makes no valid Dynatrace metric key`;
      for (const point of metric.dataPoints) unmapped.push({ item: { metric, point }, detail });
      return;
    }
    const kind = this.kindOf(metric);
    const key = keyForKind(base, kind);
    const refusal = refusedKey(key);
    if (refusal !== undefined) {
      for (const point of metric.dataPoints)
        unmapped.push({ item: { metric, point }, detail: refusal });
      return;
    }
    if (this.options.metadataLines && metric.dataPoints.length > 0) {
      this.describe(key, kind, metric, records);
    }
    for (const point of metric.dataPoints as DataPointLike<unknown>[]) {
      try {
        const dimensions = this.dimensions.format(resource, point.attributes);
        // The state of a series is kept by what the SDK tells apart (its resource, scope, name
        // and attributes as given), not by its line, which joins series: two meters' counters
        // of one name (the http and undici instrumentations' http.client.request.duration), two
        // resources of one service, keys and values cut or lower-cased alike. Joined, each
        // point read as a reset or a delta of the other.
        // Made only for the points that keep state (cumulative ones, delta up-down counters):
        // the default temporality's gauges and delta counters never pay for it.
        const id = () =>
          `${scopeId}\u0000${metric.descriptor.name}\u0000${attributesIdentity(point.attributes)}`;
        const payload = this.payload(metric, point, id);
        records.push(
          formatLine(key, dimensions, payload, lineTimestamp(hrTimeToEpochMs(point.endTime))),
        );
      } catch (error) {
        unmapped.push({ item: { metric, point }, detail: messageOf(error) });
      }
    }
  }

  private describe(key: string, kind: Kind, metric: MetricDataLike, records: string[]): void {
    const { description, unit } = metric.descriptor;
    const line = metadataLine(key, kind, description, unit);
    if (line === undefined || this.written.has(line) || this.metadata.isSettled(line)) return;
    this.written.add(line);
    records.push(line);
  }

  /** A value the series state could give; its point is refused, counted, where it could not. */
  private known<T>(value: T | undefined): T {
    if (value === undefined) throw new Error(forgottenSeries(this.maxSeries));
    return value;
  }

  /** The point's payload, from its delta where the ingest needs one. */
  private payload(metric: MetricDataLike, point: DataPointLike<unknown>, id: () => string): string {
    const cumulative = metric.aggregationTemporality === AggregationTemporality.CUMULATIVE;
    const startMs = hrTimeToEpochMs(point.startTime);
    switch (metric.dataPointType) {
      case DataPointType.GAUGE:
        return gaugePayload(point.value as number);
      case DataPointType.SUM: {
        const value = point.value as number;
        if (metric.isMonotonic) {
          return countPayload(
            cumulative ? this.known(this.state.sumDelta(id(), startMs, value)) : value,
          );
        }
        return gaugePayload(cumulative ? value : this.known(this.state.total(id(), value)));
      }
      case DataPointType.HISTOGRAM: {
        const value = (point as DataPointLike<HistogramValue>).value;
        const counts = {
          count: value.count,
          sum: histogramSum(value),
          counts: value.buckets.counts,
        };
        if (!cumulative) {
          const bounds =
            value.min !== undefined && value.max !== undefined
              ? { min: value.min, max: value.max }
              : estimateBounds(value.buckets.boundaries, value.buckets.counts);
          return summaryOf(counts, bounds);
        }
        const delta = this.known(this.state.histogramDelta(id(), startMs, counts));
        // A cumulative min/max spans every interval so far: only a first point's are this delta's.
        const own = delta === counts && value.min !== undefined && value.max !== undefined;
        const bounds = own
          ? { min: value.min, max: value.max }
          : estimateBounds(value.buckets.boundaries, delta.counts);
        return summaryOf(delta, bounds);
      }
      case DataPointType.EXPONENTIAL_HISTOGRAM: {
        const value = (point as DataPointLike<ExponentialHistogramValue>).value;
        const counts = { count: value.count, sum: histogramSum(value), counts: [] };
        const delta = cumulative
          ? this.known(this.state.histogramDelta(id(), startMs, counts))
          : counts;
        const own = delta === counts;
        return summaryOf(delta, own ? { min: value.min, max: value.max } : undefined);
      }
    }
  }
}
