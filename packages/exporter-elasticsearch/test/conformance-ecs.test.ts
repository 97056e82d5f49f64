import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Attributes, HrTime } from '@opentelemetry/api';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import {
  context,
  gauge,
  logRecord,
  plain,
  point,
  resource,
  resourceMetrics,
  scope,
  settings,
  span,
} from './helpers/fixtures';

/*
 * Conformance with the OpenTelemetry Collector's Elasticsearch exporter in its `ecs` mode. Each
 * row names the file of open-telemetry/opentelemetry-collector-contrib it comes from (paths under
 * exporter/elasticsearchexporter/). The Collector's current state is its golden files
 * (testdata/golden/ecs_*.json) and conversion maps (model.go); model_test.go predates two of its
 * changes, applied to its rows and said where: `telemetry.sdk.language`/`.version` now go to
 * `service.language.*` (#46690) and `host.os.type` is no longer derived (#46900).
 *
 * What this exporter writes beyond the Collector's document (README, "Compared with the
 * OpenTelemetry Collector") is taken out before comparing, by `collectorView`, one named field at
 * a time, and checked on its own.
 */

const ecs = settings({ mode: 'ecs' });

/** A Go `time.Date(...)` in UTC as an HrTime. */
function utc(iso: string, nanos = 0): HrTime {
  return [Date.parse(iso) / 1000, nanos];
}

type Doc = Record<string, unknown>;

function doc(value: unknown): Doc {
  return plain(value) as Doc;
}

/** Removes `path` (dotted) from `document` and returns what was there. */
function take(document: Doc, path: string): unknown {
  const parts = path.split('.');
  let node: Doc = document;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (next === null || typeof next !== 'object') return undefined;
    node = next as Doc;
  }
  const last = parts[parts.length - 1];
  const value = node[last];
  delete node[last];
  // An object left empty by the removal goes too, as it would never have been written.
  if (parts.length > 1) {
    const parent = parts.slice(0, -1).join('.');
    const holder = parts.slice(0, -1).reduce<Doc>((n, p) => n[p] as Doc, document);
    if (Object.keys(holder).length === 0) take(document, parent);
  }
  return value;
}

/**
 * The document as the Collector writes it: without the fields this exporter adds on purpose, each
 * returned for its own assertion. `dataStream: false` for the Collector's unit tests, which encode
 * with `elasticsearch.Index{}` (no data stream), where this exporter always routes to one.
 */
function collectorView(
  value: unknown,
  options: { dataStream: boolean },
): { document: Doc; extras: Doc } {
  const document = doc(value);
  const extras: Doc = {};
  for (const path of [
    'event.duration',
    'span.status',
    'span.dropped_attributes_count',
    'event.created',
  ]) {
    const taken = take(document, path);
    if (taken !== undefined) extras[path] = taken;
  }
  const links = (document.span as Doc | undefined)?.links as Doc[] | undefined;
  if (links) {
    // Link attributes are kept here; the Collector writes a link's trace and span ids only.
    extras['span.links attributes'] = links.map(({ trace: _trace, span: _span, ...rest }) => rest);
    (document.span as Doc).links = links.map(({ trace, span: linkSpan }) => ({
      span: linkSpan,
      trace,
    }));
  }
  if (!options.dataStream) extras.data_stream = take(document, 'data_stream');
  return { document, extras };
}

// ---------------------------------------------------------------------------------------------
// model_test.go TestEncodeSpanECSMode

