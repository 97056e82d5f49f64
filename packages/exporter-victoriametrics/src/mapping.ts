import type { Attributes, HrTime } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, setOwnField } from '@otelpack/batching-core';
import type {
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  MetricDataLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import { formatFloat, prometheusMetricName, prometheusUnit } from './names';
import {
  PointLabelPlans,
  attributeSignature,
  attributeValueToString,
  labelNameOf,
} from './point-labels';
import { toNativeHistogram } from './native-histogram';
import type { FamilyKind } from './names';
import type { Exemplar, Label, SeriesMetadata, TimeSeries } from './types';

/*
 * OpenTelemetry ResourceMetrics → remote-write TimeSeries. Pure: the same input and options give
 * the same series, with no I/O, timers or state (delta temporality is turned into cumulative
 * before this, by DeltaToCumulative).
 */

/**
 * `dataPointType` of a summary point. The OpenTelemetry JS SDK produces no summaries; producers
 * that bridge them from elsewhere (OTLP, Prometheus) can hand them in with this type and a
 * `SummaryValue`.
 */
export const SUMMARY_DATA_POINT_TYPE = 4;

export interface SummaryValue {
  count: number;
  sum: number;
  quantileValues: { quantile: number; value: number }[];
}

/** Why a data point was not turned into series; counted in `mappingStats().droppedPoints`. */
export type PointDropReason =
  /** Delta temporality with `deltaTemporality: 'drop'`. */
  | 'delta_temporality'
  /** A delta non-monotonic sum: the specification says drop (it cannot be made a counter). */
  | 'delta_non_monotonic_sum'
  /** A delta exponential histogram: the specification says drop. */
  | 'delta_exponential_histogram'
  /** An exponential histogram whose scale is below -4, which a native histogram cannot hold. */
  | 'unsupported_scale'
  /** A delta point that starts before the previous one of its series ended. */
  | 'delta_out_of_order'
  /** A delta point of a new series while `maxDeltaSeries` series are tracked. */
  | 'delta_series_limit'
  /** A data point type this exporter does not know. */
  | 'unsupported_type'
  /** Nothing of the metric name is left after sanitising. */
  | 'invalid_name'
  /** The metric's Prometheus name is already taken in this export by another metric (or is `target_info`). */
  | 'name_collision'
  /** Two points of one metric became the same series after sanitising: the first is kept. */
  | 'series_collision'
  /** An end time that is no time: not finite, or past what an int64 of milliseconds holds. */
  | 'invalid_time';

export const POINT_DROP_REASONS: readonly PointDropReason[] = [
  'delta_temporality',
  'delta_non_monotonic_sum',
  'delta_exponential_histogram',
  'unsupported_scale',
  'delta_out_of_order',
  'delta_series_limit',
  'unsupported_type',
  'invalid_name',
  'name_collision',
  'series_collision',
  'invalid_time',
];

/** Data points of one metric that became no series, and why. */
export interface DroppedPoints {
  metric: string;
  reason: PointDropReason;
  count: number;
}

export type ExponentialHistogramForm = 'vmrange' | 'le' | 'native';

export interface MappingOptions {
  /** Unit, `_total` and `_ratio` suffixes (default true). */
  addMetricSuffixes: boolean;
  /** A `target_info` series per resource with the resource attributes (default true). */
  targetInfo: boolean;
  /** `otel_scope_name`, `_version`, `_schema_url` and `otel_scope_<attribute>` labels (default true). */
  scopeLabels: boolean;
  /** Resource attribute keys (as in OpenTelemetry) copied as labels onto every series. */
  promoteResourceAttributes: readonly string[];
  /** Labels added to every series unless it has the label already; names must be valid. */
  externalLabels: Readonly<Record<string, string>>;
  /**
   * How exponential histograms become buckets (default `vmrange`); `native` (remote write 2.0
   * only) sends them as native histograms.
   */
  exponentialHistograms: ExponentialHistogramForm;
  /** Metadata (type, unit, help) and created timestamps on every series: remote write 2.0. */
  metadata: boolean;
  /** Longer label values are cut (at a UTF-8 character boundary) to this many bytes. */
  maxLabelValueBytes: number;
}

export const DEFAULT_MAPPING_OPTIONS: MappingOptions = {
  addMetricSuffixes: true,
  targetInfo: true,
  scopeLabels: true,
  promoteResourceAttributes: [],
  externalLabels: {},
  exponentialHistograms: 'vmrange',
  metadata: false,
  maxLabelValueBytes: 16 * 1024,
};

export interface MappingResult {
  series: TimeSeries[];
  /** Data points seen (before any drop). */
  points: number;
  dropped: Partial<Record<PointDropReason, number>>;
  /** The same drops by metric, for the ledger's unmapped items. */
  droppedByMetric: DroppedPoints[];
  /** Label values cut to `maxLabelValueBytes`. */
  truncatedLabelValues: number;
  /** One line per metric dropped whole (name collisions), for the log. */
  notes: string[];
}

const SERVICE_NAME = 'service.name';
const SERVICE_NAMESPACE = 'service.namespace';
const SERVICE_INSTANCE_ID = 'service.instance.id';
const TARGET_INFO = 'target_info';
const OWN_LABEL_NAMES = ['le', 'quantile', 'vmrange'];
const TARGET_INFO_METADATA: SeriesMetadata = { type: 'gauge', unit: '', help: 'Target metadata' };

/** Attribute labels under construction: label name → value. */
type Layer = Map<string, string>;
/** Labels by name, the higher-precedence layers set last. */
type LabelLayer = Map<string, Label>;

/**
 * The labels a metric's series add to the point's: `__name__` per family and the `le`,
 * `quantile` or `vmrange` values, made once per metric and shared by its series (the encoder
 * then finds them equal at once, and the queue holds one object for all of them).
 */
class OwnLabels {
  private readonly byValue = new Map<string, Label>();
  private readonly families = new Map<string, Label>();
  /** The last classic histogram boundaries seen, and their buckets. */
  private boundaries: readonly number[] = [];
  private layout: BucketLayout | undefined;
  constructor(readonly name: string) {}
  get(labelName: string, value: string): Label {
    const key = `${labelName}\u0000${value}`;
    let label = this.byValue.get(key);
    if (!label) {
      label = { name: labelName, value };
      this.byValue.set(key, label);
    }
    return label;
  }
  family(suffix: string): Label {
    let label = this.families.get(suffix);
    if (!label) {
      label = this.get('__name__', `${this.name}${suffix}`);
      this.families.set(suffix, label);
    }
    return label;
  }
  /** The buckets of these boundaries; the points of a histogram nearly always share them. */
  bucketLayout(boundaries: readonly number[]): BucketLayout {
    if (this.layout && sameNumbers(boundaries, this.boundaries)) return this.layout;
    const layout = bucketLayoutOf(boundaries, (le) => this.get('le', formatFloat(le)));
    this.boundaries = boundaries.slice();
    this.layout = layout;
    return layout;
  }
}

/**
 * A classic histogram's buckets from its boundaries: bounds must rise strictly, and a boundary
 * that does not (or is not finite) is folded into the next bucket; `+Inf` ends them.
 */
interface BucketLayout {
  /** Each bucket's upper bound, the last +Inf. */
  readonly bounds: readonly number[];
  /** Index in the boundaries of each bucket's bound but the last. */
  readonly boundaryIndexes: readonly number[];
  /** Each bucket's `le` label. */
  readonly labels: readonly Label[];
}

function bucketLayoutOf(
  boundaries: readonly number[],
  leLabel: (le: number) => Label,
): BucketLayout {
  const bounds: number[] = [];
  const boundaryIndexes: number[] = [];
  let previous = -Infinity;
  for (let i = 0; i < boundaries.length; i++) {
    const le = boundaries[i];
    if (!(le > previous) || !Number.isFinite(le)) continue;
    bounds.push(le);
    boundaryIndexes.push(i);
    previous = le;
  }
  bounds.push(Infinity);
  return { bounds, boundaryIndexes, labels: bounds.map(leLabel) };
}

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** Each exemplar on the first bucket whose bound holds its value (the last when none does). */
function exemplarsByBucket(
  exemplars: readonly Exemplar[],
  bounds: readonly number[],
): (Exemplar[] | undefined)[] {
  const byBucket: (Exemplar[] | undefined)[] = [];
  for (const exemplar of exemplars) {
    let k = bounds.findIndex((le) => exemplar.value <= le);
    if (k < 0) k = bounds.length - 1;
    (byBucket[k] ??= []).push(exemplar);
  }
  return byBucket;
}

/** Stand-ins for the labels a point's series add, placed once per point by SeriesTemplate. */
const NAME_SLOT: readonly Label[] = [{ name: '__name__', value: '' }];
const BUCKET_SLOTS: readonly Label[] = [...NAME_SLOT, { name: 'le', value: '' }];

/**
 * The labels of a point's series that each add the same few names to the point's sorted labels
 * (a histogram's `__name__` and `le`): merged once, then copied per series with its own values.
 */
class SeriesTemplate {
  private readonly labels: Label[];
  private readonly slots: number[];
  constructor(base: readonly Label[], slots: readonly Label[]) {
    this.labels = compose(base, slots);
    this.slots = slots.map((slot) => this.labels.indexOf(slot));
  }
  with1(a: Label): Label[] {
    const out = this.labels.slice();
    out[this.slots[0]] = a;
    return out;
  }
  with2(a: Label, b: Label): Label[] {
    const out = this.labels.slice();
    out[this.slots[0]] = a;
    out[this.slots[1]] = b;
    return out;
  }
}

export { attributeValueToString };

export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1000 + Math.floor(time[1] / 1e6);
}

