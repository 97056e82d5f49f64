import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  NEW_RELIC_OPTIONS,
  NewRelicLogRecordExporter,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
} from '../src';
import type { NewRelicExporterOptions, NewRelicMetricExporterOptions } from '../src';

const KEY = `${'0123456789abcdef'.repeat(2)}0123NRAL`;

// The exporter kit's promises, kept by this preset (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'New Relic exporter',
  packageName: '@otelpack/exporter-newrelic',
  definition: NEW_RELIC_OPTIONS,
  create: {
    traces: (options) => new NewRelicSpanExporter(options as NewRelicExporterOptions),
    logs: (options) => new NewRelicLogRecordExporter(options as NewRelicExporterOptions),
    metrics: (options) => new NewRelicMetricExporter(options as NewRelicMetricExporterOptions),
  },
  // A receiver in front of New Relic (nobody listens): no key needed, nothing sent.
  baseOptions: { url: 'http://127.0.0.1:9' },
  samples: {
    name: { value: 'nr-a', text: 'nr-b' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/b' },
    headers: { value: { 'x-tenant': 'a' }, text: 'x-tenant=b' },
    auth: { value: { apiKey: KEY }, text: '' },
    'auth.apiKey': { value: KEY, text: 'f'.repeat(40) },
    compression: { value: 'none', text: 'none' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    temporality: { value: 'cumulative', text: 'CUMULATIVE' },
    region: { value: 'eu', text: 'fedramp' },
  },
  badText: {
    url: 'otlp.nr-data.net',
    headers: 'novalue',
    'auth.apiKey': 'NRII-not-a-license-key',
    compression: 'zstd',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    temporality: 'sometimes',
    region: 'apac',
  },
  credentials: [
    {
      options: { auth: { apiKey: 'SECRETKEY0SECRETKEY0SECRETKEY0SECRETNRAL' } },
      secrets: ['SECRETKEY0SECRETKEY0SECRETKEY0SECRETNRAL'],
    },
    {
      options: {},
      environment: { NEW_RELIC_LICENSE_KEY: `ENVKEY${'e'.repeat(30)}NRAL` },
      secrets: [`ENVKEY${'e'.repeat(30)}NRAL`],
    },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }],
  readme: join(__dirname, '..', 'README.md'),
});
