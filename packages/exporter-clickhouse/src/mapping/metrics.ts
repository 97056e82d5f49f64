import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  UnmappedItem,
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  InstrumentationScopeLike,
  MetricDataLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import type { TableKind } from '../schema/tables';
import { toInt32, toUInt64 } from './numbers';
import { toTimestamp9 } from './time';
import type { Timestamp9 } from './time';
import { NO_RESOURCE_CACHE } from './resource';
import type { ResourceMapper } from './resource';
import { attributesToMap, wellFormed } from './values';
import type { StringMap } from './values';

/** The columns every metric table shares. */
export interface MetricRowBase {
  ResourceAttributes: StringMap;
  ResourceSchemaUrl: string;
  ScopeName: string;
  ScopeVersion: string;
  ScopeAttributes: StringMap;
  ScopeDroppedAttrCount: number;
  ScopeSchemaUrl: string;
  ServiceName: string;
  MetricName: string;
  MetricDescription: string;
  MetricUnit: string;
  Attributes: StringMap;
  StartTimeUnix: Timestamp9;
  TimeUnix: Timestamp9;
  'Exemplars.FilteredAttributes': readonly StringMap[];
  'Exemplars.TimeUnix': readonly Timestamp9[];
  'Exemplars.Value': readonly number[];
  'Exemplars.SpanId': readonly string[];
  'Exemplars.TraceId': readonly string[];
}

export interface GaugeRow extends MetricRowBase {
  Value: number;
  Flags: number;
}

export interface SumRow extends GaugeRow {
  /** OTLP numbering: 1 delta, 2 cumulative. */
  AggregationTemporality: number;
  IsMonotonic: boolean;
}

export interface HistogramRow extends MetricRowBase {
  Count: number | bigint;
  Sum: number;
  BucketCounts: (number | bigint)[];
  ExplicitBounds: number[];
  Flags: number;
  Min: number;
  Max: number;
  AggregationTemporality: number;
}

export interface ExponentialHistogramRow extends MetricRowBase {
  Count: number | bigint;
  Sum: number;
  Scale: number;
  ZeroCount: number | bigint;
  PositiveOffset: number;
  PositiveBucketCounts: (number | bigint)[];
  NegativeOffset: number;
  NegativeBucketCounts: (number | bigint)[];
  Flags: number;
  Min: number;
  Max: number;
  AggregationTemporality: number;
}

export type MetricRow =
  | { table: 'gauge'; row: GaugeRow }
  | { table: 'sum'; row: SumRow }
  | { table: 'histogram'; row: HistogramRow }
  | { table: 'exponentialHistogram'; row: ExponentialHistogramRow };

/** The table each row goes to; the summary table exists for the Collector's schema, the JS SDK has no summaries. */
export type MetricTableKind = Extract<TableKind, MetricRow['table']>;

/**
 * The SDK's AggregationTemporality (DELTA 0, CUMULATIVE 1) in the OTLP numbering the Collector
 * stores (DELTA 1, CUMULATIVE 2; 0 unspecified).
 */
export function otlpTemporality(temporality: number): number {
  if (temporality === AggregationTemporality.DELTA) return 1;
  if (temporality === AggregationTemporality.CUMULATIVE) return 2;
  return 0;
}

// The JS SDK exports no exemplars: every row carries the same empty Nested column.
const NO_MAPS: readonly StringMap[] = Object.freeze([]);
const NO_TIMES: readonly Timestamp9[] = Object.freeze([]);
const NO_NUMBERS: readonly number[] = Object.freeze([]);
const NO_STRINGS: readonly string[] = Object.freeze([]);

/** What every data point of one metric shares. */
interface MetricContext {
  resourceAttributes: StringMap;
  resourceSchemaUrl: string;
  serviceName: string;
  scope: InstrumentationScopeLike;
  scopeAttributes: StringMap;
  name: string;
  description: string;
  unit: string;
}

function baseRow(context: MetricContext, point: DataPointLike<unknown>): MetricRowBase {
  return {
    ResourceAttributes: context.resourceAttributes,
    ResourceSchemaUrl: context.resourceSchemaUrl,
    ScopeName: wellFormed(context.scope.name ?? ''),
    ScopeVersion: wellFormed(context.scope.version ?? ''),
    ScopeAttributes: context.scopeAttributes,
    ScopeDroppedAttrCount: 0,
    ScopeSchemaUrl: wellFormed(context.scope.schemaUrl ?? ''),
    ServiceName: context.serviceName,
    MetricName: context.name,
    MetricDescription: context.description,
    MetricUnit: context.unit,
    Attributes: attributesToMap(point.attributes),
    StartTimeUnix: toTimestamp9(point.startTime, 'data point startTime'),
    TimeUnix: toTimestamp9(point.endTime, 'data point endTime'),
    'Exemplars.FilteredAttributes': NO_MAPS,
    'Exemplars.TimeUnix': NO_TIMES,
    'Exemplars.Value': NO_NUMBERS,
    'Exemplars.SpanId': NO_STRINGS,
    'Exemplars.TraceId': NO_STRINGS,
  };
}