/** A time in ms a sample can carry: finite, and within an int64 (±2^63). */
function isSampleTime(ms: number): boolean {
  return Math.abs(ms) < 2 ** 63;
}

class Mapper {
  readonly series: TimeSeries[] = [];
  readonly dropped: Partial<Record<PointDropReason, number>> = {};
  readonly droppedByMetric: DroppedPoints[] = [];
  readonly notes: string[] = [];
  /** The metric being mapped, named in its drops. */
  private currentMetric = '';
  points = 0;
  truncated = 0;
  private metricCount = 0;
  /** Prometheus name (+ scope when scope labels are on) → the metric that produced it. */
  private readonly owners = new Map<string, string>();

  constructor(private readonly options: MappingOptions) {}

  drop(reason: PointDropReason, count: number): void {
    if (count <= 0) return;
    this.dropped[reason] = (this.dropped[reason] ?? 0) + count;
    this.droppedByMetric.push({ metric: this.currentMetric, reason, count });
  }

  limit(value: string): string {
    const max = this.options.maxLabelValueBytes;
    if (value.length * 3 <= max) return value;
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length <= max) return value;
    this.truncated++;
    let end = max;
    // Step back over UTF-8 continuation bytes (10xxxxxx) to a character boundary.
    while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
    return bytes.subarray(0, end).toString('utf8');
  }

  /**
   * Attributes → labels in `target` (a fresh layer), sanitised; keys that collide after
   * sanitising are merged with `;` in the order of their original keys. Returns true when two
   * different attribute sets could meet as one label set: keys collided here, or — with
   * `signatures`, shared by every point of a metric — a label name came from another original
   * key or another value type in an earlier point, or a value was empty (empty reads as absent).
   */
  attributesInto(
    target: Layer,
    attributes: Attributes,
    skip?: (key: string) => boolean,
    signatures?: Map<string, string>,
  ): boolean {
    const placedBy = new Map<string, string>(); // label name → the original key placed there
    let groups: Map<string, [string, string][]> | undefined;
    let ambiguous = false;
    for (const key of Object.keys(attributes)) {
      if (skip?.(key)) continue;
      const raw = attributes[key];
      const value = attributeValueToString(raw);
      if (value === undefined) continue;
      const name = labelNameOf(key);
      if (name === '') continue;
      if (signatures) {
        const signature = attributeSignature(key, typeof raw);
        const seen = signatures.get(name);
        if (seen === undefined) signatures.set(name, signature);
        else if (seen !== signature) ambiguous = true;
        if (value === '') ambiguous = true;
      }
      const firstKey = placedBy.get(name);
      if (firstKey === undefined) {
        placedBy.set(name, key);
        target.set(name, value);
        continue;
      }
      groups ??= new Map();
      let group = groups.get(name);
      if (!group) {
        group = [[firstKey, target.get(name)!]];
        groups.set(name, group);
      }
      group.push([key, value]);
    }
    if (!groups) return ambiguous;
    for (const [name, group] of groups) {
      group.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      target.set(name, group.map((entry) => entry[1]).join(';'));
    }
    return true;
  }

  run(resourceMetrics: ResourceMetricsLike): void {
    const o = this.options;
    const resourceAttributes = resourceMetrics.resource?.attributes ?? {};

    // Lowest precedence: external labels, then promoted resource attributes. Every Label made
    // here is shared by all the series of the export.
    const low: LabelLayer = new Map();
    for (const [name, value] of Object.entries(o.externalLabels)) {
      low.set(name, { name, value: this.limit(value) });
    }
    if (o.promoteResourceAttributes.length > 0) {
      const promoted: Attributes = {};
      for (const key of o.promoteResourceAttributes) {
        // Own keys only: `in` finds Object.prototype's `constructor` in every resource, and a
        // plain assignment of `__proto__` sets the prototype instead of a key.
        if (Object.hasOwn(resourceAttributes, key)) {
          setOwnField(promoted, key, resourceAttributes[key]);
        }
      }
      const layer: Layer = new Map();
      this.attributesInto(layer, promoted);
      for (const [name, value] of layer) low.set(name, { name, value: this.limit(value) });
    }

    // Highest precedence (under __name__ and le/quantile): job and instance.
    const identity: Label[] = [];
    const serviceName = attributeValueToString(resourceAttributes[SERVICE_NAME]);
    const serviceNamespace = attributeValueToString(resourceAttributes[SERVICE_NAMESPACE]);
    const instance = attributeValueToString(resourceAttributes[SERVICE_INSTANCE_ID]);
    if (serviceName !== undefined) {
      const job = serviceNamespace ? `${serviceNamespace}/${serviceName}` : serviceName;
      identity.push({ name: 'job', value: this.limit(job) });
    }
    if (instance !== undefined) identity.push({ name: 'instance', value: this.limit(instance) });

    let latestMs = -Infinity;
    for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
      const scope = scopeMetrics.scope ?? { name: '' };
      const high = o.scopeLabels ? this.scopeLabels(scope) : [];
      high.push(...identity);
      const scopeKey = o.scopeLabels
        ? `${scope.name ?? ''}\u0000${scope.version ?? ''}\u0000${scope.schemaUrl ?? ''}`
        : '';
      for (const metric of scopeMetrics.metrics ?? []) {
        const latest = this.metric(metric, low, high, scopeKey, scope.name ?? '');
        if (latest > latestMs) latestMs = latest;
      }
    }

    if (o.targetInfo && latestMs > -Infinity) {
      const info: LabelLayer = new Map(low);
      const layer: Layer = new Map();
      this.attributesInto(
        layer,
        resourceAttributes,
        (key) => key === SERVICE_NAME || key === SERVICE_NAMESPACE || key === SERVICE_INSTANCE_ID,
      );
      for (const [name, value] of layer) info.set(name, { name, value: this.limit(value) });
      for (const label of identity) info.set(label.name, label);
      // As Prometheus' receiver (helper.go, addResourceTargetInfo; TestFromMetrics): none for a
      // resource with nothing but the identifying attributes, and none without a job or an
      // instance label (an empty one is left out), which a target_info is joined to its
      // target's series by.
      const joinable = (name: string) => (info.get(name)?.value ?? '') !== '';
      if (layer.size > 0 && (joinable('job') || joinable('instance'))) {
        this.series.push({
          labels: compose(sortedLabels(info), [{ name: '__name__', value: TARGET_INFO }]),
          samples: [{ value: 1, timestampMs: latestMs }],
          // Prometheus' receiver types target_info a gauge, with this help.
          ...(o.metadata ? { metadata: TARGET_INFO_METADATA } : {}),
        });
      }
    }
  }

  /**
   * The scope as labels, as Prometheus' receiver makes them: none for a scope without a name;
   * otherwise `otel_scope_name`, `otel_scope_version`, `otel_scope_schema_url` and each scope
   * attribute as `otel_scope_<key>` (sanitised as a whole). Empty values are left out, as a
   * receiver reads them as absent.
   */
  private scopeLabels(scope: ResourceMetricsLike['scopeMetrics'][number]['scope']): Label[] {
    if (!scope.name) return [];
    const layer: Layer = new Map();
    const attributes = scope.attributes as Attributes | undefined;
    if (attributes) {
      const prefixed: Attributes = {};
      for (const key of Object.keys(attributes)) prefixed[`otel_scope_${key}`] = attributes[key];
      this.attributesInto(layer, prefixed);
    }
    layer.set('otel_scope_name', scope.name);
    layer.set('otel_scope_version', scope.version ?? '');
    layer.set('otel_scope_schema_url', scope.schemaUrl ?? '');
    const labels: Label[] = [];
    for (const [name, value] of layer) {
      if (value !== '') labels.push({ name, value: this.limit(value) });
    }
    return labels;
  }

  /** Maps one metric; returns the latest sample timestamp it produced (or -Infinity). */
  private metric(
    metric: MetricDataLike,
    low: LabelLayer,
    high: Label[],
    scopeKey: string,
    scopeName: string,
  ): number {
    const o = this.options;
    this.currentMetric = String(metric.descriptor?.name ?? '');
    const identity = `${JSON.stringify(metric.descriptor.name)} of scope ${JSON.stringify(scopeName)} (#${++this.metricCount})`;
    const points = metric.dataPoints as DataPointLike<unknown>[];
    this.points += points.length;
    if (points.length === 0) return -Infinity;

    const type = metric.dataPointType as number;
    const delta = metric.aggregationTemporality === AggregationTemporality.DELTA;
    let kind: FamilyKind;
    switch (type) {
      case DataPointType.SUM:
        if (delta) return this.dropAll('delta_temporality', points.length);
        kind = (metric as { isMonotonic?: boolean }).isMonotonic ? 'counter' : 'gauge';
        break;
      case DataPointType.GAUGE:
        kind = 'gauge';
        break;
      case DataPointType.HISTOGRAM:
      case DataPointType.EXPONENTIAL_HISTOGRAM:
        if (delta) return this.dropAll('delta_temporality', points.length);
        kind = 'histogram';
        break;
      case SUMMARY_DATA_POINT_TYPE:
        kind = 'summary';
        break;
      default:
        return this.dropAll('unsupported_type', points.length);
    }

    const name = prometheusMetricName(
      {
        name: metric.descriptor.name,
        unit: metric.descriptor.unit ?? '',
        kind,
        otelGauge: type === DataPointType.GAUGE,
      },
      o.addMetricSuffixes,
    );
    if (name === '') return this.dropAll('invalid_name', points.length);

    const native =
      type === DataPointType.EXPONENTIAL_HISTOGRAM && o.exponentialHistograms === 'native';
    const familyNames = native
      ? [name]
      : kind === 'histogram'
        ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
        : kind === 'summary'
          ? [name, `${name}_sum`, `${name}_count`]
          : [name];
    for (const familyName of familyNames) {
      const owner =
        familyName === TARGET_INFO && o.targetInfo
          ? '(target_info)'
          : this.owners.get(`${scopeKey}\u0000${familyName}`);
      if (owner !== undefined && owner !== identity) {
        this.notes.push(
          `metric ${identity} dropped: its Prometheus name ${familyName} is already used by metric ${owner}`,
        );
        return this.dropAll('name_collision', points.length);
      }
    }
    for (const familyName of familyNames)
      this.owners.set(`${scopeKey}\u0000${familyName}`, identity);

    const start = this.series.length;
    const truncatedBefore = this.truncated;
    const signatures = new Map<string, string>();
    const own = new OwnLabels(name);
    const nameLabel = own.family('');
    let collided = false;
    let latestMs = -Infinity;
    const metadata: SeriesMetadata | undefined = o.metadata
      ? {
          type: kind,
          unit: prometheusUnit(metric.descriptor.unit ?? ''),
          help: metric.descriptor.description ?? '',
        }
      : undefined;
    // A counter's or gauge's one series per point carries the point's labels and __name__; the
    // other kinds' series each add theirs to the point's labels.
    const single = kind === 'counter' || kind === 'gauge';
    const plans = new PointLabelPlans(
      { low, high, own: single ? [nameLabel] : [], reserved: single ? [] : OWN_LABEL_NAMES },
      signatures,
    );
    for (const point of points) {
      const pointStart = this.series.length;
      const attributes = point.attributes ?? {};
      let base = plans.labels(attributes, o.maxLabelValueBytes);
      if (base === undefined) {
        const general = this.pointLabels(attributes, low, high, single, signatures);
        if (general.collided) collided = true;
        base = single ? compose(general.labels, [nameLabel]) : general.labels;
      }
      const timestampMs = hrTimeToMs(point.endTime);
      if (!isSampleTime(timestampMs)) {
        // int64 cannot hold it, and an encoder writing it would loop forever (Infinity / 128).
        this.drop('invalid_time', 1);
        continue;
      }
      if (timestampMs > latestMs) latestMs = timestampMs;
      const exemplars = exemplarsOf(point, this);
      switch (kind) {
        case 'counter':
        case 'gauge':
          this.series.push({
            labels: base,
            samples: [{ value: Number(point.value), timestampMs }],
            ...(exemplars && kind === 'counter' ? { exemplars } : {}),
          });
          break;
        case 'histogram':
          if (type === DataPointType.HISTOGRAM) {
            this.histogram(own, base, point.value as HistogramValue, timestampMs, exemplars);
          } else {
            this.exponentialHistogram(
              own,
              base,
              point.value as ExponentialHistogramValue,
              timestampMs,
            );
          }
          break;
        case 'summary':
          this.summary(own, base, point.value as SummaryValue, timestampMs);
          break;
      }
      if (metadata) this.annotate(pointStart, metadata, kind, point, timestampMs);
    }
    if (plans.collided) collided = true;
    // Cut values can make two series one as well.
    if ((collided || this.truncated > truncatedBefore) && points.length > 1) this.dedupe(start);
    return latestMs;
  }

  /**
   * A point's sorted labels by the general path (any attributes): layered by name, low, then
   * the point's attributes, then high. `collided` when they may meet another point's as one
   * series (see attributesInto), or an attribute met a higher layer's or the series' own label.
   */
  private pointLabels(
    attributes: Attributes,
    low: LabelLayer,
    high: readonly Label[],
    single: boolean,
    signatures: Map<string, string>,
  ): { labels: Label[]; collided: boolean } {
    const layer: LabelLayer = new Map(low);
    const attributeLayer: Layer = new Map();
    let collided = this.attributesInto(attributeLayer, attributes, undefined, signatures);
    for (const [label, value] of attributeLayer) {
      layer.set(label, { name: label, value: this.limit(value) });
    }
    for (const label of high) {
      if (attributeLayer.has(label.name)) collided = true;
      layer.set(label.name, label);
    }
    // A series' own `le`, `quantile` or `vmrange` replaces an attribute of that name.
    if (!single && OWN_LABEL_NAMES.some((n) => attributeLayer.has(n))) collided = true;
    return { labels: sortedLabels(layer), collided };
  }

  /**
   * Remote write 2.0: the metric's metadata on each series a point made, and for cumulative
   * kinds the point's start as the created timestamp (unless unknown or after the sample).
   */
  private annotate(
    from: number,
    metadata: SeriesMetadata,
    kind: FamilyKind,
    point: DataPointLike<unknown>,
    timestampMs: number,
  ): void {
    let createdTimestampMs = 0;
    if (kind !== 'gauge' && point.startTime) {
      const start = hrTimeToMs(point.startTime);
      if (start > 0 && start <= timestampMs) createdTimestampMs = start;
    }
    for (let i = from; i < this.series.length; i++) {
      const series = this.series[i];
      this.series[i] = createdTimestampMs
        ? { ...series, metadata, createdTimestampMs }
        : { ...series, metadata };
    }
  }

  private dropAll(reason: PointDropReason, count: number): number {
    this.drop(reason, count);
    return -Infinity;
  }

  /** Keeps the first of series with identical labels among those from `start` on. */
  private dedupe(start: number): void {
    const seen = new Set<string>();
    let write = start;
    let removed = 0;
    for (let read = start; read < this.series.length; read++) {
      const series = this.series[read];
      const key = series.labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
      if (seen.has(key)) {
        removed++;
        continue;
      }
      seen.add(key);
      this.series[write++] = series;
    }
    this.series.length = write;
    this.drop('series_collision', removed);
  }

  private histogram(
    own: OwnLabels,
    base: Label[],
    value: HistogramValue,
    timestampMs: number,
    exemplars: Exemplar[] | undefined,
  ): void {
    const counts = value.buckets?.counts ?? [];
    const layout = own.bucketLayout(value.buckets?.boundaries ?? []);
    const bucketName = own.family('_bucket');
    const byBucket = exemplars ? exemplarsByBucket(exemplars, layout.bounds) : undefined;
    const template = new SeriesTemplate(base, BUCKET_SLOTS);
    let cumulative = 0;
    let next = 0; // the boundary that ends the next bucket
    for (let k = 0; k < layout.bounds.length; k++) {
      const last = k === layout.bounds.length - 1;
      // A bucket's count sums the counts up to its boundary, those of folded boundaries too.
      const end = last ? next : layout.boundaryIndexes[k] + 1;
      while (next < end) cumulative += counts[next++] ?? 0;
      const bucketExemplars = byBucket?.[k];
      this.series.push({
        labels: template.with2(bucketName, layout.labels[k]),
        samples: [{ value: last ? value.count : cumulative, timestampMs }],
        ...(bucketExemplars ? { exemplars: bucketExemplars } : {}),
      });
    }
    this.sumAndCount(own, base, value.sum, value.count, timestampMs);
  }

  private sumAndCount(
    own: OwnLabels,
    base: Label[],
    sum: number | undefined,
    count: number,
    timestampMs: number,
  ): void {
    const template = new SeriesTemplate(base, NAME_SLOT);
    if (typeof sum === 'number') {
      this.series.push({
        labels: template.with1(own.family('_sum')),
        samples: [{ value: sum, timestampMs }],
      });
    }
    this.series.push({
      labels: template.with1(own.family('_count')),
      samples: [{ value: count, timestampMs }],
    });
  }

  private exponentialHistogram(
    own: OwnLabels,
    base: Label[],
    value: ExponentialHistogramValue,
    timestampMs: number,
  ): void {
    if (this.options.exponentialHistograms === 'native') {
      const histogram = toNativeHistogram(value, timestampMs);
      if (!histogram) {
        this.drop('unsupported_scale', 1);
        return;
      }
      this.series.push({
        labels: compose(base, [own.family('')]),
        samples: [],
        histograms: [histogram],
      });
      return;
    }
    const bucketName = own.family('_bucket');
    const buckets =
      this.options.exponentialHistograms === 'vmrange'
        ? exponentialToVmrange(value)
        : exponentialToLe(value);
    for (const [label, bucketValue, count] of buckets) {
      this.series.push({
        labels: compose(base, [bucketName, own.get(label, bucketValue)]),
        samples: [{ value: count, timestampMs }],
      });
    }
    this.sumAndCount(own, base, value.sum, value.count, timestampMs);
  }

  private summary(own: OwnLabels, base: Label[], value: SummaryValue, timestampMs: number): void {
    const quantiles = [...(value.quantileValues ?? [])].sort((a, b) => a.quantile - b.quantile);
    const nameLabel = own.family('');
    let previous: number | undefined;
    for (const q of quantiles) {
      if (q.quantile === previous) continue;
      previous = q.quantile;
      this.series.push({
        labels: compose(base, [nameLabel, own.get('quantile', formatFloat(q.quantile))]),
        samples: [{ value: q.value, timestampMs }],
      });
    }
    this.sumAndCount(own, base, value.sum, value.count, timestampMs);
  }
}

