import type { Attributes, HrTime, SpanContext } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType } from '@otelpack/batching-core';
import type {
  AnyValue,
  AnyValueMap,
  DataPointLike,
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
  TimedEventLike,
} from '@otelpack/batching-core';
import type { MappingSettings } from '../../src/mapping/types';

/*
 * Fixed SDK-shaped inputs for the table tests: every time and id is a constant, so expected
 * documents can be written out in full.
 */

export const TRACE_ID = '0102030405060708090a0b0c0d0e0f10';
export const SPAN_ID = '0102030405060708';
export const PARENT_SPAN_ID = '0001020304050607';
/** 2024-01-15T10:30:00Z plus 5 ns. */
export const START: HrTime = [1705314600, 5];
/** 150 ms later. */
export const END: HrTime = [1705314600, 150_000_005];

export function settings(overrides: Partial<MappingSettings> = {}): MappingSettings {
  return {
    mode: 'otel',
    index: undefined,
    routeByAttributes: true,
    dataset: 'generic',
    namespace: 'default',
    indexDateSuffix: 'none',
    deterministicIds: false,
    limits: { maxStringLength: 1_048_576 },
    ...overrides,
  };
}

export function resource(
  attributes: Attributes = { 'service.name': 'checkout' },
  schemaUrl?: string,
): ResourceLike {
  return { attributes, ...(schemaUrl ? { schemaUrl } : {}) };
}

export function scope(overrides: Partial<InstrumentationScopeLike> = {}): InstrumentationScopeLike {
  return { name: 'my-lib', version: '1.0.0', ...overrides };
}

export function context(traceId = TRACE_ID, spanId = SPAN_ID): SpanContext {
  return { traceId, spanId, traceFlags: 1 };
}

export interface SpanFixture {
  name?: string;
  kind?: number;
  context?: SpanContext;
  parent?: SpanContext;
  startTime?: HrTime;
  endTime?: HrTime;
  duration?: HrTime;
  status?: { code: number; message?: string };
  attributes?: Attributes;
  events?: TimedEventLike[];
  links?: { context: SpanContext; attributes?: Attributes; droppedAttributesCount?: number }[];
  resource?: ResourceLike;
  scope?: InstrumentationScopeLike;
  droppedAttributesCount?: number;
  droppedEventsCount?: number;
  droppedLinksCount?: number;
}

export function span(fixture: SpanFixture = {}): ReadableSpanLike {
  const spanContext = fixture.context ?? context();
  return {
    name: fixture.name ?? 'GET /cart',
    kind: fixture.kind ?? 1,
    spanContext: () => spanContext,
    parentSpanContext: fixture.parent,
    startTime: fixture.startTime ?? START,
    endTime: fixture.endTime ?? END,
    duration: fixture.duration ?? [0, 150_000_000],
    status: fixture.status ?? { code: 0 },
    attributes: fixture.attributes ?? {},
    links: fixture.links ?? [],
    events: fixture.events ?? [],
    ended: true,
    resource: fixture.resource ?? resource(),
    instrumentationScope: fixture.scope ?? scope(),
    droppedAttributesCount: fixture.droppedAttributesCount ?? 0,
    droppedEventsCount: fixture.droppedEventsCount ?? 0,
    droppedLinksCount: fixture.droppedLinksCount ?? 0,
  } as ReadableSpanLike;
}

export interface LogFixture {
  hrTime?: HrTime;
  hrTimeObserved?: HrTime;
  spanContext?: SpanContext;
  severityText?: string;
  severityNumber?: number;
  body?: AnyValue;
  eventName?: string;
  attributes?: AnyValueMap;
  resource?: ResourceLike;
  scope?: InstrumentationScopeLike;
  droppedAttributesCount?: number;
}

export function logRecord(fixture: LogFixture = {}): ReadableLogRecordLike {
  return {
    hrTime: fixture.hrTime ?? START,
    hrTimeObserved: fixture.hrTimeObserved ?? END,
    spanContext: fixture.spanContext,
    severityText: fixture.severityText,
    severityNumber: fixture.severityNumber,
    body: fixture.body,
    eventName: fixture.eventName,
    resource: fixture.resource ?? resource(),
    instrumentationScope: fixture.scope ?? scope(),
    attributes: fixture.attributes ?? {},
    droppedAttributesCount: fixture.droppedAttributesCount ?? 0,
  };
}

export function point<T>(
  value: T,
  attributes: Attributes = {},
  endTime: HrTime = END,
): DataPointLike<T> {
  return { startTime: START, endTime, attributes, value };
}

export function gauge(
  name: string,
  points: DataPointLike<number>[],
  options: { unit?: string; valueType?: number } = {},
): MetricDataLike {
  return {
    descriptor: {
      name,
      description: '',
      unit: options.unit ?? '',
      valueType: options.valueType ?? 1,
    },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: points,
  };
}

export function sum(
  name: string,
  points: DataPointLike<number>[],
  options: {
    unit?: string;
    valueType?: number;
    monotonic?: boolean;
    temporality?: AggregationTemporality;
  } = {},
): MetricDataLike {
  return {
    descriptor: {
      name,
      description: '',
      unit: options.unit ?? '',
      valueType: options.valueType ?? 1,
    },
    aggregationTemporality: options.temporality ?? AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: options.monotonic ?? true,
    dataPoints: points,
  };
}

export function resourceMetrics(
  metrics: MetricDataLike[],
  options: { resource?: ResourceLike; scope?: InstrumentationScopeLike } = {},
): ResourceMetricsLike {
  return {
    resource: options.resource ?? resource(),
    scopeMetrics: [{ scope: options.scope ?? scope(), metrics }],
  };
}

/** A document as plain JSON (the mappers build prototype-less objects). */
export function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}
