import type { HrTime } from '@opentelemetry/api';
import { DataPointType } from '@otelpack/batching-core';
import type {
  AnyValue,
  AnyValueMap,
  HistogramValue,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';

/*
 * SDK items as the OpenTelemetry JS SDK hands them to exporters, built by hand so that the
 * mapping tables state their inputs in full.
 */

/** A pdata timestamp in nanoseconds as the SDK's HrTime. */
export function hr(nanos: bigint | number): HrTime {
  const n = BigInt(nanos);
  return [Number(n / 1_000_000_000n), Number(n % 1_000_000_000n)];
}

const SCOPE = { name: 'test-scope' };

export function logRecord(
  fields: {
    body?: AnyValue;
    attributes?: AnyValueMap;
    resource?: AnyValueMap;
    time?: HrTime;
    severityText?: string;
    severityNumber?: number;
    eventName?: string;
    traceId?: string;
    spanId?: string;
  } = {},
): ReadableLogRecordLike {
  return {
    hrTime: fields.time ?? [0, 0],
    hrTimeObserved: fields.time ?? [0, 0],
    ...('body' in fields ? { body: fields.body } : {}),
    ...(fields.severityText !== undefined ? { severityText: fields.severityText } : {}),
    ...(fields.severityNumber !== undefined ? { severityNumber: fields.severityNumber } : {}),
    ...(fields.eventName !== undefined ? { eventName: fields.eventName } : {}),
    ...(fields.traceId || fields.spanId
      ? {
          spanContext: {
            traceId: fields.traceId ?? '00000000000000000000000000000000',
            spanId: fields.spanId ?? '0000000000000000',
            traceFlags: 1,
          },
        }
      : {}),
    resource: { attributes: (fields.resource ?? {}) as never },
    instrumentationScope: SCOPE,
    attributes: fields.attributes ?? {},
    droppedAttributesCount: 0,
  };
}

export function span(
  fields: Partial<ReadableSpanLike> & {
    traceId?: string;
    spanId?: string;
    resourceAttributes?: Record<string, string>;
  },
): ReadableSpanLike {
  const { traceId = '', spanId = '', resourceAttributes = {}, ...rest } = fields;
  return {
    name: 'span',
    kind: 0,
    spanContext: () => ({ traceId, spanId, traceFlags: 1 }),
    startTime: [0, 0],
    endTime: [0, 0],
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    duration: [0, 0],
    ended: true,
    resource: { attributes: resourceAttributes },
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...rest,
  };
}

export function resourceMetrics(
  resource: Record<string, string>,
  metrics: MetricDataLike[],
): ResourceMetricsLike {
  return { resource: { attributes: resource }, scopeMetrics: [{ scope: SCOPE, metrics }] };
}

type NumberKind = typeof DataPointType.GAUGE | typeof DataPointType.SUM;

export function numberMetric(
  name: string,
  kind: NumberKind,
  points: { value: number; time: HrTime; attributes?: Record<string, string> }[],
  valueType: 0 | 1,
): MetricDataLike {
  const descriptor = { name, description: '', unit: '', valueType };
  const dataPoints = points.map((p) => ({
    startTime: p.time,
    endTime: p.time,
    attributes: p.attributes ?? {},
    value: p.value,
  }));
  return kind === DataPointType.SUM
    ? { descriptor, aggregationTemporality: 1, dataPointType: kind, dataPoints, isMonotonic: true }
    : { descriptor, aggregationTemporality: 1, dataPointType: kind, dataPoints };
}

export function histogramMetric(
  name: string,
  points: { value: HistogramValue; time: HrTime; attributes?: Record<string, string> }[],
): MetricDataLike {
  return {
    descriptor: { name, description: '', unit: '', valueType: 1 },
    aggregationTemporality: 1,
    dataPointType: DataPointType.HISTOGRAM,
    dataPoints: points.map((p) => ({
      startTime: p.time,
      endTime: p.time,
      attributes: p.attributes ?? {},
      value: p.value,
    })),
  };
}
