import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import { VICTORIAMETRICS_OPTIONS, VictoriaMetricsExporter } from '../src';
import type { VictoriaMetricsExporterOptions } from '../src';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'VictoriaMetricsExporter',
  packageName: '@otelpack/exporter-victoriametrics',
  definition: VICTORIAMETRICS_OPTIONS,
  create: {
    metrics: (options) => new VictoriaMetricsExporter(options as VictoriaMetricsExporterOptions),
  },
  // Nobody listens there; nothing is sent at construction.
  baseOptions: { url: 'http://127.0.0.1:9' },
  samples: {
    name: { value: 'vm-a', text: 'vm-b' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/a,http://127.0.0.1:9/b' },
    headers: { value: { 'x-scope-orgid': 'a' }, text: 'X-Scope-OrgID=a' },
    auth: { value: { bearerToken: 'code-token' }, text: '' },
    'auth.username': { value: 'u', text: 'writer' },
    'auth.password': { value: 'p', text: 'pw' },
    'auth.bearerToken': { value: 't', text: 'env-token' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    tenant: { value: '1', text: '2:3' },
    externalLabels: { value: { cluster: 'a' }, text: 'cluster=b' },
    promoteResourceAttributes: { value: ['host.name'], text: 'host.name,k8s.pod.name' },
    addMetricSuffixes: { value: false, text: 'false' },
    targetInfo: { value: false, text: 'false' },
    scopeLabels: { value: false, text: 'false' },
    exponentialHistograms: { value: 'le', text: 'le' },
    remoteWriteVersion: { value: '2.0', text: '2.0' },
    maxLabelValueBytes: { value: 100, text: '100' },
    deltaTemporality: { value: 'drop', text: 'drop' },
    maxDeltaSeries: { value: 5, text: '5' },
  },
  badText: {
    url: 'localhost:8428',
    headers: 'novalue',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    tenant: 'team-a',
    externalLabels: '__reserved=x',
    addMetricSuffixes: 'yes',
    targetInfo: 'yes',
    scopeLabels: 'no',
    exponentialHistograms: 'bins',
    remoteWriteVersion: '2',
    maxLabelValueBytes: '3',
    deltaTemporality: 'keep',
    maxDeltaSeries: 'many',
  },
  credentials: [
    {
      options: {
        url: ['http://url-user:url-password-1@127.0.0.1:9', 'http://127.0.0.1:10'],
        auth: { username: 'writer', password: 'code-password-1' },
        tls: { ca: 'CA', cert: 'CERT', key: 'PRIVATE-KEY-PEM-1' },
      },
      secrets: ['url-password-1', 'code-password-1', 'writer:code-password-1', 'PRIVATE-KEY-PEM-1'],
    },
    {
      options: { auth: { bearerToken: 'code-bearer-token-2' }, headers: { 'x-api-key': 'key-2' } },
      secrets: ['code-bearer-token-2', 'key-2'],
    },
    {
      options: {},
      environment: {
        OTELPACK_VICTORIAMETRICS_USERNAME: 'env-user',
        OTELPACK_VICTORIAMETRICS_PASSWORD: 'env-password-3',
        OTELPACK_VICTORIAMETRICS_HEADERS: 'authorization=Bearer%20env-header-token-3',
      },
      secrets: ['env-password-3', 'env-user:env-password-3', 'env-header-token-3'],
    },
  ],
  // Under this exporter's 1 MiB batch default.
  limits: [{ maxQueueBytes: 512 * 1024 }, { maxQueueBytes: 512 * 1024, maxConcurrency: 4 }],
  readme: join(__dirname, '..', 'README.md'),
});
