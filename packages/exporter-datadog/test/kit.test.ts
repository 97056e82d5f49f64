import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import { DATADOG_OPTIONS, DatadogMetricExporter } from '../src';
import type { DatadogExporterOptions } from '../src';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'DatadogMetricExporter',
  packageName: '@otelpack/exporter-datadog',
  definition: DATADOG_OPTIONS,
  create: {
    metrics: (options) => new DatadogMetricExporter(options as DatadogExporterOptions),
  },
  // Nobody listens there; a UDP socket sends nothing at construction.
  baseOptions: { dogstatsdUrl: 'udp://127.0.0.1:9' },
  samples: {
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
  credentials: [],
  noCredentials: 'DogStatsD carries no credential: the Agent holds the API key',
  server: { serverAddress: '127.0.0.1', serverPort: 9 },
  limits: [{ maxQueueBytes: 512 * 1024 }, { maxQueueBytes: 512 * 1024, maxConcurrency: 4 }],
  readme: join(__dirname, '..', 'README.md'),
});
