import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  SPLUNK_HEC_OPTIONS,
  SplunkHecLogRecordExporter,
  SplunkHecMetricExporter,
  SplunkHecSpanExporter,
} from '../src';
import type { SplunkHecExporterOptions } from '../src';

const TOKEN = '11111111-2222-4333-8444-555555555555';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'SplunkHec',
  packageName: '@otelpack/exporter-splunk-hec',
  definition: SPLUNK_HEC_OPTIONS,
  create: {
    traces: (options) => new SplunkHecSpanExporter(options as SplunkHecExporterOptions),
    logs: (options) => new SplunkHecLogRecordExporter(options as SplunkHecExporterOptions),
    metrics: (options) => new SplunkHecMetricExporter(options as SplunkHecExporterOptions),
  },
  // Nobody listens there; nothing is sent at construction.
  baseOptions: { url: 'http://127.0.0.1:9', auth: { token: TOKEN }, healthCheck: false },
  samples: {
    name: { value: 'hec-a', text: 'hec-b' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/b' },
    headers: { value: { 'x-proxy': 'a' }, text: 'x-proxy=b' },
    compression: { value: 'none', text: 'none' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    auth: { value: { token: TOKEN }, text: '' },
    'auth.token': { value: TOKEN, text: '99999999-8888-4777-8666-555555555555' },
    tokenFormat: { value: 'any', text: 'any' },
    index: { value: 'otel', text: 'main' },
    source: { value: 'svc', text: 'app' },
    sourcetype: { value: 'otel', text: 'otel:logs' },
    metadataAttributes: { value: { index: 'myindex' }, text: 'host=myhost' },
    hecFields: { value: { severityText: 'level' }, text: 'severityNumber=level.number' },
    multiMetric: { value: true, text: 'true' },
    healthCheck: { value: false, text: 'false' },
    indexerAcknowledgement: { value: true, text: 'true' },
    channel: {
      value: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      text: 'aaaaaaaa-bbbb-4ccc-8ddd-ffffffffffff',
    },
    ackPollIntervalMs: { value: 500, text: '500' },
    ackTimeoutMs: { value: 5_000, text: '5000' },
  },
  badText: {
    url: 'splunk:8088',
    headers: 'novalue',
    compression: 'zstd',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    tokenFormat: 'uuid',
    metadataAttributes: 'namespace=k8s.namespace.name',
    hecFields: 'severity=level',
    multiMetric: 'yes',
    healthCheck: 'no',
    indexerAcknowledgement: 'on',
    channel: 'not-a-guid',
    ackPollIntervalMs: '1',
    ackTimeoutMs: 'later',
  },
  credentials: [
    {
      options: {
        auth: { token: 'aaaaaaaa-1111-4222-8333-444444444444' },
        tls: { cert: 'CERT', key: 'PRIVATE-KEY-PEM-1' },
      },
      secrets: ['aaaaaaaa-1111-4222-8333-444444444444', 'PRIVATE-KEY-PEM-1'],
    },
    {
      options: { auth: undefined },
      environment: { SPLUNK_HEC_TOKEN: 'bbbbbbbb-1111-4222-8333-444444444444' },
      secrets: ['bbbbbbbb-1111-4222-8333-444444444444'],
    },
  ],
  readme: join(__dirname, '..', 'README.md'),
});
