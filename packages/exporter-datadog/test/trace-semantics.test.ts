import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AttributeLookup,
  DEFAULT_SERVICE_NAME,
  DEFAULT_SPAN_NAME,
  normalizeName,
  operationName,
  otelService,
  resourceName,
  spanType,
} from '../src';

/*
 * The trace Agent's own tests of its OpenTelemetry span conversion, as data: every row is a case
 * of DataDog/datadog-agent pkg/trace/traceutil/otel_util_test.go (the V2 expectations). Kinds:
 * INTERNAL 0, SERVER 1, CLIENT 2, PRODUCER 3, CONSUMER 4; the Go tests' "unspecified" kind has no
 * JavaScript counterpart and is read as INTERNAL where the rule is the same.
 */
const SOURCE = 'pkg/trace/traceutil/otel_util_test.go';
type Row = {
  test: string;
  kind?: number;
  rattrs?: Record<string, string>;
  sattrs?: Record<string, string>;
  expected: string;
};
const lookup = (row: Row) => new AttributeLookup(row.sattrs ?? {}, row.rattrs ?? {});

const SPAN_TYPE: Row[] = [
  {
    test: 'override with span.type attr',
    kind: 0,
    rattrs: { 'span.type': 'my-type' },
    expected: 'my-type',
  },
  { test: 'web span', kind: 1, expected: 'web' },
  { test: 'redis span', kind: 2, rattrs: { 'db.system': 'redis' }, expected: 'redis' },
  { test: 'memcached span', kind: 2, rattrs: { 'db.system': 'memcached' }, expected: 'memcached' },
  { test: 'sql db client span', kind: 2, rattrs: { 'db.system': 'postgresql' }, expected: 'sql' },
  {
    test: 'elastic db client span',
    kind: 2,
    rattrs: { 'db.system': 'elasticsearch' },
    expected: 'elasticsearch',
  },
  {
    test: 'opensearch db client span',
    kind: 2,
    rattrs: { 'db.system': 'opensearch' },
    expected: 'opensearch',
  },
  {
    test: 'cassandra db client span',
    kind: 2,
    rattrs: { 'db.system': 'cassandra' },
    expected: 'cassandra',
  },
  { test: 'other db client span', kind: 2, rattrs: { 'db.system': 'couchdb' }, expected: 'db' },
  { test: 'http client span', kind: 2, expected: 'http' },
  { test: 'other custom span', kind: 0, expected: 'custom' },
  {
    test: 'span.type in both span and resource (span wins)',
    rattrs: { 'span.type': 'resource-type' },
    sattrs: { 'span.type': 'span-type' },
    expected: 'span-type',
  },
  { test: 'span.type only in span', sattrs: { 'span.type': 'span-type' }, expected: 'span-type' },
  {
    test: 'span.type only in resource',
    rattrs: { 'span.type': 'resource-type' },
    expected: 'resource-type',
  },
  {
    test: 'db.system in both span and resource (span wins)',
    kind: 2,
    rattrs: { 'db.system': 'redis' },
    sattrs: { 'db.system': 'memcached' },
    expected: 'memcached',
  },
  { test: 'db.system only in span', kind: 2, sattrs: { 'db.system': 'redis' }, expected: 'redis' },
  {
    test: 'db.system only in resource',
    kind: 2,
    rattrs: { 'db.system': 'redis' },
    expected: 'redis',
  },
];

const SERVICE: Row[] = [
  { test: 'service not set', expected: 'otlpresourcenoservicename' },
  { test: 'normal service in resource', rattrs: { 'service.name': 'svc' }, expected: 'svc' },
  { test: 'normal service in span', sattrs: { 'service.name': 'svc' }, expected: 'svc' },
  {
    test: 'service in both, span takes precedence',
    rattrs: { 'service.name': 'resource_svc' },
    sattrs: { 'service.name': 'span_svc' },
    expected: 'span_svc',
  },
  {
    test: 'truncate long service',
    rattrs: { 'service.name': 'a'.repeat(101) },
    expected: 'a'.repeat(100),
  },
  { test: 'invalid service', rattrs: { 'service.name': '%$^' }, expected: DEFAULT_SERVICE_NAME },
];

