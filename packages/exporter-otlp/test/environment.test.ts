import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { InvalidConfigError } from '@otelpack/batching-core';
import type { Signal } from '@otelpack/batching-core';
import { OTLP_OPTIONS, otlpConfig } from '../src';

/*
 * OTEL_EXPORTER_OTLP_* as the specification (protocol/exporter.md) defines them: a per-signal
 * variable wins over the generic one, the per-signal endpoint is used as it is while the generic
 * one is a base that gets `v1/<signal>`, headers of both are merged (per-signal winning per
 * name, as opentelemetry-js does), and an option given in code wins over both.
 */

const VARIABLES = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_LOGS_HEADERS',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TIMEOUT',
  'OTEL_EXPORTER_OTLP_LOGS_TIMEOUT',
  'OTEL_EXPORTER_OTLP_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_PROTOCOL',
  'OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE',
];

afterEach(() => {
  for (const name of VARIABLES) delete process.env[name];
});

interface Row {
  title: string;
  env: Record<string, string>;
  options?: Record<string, unknown>;
  signal: Signal;
  expect: {
    url?: string;
    headers?: Record<string, string>;
    compression?: string;
    timeoutMs?: number;
    encoding?: string;
    temporality?: string;
  };
}

const TABLE: Row[] = [
  {
    title: 'nothing set: the default base URL with the signal path, protobuf, gzip, 10 s',
    env: {},
    signal: 'traces',
    expect: {
      url: 'http://localhost:4318/v1/traces',
      encoding: 'protobuf',
      compression: 'gzip',
      timeoutMs: 10_000,
    },
  },
  {
    title: 'generic endpoint: a base, v1/logs appended',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' },
    signal: 'logs',
    expect: { url: 'http://collector:4318/v1/logs' },
  },
  {
    title: 'generic endpoint with a path: v1/metrics appended after it, one slash',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://gateway.example/otlp/' },
    signal: 'metrics',
    expect: { url: 'https://gateway.example/otlp/v1/metrics' },
  },
  {
    title: 'per-signal endpoint: used as it is, path or not, and wins over the generic one',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:9999/custom/path',
    },
    signal: 'traces',
    expect: { url: 'http://traces:9999/custom/path' },
  },
  {
    title: 'per-signal endpoint without a path: still as it is (the specification says so)',
    env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318' },
    signal: 'traces',
    expect: { url: 'http://traces:4318/' },
  },
  {
    title: "another signal's endpoint is not read",
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/v1/traces',
    },
    signal: 'logs',
    expect: { url: 'http://generic:4318/v1/logs' },
  },
  {
    title: 'url in code wins over both variables; without a path it gets v1/<signal>',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/v1/logs',
    },
    options: { url: 'http://code:4318' },
    signal: 'logs',
    expect: { url: 'http://code:4318/v1/logs' },
  },
  {
    title: 'url in code with a path: used as it is',
    env: {},
    options: { url: 'http://code:4318/ingest/traces' },
    signal: 'traces',
    expect: { url: 'http://code:4318/ingest/traces' },
  },
  {
    title: 'headers: both variables merged, per-signal wins per name, values percent-decoded',
    env: {
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic,x-team=a%20b',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'api-key=traces,x-trace-only=1',
    },
    signal: 'traces',
    expect: { headers: { 'api-key': 'traces', 'x-team': 'a b', 'x-trace-only': '1' } },
  },
  {
    title: 'headers: a header named __proto__ is merged like any other, not dropped',
    env: {
      OTEL_EXPORTER_OTLP_HEADERS: '__proto__=generic,x-team=a',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-trace-only=1',
    },
    signal: 'traces',
    // Computed: a literal `__proto__:` key would set the expected object's prototype instead.
    expect: { headers: { ['__proto__']: 'generic', 'x-team': 'a', 'x-trace-only': '1' } },
  },
  {
    title: "headers: another signal's are not merged",
    env: {
      OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic',
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-trace-only=1',
    },
    signal: 'logs',
    expect: { headers: { 'api-key': 'generic' } },
  },
  {
    title: 'headers in code replace the variables',
    env: { OTEL_EXPORTER_OTLP_HEADERS: 'api-key=generic' },
    options: { headers: { 'x-code': 'yes' } },
    signal: 'metrics',
    expect: { headers: { 'x-code': 'yes' } },
  },
  {
    title: 'compression: per-signal over generic',
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip', OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'none' },
    signal: 'traces',
    expect: { compression: 'none' },
  },
  {
    title: 'compression in code over the variables',
    env: { OTEL_EXPORTER_OTLP_COMPRESSION: 'none' },
    options: { compression: 'gzip' },
    signal: 'traces',
    expect: { compression: 'gzip' },
  },
  {
    title: 'timeout: milliseconds, per-signal over generic',
    env: { OTEL_EXPORTER_OTLP_TIMEOUT: '2500', OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: '7000' },
    signal: 'logs',
    expect: { timeoutMs: 7000 },
  },
  {
    title: 'protocol: http/json, per-signal over generic',
    env: {
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
    },
    signal: 'metrics',
    expect: { encoding: 'json' },
  },
  {
    title: 'protocol: encoding in code wins',
    env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    options: { encoding: 'protobuf' },
    signal: 'traces',
    expect: { encoding: 'protobuf' },
  },
  {
    title: 'temporality preference, read case-insensitively',
    env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'LowMemory' },
    signal: 'metrics',
    expect: { temporality: 'lowmemory' },
  },
  {
    title: 'temporality in code wins',
    env: { OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE: 'delta' },
    options: { temporality: 'cumulative' },
    signal: 'metrics',
    expect: { temporality: 'cumulative' },
  },
];

