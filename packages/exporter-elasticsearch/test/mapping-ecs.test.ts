import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapLogRecord, mapResourceMetrics, mapSpan } from '../src/mapping/mapper';
import {
  PARENT_SPAN_ID,
  SPAN_ID,
  TRACE_ID,
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

const ecs = settings({ mode: 'ecs' });

const nodeResource = resource({
  'service.name': 'checkout',
  'service.version': '2.1.0',
  'service.instance.id': 'pod-7',
  'deployment.environment.name': 'production',
  'host.name': 'node-1',
  'host.arch': 'amd64',
  'os.type': 'linux',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.version': '2.1.0',
  'k8s.namespace.name': 'shop',
  'custom.attr': 'kept',
});

const expectedResourceFields = {
  service: {
    name: 'checkout',
    version: '2.1.0',
    node: { name: 'pod-7' },
    environment: 'production',
    language: { name: 'nodejs', version: '2.1.0' },
  },
  host: {
    hostname: 'node-1',
    name: 'node-1',
    architecture: 'amd64',
    os: { platform: 'linux' },
  },
  kubernetes: { namespace: 'shop' },
  custom: { attr: 'kept' },
};

test('ecs span: ECS names, nested objects, outcome and duration', () => {
  const [doc] = mapSpan(
    span({
      parent: context(TRACE_ID, PARENT_SPAN_ID),
      status: { code: 1 },
      attributes: {
        'db.system': 'postgresql',
        'db.query.text': 'SELECT 1',
        'http.request.method': 'GET',
        'http.request': 'collides',
      },
      links: [{ context: context('100f0e0d0c0b0a090807060504030201', '0807060504030201') }],
      resource: nodeResource,
      scope: scope({ attributes: { 'scope.attribute': 'x' } }),
    }),
    ecs,
  );
  assert.equal(doc.target.index, 'traces-generic-default');
  assert.deepEqual(plain(doc.document), {
    ...expectedResourceFields,
    scope: { attribute: 'x' },
    span: {
      db: { type: 'postgresql', statement: 'SELECT 1' },
      id: SPAN_ID,
      name: 'GET /cart',
      kind: 'SERVER',
      status: { code: 'Ok' },
      links: [
        { trace: { id: '100f0e0d0c0b0a090807060504030201' }, span: { id: '0807060504030201' } },
      ],
    },
    http: { request: { method: 'GET', value: 'collides' } },
    '@timestamp': '2024-01-15T10:30:00.000000005Z',
    data_stream: { type: 'traces', dataset: 'generic', namespace: 'default' },
    trace: { id: TRACE_ID },
    parent: { id: PARENT_SPAN_ID },
    event: { duration: 150_000_000, outcome: 'success' },
  });
});

test('ecs span events: separate documents with event.action and error.* fields', () => {
  const docs = mapSpan(
    span({
      resource: resource({ 'service.name': 'checkout' }),
      events: [
        {
          name: 'exception',
          time: [1705314600, 100],
          attributes: {
            'exception.message': 'boom',
            'exception.type': 'TypeError',
            'exception.stacktrace': 'at x',
          },
        },
      ],
    }),
    ecs,
  );
  assert.equal(docs.length, 2);
  assert.equal(docs[1].target.index, 'logs-generic-default');
  assert.deepEqual(plain(docs[1].document), {
    service: { name: 'checkout' },
    error: { message: 'boom', type: 'TypeError', stacktrace: 'at x' },
    '@timestamp': '2024-01-15T10:30:00.000000100Z',
    data_stream: { type: 'logs', dataset: 'generic', namespace: 'default' },
    event: { action: 'exception' },
    trace: { id: TRACE_ID },
    span: { id: SPAN_ID },
  });
});

test('ecs log record: message, log.level, event.severity, event.created', () => {
  const doc = mapLogRecord(
    logRecord({
      body: 'payment failed',
      severityText: 'ERROR',
      severityNumber: 17,
      spanContext: context(),
      attributes: { 'event.name': 'payment', 'exception.escaped': true, 'user.id': 'u1' },
      resource: resource({ 'service.name': 'checkout', 'os.type': 'darwin' }),
    }),
    ecs,
  );
  assert.deepEqual(plain(doc.document), {
    service: { name: 'checkout' },
    host: { os: { platform: 'darwin' } },
    event: {
      action: 'payment',
      error: { exception: { handled: true } },
      created: '2024-01-15T10:30:00.150000005Z',
      severity: 17,
    },
    user: { id: 'u1' },
    '@timestamp': '2024-01-15T10:30:00.000000005Z',
    data_stream: { type: 'logs', dataset: 'generic', namespace: 'default' },
    trace: { id: TRACE_ID },
    span: { id: SPAN_ID },
    log: { level: 'ERROR' },
    message: 'payment failed',
  });
});

test('ecs log bodies: a structured body is kept in message as JSON text', () => {
  const message = (body: unknown) =>
    (plain(mapLogRecord(logRecord({ body: body as never }), ecs).document) as { message?: unknown })
      .message;
  assert.equal(message({ order: 7, items: ['a'] }), '{"order":7,"items":["a"]}');
  assert.equal(message(12), '12');
  assert.equal(message(undefined), undefined);
});

test('ecs metrics: resource fields, attributes and metric values at the top level', () => {
  const [doc] = mapResourceMetrics(
    resourceMetrics(
      [gauge('http.server.request.duration', [point(0.125, { 'http.request.method': 'GET' })])],
      {
        resource: resource({ 'service.name': 'checkout', 'host.name': 'my-host' }),
      },
    ),
    ecs,
  ).documents;
  assert.equal(doc.target.index, 'metrics-generic-default');
  assert.equal(doc.dynamicTemplates, undefined);
  assert.deepEqual(plain(doc.document), {
    service: { name: 'checkout' },
    host: { hostname: 'my-host', name: 'my-host' },
    http: { request: { method: 'GET' }, server: { request: { duration: 0.125 } } },
    '@timestamp': '2024-01-15T10:30:00.150000005Z',
    data_stream: { type: 'metrics', dataset: 'generic', namespace: 'default' },
  });
});
