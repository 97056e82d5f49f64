import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  logTarget,
  resolveTarget,
  sanitizeDataset,
  sanitizeNamespace,
  spanTarget,
} from '../src/mapping/routing';
import type { MappingSettings, Target } from '../src/mapping/types';
import { START, logRecord, resource, scope, settings, span } from './helpers/fixtures';

type Sources = [Record<string, unknown>?, Record<string, unknown>?, Record<string, unknown>?];

test('routing precedence: static index, elasticsearch.index, data_stream.* (record > scope > resource), defaults', () => {
  const ds = (type: 'traces' | 'logs' | 'metrics', dataset: string, namespace: string): Target => ({
    index: `${type}-${dataset}-${namespace}`,
    dataStream: { type, dataset, namespace },
  });
  const plain = (index: string): Target => ({ index, dataStream: undefined });
  const cases: [string, Partial<MappingSettings>, Sources, Target][] = [
    ['defaults, otel mode', {}, [], ds('logs', 'generic.otel', 'default')],
    ['defaults, ecs mode', { mode: 'ecs' }, [], ds('logs', 'generic', 'default')],
    ['defaults, raw mode', { mode: 'raw' }, [], ds('logs', 'generic', 'default')],
    [
      'configured dataset and namespace',
      { dataset: 'app', namespace: 'prod' },
      [],
      ds('logs', 'app.otel', 'prod'),
    ],
    // As the Collector's router: the suffix is added whatever the dataset ends with.
    ['dataset already .otel', { dataset: 'app.otel' }, [], ds('logs', 'app.otel.otel', 'default')],
    [
      'configured names are sanitised',
      { dataset: 'My-App', namespace: 'Prod-1' },
      [],
      ds('logs', 'my_app.otel', 'prod-1'),
    ],
    [
      'record attribute wins',
      {},
      [
        { 'data_stream.dataset': 'rec' },
        { 'data_stream.dataset': 'scope' },
        { 'data_stream.dataset': 'res' },
      ],
      ds('logs', 'rec.otel', 'default'),
    ],
    [
      'scope over resource',
      {},
      [{}, { 'data_stream.dataset': 'scope' }, { 'data_stream.dataset': 'res' }],
      ds('logs', 'scope.otel', 'default'),
    ],
    [
      'resource last',
      {},
      [{}, {}, { 'data_stream.namespace': 'res' }],
      ds('logs', 'generic.otel', 'res'),
    ],
    [
      'dataset and namespace from different levels',
      {},
      [{ 'data_stream.namespace': 'n1' }, {}, { 'data_stream.dataset': 'd1' }],
      ds('logs', 'd1.otel', 'n1'),
    ],
    [
      'attribute values are sanitised',
      {},
      [{ 'data_stream.dataset': 'My-App:v2', 'data_stream.namespace': 'A B' }],
      ds('logs', 'my_app_v2.otel', 'a_b'),
    ],
    [
      'a non-string attribute is read as text (the Collector reads it with AsString)',
      {},
      [{ 'data_stream.dataset': 42 }],
      ds('logs', '42.otel', 'default'),
    ],
    [
      'an attribute that sanitises to nothing is ignored',
      {},
      [{ 'data_stream.dataset': '' }],
      ds('logs', 'generic.otel', 'default'),
    ],
    [
      'elasticsearch.index beats data_stream',
      {},
      [{ 'data_stream.dataset': 'x' }, {}, { 'elasticsearch.index': 'my-index' }],
      plain('my-index'),
    ],
    [
      'elasticsearch.index: record over resource',
      {},
      [{ 'elasticsearch.index': 'rec-index' }, {}, { 'elasticsearch.index': 'res-index' }],
      plain('rec-index'),
    ],
    [
      'static index beats attributes',
      { index: 'static' },
      [{ 'elasticsearch.index': 'attr' }],
      plain('static'),
    ],
    [
      'routeByAttributes off',
      { routeByAttributes: false },
      [{ 'elasticsearch.index': 'attr', 'data_stream.dataset': 'x' }],
      ds('logs', 'generic.otel', 'default'),
    ],
    [
      'daily suffix on a static index',
      { index: 'otel-logs', indexDateSuffix: 'daily' },
      [],
      plain('otel-logs-2024.01.15'),
    ],
    [
      'monthly suffix on an attribute index',
      { indexDateSuffix: 'monthly' },
      [{ 'elasticsearch.index': 'x' }],
      plain('x-2024.01'),
    ],
    [
      'no suffix on data streams',
      { indexDateSuffix: 'daily' },
      [],
      ds('logs', 'generic.otel', 'default'),
    ],
  ];
  for (const [name, overrides, sources, expected] of cases) {
    assert.deepEqual(resolveTarget('logs', settings(overrides), sources, START), expected, name);
  }
});

