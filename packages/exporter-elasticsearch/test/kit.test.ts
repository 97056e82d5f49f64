import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  ELASTICSEARCH_OPTIONS,
  ElasticsearchLogRecordExporter,
  ElasticsearchMetricExporter,
  ElasticsearchSpanExporter,
} from '../src';
import type { ElasticsearchMetricExporterOptions } from '../src';

const CLOUD_ID = `deployment:${Buffer.from('us-east-1.aws.found.io$abc$def').toString('base64')}`;

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'Elasticsearch exporters',
  packageName: '@otelpack/exporter-elasticsearch',
  definition: ELASTICSEARCH_OPTIONS,
  create: {
    traces: (options) =>
      new ElasticsearchSpanExporter(options as ElasticsearchMetricExporterOptions),
    logs: (options) =>
      new ElasticsearchLogRecordExporter(options as ElasticsearchMetricExporterOptions),
    metrics: (options) =>
      new ElasticsearchMetricExporter(options as ElasticsearchMetricExporterOptions),
  },
  // Nobody listens there; nothing is sent at construction.
  baseOptions: { url: 'https://127.0.0.1:9' },
  samples: {
    name: { value: 'es-a', text: 'es-b' },
    url: { value: 'https://127.0.0.1:9', text: 'https://127.0.0.1:9,https://127.0.0.1:10' },
    headers: { value: { 'x-a': '1' }, text: 'x-a=1' },
    auth: { value: { apiKey: 'code-key' }, text: '' },
    'auth.apiKey': { value: 'k', text: 'env-key' },
    'auth.username': { value: 'u', text: 'elastic' },
    'auth.password': { value: 'p', text: 'changeme' },
    'auth.bearerToken': { value: 't', text: 'env-token' },
    compression: { value: 'gzip', text: 'gzip' },
    timeoutMs: { value: 5_000, text: '5000' },
    temporality: { value: 'delta', text: 'delta' },
    cloudId: { value: CLOUD_ID, text: CLOUD_ID },
    caFingerprint: { value: 'AA:BB', text: 'AA:BB' },
    mappingMode: { value: 'ecs', text: 'raw' },
    index: { value: 'otel-logs', text: 'otel-spans' },
    dataset: { value: 'shop', text: 'cart' },
    namespace: { value: 'prod', text: 'staging' },
    routeByAttributes: { value: false, text: 'false' },
    indexDateSuffix: { value: 'daily', text: 'monthly' },
    deterministicIds: { value: true, text: 'true' },
    maxStringLength: { value: 100, text: '100' },
  },
  badText: {
    url: 'localhost:9200',
    headers: 'novalue',
    compression: 'br',
    timeoutMs: 'soon',
    temporality: 'sideways',
    cloudId: 'no-colon',
    mappingMode: 'none',
    index: 'Logs',
    routeByAttributes: 'yes',
    indexDateSuffix: 'weekly',
    deterministicIds: 'maybe',
    maxStringLength: '0',
  },
  credentials: [
    {
      options: {
        url: ['https://url-user:url-password-1@127.0.0.1:9', 'https://127.0.0.1:10'],
        tls: { ca: 'CA', cert: 'CERT', key: 'PRIVATE-KEY-PEM-1' },
        headers: { 'x-api-key': 'header-key-1' },
      },
      secrets: ['url-password-1', 'url-user:url-password-1', 'PRIVATE-KEY-PEM-1', 'header-key-1'],
    },
    {
      options: { auth: { username: 'elastic', password: 'code-password-2' } },
      secrets: ['code-password-2', 'elastic:code-password-2'],
    },
    {
      options: { auth: { apiKey: 'code-api-key-3' } },
      secrets: ['code-api-key-3'],
    },
    {
      options: { auth: { bearerToken: 'code-bearer-token-4' } },
      secrets: ['code-bearer-token-4'],
    },
    {
      options: {},
      environment: {
        ELASTICSEARCH_URL: 'https://127.0.0.1:9',
        ELASTICSEARCH_USERNAME: 'env-user',
        ELASTICSEARCH_PASSWORD: 'env-password-5',
      },
      secrets: ['env-password-5', 'env-user:env-password-5'],
    },
    {
      options: {},
      environment: { ELASTICSEARCH_API_KEY: 'env-api-key-6' },
      secrets: ['env-api-key-6'],
    },
  ],
  limits: [{ maxQueueBytes: 1_000_000 }, { maxQueueBytes: 512 * 1024, maxBatchItems: 1 }],
  readme: join(__dirname, '..', 'README.md'),
});
