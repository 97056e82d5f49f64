import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  TEMPLATE_PRIORITY,
  ilmPolicyBody,
  indexTemplateBody,
  setupResourceName,
} from '../src/setup/templates';

test('ILM policy: hot, warm after warmAfter, delete after deleteAfter; no rollover', () => {
  assert.deepEqual(ilmPolicyBody({ warmAfter: '7d', deleteAfter: '30d' }), {
    policy: {
      _meta: { managed_by: 'otelpack' },
      phases: {
        hot: { min_age: '0ms', actions: { set_priority: { priority: 100 } } },
        warm: {
          min_age: '7d',
          actions: { set_priority: { priority: 50 }, forcemerge: { max_num_segments: 1 } },
        },
        delete: { min_age: '30d', actions: { delete: {} } },
      },
    },
  });
  const noWarm = ilmPolicyBody({ warmAfter: undefined, deleteAfter: '3d' }) as {
    policy: { phases: object };
  };
  assert.deepEqual(Object.keys(noWarm.policy.phases), ['hot', 'delete']);
});

test('index template: the index and its date-suffixed names, above built-in priority, with the policy', () => {
  const body = indexTemplateBody('logs', 'otel', {
    index: 'otel-logs',
    ilm: { warmAfter: '7d', deleteAfter: '30d' },
  }) as {
    index_patterns: string[];
    priority: number;
    template: {
      settings: Record<string, string>;
      mappings: { properties: Record<string, unknown> };
    };
    _meta: unknown;
  };
  assert.equal(setupResourceName('otel-logs'), 'otelpack-otel-logs');
  assert.deepEqual(body.index_patterns, ['otel-logs', 'otel-logs-*']);
  assert.equal(body.priority, TEMPLATE_PRIORITY);
  assert.ok(TEMPLATE_PRIORITY > 100);
  assert.deepEqual(body.template.settings, { 'index.lifecycle.name': 'otelpack-otel-logs' });
  assert.deepEqual(body._meta, { managed_by: 'otelpack', mapping_mode: 'otel', signal: 'logs' });
  const props = body.template.mappings.properties;
  assert.deepEqual(props['@timestamp'], { type: 'date_nanos' });
  assert.deepEqual(props.attributes, { type: 'object', subobjects: false });
  assert.deepEqual(props.body, {
    properties: { text: { type: 'text' }, structured: { type: 'flattened' } },
  });
  const noIlm = indexTemplateBody('metrics', 'otel', { index: 'm', ilm: undefined }) as {
    template: { settings: object; mappings: { properties: Record<string, unknown> } };
  };
  assert.deepEqual(noIlm.template.settings, {});
  assert.deepEqual(noIlm.template.mappings.properties['@timestamp'], { type: 'date' });
  assert.deepEqual(noIlm.template.mappings.properties.metrics, {
    type: 'object',
    subobjects: false,
  });
});

test('index template: each mode maps its own time and id fields', () => {
  const properties = (mode: 'otel' | 'ecs' | 'raw') =>
    Object.keys(
      (
        indexTemplateBody('traces', mode, { index: 'x', ilm: undefined }) as {
          template: { mappings: { properties: object } };
        }
      ).template.mappings.properties,
    );
  assert.deepEqual(properties('otel').slice(0, 5), [
    '@timestamp',
    'attributes',
    'resource',
    'scope',
    'trace_id',
  ]);
  assert.ok(properties('ecs').includes('trace'));
  assert.ok(properties('raw').includes('TraceId'));
});