/** The layer's labels with a value, sorted by name. */
function sortedLabels(layer: LabelLayer): Label[] {
  const labels: Label[] = [];
  for (const label of layer.values()) if (label.value !== '') labels.push(label);
  return labels.sort(byName);
}

/**
 * A series' labels: the point's sorted labels merged with the series' own (sorted, e.g.
 * `__name__` then `le`), which win over a point label of the same name.
 */
function compose(base: readonly Label[], own: readonly Label[]): Label[] {
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  while (i < base.length || j < own.length) {
    if (j >= own.length) out.push(base[i++]);
    else if (i >= base.length) out.push(own[j++]);
    else if (base[i].name < own[j].name) out.push(base[i++]);
    else if (base[i].name > own[j].name) out.push(own[j++]);
    else {
      out.push(own[j++]);
      i++;
    }
  }
  return out;
}

function byName(a: Label, b: Label): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Exemplar labels may hold at most 128 characters of names and values (OpenMetrics, Prometheus). */
const EXEMPLAR_LABEL_CHARS = 128;

interface ExemplarLike {
  filteredAttributes?: Attributes;
  value: number;
  timestamp: HrTime;
  spanId?: string;
  traceId?: string;
}

function exemplarsOf(point: DataPointLike<unknown>, mapper: Mapper): Exemplar[] | undefined {
  const raw = (point as { exemplars?: ExemplarLike[] }).exemplars;
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: Exemplar[] = [];
  for (const e of raw) {
    if (!e || typeof e.value !== 'number' || !Array.isArray(e.timestamp)) continue;
    const labels: Label[] = [];
    let chars = 0;
    if (e.traceId) {
      labels.push({ name: 'trace_id', value: e.traceId });
      chars += 8 + e.traceId.length;
    }
    if (e.spanId) {
      labels.push({ name: 'span_id', value: e.spanId });
      chars += 7 + e.spanId.length;
    }
    const layer: Layer = new Map();
    mapper.attributesInto(layer, e.filteredAttributes ?? {});
    for (const [name, value] of [...layer].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (value === '' || name === 'trace_id' || name === 'span_id') continue;
      if (chars + name.length + value.length > EXEMPLAR_LABEL_CHARS) continue;
      chars += name.length + value.length;
      labels.push({ name, value });
    }
    labels.sort(byName);
    const timestampMs = hrTimeToMs(e.timestamp);
    // An exemplar is an annotation: one without a time a sample can carry is left out.
    if (isSampleTime(timestampMs)) out.push({ labels, value: e.value, timestampMs });
  }
  return out.length > 0 ? out : undefined;
}