test('ecs span: model_test.go TestEncodeSpanECSMode', () => {
  const docs = mapSpan(
    span({
      name: 'client span',
      kind: 2, // CLIENT
      context: context('01020304050607080807060504030201', '1920212223242526'),
      parent: context('01020304050607080807060504030201', '0102030405060708'),
      startTime: utc('2023-04-19T03:04:05Z', 6),
      endTime: utc('2023-04-19T03:04:06Z', 6),
      duration: [1, 0],
      status: { code: 2, message: 'Test' },
      attributes: {
        'db.system': 'sql',
        'db.namespace': 'users',
        'db.query.text': 'SELECT * FROM users WHERE user_id=?',
        'http.response.body.size': 'http.response.encoded_body_size',
      },
      links: [
        {
          context: context('01020304050607080807060504030201', '1112131415161718'),
        },
        { context: context('21222324252627282827262524232221', '3132333435363738') },
      ],
      resource: resource({
        'cloud.provider': 'aws',
        'cloud.platform': 'aws_elastic_beanstalk',
        'deployment.environment': 'BETA',
        'deployment.environment.name': 'BETA',
        'service.instance.id': '23',
        'service.name': 'some-service',
        'service.version': 'env-version-1234',
        'process.parent_pid': '42',
        'process.executable.name': 'node',
        'client.address': '12.53.12.1',
        'source.address': '12.53.12.1',
        'faas.instance': 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime',
        'faas.trigger': 'api-gateway',
        'process.command_line': ['node', 'app.js'],
      }),
      scope: scope({ name: '', version: '' }),
    }),
    ecs,
  );
  assert.equal(docs.length, 1);
  const { document, extras } = collectorView(docs[0].document, { dataStream: false });
  assert.deepEqual(document, {
    '@timestamp': '2023-04-19T03:04:05.000000006Z',
    trace: { id: '01020304050607080807060504030201' },
    span: {
      id: '1920212223242526',
      name: 'client span',
      kind: 'CLIENT',
      db: { instance: 'users', statement: 'SELECT * FROM users WHERE user_id=?', type: 'sql' },
      links: [
        { span: { id: '1112131415161718' }, trace: { id: '01020304050607080807060504030201' } },
        { span: { id: '3132333435363738' }, trace: { id: '21222324252627282827262524232221' } },
      ],
    },
    parent: { id: '0102030405060708' },
    cloud: { provider: 'aws', service: { name: 'aws_elastic_beanstalk' } },
    event: { outcome: 'failure' },
    service: {
      environment: 'BETA',
      name: 'some-service',
      node: { name: '23' },
      version: 'env-version-1234',
    },
    process: { parent: { pid: '42' }, title: 'node', args: ['node', 'app.js'] },
    client: { ip: '12.53.12.1' },
    source: { ip: '12.53.12.1' },
    faas: {
      id: 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime',
      trigger: { type: 'api-gateway' },
    },
    http: { response: { encoded_body_size: 'http.response.encoded_body_size' } },
  });
  assert.deepEqual(extras, {
    'event.duration': 1_000_000_000,
    'span.status': { code: 'Error', message: 'Test' },
    'span.links attributes': [{}, {}],
    data_stream: { type: 'traces', dataset: 'generic', namespace: 'default' },
  });
});

// ---------------------------------------------------------------------------------------------
// testdata/golden/ecs_traces.json and ecs_logs.json (inputs: testdata_helpers.go
// createSampleContext, createSampleSpan, createSampleLogRecord), the Collector's current state.

const goldenResource = resource({
  'service.name': 'test-service',
  'service.version': '1.0.0',
  'service.instance.id': 'instance-123',
  'deployment.environment': 'production',
  'host.name': 'prod-server-01',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'os.version': '5.15.0',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'go',
  'telemetry.sdk.version': '1.21.0',
});
const goldenScope = scope({
  name: 'github.com/example/myapp',
  version: '1.0.0',
  attributes: { 'scope.attribute': 'example-value' },
});
const GOLDEN_TRACE_ID = '0102030405060708090a0b0c0d0e0f10';
const GOLDEN_SPAN_ID = '0102030405060708';

const goldenShared = {
  host: {
    architecture: 'amd64',
    hostname: 'prod-server-01',
    name: 'prod-server-01',
    os: { platform: 'linux', version: '5.15.0' },
  },
  scope: { attribute: 'example-value' },
  service: {
    environment: 'production',
    language: { name: 'go', version: '1.21.0' },
    name: 'test-service',
    node: { name: 'instance-123' },
    version: '1.0.0',
  },
};

