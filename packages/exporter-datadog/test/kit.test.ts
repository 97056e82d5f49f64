import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  DATADOG_OPTIONS,
  DatadogLogRecordExporter,
  DatadogMetricExporter,
  DatadogSpanExporter,
} from '../src';
import type { DatadogExporterOptions } from '../src';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'Datadog exporters',
  packageName: '@otelpack/exporter-datadog',
  definition: DATADOG_OPTIONS,
  create: {
    metrics: (options) => new DatadogMetricExporter(options as DatadogExporterOptions),
    traces: (options) => new DatadogSpanExporter(options as DatadogExporterOptions),
    logs: (options) => new DatadogLogRecordExporter(options as DatadogExporterOptions),
  },
  // Nobody listens there; nothing is sent at construction. The metric exporter reads no url.
  // The logs exporter needs an API key.
  baseOptions: {
    dogstatsdUrl: 'udp://127.0.0.1:9',
    url: 'http://127.0.0.1:9',
    auth: { apiKey: 'base-api-key' },
  },
  samples: {
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/b' },
    headers: { value: { 'x-team': 'a' }, text: 'x-team=b' },
    auth: { value: { apiKey: 'code-key' }, text: '' },
    'auth.apiKey': { value: 'k', text: 'env-key' },
    compression: { value: 'none', text: 'none' },
    connectTimeoutMs: { value: 500, text: '500' },
    traceAgentPort: { value: 9126, text: '9127' },
    site: { value: 'datadoghq.eu', text: 'us5.datadoghq.com' },
    logsSource: { value: 'nodejs', text: 'node' },
    name: { value: 'dd-a', text: 'dd-b' },
    timeoutMs: { value: 5_000, text: '5000' },
    temporality: { value: 'cumulative', text: 'Cumulative' },
    agentHost: { value: 'agent-a', text: 'agent-b' },
    dogstatsdPort: { value: 9125, text: '9126' },
    dogstatsdSocket: { value: '/tmp/a.sock', text: '/tmp/b.sock' },
    dogstatsdUrl: { value: 'udp://127.0.0.1:9', text: 'udp://127.0.0.1:10' },
    maxDatagramBytes: { value: 1_000, text: '1200' },
    service: { value: 'svc-a', text: 'svc-b' },
    env: { value: 'prod', text: 'staging' },
    version: { value: '1.0', text: '2.0' },
    tags: { value: ['team:a'], text: 'team:b,tier:1' },
    hostname: { value: 'host-a', text: 'host-b' },
    timestamps: { value: false, text: 'false' },
    histograms: { value: 'counters', text: 'nobuckets' },
    histogramAggregations: { value: true, text: 'true' },
    resourceAttributesAsTags: { value: true, text: 'true' },
    initialCumulativeValue: { value: 'keep', text: 'drop' },
    maxCumulativeSeries: { value: 5, text: '6' },
  },
  badText: {
    url: 'localhost:8126',
    headers: 'novalue',
    compression: 'zstd',
    connectTimeoutMs: '0',
    traceAgentPort: '0',
    site: 'datadoghq.org',
    timeoutMs: 'soon',
    temporality: 'sometimes',
    dogstatsdPort: '70000',
    dogstatsdUrl: 'http://agent:8125',
    maxDatagramBytes: '10',
    timestamps: 'yes',
    histograms: 'sketches',
    histogramAggregations: 'maybe',
    resourceAttributesAsTags: 'all',
    initialCumulativeValue: 'first',
    maxCumulativeSeries: 'many',
  },
  credentials: [
    {
      options: { auth: { apiKey: 'code-api-key-1' }, headers: { 'x-secret': 'hdr-2' } },
      secrets: ['code-api-key-1'],
    },
    { options: {}, environment: { DD_API_KEY: 'env-api-key-3' }, secrets: ['env-api-key-3'] },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }, { maxQueueBytes: 512 * 1024, maxConcurrency: 4 }],
  readme: join(__dirname, '..', 'README.md'),
});