/** The upper bound of bucket `index` at `scale`: base^(index+1), base = 2^(2^-scale). */
export function exponentialBound(scale: number, index: number): number {
  return scale >= 0 ? 2 ** (index / 2 ** scale) : 2 ** (index * 2 ** -scale);
}

/**
 * Classic cumulative buckets from an exponential histogram: `le` at the lower edge of the lowest
 * bucket (so that `histogram_quantile` interpolates within the real bucket, not from 0), every
 * bucket's upper edge, and `+Inf`. Negative buckets come first with negative bounds, then the
 * zero bucket at `le="0"`. Bounds beyond the double range fold into `+Inf`.
 */
export function exponentialToLe(value: ExponentialHistogramValue): [string, string, number][] {
  const out: [string, string, number][] = [];
  let previous = -Infinity;
  const push = (le: number, count: number): void => {
    if (!Number.isFinite(le)) return;
    if (!(le > previous)) {
      if (out.length > 0) out[out.length - 1][2] = count;
      return;
    }
    out.push(['le', formatFloat(le), count]);
    previous = le;
  };
  const scale = value.scale;
  let cumulative = 0;
  const negative = value.negative?.bucketCounts ?? [];
  const negativeOffset = value.negative?.offset ?? 0;
  if (negative.length > 0) {
    push(-exponentialBound(scale, negativeOffset + negative.length), 0);
    for (let i = negative.length - 1; i >= 0; i--) {
      cumulative += negative[i];
      push(-exponentialBound(scale, negativeOffset + i), cumulative);
    }
  }
  cumulative += value.zeroCount ?? 0;
  if ((value.zeroCount ?? 0) > 0 || negative.length > 0) push(0, cumulative);
  const positive = value.positive?.bucketCounts ?? [];
  const positiveOffset = value.positive?.offset ?? 0;
  if (positive.length > 0) {
    push(exponentialBound(scale, positiveOffset), cumulative);
    for (let i = 0; i < positive.length; i++) {
      cumulative += positive[i];
      push(exponentialBound(scale, positiveOffset + i + 1), cumulative);
    }
  }
  out.push(['le', '+Inf', value.count]);
  return out;
}

