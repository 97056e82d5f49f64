import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { InvalidConfigError } from '@otelpack/batching-core';
import { VICTORIAMETRICS_OPTIONS, resolveConfig, writeUrl } from '../src';

/** Each option's variable (`auth.username` as `username`), as the kit names them. */
const ENV = Object.fromEntries(
  VICTORIAMETRICS_OPTIONS.environment.map((e) => [e.option.replace(/^auth\./, ''), e.variables[0]]),
) as Record<string, string>;

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const name of Object.values(ENV)) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterEach(() => {
  for (const name of Object.values(ENV)) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

describe('endpoints', () => {
  const table: [string, string | undefined, string][] = [
    ['http://vm:8428', undefined, 'http://vm:8428/api/v1/write'],
    ['http://vm:8428/', undefined, 'http://vm:8428/api/v1/write'],
    ['http://prom:9090/api/v1/write', undefined, 'http://prom:9090/api/v1/write'],
    ['https://mimir.example/api/v1/push', undefined, 'https://mimir.example/api/v1/push'],
    ['http://vminsert:8480', '42', 'http://vminsert:8480/insert/42/prometheus/api/v1/write'],
    ['http://vminsert:8480/', '42:7', 'http://vminsert:8480/insert/42:7/prometheus/api/v1/write'],
    ['http://proxy/vm', '0', 'http://proxy/vm/insert/0/prometheus/api/v1/write'],
  ];
  for (const [url, tenant, expected] of table) {
    it(`${url}${tenant ? ` tenant ${tenant}` : ''} → ${expected}`, () => {
      assert.equal(writeUrl('url', url, tenant).href, expected);
    });
  }

  it('defaults to a local single-node VictoriaMetrics', () => {
    assert.equal(resolveConfig({}).endpoints[0].url.href, 'http://localhost:8428/api/v1/write');
  });

  it('takes several URLs, in order, and strips credentials from the names used in logs', () => {
    const config = resolveConfig({
      url: ['http://u:secret@a:8428', 'http://b:8428/api/v1/write?x=1'],
    });
    assert.deepEqual(
      config.endpoints.map((e) => e.display),
      ['http://a:8428/api/v1/write', 'http://b:8428/api/v1/write'],
    );
    assert.equal(config.endpoints[0].url.password, 'secret');
  });

  it('refuses a bad tenant or URL, naming the option', () => {
    assert.throws(
      () => resolveConfig({ tenant: 'abc' }),
      (e: InvalidConfigError) => e.option === 'tenant',
    );
    assert.throws(
      () => resolveConfig({ url: 'ftp://x' }),
      (e: InvalidConfigError) => e.option === 'url',
    );
    assert.throws(
      () => resolveConfig({ url: [] }),
      (e: InvalidConfigError) => e.option === 'url',
    );
    assert.throws(
      () => resolveConfig({ url: ['http://a', 'nope'] }),
      (e: InvalidConfigError) => e.option === 'url[1]',
    );
  });
});

describe('environment variables (explicit options win)', () => {
  it('reads every variable', () => {
    process.env[ENV.url] = 'http://a:8480, http://b:8480';
    process.env[ENV.tenant] = '5:6';
    process.env[ENV.bearerToken] = 'tok';
    process.env[ENV.headers] = 'X-Scope-OrgID=team%20a,x-extra=1';
    process.env[ENV.externalLabels] = 'cluster=eu,replica=r1';
    process.env[ENV.promoteResourceAttributes] = 'k8s.pod.name, host.name';
    process.env[ENV.addMetricSuffixes] = 'false';
    process.env[ENV.exponentialHistograms] = 'le';
    const c = resolveConfig({});
    assert.deepEqual(
      c.endpoints.map((e) => e.url.href),
      [
        'http://a:8480/insert/5:6/prometheus/api/v1/write',
        'http://b:8480/insert/5:6/prometheus/api/v1/write',
      ],
    );
    assert.equal(c.headers.authorization, 'Bearer tok');
    assert.equal(c.headers['x-scope-orgid'], 'team a');
    assert.equal(c.headers['x-extra'], '1');
    assert.deepEqual(c.mapping.externalLabels, { cluster: 'eu', replica: 'r1' });
    assert.deepEqual(c.mapping.promoteResourceAttributes, ['k8s.pod.name', 'host.name']);
    assert.equal(c.mapping.addMetricSuffixes, false);
    assert.equal(c.mapping.exponentialHistograms, 'le');
  });

  it('explicit options win over every variable', () => {
    process.env[ENV.url] = 'http://env:1';
    process.env[ENV.tenant] = '9';
    process.env[ENV.bearerToken] = 'env-token';
    process.env[ENV.externalLabels] = 'a=b';
    process.env[ENV.addMetricSuffixes] = 'false';
    process.env[ENV.exponentialHistograms] = 'le';
    const c = resolveConfig({
      url: 'http://code:2',
      tenant: '1',
      auth: { username: 'u', password: 'p' },
      externalLabels: {},
      addMetricSuffixes: true,
      exponentialHistograms: 'vmrange',
    });
    assert.equal(c.endpoints[0].url.href, 'http://code:2/insert/1/prometheus/api/v1/write');
    assert.equal(c.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.deepEqual(c.mapping.externalLabels, {});
    assert.equal(c.mapping.addMetricSuffixes, true);
    assert.equal(c.mapping.exponentialHistograms, 'vmrange');
  });

  it('basic auth from the environment', () => {
    process.env[ENV.username] = 'alice';
    process.env[ENV.password] = 'pw';
    assert.equal(
      resolveConfig({}).headers.authorization,
      `Basic ${Buffer.from('alice:pw').toString('base64')}`,
    );
  });

  it('refuses bad values, naming the variable', () => {
    process.env[ENV.addMetricSuffixes] = 'yes';
    assert.throws(
      () => resolveConfig({}),
      (e: InvalidConfigError) => e.option === ENV.addMetricSuffixes,
    );
    delete process.env[ENV.addMetricSuffixes];
    process.env[ENV.exponentialHistograms] = 'native';
    assert.throws(
      () => resolveConfig({}),
      (e: InvalidConfigError) => e.option === ENV.exponentialHistograms,
    );
    delete process.env[ENV.exponentialHistograms];
    process.env[ENV.headers] = 'novalue';
    assert.throws(
      () => resolveConfig({}),
      (e: InvalidConfigError) => e.option === ENV.headers,
    );
    delete process.env[ENV.headers];
    process.env[ENV.bearerToken] = 't';
    process.env[ENV.username] = 'u';
    assert.throws(
      () => resolveConfig({}),
      (e: InvalidConfigError) => e.option === ENV.bearerToken,
    );
  });
});

describe('options', () => {
  it('refuses both a bearer token and basic auth', () => {
    assert.throws(
      () => resolveConfig({ auth: { bearerToken: 't', username: 'u', password: 'p' } as never }),
      (e: InvalidConfigError) => e.option === 'auth',
    );
  });
  it('refuses invalid or reserved external label names', () => {
    assert.throws(() => resolveConfig({ externalLabels: { 'a.b': 'x' } }), /externalLabels\.a\.b/);
    assert.throws(() => resolveConfig({ externalLabels: { __x: 'x' } }), /externalLabels\.__x/);
  });
  it('refuses an external label __proto__ from the environment, and keeps constructor', () => {
    // Reserved like any `__` name: refused by name, not set as a prototype and lost.
    process.env[ENV.externalLabels] = '__proto__=x';
    assert.throws(() => resolveConfig(), /EXTERNAL_LABELS\.__proto__/);
    process.env[ENV.externalLabels] = 'constructor=c';
    assert.deepEqual(Object.entries(resolveConfig().mapping.externalLabels), [
      ['constructor', 'c'],
    ]);
  });
  it('validates the mapping options', () => {
    assert.throws(
      () => resolveConfig({ exponentialHistograms: 'native' as never }),
      /exponentialHistograms/,
    );
    assert.throws(() => resolveConfig({ deltaTemporality: 'keep' as never }), /deltaTemporality/);
    assert.throws(() => resolveConfig({ maxLabelValueBytes: 3 }), /maxLabelValueBytes/);
    assert.throws(
      () => resolveConfig({ promoteResourceAttributes: 'host.name' as never }),
      /promoteResourceAttributes/,
    );
  });
});
