import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import { OTLP_OPTIONS, OtlpLogRecordExporter, OtlpMetricExporter, OtlpSpanExporter } from '../src';
import type { OtlpExporterOptions, OtlpMetricExporterOptions } from '../src';

// PEM files for the TLS variables (any text: nothing connects over TLS here).
const dir = mkdtempSync(join(tmpdir(), 'otelpack-otlp-kit-'));
const pem = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const caFile = pem('ca.pem', 'CA');
const certFile = pem('client.pem', 'CLIENT-CERT');
const keyFile = pem('client-key.pem', 'KEY-FILE-SECRET-4');

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'OTLP exporter',
  packageName: '@otelpack/exporter-otlp',
  definition: OTLP_OPTIONS,
  create: {
    traces: (options) => new OtlpSpanExporter(options as OtlpExporterOptions),
    logs: (options) => new OtlpLogRecordExporter(options as OtlpExporterOptions),
    metrics: (options) => new OtlpMetricExporter(options as OtlpMetricExporterOptions),
  },
  // Nobody listens there; nothing is sent at construction.
  baseOptions: { url: 'http://127.0.0.1:9' },
  samples: {
    name: { value: 'otlp-a', text: 'otlp-b' },
    url: { value: 'http://127.0.0.1:9/a', text: 'http://127.0.0.1:9/a,http://127.0.0.1:9/b' },
    headers: { value: { 'x-tenant': 'a' }, text: 'x-tenant=b,x-team=c%20d' },
    auth: { value: { bearerToken: 'code-token' }, text: '' },
    'auth.username': { value: 'u', text: 'writer' },
    'auth.password': { value: 'p', text: 'pw' },
    'auth.bearerToken': { value: 't', text: 'env-token' },
    compression: { value: 'none', text: 'none' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    temporality: { value: 'delta', text: 'Delta' },
    encoding: { value: 'json', text: 'http/json' },
    certificateFile: { value: caFile, text: caFile },
    clientCertificateFile: { value: certFile, text: certFile },
    clientKeyFile: { value: keyFile, text: keyFile },
  },
  badText: {
    url: 'localhost:4318',
    headers: 'novalue',
    compression: 'zstd',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    temporality: 'sometimes',
    encoding: 'grpc',
    certificateFile: join(dir, 'missing.pem'),
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
      options: { auth: { bearerToken: 'code-bearer-token-2' }, headers: { 'api-key': 'key-2' } },
      secrets: ['code-bearer-token-2', 'key-2'],
    },
    {
      options: {},
      environment: {
        OTEL_EXPORTER_OTLP_HEADERS: 'api-key=env-header-key-3,x-other=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'authorization=Bearer%20env-trace-token-3',
        OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: certFile,
        OTEL_EXPORTER_OTLP_CLIENT_KEY: keyFile,
      },
      secrets: ['env-header-key-3', 'env-trace-token-3', 'KEY-FILE-SECRET-4'],
    },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }, { maxQueueBytes: 512 * 1024, maxConcurrency: 4 }],
  readme: join(__dirname, '..', 'README.md'),
});