test('ecs span: testdata/golden/ecs_traces.json', () => {
  const docs = mapSpan(
    span({
      name: 'GET /api/v1/users',
      kind: 1, // SERVER
      context: context(GOLDEN_TRACE_ID, GOLDEN_SPAN_ID),
      parent: context(GOLDEN_TRACE_ID, '0001020304050607'),
      startTime: utc('2024-01-15T10:30:00Z'),
      endTime: utc('2024-01-15T10:30:00Z', 150_000_000),
      duration: [0, 150_000_000],
      status: { code: 1, message: 'Success' },
      attributes: {
        'http.method': 'GET',
        'http.url': 'https://example.com/api/v1/users',
        'http.status_code': 200,
        'http.target': '/api/v1/users',
        'http.scheme': 'https',
        'http.host': 'example.com',
        'db.system': 'postgresql',
        'db.namespace': 'users_db',
        'db.query.text': 'SELECT * FROM users WHERE id = $1',
      },
      events: [
        {
          name: 'query.executed',
          time: utc('2024-01-15T10:30:00Z', 50_000_000),
          attributes: { 'rows.returned': 1 },
        },
      ],
      links: [
        {
          context: context('100f0e0d0c0b0a090807060504030201', '0807060504030201'),
          attributes: { 'link.type': 'parent' },
        },
      ],
      resource: goldenResource,
      scope: goldenScope,
    }),
    ecs,
  );
  const { document, extras } = collectorView(docs[0].document, { dataStream: true });
  assert.deepEqual(document, {
    '@timestamp': '2024-01-15T10:30:00.000000000Z',
    data_stream: { dataset: 'generic', namespace: 'default', type: 'traces' },
    event: { outcome: 'success' },
    ...goldenShared,
    http: {
      host: 'example.com',
      method: 'GET',
      scheme: 'https',
      status_code: 200,
      target: '/api/v1/users',
      url: 'https://example.com/api/v1/users',
    },
    parent: { id: '0001020304050607' },
    span: {
      db: {
        instance: 'users_db',
        statement: 'SELECT * FROM users WHERE id = $1',
        type: 'postgresql',
      },
      id: GOLDEN_SPAN_ID,
      kind: 'SERVER',
      links: [
        { span: { id: '0807060504030201' }, trace: { id: '100f0e0d0c0b0a090807060504030201' } },
      ],
      name: 'GET /api/v1/users',
    },
    trace: { id: GOLDEN_TRACE_ID },
  });
  assert.deepEqual(extras, {
    'event.duration': 150_000_000,
    'span.status': { code: 'Ok', message: 'Success' },
    'span.links attributes': [{ link: { type: 'parent' } }],
  });
  // The Collector writes no document for a span event in `ecs` mode (its ecsModeEncoder embeds
  // nopSpanEventEncoder); this exporter writes one into the logs data stream.
  assert.equal(docs.length, 2);
  assert.equal(docs[1].target.index, 'logs-generic-default');
});

test('ecs log record: testdata/golden/ecs_logs.json', () => {
  const mapped = mapLogRecord(
    logRecord({
      hrTime: utc('2024-01-15T10:30:00Z'),
      hrTimeObserved: utc('2024-01-15T10:30:00Z', 1_000_000),
      severityText: 'INFO',
      severityNumber: 9,
      body: 'Sample log message with important information',
      spanContext: context(GOLDEN_TRACE_ID, GOLDEN_SPAN_ID),
      attributes: {
        'http.method': 'GET',
        'http.status_code': 200,
        'http.url': 'https://example.com/api/v1/users',
        'event.name': 'user.login',
        'user.id': '12345',
        success: true,
        duration_ms: 45.67,
      },
      resource: goldenResource,
      scope: goldenScope,
    }),
    ecs,
  );
  const { document, extras } = collectorView(mapped.document, { dataStream: true });
  assert.deepEqual(document, {
    '@timestamp': '2024-01-15T10:30:00.000000000Z',
    data_stream: { dataset: 'generic', namespace: 'default', type: 'logs' },
    duration_ms: 45.67,
    event: { action: 'user.login', severity: 9 },
    ...goldenShared,
    http: { method: 'GET', status_code: 200, url: 'https://example.com/api/v1/users' },
    log: { level: 'INFO' },
    message: 'Sample log message with important information',
    span: { id: GOLDEN_SPAN_ID },
    success: true,
    trace: { id: GOLDEN_TRACE_ID },
    user: { id: '12345' },
  });
  assert.deepEqual(extras, { 'event.created': '2024-01-15T10:30:00.001000000Z' });
});

