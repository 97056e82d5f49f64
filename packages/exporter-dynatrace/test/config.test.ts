import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidConfigError } from '@otelpack/batching-core';
import {
  DYNATRACE_OPTIONS,
  ONEAGENT_METRICS_URL,
  connectionOf,
  otlpConfigOf,
  signalUrl,
} from '../src';

const ENV = 'https://abc12345.live.dynatrace.com';

describe('signalUrl: each signal’s path under the URL given', () => {
  const cases: [given: string, signal: 'metrics' | 'traces' | 'logs', expected: string][] = [
    [ENV, 'metrics', `${ENV}/api/v2/metrics/ingest`],
    [ENV, 'traces', `${ENV}/api/v2/otlp/v1/traces`],
    [ENV, 'logs', `${ENV}/api/v2/otlp/v1/logs`],
    [`${ENV}/`, 'metrics', `${ENV}/api/v2/metrics/ingest`],
    [`${ENV}/api/v2`, 'traces', `${ENV}/api/v2/otlp/v1/traces`],
    [`${ENV}/api/v2/otlp`, 'logs', `${ENV}/api/v2/otlp/v1/logs`],
    [`${ENV}/api/v2/otlp`, 'metrics', `${ENV}/api/v2/metrics/ingest`],
    [`${ENV}/api/v2/metrics/ingest`, 'metrics', `${ENV}/api/v2/metrics/ingest`],
    [`${ENV}/api/v2/metrics/ingest`, 'traces', `${ENV}/api/v2/otlp/v1/traces`],
    [`${ENV}/api/v2/otlp/v1/traces`, 'logs', `${ENV}/api/v2/otlp/v1/logs`],
    // An environment behind an ActiveGate
    [
      'https://ag.internal:9999/e/abc12345',
      'metrics',
      'https://ag.internal:9999/e/abc12345/api/v2/metrics/ingest',
    ],
    [
      'https://ag.internal:9999/e/abc12345/api/v2/otlp',
      'traces',
      'https://ag.internal:9999/e/abc12345/api/v2/otlp/v1/traces',
    ],
    // A OneAgent on another port keeps its path
    ['http://localhost:14500/metrics/ingest', 'metrics', 'http://localhost:14500/metrics/ingest'],
  ];
  for (const [given, signal, expected] of cases) {
    it(`${given} (${signal})`, () =>
      assert.equal(signalUrl(new URL(given), signal).href, expected));
  }
});

describe('connections', () => {
  const resolve = (
    options: object,
    signal: 'metrics' | 'traces' | 'logs',
    env: Record<string, string> = {},
  ) => {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      return DYNATRACE_OPTIONS.resolve(options, signal);
    } finally {
      for (const key of Object.keys(env)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  };

  it('metrics without a URL: the local OneAgent, and no token sent to it', () => {
    const c = connectionOf(resolve({ auth: { token: 'dt0c01.SECRET' } }, 'metrics'));
    assert.equal(c.url.href, ONEAGENT_METRICS_URL);
    assert.equal(c.headers.authorization, undefined);
  });

  it('DT_API_URL and DT_API_TOKEN: the API with Authorization: Api-Token', () => {
    const c = connectionOf(
      resolve({}, 'metrics', { DT_API_URL: ENV, DT_API_TOKEN: 'dt0c01.SECRET' }),
    );
    assert.equal(c.url.href, `${ENV}/api/v2/metrics/ingest`);
    assert.equal(c.headers.authorization, 'Api-Token dt0c01.SECRET');
  });

  it('options win over the variables', () => {
    const c = connectionOf(
      resolve({ url: 'https://other.live.dynatrace.com', auth: { token: 'mine' } }, 'traces', {
        DT_API_URL: ENV,
        DT_API_TOKEN: 'theirs',
      }),
    );
    assert.equal(c.url.href, 'https://other.live.dynatrace.com/api/v2/otlp/v1/traces');
    assert.equal(c.headers.authorization, 'Api-Token mine');
  });

  it('traces and logs without a URL: refused, naming the variable', () => {
    for (const signal of ['traces', 'logs'] as const) {
      assert.throws(
        () => connectionOf(resolve({}, signal)),
        (e: unknown) => e instanceof InvalidConfigError && /DT_API_URL/.test(e.message),
      );
    }
  });

  it('traces and logs: protobuf only, gzip by default', () => {
    const config = otlpConfigOf(resolve({ url: ENV, auth: { token: 't' } }, 'logs'));
    assert.equal(config.encoding, 'protobuf');
    assert.equal(config.compression, 'gzip');
    assert.equal(config.endpoints[0].url.href, `${ENV}/api/v2/otlp/v1/logs`);
  });

  it('the pipeline defaults: 1,000 lines and 1 MB per request', () => {
    const config = resolve({}, 'metrics');
    assert.equal(config.pipelineDefaults.maxBatchItems, 1000);
    assert.equal(config.pipelineDefaults.maxBatchBytes, 1_000_000);
  });

  it('the metric exporter asks for delta temporality by default', () => {
    assert.equal(resolve({}, 'metrics').temporality, 'delta');
  });
});