function vmrangeBound(value: number): string {
  return Number.isFinite(value) ? String(value) : formatFloat(value);
}

/**
 * VictoriaMetrics histogram buckets from an exponential histogram: one `vmrange="lo...hi"`
 * series per non-empty bucket holding that bucket's own (not cumulative) count, as
 * VictoriaMetrics' own histograms do; the zero bucket is `vmrange="0...0"`.
 */
export function exponentialToVmrange(value: ExponentialHistogramValue): [string, string, number][] {
  const out: [string, string, number][] = [];
  const scale = value.scale;
  const negative = value.negative?.bucketCounts ?? [];
  const negativeOffset = value.negative?.offset ?? 0;
  for (let i = negative.length - 1; i >= 0; i--) {
    if (!(negative[i] > 0)) continue;
    const lower = -exponentialBound(scale, negativeOffset + i + 1);
    const upper = -exponentialBound(scale, negativeOffset + i);
    out.push(['vmrange', `${vmrangeBound(lower)}...${vmrangeBound(upper)}`, negative[i]]);
  }
  if ((value.zeroCount ?? 0) > 0) out.push(['vmrange', '0...0', value.zeroCount]);
  const positive = value.positive?.bucketCounts ?? [];
  const positiveOffset = value.positive?.offset ?? 0;
  for (let i = 0; i < positive.length; i++) {
    if (!(positive[i] > 0)) continue;
    const lower = exponentialBound(scale, positiveOffset + i);
    const upper = exponentialBound(scale, positiveOffset + i + 1);
    out.push(['vmrange', `${vmrangeBound(lower)}...${vmrangeBound(upper)}`, positive[i]]);
  }
  return out;
}

/**
 * The series of one export: every metric of every scope, then `target_info`. Never throws on
 * odd values: NaN and ±Inf samples pass through (Prometheus stores them; see the README for
 * VictoriaMetrics), empty label values are left out, long ones cut.
 */
export function mapResourceMetrics(
  resourceMetrics: ResourceMetricsLike,
  options: MappingOptions = DEFAULT_MAPPING_OPTIONS,
): MappingResult {
  const mapper = new Mapper(options);
  mapper.run(resourceMetrics);
  return {
    series: mapper.series,
    points: mapper.points,
    dropped: mapper.dropped,
    droppedByMetric: mapper.droppedByMetric,
    truncatedLabelValues: mapper.truncated,
    notes: mapper.notes,
  };
}