// TestGetOTelResource, expectedV2; the span is named span_name and has no kind (INTERNAL here).
const RESOURCE: Row[] = [
  { test: 'resource not set', expected: 'span_name' },
  { test: 'normal resource', sattrs: { 'resource.name': 'res' }, expected: 'res' },
  {
    test: 'HTTP request method resource',
    sattrs: { 'http.request.method': 'GET' },
    expected: 'GET',
  },
  {
    test: 'HTTP method and route resource',
    sattrs: { 'http.method': 'GET', 'http.route': '/' },
    expected: 'GET',
  },
  {
    test: 'truncate long resource',
    sattrs: { 'resource.name': 'a'.repeat(5001) },
    expected: 'a'.repeat(5000),
  },
  {
    test: 'GraphQL with no type',
    sattrs: { 'graphql.operation.name': 'myQuery' },
    expected: 'span_name',
  },
  {
    test: 'GraphQL with only type',
    sattrs: { 'graphql.operation.type': 'query' },
    expected: 'query',
  },
  {
    // Upstream names this row (type and name) 'GraphQL with only type' too; kept as it is there.
    test: 'GraphQL with only type',
    sattrs: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'myQuery' },
    expected: 'query myQuery',
  },
  {
    test: 'SQL statement resource',
    rattrs: { 'db.system': 'mysql', 'db.statement': 'SELECT * FROM table WHERE id = 12345' },
    sattrs: { 'span.name': 'span_name' },
    expected: 'SELECT * FROM table WHERE id = 12345',
  },
  {
    test: 'Redis command resource',
    rattrs: { 'db.system': 'redis', 'db.query.text': 'SET key value' },
    sattrs: { 'span.name': 'span_name' },
    expected: 'SET key value',
  },
  {
    test: 'resource.name in both span and resource (span wins)',
    rattrs: { 'resource.name': 'res_resource' },
    sattrs: { 'resource.name': 'res_span' },
    expected: 'res_span',
  },
  {
    test: 'http.request.method in both span and resource (span wins)',
    rattrs: { 'http.request.method': 'POST' },
    sattrs: { 'http.request.method': 'GET' },
    expected: 'GET',
  },
  {
    test: 'messaging.operation in both span and resource (span wins)',
    rattrs: { 'messaging.operation': 'receive' },
    sattrs: { 'messaging.operation': 'process' },
    expected: 'process',
  },
  {
    test: 'rpc.method in both span and resource (span wins)',
    rattrs: { 'rpc.method': 'resource_method', 'rpc.service': 'resource_service' },
    sattrs: { 'rpc.method': 'span_method', 'rpc.service': 'span_service' },
    expected: 'span_method span_service',
  },
  {
    test: 'GraphQL type in both span and resource (span wins)',
    rattrs: { 'graphql.operation.type': 'mutation' },
    sattrs: { 'graphql.operation.type': 'query', 'graphql.operation.name': 'myQuery' },
    expected: 'query myQuery',
  },
  {
    test: 'DB statement in both span and resource (span wins)',
    rattrs: { 'db.system': 'mysql', 'db.statement': 'SELECT * FROM resource' },
    sattrs: { 'db.system': 'mysql', 'db.statement': 'SELECT * FROM span' },
    expected: 'SELECT * FROM span',
  },
  { test: 'fallback to span name if nothing set', expected: 'span_name' },
];

