import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import { LIGHTSTEP_OPTIONS, LightstepMetricExporter, LightstepSpanExporter } from '../src';
import type { LightstepExporterOptions, LightstepMetricExporterOptions } from '../src';

const TOKEN_32 = 'a'.repeat(32);

// The exporter kit's promises, kept by this preset (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'Lightstep exporter',
  packageName: '@otelpack/exporter-lightstep',
  definition: LIGHTSTEP_OPTIONS,
  create: {
    traces: (options) => new LightstepSpanExporter(options as LightstepExporterOptions),
    metrics: (options) => new LightstepMetricExporter(options as LightstepMetricExporterOptions),
  },
  // A receiver in front of the ingest (nobody listens): no token needed, nothing sent.
  baseOptions: { url: 'http://127.0.0.1:9' },
  samples: {
    name: { value: 'ls-a', text: 'ls-b' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/b' },
    headers: { value: { 'x-tenant': 'a' }, text: 'x-tenant=b' },
    auth: { value: { token: TOKEN_32 }, text: '' },
    'auth.token': { value: TOKEN_32, text: 'b'.repeat(84) },
    compression: { value: 'none', text: 'none' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    temporality: { value: 'delta', text: 'DELTA' },
    region: { value: 'eu', text: 'eu' },
    serviceName: { value: 'checkout', text: 'billing' },
    serviceVersion: { value: '1.0.0', text: '2.0.0' },
  },
  badText: {
    url: 'ingest.lightstep.com',
    headers: 'novalue',
    'auth.token': 'too-short',
    compression: 'zstd',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    temporality: 'sometimes',
    region: 'apac',
  },
  credentials: [
    {
      options: { auth: { token: 'SECRET-TOKEN-32-CHARACTERS-LONG1' } },
      secrets: ['SECRET-TOKEN-32-CHARACTERS-LONG1'],
    },
    {
      options: {},
      environment: { LS_ACCESS_TOKEN: `ENV-${'t'.repeat(80)}` },
      secrets: [`ENV-${'t'.repeat(80)}`],
    },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }],
  readme: join(__dirname, '..', 'README.md'),
});
