import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpanLike } from '@otelpack/batching-core';
import { mapSpan } from '../src';

/*
 * The trace Agent's own tests of its OpenTelemetry → Datadog span conversion, as data: every row is
 * a case of DataDog/datadog-agent pkg/trace/transform/transform_test.go (the test named in each
 * table), run through mapSpan. Cases the Go tests keep commented out (the behaviour before the
 * semantic lookup) are left out, as there.
 */
const SOURCE = 'pkg/trace/transform/transform_test.go';

interface Row {
  test: string;
  sattrs?: Attributes;
  rattrs?: Attributes;
  tracestate?: string;
  meta?: Record<string, string | undefined>;
  metrics?: Record<string, number | undefined>;
}

function convert(row: Row) {
  const traceState =
    row.tracestate === undefined ? undefined : { serialize: () => row.tracestate as string };
  return mapSpan({
    name: 'test-span',
    kind: 1,
    spanContext: () => ({
      traceId: '0102030405060708090a0b0c0d0e0f10',
      spanId: '0102030405060708',
      traceFlags: 1,
      ...(traceState ? { traceState } : {}),
    }),
    parentSpanContext: undefined,
    startTime: [1_700_000_000, 0],
    endTime: [1_700_000_001, 0],
    duration: [1, 0],
    status: { code: 0 },
    attributes: row.sattrs ?? {},
    links: [],
    events: [],
    ended: true,
    resource: { attributes: row.rattrs ?? {} },
    instrumentationScope: { name: 'test-lib' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  } as unknown as ReadableSpanLike).span;
}

const TABLES: Record<string, Row[]> = {
  TestGetOTelEnv: [
    { test: 'neither set', meta: { env: undefined } },
    {
      test: 'only in resource (semconv127)',
      rattrs: { 'deployment.environment.name': 'env-res-127' },
      meta: { env: 'env-res-127' },
    },
    {
      test: 'only in resource (semconv117)',
      rattrs: { 'deployment.environment': 'env-res' },
      meta: { env: 'env-res' },
    },
    {
      test: 'only in span (semconv127)',
      sattrs: { 'deployment.environment.name': 'env-span-127' },
      meta: { env: 'env-span-127' },
    },
    {
      test: 'only in span (semconv117)',
      sattrs: { 'deployment.environment': 'env-span' },
      meta: { env: 'env-span' },
    },
    {
      test: 'both set (span wins)',
      sattrs: { 'deployment.environment': 'env-span' },
      rattrs: { 'deployment.environment': 'env-res' },
      meta: { env: 'env-span' },
    },
    {
      test: 'normalization',
      sattrs: { 'deployment.environment': '  ENV ' },
      meta: { env: '_env' },
    },
  ],
  TestGetOTelEnv_SemconvVersionPrecedence: [
    {
      test: 'semconv127 takes precedence over semconv117',
      rattrs: { 'deployment.environment.name': 'prod-127', 'deployment.environment': 'prod-117' },
      meta: { env: 'prod-127' },
    },
    {
      test: 'span semconv127 takes precedence over resource semconv127',
      sattrs: { 'deployment.environment.name': 'span-env' },
      rattrs: { 'deployment.environment.name': 'res-env' },
      meta: { env: 'span-env' },
    },
  ],
  TestGetOTelVersion: [
    { test: 'neither set', meta: { version: undefined } },
    { test: 'only in resource', rattrs: { 'service.version': 'v1' }, meta: { version: 'v1' } },
    { test: 'only in span', sattrs: { 'service.version': 'v3' }, meta: { version: 'v3' } },
    {
      test: 'both set (span wins)',
      sattrs: { 'service.version': 'v3' },
      rattrs: { 'service.version': 'v4' },
      meta: { version: 'v3' },
    },
    { test: 'normalization', sattrs: { 'service.version': '  V1 ' }, meta: { version: '_v1' } },
  ],
  TestGetOTelStatusCode: [
    { test: 'neither set', metrics: { 'http.status_code': undefined } },
    {
      test: 'http.status_code only in span',
      sattrs: { 'http.status_code': 200 },
      metrics: { 'http.status_code': 200 },
    },
    {
      test: 'http.status_code only in resource',
      rattrs: { 'http.status_code': 201 },
      metrics: { 'http.status_code': 201 },
    },
    {
      test: 'http.status_code in both span and resource (span wins)',
      sattrs: { 'http.status_code': 203 },
      rattrs: { 'http.status_code': 204 },
      metrics: { 'http.status_code': 203 },
    },
    {
      test: 'http.response.status_code only in span',
      sattrs: { 'http.response.status_code': 200 },
      metrics: { 'http.status_code': 200 },
    },
    {
      test: 'http.response.status_code only in resource',
      rattrs: { 'http.response.status_code': 404 },
      metrics: { 'http.status_code': 404 },
    },
    {
      test: 'http.response.status_code in both span and resource (span wins)',
      sattrs: { 'http.response.status_code': 201 },
      rattrs: { 'http.response.status_code': 500 },
      metrics: { 'http.status_code': 201 },
    },
    {
      test: 'http.status_code takes precedence over http.response.status_code in span',
      sattrs: { 'http.status_code': 200, 'http.response.status_code': 201 },
      metrics: { 'http.status_code': 200 },
    },
    {
      test: 'http.status_code takes precedence over http.response.status_code in resource',
      rattrs: { 'http.status_code': 201, 'http.response.status_code': 202 },
      metrics: { 'http.status_code': 201 },
    },
    {
      test: 'http.status_code in span beats http.response.status_code in resource',
      sattrs: { 'http.status_code': 200 },
      rattrs: { 'http.response.status_code': 500 },
      metrics: { 'http.status_code': 200 },
    },
  ],
  TestOtelSpanToDDSpanDBNameMapping: [
    {
      test: 'db.namespace in span attributes, no db.name',
      sattrs: { 'db.namespace': 'testdb' },
      meta: { 'db.name': 'testdb' },
    },
    {
      test: 'db.namespace in resource attributes, no db.name',
      rattrs: { 'db.namespace': 'testdb' },
      meta: { 'db.name': 'testdb' },
    },
    {
      test: 'db.namespace in both, span takes precedence',
      sattrs: { 'db.namespace': 'span-db' },
      rattrs: { 'db.namespace': 'resource-db' },
      meta: { 'db.name': 'span-db' },
    },
    {
      test: 'db.name already exists, should not map',
      sattrs: { 'db.name': 'existing-db', 'db.namespace': 'testdb' },
      meta: { 'db.name': 'existing-db' },
    },
    { test: 'no db.namespace, should not map', meta: { 'db.name': undefined } },
  ],
  TestOtelSpanToDDSpanTraceStatePreservation: [
    { test: 'tracestate present', tracestate: 'ot=th:8', meta: { 'w3c.tracestate': 'ot=th:8' } },
    {
      test: 'tracestate present with multiple members',
      tracestate: 'ot=th:8;rv:abcdefabcdefab,foo=bar',
      meta: { 'w3c.tracestate': 'ot=th:8;rv:abcdefabcdefab,foo=bar' },
    },
    { test: 'empty tracestate omits key', tracestate: '', meta: { 'w3c.tracestate': undefined } },
  ],
  TestOtelSpanToDDSpan_HTTPAttributeMappings: [
    {
      test: 'http.request.method (semconv 1.23+) mapped to http.method',
      sattrs: { 'http.request.method': 'GET' },
      meta: { 'http.method': 'GET' },
    },
    {
      test: 'http.response.status_code (semconv 1.23+) mapped to http.status_code',
      sattrs: { 'http.response.status_code': '200' },
      meta: { 'http.status_code': '200' },
    },
    {
      test: 'server.address (semconv 1.17+) mapped to http.server_name',
      rattrs: { 'server.address': 'api.example.com' },
      meta: { 'http.server_name': 'api.example.com' },
    },
    {
      test: 'client.address (semconv 1.27+) mapped to http.client_ip',
      rattrs: { 'client.address': '192.168.1.1' },
      meta: { 'http.client_ip': '192.168.1.1' },
    },
    {
      test: 'url.full (semconv 1.27+) mapped to http.url',
      rattrs: { 'url.full': 'https://api.example.com/users' },
      meta: { 'http.url': 'https://api.example.com/users' },
    },
    {
      test: 'user_agent.original (semconv 1.27+) mapped to http.useragent',
      rattrs: { 'user_agent.original': 'Mozilla/5.0' },
      meta: { 'http.useragent': 'Mozilla/5.0' },
    },
    {
      test: 'network.protocol.version (semconv 1.27+) mapped to http.version',
      rattrs: { 'network.protocol.version': '1.1' },
      meta: { 'http.version': '1.1' },
    },
  ],
  TestOtelSpanToDDSpan_DBAttributeMappings: [
    {
      test: 'db.query.text (semconv 1.26+) preserved',
      sattrs: { 'db.query.text': 'SELECT * FROM users', 'db.system': 'postgresql' },
      meta: { 'db.query.text': 'SELECT * FROM users' },
    },
    {
      test: 'both db.query.text and db.statement - both preserved',
      sattrs: {
        'db.query.text': 'SELECT * FROM users',
        'db.statement': 'SELECT * FROM orders',
        'db.system': 'postgresql',
      },
      meta: { 'db.query.text': 'SELECT * FROM users', 'db.statement': 'SELECT * FROM orders' },
    },
    {
      test: 'db.namespace (semconv 1.26+) mapped to db.name',
      rattrs: { 'db.namespace': 'production_db', 'db.system': 'postgresql' },
      meta: { 'db.name': 'production_db', 'db.namespace': 'production_db' },
    },
    {
      test: 'db.name takes precedence over db.namespace',
      rattrs: {
        'db.name': 'existing_db',
        'db.namespace': 'namespace_db',
        'db.system': 'postgresql',
      },
      meta: { 'db.name': 'existing_db', 'db.namespace': 'namespace_db' },
    },
    {
      test: 'db.collection.name (semconv 1.26+) preserved',
      sattrs: { 'db.collection.name': 'users', 'db.system': 'mongodb' },
      meta: { 'db.collection.name': 'users' },
    },
  ],
};

describe(`trace Agent span conversion conformance (${SOURCE})`, () => {
  for (const [table, rows] of Object.entries(TABLES)) {
    for (const row of rows) {
      it(`${table}: ${row.test}`, () => {
        const span = convert(row);
        for (const [key, value] of Object.entries(row.meta ?? {})) {
          assert.equal(span.meta[key], value, `meta ${key}`);
        }
        for (const [key, value] of Object.entries(row.metrics ?? {})) {
          assert.equal(span.metrics[key], value, `metrics ${key}`);
        }
      });
    }
  }
});