function counts(values: readonly number[] | undefined): (number | bigint)[] {
  return (values ?? []).map(toUInt64);
}

type PointMapper = (context: MetricContext, point: DataPointLike<never>) => MetricRow;

function pointMapper(metric: MetricDataLike): PointMapper | undefined {
  const temporality = otlpTemporality(metric.aggregationTemporality);
  switch (metric.dataPointType) {
    case DataPointType.GAUGE:
      return (context, point: DataPointLike<number>) => ({
        table: 'gauge',
        row: { ...baseRow(context, point), Value: point.value, Flags: 0 },
      });
    case DataPointType.SUM: {
      const isMonotonic = metric.isMonotonic === true;
      return (context, point: DataPointLike<number>) => ({
        table: 'sum',
        row: {
          ...baseRow(context, point),
          Value: point.value,
          Flags: 0,
          AggregationTemporality: temporality,
          IsMonotonic: isMonotonic,
        },
      });
    }
    case DataPointType.HISTOGRAM:
      return (context, point: DataPointLike<HistogramValue>) => ({
        table: 'histogram',
        row: {
          ...baseRow(context, point),
          Count: toUInt64(point.value.count),
          Sum: point.value.sum ?? 0,
          BucketCounts: counts(point.value.buckets?.counts),
          ExplicitBounds: [...(point.value.buckets?.boundaries ?? [])],
          Flags: 0,
          Min: point.value.min ?? 0,
          Max: point.value.max ?? 0,
          AggregationTemporality: temporality,
        },
      });
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return (context, point: DataPointLike<ExponentialHistogramValue>) => ({
        table: 'exponentialHistogram',
        row: {
          ...baseRow(context, point),
          Count: toUInt64(point.value.count),
          Sum: point.value.sum ?? 0,
          Scale: toInt32(point.value.scale),
          ZeroCount: toUInt64(point.value.zeroCount),
          PositiveOffset: toInt32(point.value.positive?.offset),
          PositiveBucketCounts: counts(point.value.positive?.bucketCounts),
          NegativeOffset: toInt32(point.value.negative?.offset),
          NegativeBucketCounts: counts(point.value.negative?.bucketCounts),
          Flags: 0,
          Min: point.value.min ?? 0,
          Max: point.value.max ?? 0,
          AggregationTemporality: temporality,
        },
      });
    default:
      return undefined;
  }
}

/** The rows of one collection, and why any data point could not become one. */
export interface MappedMetrics {
  rows: MetricRow[];
  /** One entry per data point that could not be mapped (the exporter counts each as rejected). */
  /** Data points that make no row (with their metric), and why. */
  failures: UnmappedItem[];
}

/**
 * Maps one collection (a ResourceMetrics) to one row per data point, each with its table (the
 * Collector's metrics mapping). A data point that cannot be stored (a non-finite time) is left
 * out and named in `failures`; a metric of an unknown type is named there once per data point.
 */
export function resourceMetricsToRows(
  resourceMetrics: ResourceMetricsLike,
  resources: ResourceMapper = NO_RESOURCE_CACHE,
): MappedMetrics {
  const {
    attributes: resourceAttributes,
    schemaUrl: resourceSchemaUrl,
    serviceName,
  } = resources.columnsOf(resourceMetrics.resource);
  const rows: MetricRow[] = [];
  const failures: UnmappedItem[] = [];
  for (const scopeMetrics of resourceMetrics.scopeMetrics ?? []) {
    const scope = scopeMetrics.scope ?? { name: '' };
    const scopeAttributes = attributesToMap(scope.attributes);
    for (const metric of scopeMetrics.metrics ?? []) {
      const context: MetricContext = {
        resourceAttributes,
        resourceSchemaUrl,
        serviceName,
        scope,
        scopeAttributes,
        name: wellFormed(metric.descriptor?.name ?? ''),
        description: wellFormed(metric.descriptor?.description ?? ''),
        unit: wellFormed(metric.descriptor?.unit ?? ''),
      };
      const points = (metric.dataPoints ?? []) as DataPointLike<never>[];
      const mapPoint = pointMapper(metric);
      if (!mapPoint) {
        const type = String((metric as { dataPointType?: unknown }).dataPointType);
        for (const point of points) {
          failures.push({
            item: { metric, dataPoint: point },
            detail: `metric ${context.name}: unknown data point type ${type}`,
          });
        }
        continue;
      }
      for (const point of points) {
        try {
          rows.push(mapPoint(context, point));
        } catch (error) {
          failures.push({
            item: { metric, dataPoint: point },
            detail: `metric ${context.name}: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
    }
  }
  return { rows, failures };
}
