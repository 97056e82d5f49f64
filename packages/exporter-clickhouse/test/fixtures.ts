import type { HrTime, SpanContext } from '@opentelemetry/api';
import type {
  InstrumentationScopeLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
} from '@otelpack/batching-core';
import type { SchemaSettings } from '../src/schema/ddl';
import { DEFAULT_TABLE_NAMES } from '../src/schema/tables';

/*
 * Fixed inputs for the tests: the structural shapes the SDK hands to exporters, written out so
 * that every field is known; the schema settings the DDL tests start from; the environment.
 */

export const TRACE_ID = '5b8efff798038103d269b633813fc60c';
export const SPAN_ID = 'eee19b7ec3c1b174';
export const PARENT_SPAN_ID = 'eee19b7ec3c1b173';
export const START: HrTime = [1_700_000_000, 123_456_789];
export const END: HrTime = [1_700_000_001, 5];

export function traceState(serialized: string): SpanContext['traceState'] {
  return {
    serialize: () => serialized,
    set() {
      return this as never;
    },
    unset() {
      return this as never;
    },
    get: () => undefined,
  };
}

export const RESOURCE: ResourceLike = {
  attributes: {
    'service.name': 'checkout',
    'host.name': 'web-1',
    'deployment.environment.name': 'prod',
  },
  schemaUrl: 'https://opentelemetry.io/schemas/1.26.0',
};

export const SCOPE: InstrumentationScopeLike = {
  name: '@acme/http',
  version: '2.1.0',
  schemaUrl: 'https://opentelemetry.io/schemas/1.24.0',
  attributes: { 'scope.attr': 'yes' },
};

export function makeSpan(
  overrides: Partial<ReadableSpanLike> = {},
  context?: Partial<SpanContext>,
): ReadableSpanLike {
  const spanContext: SpanContext = {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: 1,
    traceState: traceState('vendor=abc,other=1'),
    ...context,
  };
  return {
    name: 'GET /cart',
    kind: 1,
    spanContext: () => spanContext,
    parentSpanContext: { traceId: TRACE_ID, spanId: PARENT_SPAN_ID, traceFlags: 1 },
    startTime: START,
    endTime: END,
    status: { code: 2, message: 'upstream timed out' },
    attributes: { 'http.route': '/cart', 'http.status_code': 504, retried: true },
    links: [
      {
        context: {
          traceId: '0af7651916cd43dd8448eb211c80319c',
          spanId: 'b7ad6b7169203331',
          traceFlags: 1,
          traceState: traceState('k=v'),
        },
        attributes: { 'link.kind': 'follows' },
      },
    ],
    events: [
      { name: 'cache miss', time: [1_700_000_000, 200_000_001], attributes: { key: 'cart:42' } },
      { name: 'retry', time: [1_700_000_000, 900_000_000] },
    ],
    duration: [1, 876_543_216],
    ended: true,
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}

export function makeLogRecord(
  overrides: Partial<ReadableLogRecordLike> = {},
): ReadableLogRecordLike {
  return {
    hrTime: [1_700_000_002, 42],
    hrTimeObserved: [1_700_000_003, 7],
    spanContext: { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 },
    severityText: 'ERROR',
    severityNumber: 17,
    body: 'payment declined for order 42',
    eventName: 'payment.declined',
    resource: RESOURCE,
    instrumentationScope: SCOPE,
    attributes: { 'order.id': 42, 'customer.tier': 'gold' },
    droppedAttributesCount: 0,
    ...overrides,
  };
}

/** The schema the DDL tests start from: the Collector's names, no TTL, one server, a dedup window. */
export const SCHEMA_SETTINGS: SchemaSettings = {
  database: 'otel',
  tables: { ...DEFAULT_TABLE_NAMES },
  ttlSeconds: 0,
  clusterName: '',
  tableEngine: 'MergeTree()',
  deduplicationWindow: 1000,
};

/** The variables the exporter reads; tests that depend on defaults start without them. */
export const CLICKHOUSE_ENV = [
  'CLICKHOUSE_URL',
  'CLICKHOUSE_USER',
  'CLICKHOUSE_PASSWORD',
  'CLICKHOUSE_DATABASE',
  'CLICKHOUSE_DB',
];

export function clearClickHouseEnv(): void {
  for (const name of CLICKHOUSE_ENV) delete process.env[name];
}

/** Runs `body` with these variables set (and the others unset), then restores the environment. */
export function withEnv<T>(vars: Record<string, string>, body: () => T): T {
  // The given variables too: one left set would leak into every later test of the file.
  const names = [...new Set([...CLICKHOUSE_ENV, ...Object.keys(vars)])];
  const saved = names.map((name) => [name, process.env[name]] as const);
  clearClickHouseEnv();
  Object.assign(process.env, vars);
  try {
    return body();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
