import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, attributesIdentity } from '@otelpack/batching-core';
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
import type { HistogramMode } from '../options';
import { attributeText, hostnameFromResource, tagsFromResource } from '../tags';
import type { ServiceTags } from '../tags';
import { CumulativeToDelta } from './cumulative';
import type { CumulativeOptions } from './cumulative';
import { encodeLine, sanitizeMetricName, sanitizeTag } from './datagram';
import type { DogStatsDType, MetricLine } from './datagram';
import {
  explicitBucketValues,
  exponentialBucketValues,
  formatBound,
  rateForCount,
} from './histograms';
import type { WeightedValue } from './histograms';

/*
 * OpenTelemetry metrics → DogStatsD lines, by the Datadog translator's rules
 * (opentelemetry-mapping-go pkg/otlp/metrics): gauges → `g`; delta sums → `c`; cumulative
 * monotonic sums → deltas as `c`; cumulative non-monotonic sums → `g`; histograms by `histograms`;
 * summaries → `.count`/`.sum` counts and `.quantile` gauges. Counts and gauges carry the point's
 * end time (`|T`), so Datadog stores a count as a count, not as a per-second rate.
 */

/** sdk-metrics has no summary; bridges (Prometheus) may hand one over with this type. */
export const SUMMARY_DATA_POINT_TYPE = 4;

export interface SummaryValue {
  count: number;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}

export interface MetricMappingOptions {
  timestamps: boolean;
  histograms: HistogramMode;
  histogramAggregations: boolean;
  resourceAttributesAsTags: boolean;
  /** Tags on every line (`DD_TAGS`), `key:value`. */
  globalTags: readonly string[];
  fallback: ServiceTags;
  hostname?: string;
}

export interface MetricMappingStats {
  /** First points of cumulative series, kept as the baseline of the next delta. */
  baselines: number;
  /** Series remembered for delta conversion. */
  cumulativeSeries: number;
}

type Point<T> = DataPointLike<T>;

/** A cumulative series' key in the delta state: the metric's name and suffix, its point's attributes. */
type SeriesKey = (suffix: string, attributes: Attributes) => string;

function seconds(time: HrTime): number {
  return time[0];
}

function pointTags(attributes: Attributes, resourceTags: readonly string[]): string[] {
  const tags: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    tags.push(sanitizeTag(key, attributeText(value)));
  }
  for (const tag of resourceTags) tags.push(tag);
  return tags;
}

/** Splits `key:value` once, for a tag given as text (DD_TAGS), and sanitises both halves. */
function sanitizeTagText(tag: string): string {
  const at = tag.indexOf(':');
  return at <= 0
    ? sanitizeTag(tag, '').replace(/:n\/a$/, '')
    : sanitizeTag(tag.slice(0, at), tag.slice(at + 1));
}

export class DogStatsDMapping implements ItemMapping<ResourceMetricsLike, MetricLine> {
  private readonly cumulative: CumulativeToDelta;
  private baselines = 0;

  constructor(
    private readonly options: MetricMappingOptions,
    cumulative: CumulativeOptions,
  ) {
    this.cumulative = new CumulativeToDelta(cumulative);
  }

  stats(): MetricMappingStats {
    return { baselines: this.baselines, cumulativeSeries: this.cumulative.size };
  }

  map(items: readonly ResourceMetricsLike[]): MappedItems<MetricLine> {
    const records: MetricLine[] = [];
    const unmapped: UnmappedItem[] = [];
    for (const resourceMetrics of items) this.mapResource(resourceMetrics, records, unmapped);
    return { records, unmapped };
  }

  private resourceTags(attributes: Attributes): string[] {
    const tags = tagsFromResource(attributes, {
      allAttributes: this.options.resourceAttributesAsTags,
      fallback: this.options.fallback,
    }).map(sanitizeTagText);
    const host = hostnameFromResource(attributes, this.options.hostname);
    // The Agent takes a `host:` tag as the metric's host name.
    if (host !== undefined) tags.push(sanitizeTag('host', host));
    for (const tag of this.options.globalTags) tags.push(sanitizeTagText(tag));
    return [...new Set(tags)];
  }