// ---------------------------------------------------------------------------------------------
// model_test.go TestEncodeLogECSMode (with #46690 and #46900 applied, see the top).

test('ecs log record: model_test.go TestEncodeLogECSMode', () => {
  const mapped = mapLogRecord(
    logRecord({
      hrTime: [0, 0],
      hrTimeObserved: [1710273641, 123456789],
      attributes: { 'event.name': 'user-password-change', 'http.response.body.size': 1024 },
      resource: resource({
        'agent.name': 'custom-agent',
        'agent.version': '1.2.3',
        'service.name': 'foo.bar',
        'deployment.environment': 'BETA',
        'deployment.environment.name': 'BETA',
        'service.version': '1.1.0',
        'service.instance.id': 'i-103de39e0a',
        'telemetry.sdk.name': 'opentelemetry',
        'telemetry.sdk.version': '7.9.12',
        'telemetry.sdk.language': 'perl',
        'cloud.provider': 'gcp',
        'cloud.account.id': '19347013',
        'cloud.region': 'us-west-1',
        'cloud.availability_zone': 'us-west-1b',
        'cloud.platform': 'gke',
        'container.name': 'happy-seger',
        'container.id': 'e69cc5d3dda',
        'container.image.name': 'my-app',
        'container.runtime': 'docker',
        'host.name': 'i-103de39e0a.gke.us-west-1b.cloud.google.com',
        'host.hostname': 'hostname.example.com',
        'host.id': 'i-103de39e0a',
        'host.type': 't2.medium',
        'host.arch': 'x86_64',
        'process.pid': 9833,
        'process.command_line': '/usr/bin/ssh -l user 10.0.0.16',
        'process.executable.path': '/usr/bin/ssh',
        'process.runtime.name': 'OpenJDK Runtime Environment',
        'process.runtime.version': '14.0.2',
        'os.type': 'darwin',
        'os.description': 'Mac OS Mojave',
        'os.name': 'Mac OS X',
        'os.version': '10.14.1',
        'device.id': '00000000-54b3-e7c7-0000-000046bffd97',
        'device.model.identifier': 'SM-G920F',
        'device.model.name': 'Samsung Galaxy S6',
        'device.manufacturer': 'Samsung',
        'k8s.namespace.name': 'default',
        'k8s.node.name': 'node-1',
        'k8s.pod.name': 'opentelemetry-pod-autoconf',
        'k8s.pod.uid': '275ecb36-5aa8-4c2a-9c47-d8bb681b9aff',
        'k8s.deployment.name': 'coredns',
        'k8s.job.name': 'job.name',
        'k8s.cronjob.name': 'cronjob.name',
        'k8s.statefulset.name': 'statefulset.name',
        'k8s.replicaset.name': 'replicaset.name',
        'k8s.daemonset.name': 'daemonset.name',
        'k8s.container.name': 'container.name',
        'k8s.cluster.name': 'cluster.name',
        'process.parent_pid': '42',
        'process.executable.name': 'node',
        'client.address': '12.53.12.1',
        'source.address': '12.53.12.1',
        'faas.instance': 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime',
        'faas.trigger': 'api-gateway',
        'container.image.tags': ['v3.4.0'],
      }),
      scope: scope({ name: '', version: '' }),
    }),
    ecs,
  );
  const { document, extras } = collectorView(mapped.document, { dataStream: false });
  assert.deepEqual(document, {
    '@timestamp': '2024-03-12T20:00:41.123456789Z',
    agent: { name: 'custom-agent', version: '1.2.3' },
    cloud: {
      provider: 'gcp',
      account: { id: '19347013' },
      region: 'us-west-1',
      availability_zone: 'us-west-1b',
      service: { name: 'gke' },
    },
    container: {
      name: 'happy-seger',
      id: 'e69cc5d3dda',
      image: { name: 'my-app', tag: ['v3.4.0'] },
      runtime: 'docker',
    },
    host: {
      // The resource's own host.hostname stays (host.name's conversion is skipIfExists).
      hostname: 'hostname.example.com',
      name: 'i-103de39e0a.gke.us-west-1b.cloud.google.com',
      id: 'i-103de39e0a',
      type: 't2.medium',
      architecture: 'x86_64',
      // model_test.go also expects "type": "macos" here, derived before #46900.
      os: { platform: 'darwin', full: 'Mac OS Mojave', name: 'Mac OS X', version: '10.14.1' },
    },
    process: {
      pid: 9833,
      args: '/usr/bin/ssh -l user 10.0.0.16',
      executable: '/usr/bin/ssh',
      parent: { pid: '42' },
      title: 'node',
    },
    service: {
      name: 'foo.bar',
      environment: 'BETA',
      version: '1.1.0',
      node: { name: 'i-103de39e0a' },
      runtime: { name: 'OpenJDK Runtime Environment', version: '14.0.2' },
      // After #46690; model_test.go predates it and has no service.language.
      language: { name: 'perl', version: '7.9.12' },
    },
    device: {
      id: '00000000-54b3-e7c7-0000-000046bffd97',
      model: { identifier: 'SM-G920F', name: 'Samsung Galaxy S6' },
      manufacturer: 'Samsung',
    },
    event: { action: 'user-password-change' },
    http: { response: { encoded_body_size: 1024 } },
    kubernetes: {
      namespace: 'default',
      node: { name: 'node-1' },
      pod: { name: 'opentelemetry-pod-autoconf', uid: '275ecb36-5aa8-4c2a-9c47-d8bb681b9aff' },
      deployment: { name: 'coredns' },
      job: { name: 'job.name' },
      cronjob: { name: 'cronjob.name' },
      statefulset: { name: 'statefulset.name' },
      replicaset: { name: 'replicaset.name' },
      daemonset: { name: 'daemonset.name' },
      container: { name: 'container.name' },
    },
    orchestrator: { cluster: { name: 'cluster.name' } },
    client: { ip: '12.53.12.1' },
    source: { ip: '12.53.12.1' },
    faas: {
      id: 'arn:aws:lambda:us-east-2:123456789012:function:custom-runtime',
      trigger: { type: 'api-gateway' },
    },
  });
  assert.deepEqual(extras, {
    'event.created': '2024-03-12T20:00:41.123456789Z',
    data_stream: { type: 'logs', dataset: 'generic', namespace: 'default' },
  });
});

