import { join } from 'node:path';
import { runExporterKitSuite } from '@otelpack/batching-core/testing';
import {
  DYNATRACE_OPTIONS,
  DynatraceLogRecordExporter,
  DynatraceMetricExporter,
  DynatraceSpanExporter,
} from '../src';
import type { DynatraceExporterOptions, DynatraceMetricExporterOptions } from '../src';

// The exporter kit's promises, kept by this exporter (see @otelpack/batching-core/testing).
runExporterKitSuite({
  title: 'Dynatrace exporter',
  packageName: '@otelpack/exporter-dynatrace',
  definition: DYNATRACE_OPTIONS,
  create: {
    traces: (options) => new DynatraceSpanExporter(options as DynatraceExporterOptions),
    logs: (options) => new DynatraceLogRecordExporter(options as DynatraceExporterOptions),
    metrics: (options) => new DynatraceMetricExporter(options as DynatraceMetricExporterOptions),
  },
  // An environment nobody listens on: nothing is sent, and traces and logs have their URL.
  baseOptions: { url: 'http://127.0.0.1:9', oneAgentMetadata: false },
  samples: {
    name: { value: 'dt-a', text: 'dt-b' },
    url: { value: 'http://127.0.0.1:9/e/a', text: 'http://127.0.0.1:9/e/b' },
    headers: { value: { 'x-tenant': 'a' }, text: 'x-tenant=b' },
    auth: { value: { token: 'dt0c01.A' }, text: '' },
    'auth.token': { value: 'dt0c01.A', text: 'dt0c01.B' },
    compression: { value: 'none', text: 'none' },
    timeoutMs: { value: 5_000, text: '5000' },
    connectTimeoutMs: { value: 500, text: '500' },
    temporality: { value: 'cumulative', text: 'CUMULATIVE' },
    prefix: { value: 'shop', text: 'billing' },
    defaultDimensions: { value: { env: 'prod' }, text: 'env=dev' },
    resourceAttributes: { value: ['service.name'], text: 'service.name,host.name' },
    oneAgentMetadata: { value: false, text: 'false' },
    metadataLines: { value: false, text: 'false' },
  },
  badText: {
    url: 'abc12345.live.dynatrace.com',
    headers: 'novalue',
    compression: 'zstd',
    timeoutMs: 'soon',
    connectTimeoutMs: '0',
    temporality: 'sometimes',
    oneAgentMetadata: 'perhaps',
    metadataLines: 'perhaps',
  },
  credentials: [
    {
      options: { auth: { token: 'dt0c01.SECRETPUBLICPART.SECRETPRIVATEPART' } },
      secrets: ['dt0c01.SECRETPUBLICPART.SECRETPRIVATEPART'],
    },
    {
      options: {},
      environment: { DT_API_TOKEN: 'dt0c01.ENVPUBLIC.ENVPRIVATE' },
      secrets: ['dt0c01.ENVPUBLIC.ENVPRIVATE'],
    },
  ],
  limits: [{ maxQueueBytes: 512 * 1024 }],
  readme: join(__dirname, '..', 'README.md'),
});
