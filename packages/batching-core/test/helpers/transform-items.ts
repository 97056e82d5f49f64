import type { ReadableLogRecordLike, ReadableSpanLike, ResourceMetricsLike } from '../../src';

/** SDK-shaped items for the transform's tests: plain objects, frozen where the SDK's are read-only. */

export function logRecord(fields: Partial<ReadableLogRecordLike> = {}): ReadableLogRecordLike {
  return {
    hrTime: [1_700_000_000, 0],
    hrTimeObserved: [1_700_000_000, 0],
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello',
    attributes: {},
    droppedAttributesCount: 0,
    resource: { attributes: { 'service.name': 'checkout' } },
    instrumentationScope: { name: 'test-scope', version: '1.0.0' },
    ...fields,
  };
}

export function span(fields: Partial<ReadableSpanLike> = {}): ReadableSpanLike {
  const context = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
  };
  return {
    name: 'GET /cart',
    kind: 1,
    spanContext: () => context,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_000, 5_000_000],
    duration: [0, 5_000_000],
    status: { code: 0 },
    attributes: {},
    links: [],
    events: [],
    ended: true,
    resource: { attributes: { 'service.name': 'checkout' } },
    instrumentationScope: { name: 'test-scope' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...fields,
  };
}

export function resourceMetrics(
  points: { attributes: Record<string, string | number>; value: number }[],
): ResourceMetricsLike {
  return {
    resource: { attributes: { 'service.name': 'checkout' } },
    scopeMetrics: [
      {
        scope: { name: 'meter' },
        metrics: [
          {
            descriptor: { name: 'http.server.requests', description: '', unit: '1', valueType: 1 },
            aggregationTemporality: 1,
            dataPointType: 3,
            isMonotonic: true,
            dataPoints: points.map((p) => ({
              startTime: [1_700_000_000, 0],
              endTime: [1_700_000_010, 0],
              attributes: p.attributes,
              value: p.value,
            })),
          },
        ],
      },
    ],
  };
}

/** Freezes an item all the way down: a write to it throws in strict mode. */
export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
