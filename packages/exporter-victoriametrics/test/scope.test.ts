import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InstrumentationScopeLike } from '@otelpack/batching-core';
import { DEFAULT_MAPPING_OPTIONS, mapResourceMetrics } from '../src';
import type { MappingOptions } from '../src';
import { gauge, resourceMetrics } from './helpers/fixtures';

/*
 * Scope labels, rows from prometheus/prometheus
 * storage/remote/otlptranslator/prometheusremotewrite/helper_test.go (TestCreateAttributes): the
 * same resource, point attributes and scope, and the labels the receiver makes of them.
 */
const HELPER_TEST = 'prometheus helper_test.go TestCreateAttributes';
const OURS = 'otelpack (rule of prometheus helper.go createAttributes)';

const RESOURCE = {
  'service.name': 'service name',
  'service.instance.id': 'service ID',
  'existent-attr': 'resource value',
};
const POINT = { 'metric-attr': 'metric value', 'metric-attr-other': 'metric value other' };
const DEFAULT_SCOPE: InstrumentationScopeLike = {
  name: 'test-scope',
  version: '1.0.0',
  schemaUrl: 'https://schema.com',
  attributes: { attr1: 'value1', attr2: 'value2' },
};
const BASE = {
  __name__: 'test_metric',
  instance: 'service ID',
  job: 'service name',
  metric_attr: 'metric value',
  metric_attr_other: 'metric value other',
};
const SCOPE_LABELS = {
  otel_scope_name: 'test-scope',
  otel_scope_version: '1.0.0',
  otel_scope_schema_url: 'https://schema.com',
  otel_scope_attr1: 'value1',
  otel_scope_attr2: 'value2',
};

describe('scope labels (the specification MUSTs, as Prometheus receives them)', () => {
  const table: {
    name: string;
    source: string;
    scope: InstrumentationScopeLike;
    point?: Record<string, string>;
    options?: Partial<MappingOptions>;
    expected: Record<string, string>;
  }[] = [
    {
      name: 'without scope promotion',
      source: HELPER_TEST,
      scope: DEFAULT_SCOPE,
      options: { scopeLabels: false },
      expected: BASE,
    },
    {
      name: 'with scope promotion: name, version, schema URL and every scope attribute',
      source: HELPER_TEST,
      scope: DEFAULT_SCOPE,
      expected: { ...BASE, ...SCOPE_LABELS },
    },
    {
      name: 'with scope promotion but without a scope: none',
      source: HELPER_TEST,
      scope: { name: '' },
      expected: BASE,
    },
    {
      name: 'with resource attribute promotion and scope promotion',
      source: HELPER_TEST,
      scope: DEFAULT_SCOPE,
      options: { promoteResourceAttributes: ['non-existent-attr', 'existent-attr'] },
      expected: { ...BASE, existent_attr: 'resource value', ...SCOPE_LABELS },
    },
    {
      name: 'a scope without a name gives no labels even with a version',
      source: OURS,
      scope: { name: '', version: '1.0.0', attributes: { a: 'b' } },
      expected: BASE,
    },
    {
      name: 'empty version and schema URL are left out',
      source: OURS,
      scope: { name: 'lib' },
      expected: { ...BASE, otel_scope_name: 'lib' },
    },
    {
      name: 'scope attribute keys are sanitised with their prefix',
      source: OURS,
      scope: { name: 'lib', attributes: { 'my.attr-x': 'v', n: 3 } },
      expected: { ...BASE, otel_scope_name: 'lib', otel_scope_my_attr_x: 'v', otel_scope_n: '3' },
    },
    {
      name: 'a scope label replaces a point attribute of the same name',
      source: OURS,
      scope: { name: 'lib' },
      point: { ...POINT, 'otel.scope.name': 'from the point' },
      expected: { ...BASE, otel_scope_name: 'lib' },
    },
  ];
  for (const row of table) {
    it(`${row.name} (${row.source})`, () => {
      const result = mapResourceMetrics(
        resourceMetrics([gauge('test_metric', [[row.point ?? POINT, 1]])], {
          resource: RESOURCE,
          scope: row.scope,
        }),
        { ...DEFAULT_MAPPING_OPTIONS, targetInfo: false, ...row.options },
      );
      assert.equal(result.series.length, 1);
      const labels = Object.fromEntries(result.series[0].labels.map((l) => [l.name, l.value]));
      assert.deepEqual(labels, row.expected);
    });
  }

  it('two scopes that differ only in schema URL stay two families', () => {
    const input = resourceMetrics([gauge('g', [[{}, 1]])], { resource: RESOURCE });
    input.scopeMetrics.push({
      scope: { name: 'shop-lib', version: '2.1.0', schemaUrl: 'https://s/1' },
      metrics: [gauge('g', [[{}, 2]])],
    });
    const result = mapResourceMetrics(input, { ...DEFAULT_MAPPING_OPTIONS, targetInfo: false });
    assert.equal(result.series.length, 2);
    assert.equal(result.dropped.name_collision, undefined);
  });
});
