import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  CLICKHOUSE_OPTIONS,
  ClickHouseLogRecordExporter,
  ClickHouseMetricExporter,
  ClickHouseSpanExporter,
} from '../src';
import type { ClickHouseMetricExporterOptions } from '../src';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'ClickHouse exporters',
  packageName: '@otelpack/exporter-clickhouse',
  definition: CLICKHOUSE_OPTIONS,
  create: {
    traces: (options) => new ClickHouseSpanExporter(options as ClickHouseMetricExporterOptions),
    logs: (options) => new ClickHouseLogRecordExporter(options as ClickHouseMetricExporterOptions),
    metrics: (options) => new ClickHouseMetricExporter(options as ClickHouseMetricExporterOptions),
  },
  // Nobody listens there; the schema is not created (nothing is sent at construction anyway).
  baseOptions: { url: 'http://127.0.0.1:9', createSchema: false },
  samples: {
    name: { value: 'ch-a', text: 'ch-b' },
    url: { value: 'http://127.0.0.1:9', text: 'http://127.0.0.1:9,127.0.0.1:10' },
    headers: { value: { 'x-a': '1' }, text: 'x-a=1' },
    auth: { value: { username: 'u', password: 'p' }, text: '' },
    'auth.username': { value: 'u', text: 'otel' },
    'auth.password': { value: 'p', text: 's3cret' },
    compression: { value: 'none', text: 'gzip' },
    timeoutMs: { value: 5_000, text: '5000' },
    temporality: { value: 'delta', text: 'delta' },
    database: { value: 'otel', text: 'telemetry' },
    ttlSeconds: { value: 60, text: '60' },
    clusterName: { value: 'c1', text: 'c2' },
    tableEngine: { value: 'ReplicatedMergeTree', text: 'ReplacingMergeTree' },
    deduplicationWindow: { value: 10, text: '10' },
    createSchema: { value: false, text: 'false' },
    format: { value: 'RowBinary', text: 'JSONCompactEachRow' },
    compressionLevel: { value: 3, text: '3' },
    asyncInsert: { value: true, text: 'true' },
    deduplicate: { value: false, text: 'false' },
    maxOpenConnections: { value: 2, text: '2' },
  },
  badText: {
    url: 'localhost:8123',
    headers: 'novalue',
    compression: 'zstd',
    timeoutMs: 'soon',
    temporality: 'sideways',
    ttlSeconds: '-1',
    tableEngine: 'MergeTree; DROP TABLE x',
    deduplicationWindow: 'many',
    createSchema: 'yes',
    format: 'CSV',
    compressionLevel: '12',
    asyncInsert: 'on',
    deduplicate: 'off',
    maxOpenConnections: '0',
  },
  credentials: [
    {
      options: {
        url: ['http://url-user:url-password-1@127.0.0.1:9', 'http://127.0.0.1:10'],
        tls: { ca: 'CA', cert: 'CERT', key: 'PRIVATE-KEY-PEM-1' },
        headers: { 'x-api-key': 'header-key-1' },
      },
      secrets: ['url-password-1', 'url-user:url-password-1', 'PRIVATE-KEY-PEM-1', 'header-key-1'],
    },
    {
      options: { auth: { username: 'otel', password: 'code-password-2' } },
      secrets: ['code-password-2', 'otel:code-password-2'],
    },
    {
      options: {},
      environment: {
        CLICKHOUSE_URL: 'http://127.0.0.1:9,127.0.0.1:10',
        CLICKHOUSE_USER: 'env-user',
        CLICKHOUSE_PASSWORD: 'env-password-3',
      },
      secrets: ['env-password-3', 'env-user:env-password-3'],
    },
  ],
  // Under this exporter's 16 MiB batch default.
  limits: [
    { maxQueueBytes: 8 * 1024 * 1024 },
    { maxQueueBytes: 8 * 1024 * 1024, maxBatchItems: 1 },
  ],
  readme: join(__dirname, '..', 'README.md'),
});