// model_test.go TestEncodeLogECSModeTimestamps: the record's time, else its observed time.
const TIMESTAMP_ROWS: [name: string, time: HrTime, observed: HrTime, expected: string][] = [
  ['only_observed_set', [0, 0], [1710273641, 123456789], '2024-03-12T20:00:41.123456789Z'],
  ['both_set', [1710273639, 345678901], [1710273641, 123456789], '2024-03-12T20:00:39.345678901Z'],
];

for (const [name, time, observed, expected] of TIMESTAMP_ROWS) {
  test(`ecs log @timestamp: model_test.go TestEncodeLogECSModeTimestamps "${name}"`, () => {
    const mapped = mapLogRecord(
      logRecord({
        hrTime: time,
        hrTimeObserved: observed,
        resource: resource({ 'agent.name': 'custom-agent', 'agent.version': '1.2.3' }),
        scope: scope({ name: '', version: '' }),
      }),
      ecs,
    );
    const { document } = collectorView(mapped.document, { dataStream: false });
    assert.deepEqual(document, {
      '@timestamp': expected,
      agent: { name: 'custom-agent', version: '1.2.3' },
    });
  });
}

// model_test.go TestEncodeLogECSModeKnownFieldConflict "protected_field_wins_over_nested_attributes"
test('ecs conflicts: a converted field keeps its value over attributes nested under it (model_test.go TestEncodeLogECSModeKnownFieldConflict)', () => {
  const mapped = mapLogRecord(
    logRecord({
      attributes: {
        'process.executable.name': 'ssh',
        'process.executable.foo': 'bar',
        'process.executable.foo.bar': 'baz',
      },
      resource: resource({
        'service.name': 'test-service',
        'process.executable.path': '/usr/bin/ssh',
      }),
    }),
    ecs,
  );
  assert.equal((doc(mapped.document).process as Doc).executable, '/usr/bin/ssh');
});