// GetOTelOperationNameV2's rules (otel_util.go); its V1 test rows (scope-based names) do not apply.
const OPERATION: Row[] = [
  { test: 'operation.name attribute', sattrs: { 'operation.name': 'op' }, expected: 'op' },
  // V2 reads operation.name tag-normalised: '%$^' normalises to nothing, so the kind names it.
  {
    test: 'invalid operation.name falls through',
    sattrs: { 'operation.name': '%$^' },
    expected: 'Internal',
  },
  {
    test: 'truncate long operation name',
    sattrs: { 'operation.name': 'a'.repeat(101) },
    expected: 'a'.repeat(100),
  },
  {
    test: 'http server',
    kind: 1,
    sattrs: { 'http.request.method': 'GET' },
    expected: 'http.server.request',
  },
  {
    test: 'http client (old method key)',
    kind: 2,
    sattrs: { 'http.method': 'GET' },
    expected: 'http.client.request',
  },
  {
    test: 'database client',
    kind: 2,
    sattrs: { 'db.system': 'PostgreSQL' },
    expected: 'postgresql.query',
  },
  {
    test: 'messaging',
    kind: 3,
    sattrs: { 'messaging.system': 'kafka', 'messaging.operation': 'publish' },
    expected: 'kafka.publish',
  },
  {
    test: 'aws client',
    kind: 2,
    sattrs: { 'rpc.system': 'aws-api', 'rpc.service': 's3' },
    expected: 'aws.s3.request',
  },
  {
    test: 'aws client without service',
    kind: 2,
    sattrs: { 'rpc.system': 'aws-api' },
    expected: 'aws.client.request',
  },
  {
    test: 'rpc server',
    kind: 1,
    sattrs: { 'rpc.system': 'grpc' },
    expected: 'grpc.server.request',
  },
  {
    test: 'faas client',
    kind: 2,
    sattrs: { 'faas.invoked_provider': 'aws', 'faas.invoked_name': 'fn' },
    expected: 'aws.fn.invoke',
  },
  { test: 'faas server', kind: 1, sattrs: { 'faas.trigger': 'http' }, expected: 'http.invoke' },
  {
    test: 'graphql',
    kind: 0,
    sattrs: { 'graphql.operation.type': 'query' },
    expected: 'graphql.server.request',
  },
  {
    test: 'generic server with protocol',
    kind: 1,
    sattrs: { 'network.protocol.name': 'amqp' },
    expected: 'amqp.server.request',
  },
  { test: 'generic client', kind: 2, expected: 'client.request' },
  { test: 'internal', kind: 0, expected: 'Internal' },
  { test: 'consumer', kind: 4, expected: 'Consumer' },
];

describe(`trace Agent conversion conformance (${SOURCE})`, () => {
  for (const row of SPAN_TYPE) {
    it(`GetOTelSpanType: ${row.test}`, () =>
      assert.equal(spanType(row.kind ?? 0, lookup(row)), row.expected));
  }
  for (const row of SERVICE) {
    it(`GetOTelService: ${row.test}`, () => assert.equal(otelService(lookup(row)), row.expected));
  }
  for (const row of RESOURCE) {
    it(`GetOTelResourceV2: ${row.test}`, () =>
      assert.equal(resourceName(row.kind ?? 0, 'span_name', lookup(row)), row.expected));
  }
  for (const row of OPERATION) {
    it(`GetOTelOperationNameV2: ${row.test}`, () =>
      assert.equal(operationName(row.kind ?? 0, lookup(row)), row.expected));
  }
  it('NormalizeName: what normalises to nothing is unnamed_operation', () => {
    assert.equal(normalizeName('%$^'), DEFAULT_SPAN_NAME);
    assert.equal(normalizeName('9lives.ok-name'), 'lives.ok_name');
  });
  it('GetOTelResourceV2: a server span adds its route; _OTHER reads HTTP', () => {
    const attrs = new AttributeLookup(
      { 'http.request.method': '_OTHER', 'http.route': '/u/:id' },
      {},
    );
    assert.equal(resourceName(1, 'x', attrs), 'HTTP /u/:id');
  });
});