test('data stream parts: lowercase, no disallowed characters, at most 100 bytes', () => {
  assert.equal(sanitizeDataset('A\\b/c*d?e"f<g>h|i j,k#l:m-n'), 'a_b_c_d_e_f_g_h_i_j_k_l_m_n');
  assert.equal(sanitizeNamespace('A\\b/c*d?e"f<g>h|i j,k#l:m-n'), 'a_b_c_d_e_f_g_h_i_j_k_l_m-n');
  assert.equal(sanitizeDataset('x'.repeat(150)).length, 100);
  assert.equal(sanitizeDataset('x'.repeat(150), '.otel'), `${'x'.repeat(95)}.otel`);
  // 33 four-byte characters: 132 bytes; 25 fit in 100 bytes, and no half pair is left.
  const emoji = sanitizeNamespace('\uD83D\uDE00'.repeat(33));
  assert.equal(Buffer.byteLength(emoji), 100);
  assert.equal(emoji, '\uD83D\uDE00'.repeat(25));
});

test('records of one scope and resource: a route of their own, settings and date suffixes still count', () => {
  const res = resource({ 'service.name': 'checkout', 'data_stream.dataset': 'from-resource' });
  const sc = scope();
  const otel = settings();
  const plainRecord = logRecord({ resource: res, scope: sc });
  const routed = logRecord({
    resource: res,
    scope: sc,
    attributes: { 'data_stream.namespace': 'own' },
  });
  // The first answer for this scope and resource must not stand for a record with a route.
  assert.equal(logTarget(plainRecord, otel).index, 'logs-from_resource.otel-default');
  assert.equal(logTarget(routed, otel).index, 'logs-from_resource.otel-own');
  assert.equal(logTarget(plainRecord, otel).index, 'logs-from_resource.otel-default');
  // Per signal and per exporter's settings.
  assert.equal(
    spanTarget(span({ resource: res, scope: sc }), otel).index,
    'traces-from_resource.otel-default',
  );
  assert.equal(
    logTarget(plainRecord, settings({ routeByAttributes: false })).index,
    'logs-generic.otel-default',
  );
  // An index name with a date suffix follows each record's own time.
  const daily = settings({ index: 'app', indexDateSuffix: 'daily' });
  const later = logRecord({ resource: res, scope: sc, hrTime: [START[0] + 86_400, 0] });
  assert.equal(logTarget(plainRecord, daily).index, 'app-2024.01.15');
  assert.equal(logTarget(later, daily).index, 'app-2024.01.16');
});

test('records of scopes and resources that alternate each keep their own route', () => {
  // The last scope and resource's routes are remembered: a record of another must not get them.
  const otel = settings();
  const resA = resource({ 'data_stream.dataset': 'res-a' });
  const resB = resource({ 'data_stream.dataset': 'res-b' });
  const scA = scope({ attributes: { 'data_stream.namespace': 'scope-a' } });
  const scB = scope();
  const cases: [ReturnType<typeof logRecord>, string][] = [
    [logRecord({ resource: resA, scope: scA }), 'logs-res_a.otel-scope-a'],
    [logRecord({ resource: resA, scope: scA }), 'logs-res_a.otel-scope-a'],
    [logRecord({ resource: resA, scope: scB }), 'logs-res_a.otel-default'],
    [logRecord({ resource: resB, scope: scB }), 'logs-res_b.otel-default'],
    [logRecord({ resource: resB, scope: scA }), 'logs-res_b.otel-scope-a'],
    [logRecord({ resource: resA, scope: scA }), 'logs-res_a.otel-scope-a'],
  ];
  for (const [record, index] of cases) assert.equal(logTarget(record, otel).index, index);
  // The same scope and resource under other settings.
  assert.equal(
    logTarget(cases[0][0], settings({ routeByAttributes: false })).index,
    'logs-generic.otel-default',
  );
  assert.equal(logTarget(cases[0][0], otel).index, 'logs-res_a.otel-scope-a');
});