// model_test.go TestEncodeLogScalarObjectConflict (the `none` mode's rule, objmodel.go Dedup for
// any field no conversion writes): a value beside nested ones moves to `.value`.
test('ecs conflicts: any other value beside nested ones moves to .value (objmodel.go Dedup)', () => {
  const mapped = mapLogRecord(logRecord({ attributes: { foo: 'scalar', 'foo.bar': 'baz' } }), ecs);
  assert.deepEqual(doc(mapped.document).foo, { value: 'scalar', bar: 'baz' });
});

// model_test.go TestMapLogAttributesToECS "preserve_map", and resourceAttrsConversionMap's
// host.name entry {to: host.hostname, preserveOriginal, skipIfExists}.
const HOST_ROWS: [name: string, attributes: Attributes, host: Doc][] = [
  [
    'host.name only: written as host.hostname and kept',
    { 'host.name': 'h1' },
    { hostname: 'h1', name: 'h1' },
  ],
  [
    "the resource's own host.hostname is not overwritten",
    { 'host.name': 'h1', 'host.hostname': 'own' },
    { hostname: 'own', name: 'h1' },
  ],
];

for (const [name, attributes, host] of HOST_ROWS) {
  test(`ecs host.name: ${name}`, () => {
    const mapped = mapLogRecord(logRecord({ resource: resource(attributes) }), ecs);
    assert.deepEqual(doc(mapped.document).host, host);
  });
}

// ---------------------------------------------------------------------------------------------
// The span's status and kind (model.go encodeSpan: event.outcome only for Ok and Error, span.kind
// only for a known kind).

const OUTCOME_ROWS: [code: number, outcome: string | undefined][] = [
  [0, undefined],
  [1, 'success'],
  [2, 'failure'],
];

for (const [code, outcome] of OUTCOME_ROWS) {
  test(`ecs span event.outcome for status code ${code}: ${outcome ?? 'none'}`, () => {
    const [mapped] = mapSpan(span({ status: { code } }), ecs);
    assert.equal(((doc(mapped.document).event ?? {}) as Doc).outcome, outcome);
  });
}

const KIND_ROWS: [kind: number, name: string | undefined][] = [
  [0, 'INTERNAL'],
  [1, 'SERVER'],
  [2, 'CLIENT'],
  [3, 'PRODUCER'],
  [4, 'CONSUMER'],
  [7, undefined],
];

for (const [kind, name] of KIND_ROWS) {
  test(`ecs span.kind for kind ${kind}: ${name ?? 'none'}`, () => {
    const [mapped] = mapSpan(span({ kind }), ecs);
    assert.equal((doc(mapped.document).span as Doc).kind, name);
  });
}

// ---------------------------------------------------------------------------------------------
// doc_examples_test.go TestDocumentExamples, testdata/docs/ecs_metric.json (Index{}: no data
// stream there).

test('ecs metric: testdata/docs/ecs_metric.json', () => {
  const { documents } = mapResourceMetrics(
    resourceMetrics(
      [
        gauge('http.server.request.duration', [
          point(0.125, { 'http.method': 'GET' }, [1710273641, 123456789]),
        ]),
      ],
      {
        resource: resource({ 'service.name': 'my-service', 'host.name': 'my-host' }),
        scope: scope({ name: 'io.opentelemetry.example', version: '1.0.0' }),
      },
    ),
    ecs,
  );
  assert.equal(documents.length, 1);
  const { document } = collectorView(documents[0].document, { dataStream: false });
  assert.deepEqual(document, {
    '@timestamp': '2024-03-12T20:00:41.123456789Z',
    host: { hostname: 'my-host', name: 'my-host' },
    http: { method: 'GET', server: { request: { duration: 0.125 } } },
    service: { name: 'my-service' },
  });
});