  private mapResource(
    resourceMetrics: ResourceMetricsLike,
    records: MetricLine[],
    unmapped: UnmappedItem[],
  ): void {
    const resourceAttributes = resourceMetrics.resource?.attributes ?? {};
    const resourceTags = this.resourceTags(resourceAttributes);
    const resourceKey = attributesIdentity(resourceAttributes);
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      for (const metric of scopeMetrics.metrics ?? []) {
        const skip = (point: unknown, detail: string) =>
          unmapped.push({ item: { metric: metric.descriptor?.name, point }, detail });
        try {
          this.mapMetric(metric, resourceTags, resourceKey, records, skip);
        } catch (error) {
          skip(undefined, error instanceof Error ? error.message : String(error));
        }
      }
    }
  }

  private mapMetric(
    metric: MetricDataLike,
    resourceTags: readonly string[],
    resourceKey: string,
    out: MetricLine[],
    skip: (point: unknown, detail: string) => void,
  ): void {
    const name = sanitizeMetricName(metric.descriptor.name);
    const temporality = metric.aggregationTemporality;
    const line: LineFn = (suffix, value, type, tags, time, sampleRate) => {
      if (!Number.isFinite(value)) return false;
      const stamped = this.options.timestamps && type !== 'd';
      out.push(
        encodeLine({
          name: name + suffix,
          value,
          type,
          tags,
          ...(sampleRate !== undefined ? { sampleRate } : {}),
          ...(stamped ? { timestampS: seconds(time) } : {}),
        }),
      );
      return true;
    };
    // The state of a cumulative series is kept by what the SDK tells apart (the metric's own
    // name, its resource and its points' attributes as given), not by the sanitised tags, which
    // join series: `route="a,b"` and `route="a|b"` are both `route:a_b`, and two values cut at
    // 200 characters alike are one tag. Joined, each export looked like a reset of the other.
    const seriesName = metric.descriptor.name;
    const key: SeriesKey = (suffix, attributes) =>
      `${seriesName}${suffix}\u0000${resourceKey}\u0000${attributesIdentity(attributes)}`;

    switch (metric.dataPointType) {
      case DataPointType.GAUGE:
        for (const p of metric.dataPoints) {
          if (!line('', p.value, 'g', pointTags(p.attributes, resourceTags), p.endTime)) {
            skip(p, 'not a finite number');
          }
        }
        return;
      case DataPointType.SUM:
        for (const p of metric.dataPoints) {
          const tags = pointTags(p.attributes, resourceTags);
          if (!Number.isFinite(p.value)) {
            skip(p, 'not a finite number');
          } else if (temporality === AggregationTemporality.DELTA) {
            line('', p.value, 'c', tags, p.endTime);
          } else if (!metric.isMonotonic) {
            line('', p.value, 'g', tags, p.endTime);
          } else {
            const delta = this.toDelta(key('', p.attributes), p, [p.value], skip);
            if (delta) line('', delta[0], 'c', tags, p.endTime);
          }
        }
        return;
      case DataPointType.HISTOGRAM:
        for (const p of metric.dataPoints) {
          this.histogram(p, temporality, resourceTags, line, key, skip);
        }
        return;
      case DataPointType.EXPONENTIAL_HISTOGRAM:
        for (const p of metric.dataPoints) {
          if (temporality !== AggregationTemporality.DELTA) {
            skip(
              p,
              'cumulative exponential histograms are not supported (as in the Datadog translator)',
            );
            continue;
          }
          this.exponential(p, resourceTags, line);
        }
        return;
      default:
        if ((metric as { dataPointType: number }).dataPointType === SUMMARY_DATA_POINT_TYPE) {
          const points = (metric as unknown as { dataPoints: Point<SummaryValue>[] }).dataPoints;
          for (const p of points) this.summary(p, resourceTags, line, key, skip);
          return;
        }
        skip(
          undefined,
          `unsupported data point type ${String((metric as { dataPointType: unknown }).dataPointType)}`,
        );
    }
  }

  /** The deltas of a cumulative point, or undefined (a baseline, or dropped with its reason). */
  private toDelta(
    key: string,
    p: Point<unknown>,
    values: number[],
    skip: (point: unknown, detail: string) => void,
  ): number[] | undefined {
    const outcome = this.cumulative.delta(key, p.startTime, p.endTime, values);
    switch (outcome.kind) {
      case 'delta':
        return outcome.values;
      case 'baseline':
        this.baselines++;
        return undefined;
      case 'stale':
        skip(p, 'not newer than the previous point of its cumulative series');
        return undefined;
      case 'full':
        skip(p, 'too many cumulative series (maxCumulativeSeries)');
        return undefined;
    }
  }

  private histogram(
    p: Point<HistogramValue>,
    temporality: AggregationTemporality,
    resourceTags: readonly string[],
    line: LineFn,
    key: SeriesKey,
    skip: (point: unknown, detail: string) => void,
  ): void {
    const tags = pointTags(p.attributes, resourceTags);
    const { boundaries, counts } = p.value.buckets;
    let count = p.value.count;
    let sum = p.value.sum;
    let bucketCounts = counts;
    const delta = temporality === AggregationTemporality.DELTA;
    if (!delta) {
      const deltas = this.toDelta(key('', p.attributes), p, [count, sum ?? 0, ...counts], skip);
      if (!deltas) return;
      [count, sum] = [deltas[0], sum === undefined ? undefined : deltas[1]];
      bucketCounts = deltas.slice(2);
    }
    const mode = this.options.histograms;
    if (mode === 'distributions') {
      const values = explicitBucketValues(boundaries, bucketCounts, p.value.min, p.value.max, sum);
      this.distribution(values, tags, line, p.endTime);
    } else if (mode === 'counters') {
      for (let i = 0; i < bucketCounts.length; i++) {
        const lower = i === 0 ? -Infinity : boundaries[i - 1];
        const upper = i < boundaries.length ? boundaries[i] : Infinity;
        const bucketTags = [
          ...tags,
          `lower_bound:${formatBound(lower)}`,
          `upper_bound:${formatBound(upper)}`,
        ];
        line('.bucket', bucketCounts[i], 'c', bucketTags, p.endTime);
      }
    }
    if (this.options.histogramAggregations || mode === 'nobuckets') {
      line('.count', count, 'c', tags, p.endTime);
      if (sum !== undefined) line('.sum', sum, 'c', tags, p.endTime);
      // min and max describe the point's own window only when it is a delta.
      if (delta && p.value.min !== undefined) line('.min', p.value.min, 'g', tags, p.endTime);
      if (delta && p.value.max !== undefined) line('.max', p.value.max, 'g', tags, p.endTime);
    }
  }

  private exponential(
    p: Point<ExponentialHistogramValue>,
    resourceTags: readonly string[],
    line: LineFn,
  ): void {
    const tags = pointTags(p.attributes, resourceTags);
    if (this.options.histograms !== 'nobuckets') {
      this.distribution(exponentialBucketValues(p.value), tags, line, p.endTime);
    }
    if (this.options.histogramAggregations || this.options.histograms === 'nobuckets') {
      line('.count', p.value.count, 'c', tags, p.endTime);
      if (p.value.sum !== undefined) line('.sum', p.value.sum, 'c', tags, p.endTime);
      if (p.value.min !== undefined) line('.min', p.value.min, 'g', tags, p.endTime);
      if (p.value.max !== undefined) line('.max', p.value.max, 'g', tags, p.endTime);
    }
  }

  private distribution(
    values: WeightedValue[],
    tags: readonly string[],
    line: LineFn,
    time: HrTime,
  ) {
    for (const { value, count } of values) line('', value, 'd', tags, time, rateForCount(count));
  }

  private summary(
    p: Point<SummaryValue>,
    resourceTags: readonly string[],
    line: LineFn,
    key: SeriesKey,
    skip: (point: unknown, detail: string) => void,
  ): void {
    const tags = pointTags(p.attributes, resourceTags);
    // A point is counted once, with its first reason: its .sum series goes stale with its .count.
    let counted = false;
    const drop = (detail: string) => {
      if (!counted) skip(p, detail);
      counted = true;
    };
    const parts: [string, number][] = [
      ['.count', p.value.count],
      ['.sum', p.value.sum],
    ];
    for (const [suffix, value] of parts) {
      // Checked before the cumulative state, which a NaN would poison for the series' next points.
      if (!Number.isFinite(value)) {
        drop(`${suffix} is not a finite number`);
        continue;
      }
      const delta = this.toDelta(key(suffix, p.attributes), p, [value], (_, detail) =>
        drop(`${suffix}: ${detail}`),
      );
      if (delta) line(suffix, delta[0], 'c', tags, p.endTime);
    }
    for (const q of p.value.quantileValues ?? []) {
      const quantile = formatBound(q.quantile);
      if (!line('.quantile', q.value, 'g', [...tags, `quantile:${quantile}`], p.endTime)) {
        drop(`quantile ${quantile} is not a finite number`);
      }
    }
  }
}

type LineFn = (
  suffix: string,
  value: number,
  type: DogStatsDType,
  tags: readonly string[],
  time: HrTime,
  sampleRate?: number,
) => boolean;