describe('OTEL_EXPORTER_OTLP_* precedence', () => {
  for (const row of TABLE) {
    it(`${row.signal}: ${row.title}`, () => {
      for (const [name, value] of Object.entries(row.env)) process.env[name] = value;
      const resolved = OTLP_OPTIONS.resolve(row.options ?? {}, row.signal);
      const config = otlpConfig(resolved);
      const { expect } = row;
      if (expect.url !== undefined) {
        assert.deepEqual(
          config.endpoints.map((e) => e.url.href),
          [expect.url],
        );
      }
      if (expect.headers !== undefined) assert.deepEqual(config.headers, expect.headers);
      if (expect.compression !== undefined) assert.equal(config.compression, expect.compression);
      if (expect.timeoutMs !== undefined) assert.equal(config.timeoutMs, expect.timeoutMs);
      if (expect.encoding !== undefined) assert.equal(config.encoding, expect.encoding);
      if (expect.temporality !== undefined) assert.equal(resolved.temporality, expect.temporality);
    });
  }

  it('OTEL_EXPORTER_OTLP_PROTOCOL=grpc is refused with what to do instead', () => {
    process.env.OTEL_EXPORTER_OTLP_PROTOCOL = 'grpc';
    assert.throws(
      () => OTLP_OPTIONS.resolve({}, 'traces'),
      (error: unknown) =>
        error instanceof InvalidConfigError &&
        error.option === 'OTEL_EXPORTER_OTLP_PROTOCOL' &&
        /OTLP\/HTTP only/.test(error.message) &&
        /http\/protobuf/.test(error.message),
    );
  });

  it('OTEL_EXPORTER_OTLP_PROTOCOL named like an Object.prototype member is an unknown protocol', () => {
    for (const text of ['constructor', '__proto__']) {
      process.env.OTEL_EXPORTER_OTLP_PROTOCOL = text;
      assert.throws(
        () => OTLP_OPTIONS.resolve({}, 'traces'),
        (error: unknown) =>
          error instanceof InvalidConfigError &&
          error.option === 'OTEL_EXPORTER_OTLP_PROTOCOL' &&
          error.message.includes(`expected http/protobuf or http/json, got "${text}"`),
        text,
      );
    }
  });

  it('an unreadable certificate file names the variable', () => {
    process.env.OTEL_EXPORTER_OTLP_CERTIFICATE = '/nonexistent/ca.pem';
    try {
      assert.throws(
        () => otlpConfig(OTLP_OPTIONS.resolve({}, 'traces')),
        (error: unknown) =>
          error instanceof InvalidConfigError &&
          error.option === 'OTEL_EXPORTER_OTLP_CERTIFICATE' &&
          /ENOENT/.test(error.message),
      );
    } finally {
      delete process.env.OTEL_EXPORTER_OTLP_CERTIFICATE;
    }
  });
});
