import type {
  Attributes,
  AttributeValue,
  HrTime,
  Link,
  SpanContext,
  SpanKind,
  SpanStatus,
} from '@opentelemetry/api';

/*
 * The shapes the OpenTelemetry JS SDK hands to exporters, written out structurally so that one
 * build of otelpack works with SDK 2.x (sdk-trace-base 2.x, sdk-metrics 2.x, sdk-logs 0.2xx) and
 * SDK 3.x (sdk-trace, sdk-metrics, sdk-logs 3.x) without importing either: the SDK stays a peer
 * of the application, never bundled, never pinned by us. Only what exporters read is declared.
 */

/** `ExportResultCode` of @opentelemetry/core: numeric in both SDK majors. */
export const ExportResultCode = { SUCCESS: 0, FAILED: 1 } as const;
export type ExportResultCode = (typeof ExportResultCode)[keyof typeof ExportResultCode];

export interface ExportResult {
  code: ExportResultCode;
  error?: Error;
}

export interface ResourceLike {
  readonly attributes: Attributes;
  readonly schemaUrl?: string;
  readonly asyncAttributesPending?: boolean;
  waitForAsyncAttributes?(): Promise<void>;
}

export interface InstrumentationScopeLike {
  readonly name: string;
  readonly version?: string;
  readonly schemaUrl?: string;
  /** Logs allow any value here (AnyValueMap); spans and metrics only attribute values. */
  readonly attributes?: AnyValueMap;
}

export interface TimedEventLike {
  readonly time: HrTime;
  readonly name: string;
  readonly attributes?: Attributes;
  readonly droppedAttributesCount?: number;
}

export interface ReadableSpanLike {
  readonly name: string;
  readonly kind: SpanKind;
  spanContext(): SpanContext;
  readonly parentSpanContext?: SpanContext;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links: Link[];
  readonly events: TimedEventLike[];
  readonly duration: HrTime;
  readonly ended: boolean;
  readonly resource: ResourceLike;
  readonly instrumentationScope: InstrumentationScopeLike;
  readonly droppedAttributesCount: number;
  readonly droppedEventsCount: number;
  readonly droppedLinksCount: number;
}

/** A log body: the API's AnyValue. */
export type AnyValue =
  AttributeValue | Uint8Array | null | undefined | AnyValue[] | { [key: string]: AnyValue };

/** Log attributes may hold any value, nested maps and arrays included (the API's AnyValueMap). */
export interface AnyValueMap {
  [key: string]: AnyValue;
}

export interface ReadableLogRecordLike {
  readonly hrTime: HrTime;
  readonly hrTimeObserved: HrTime;
  readonly spanContext?: SpanContext;
  readonly severityText?: string;
  readonly severityNumber?: number;
  readonly body?: AnyValue;
  readonly eventName?: string;
  readonly resource: ResourceLike;
  readonly instrumentationScope: InstrumentationScopeLike;
  readonly attributes: AnyValueMap;
  readonly droppedAttributesCount: number;
}

/** `AggregationTemporality` of sdk-metrics: numeric in both SDK majors. */
export const AggregationTemporality = { DELTA: 0, CUMULATIVE: 1 } as const;
export type AggregationTemporality =
  (typeof AggregationTemporality)[keyof typeof AggregationTemporality];

/** `DataPointType` of sdk-metrics. */
export const DataPointType = { HISTOGRAM: 0, EXPONENTIAL_HISTOGRAM: 1, GAUGE: 2, SUM: 3 } as const;
export type DataPointType = (typeof DataPointType)[keyof typeof DataPointType];

/** `InstrumentType` of sdk-metrics: string-valued in both SDK majors. */
export type InstrumentType =
  | 'COUNTER'
  | 'GAUGE'
  | 'HISTOGRAM'
  | 'UP_DOWN_COUNTER'
  | 'OBSERVABLE_COUNTER'
  | 'OBSERVABLE_GAUGE'
  | 'OBSERVABLE_UP_DOWN_COUNTER';

export interface MetricDescriptorLike {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: number;
}

export interface DataPointLike<T> {
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly attributes: Attributes;
  readonly value: T;
}

export interface HistogramValue {
  buckets: { boundaries: number[]; counts: number[] };
  sum?: number;
  count: number;
  min?: number;
  max?: number;
}

export interface ExponentialHistogramValue {
  count: number;
  sum?: number;
  scale: number;
  zeroCount: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
  min?: number;
  max?: number;
}

interface MetricDataBase {
  readonly descriptor: MetricDescriptorLike;
  readonly aggregationTemporality: AggregationTemporality;
}

export type MetricDataLike =
  | (MetricDataBase & {
      readonly dataPointType: typeof DataPointType.SUM;
      readonly dataPoints: DataPointLike<number>[];
      readonly isMonotonic: boolean;
    })
  | (MetricDataBase & {
      readonly dataPointType: typeof DataPointType.GAUGE;
      readonly dataPoints: DataPointLike<number>[];
    })
  | (MetricDataBase & {
      readonly dataPointType: typeof DataPointType.HISTOGRAM;
      readonly dataPoints: DataPointLike<HistogramValue>[];
    })
  | (MetricDataBase & {
      readonly dataPointType: typeof DataPointType.EXPONENTIAL_HISTOGRAM;
      readonly dataPoints: DataPointLike<ExponentialHistogramValue>[];
    });

export interface ScopeMetricsLike {
  scope: InstrumentationScopeLike;
  metrics: MetricDataLike[];
}

export interface ResourceMetricsLike {
  resource: ResourceLike;
  scopeMetrics: ScopeMetricsLike[];
}
