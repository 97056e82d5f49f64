import assert from 'node:assert/strict';
import type { Attributes } from '@opentelemetry/api';
import { describe, it } from 'node:test';
import { DEFAULT_MAPPING_OPTIONS, mapResourceMetrics, prometheusMetricName } from '../src';
import type { MappingOptions } from '../src';
import {
  END_MS,
  RESOURCE,
  assertWellFormed,
  gauge,
  lines,
  resourceMetrics,
} from './helpers/fixtures';

/*
 * Keys named like Object.prototype members (`__proto__`, `constructor`, `toString`) are ordinary
 * keys. JSON.parse makes `__proto__` an own key, as a decoded attribute map would have it; a
 * literal `{ __proto__: … }` would set the prototype instead.
 */

const ID = 'instance="pod-7",job="shop/checkout"';

function run(
  resource: Attributes,
  points: Attributes[],
  options: Partial<MappingOptions> = {},
  scopeAttributes?: Attributes,
) {
  const metrics = [
    gauge(
      'g',
      points.map((attributes) => [attributes, 1] as [Attributes, number]),
    ),
  ];
  const scope = scopeAttributes ? { name: 's', attributes: scopeAttributes } : undefined;
  const result = mapResourceMetrics(
    resourceMetrics(metrics, { resource, ...(scope ? { scope } : {}) }),
    {
      ...DEFAULT_MAPPING_OPTIONS,
      scopeLabels: false,
      targetInfo: false,
      ...options,
    },
  );
  assertWellFormed(result.series);
  return lines(result.series);
}

describe('keys named like Object.prototype members', () => {
  it('a promoted key the resource lacks is not read from Object.prototype; its own __proto__ is promoted', () => {
    const resource = { ...RESOURCE, ...JSON.parse('{"__proto__":"p"}') } as Attributes;
    assert.deepEqual(
      run(resource, [{}], { promoteResourceAttributes: ['constructor', 'toString', '__proto__'] }),
      [`g{${ID},key_proto_="p"} 1@${END_MS}`],
    );
  });

  it('a resource that has constructor and toString promotes them', () => {
    const resource = { ...RESOURCE, constructor: 'c', toString: 't' } as unknown as Attributes;
    assert.deepEqual(
      run(resource, [{}], { promoteResourceAttributes: ['constructor', 'toString'] }),
      [`g{constructor="c",${ID},toString="t"} 1@${END_MS}`],
    );
  });

  it('point, scope and target_info attributes keep them as labels', () => {
    const resource = { ...RESOURCE, ...JSON.parse('{"__proto__":"r","constructor":"rc"}') };
    const point = JSON.parse('{"__proto__":"a","constructor":"b"}') as Attributes;
    const scope = JSON.parse('{"__proto__":"s"}') as Attributes;
    assert.deepEqual(run(resource, [point], { scopeLabels: true, targetInfo: true }, scope), [
      `g{constructor="b",${ID},key_proto_="a",otel_scope_name="s",otel_scope_proto_="s"} 1@${END_MS}`,
      `target_info{constructor="rc",host_name="node-1",${ID},key_proto_="r",telemetry_sdk_language="nodejs"} 1@${END_MS}`,
    ]);
  });
});

describe('units named like Object.prototype members', () => {
  const name = (unit: string) =>
    prometheusMetricName({ name: 'x', unit, kind: 'gauge', otelGauge: true }, true);

  it('are kept as words, as any unknown unit is', () => {
    assert.equal(name('constructor'), 'x_constructor');
    assert.equal(name('__proto__'), 'x_proto_');
    assert.equal(name('By/toString'), 'x_bytes_per_toString');
    assert.equal(name('hasOwnProperty/constructor'), 'x_hasOwnProperty_per_constructor');
  });

  it('make a series, not a crash', () => {
    const result = mapResourceMetrics(resourceMetrics([gauge('g', [[{}, 1]], 'constructor')]), {
      ...DEFAULT_MAPPING_OPTIONS,
      scopeLabels: false,
      targetInfo: false,
    });
    assert.deepEqual(lines(result.series), [`g_constructor{${ID}} 1@${END_MS}`]);
  });
});
