import { diag } from '@opentelemetry/api';
import { defineExporter, redactUrl, reportRefusedCredentialsOnce } from '@otelpack/batching-core';
import type {
  BatchSender,
  ExporterClasses,
  ExporterOptionsDefinition,
} from '@otelpack/batching-core';
import {
  ProtobufCodec,
  createOtlpSender,
  logMapping,
  spanMapping,
  withTimeWindow,
} from '@otelpack/exporter-otlp';
import type { OtlpCodec } from '@otelpack/exporter-otlp';
import { connectionOf, mappingOptionsOf, missingUrl, otlpConfigOf, signalUrl } from './config';
import { LineMapping } from './mapping';
import { MetadataMemory } from './metadata';
import { DYNATRACE_OPTIONS, ONEAGENT_METRICS_URL } from './options';
import type {
  DynatraceExporterOptions,
  DynatraceMetricExporterOptions,
  DynatraceRecord,
} from './options';
import { LineSender } from './sender';
import { UnconfiguredSender } from './unconfigured';

/**
 * Dynatrace drops spans that ended more than 60 minutes ago or end more than 10 minutes ahead
 * (OTLP trace ingest limits); they are counted as rejected here instead, with the reason.
 */
export const SPAN_WINDOW = { maxAgeMs: 60 * 60_000, maxAheadMs: 10 * 60_000 };

/**
 * Log records older than 24 hours make the log ingest refuse the whole request
 * (timestamps_out_of_range); future ones it takes (dated at ingest). Log Management limits.
 */
export const LOG_WINDOW = { maxAgeMs: 24 * 3_600_000, maxAheadMs: Number.POSITIVE_INFINITY };

function codec(): OtlpCodec {
  return withTimeWindow(new ProtobufCodec(), {
    spans: SPAN_WINDOW,
    logs: LOG_WINDOW,
    backend: 'Dynatrace',
  });
}

/**
 * Each metric exporter's metadata memory, which its mapping and its sender share: the kit builds
 * both from the same resolved options, the mapping first.
 */
const metadataOf = new WeakMap<object, MetadataMemory>();

type OwnOptions =
  typeof DYNATRACE_OPTIONS extends ExporterOptionsDefinition<infer Own> ? Own : never;

/** A refused token, said once per exporter at ERROR with what to check. */
function tokenReporter(name: string): (status: number, reason: string) => void {
  return reportRefusedCredentialsOnce(
    (_status, reason) =>
      `otelpack ${name}: Dynatrace refused the API token (${reason}). Check that DT_API_TOKEN ` +
      '(or auth.token) is a token of this environment with the scopes metrics.ingest, ' +
      'openTelemetryTrace.ingest and logs.ingest. Every batch is counted as rejected until this is fixed.',
  );
}

/**
 * Metrics: the line protocol's own sender; traces and logs: exporter-otlp's. The pipeline carries
 * lines for the one and OTLP records for the others, never both in one exporter.
 */
export const dynatrace: ExporterClasses<
  DynatraceExporterOptions,
  DynatraceRecord,
  BatchSender<DynatraceRecord>,
  DynatraceMetricExporterOptions
> = defineExporter<OwnOptions, DynatraceRecord, BatchSender<DynatraceRecord>>({
  packageName: '@otelpack/exporter-dynatrace',
  options: DYNATRACE_OPTIONS,
  // Where the signal goes, without connectionOf's checks (the sender's construction makes them).
  serverUrl: (config) => {
    if (config.urls[0]) return redactUrl(signalUrl(config.urls[0], config.signal));
    return config.signal === 'metrics' ? ONEAGENT_METRICS_URL : undefined;
  },
  sender: (config, signal) => {
    const onRefused = tokenReporter(config.name);
    if (signal !== 'metrics' && config.urls.length === 0) {
      const reason = missingUrl(signal);
      diag.error(`otelpack ${config.name}: ${reason}`);
      return new UnconfiguredSender(reason);
    }
    if (signal !== 'metrics') {
      const sender = createOtlpSender(otlpConfigOf(config), {
        userAgent: 'otelpack-exporter-dynatrace',
        onRefused,
      });
      return sender as BatchSender<DynatraceRecord>;
    }
    const connection = connectionOf(config);
    const sender = new LineSender({
      url: connection.url,
      display: connection.display,
      name: connection.name,
      onRefused,
      metadata: metadataOf.get(config),
      transport: {
        headers: connection.headers,
        ...(connection.headerProvider ? { headerProvider: connection.headerProvider } : {}),
        ...(connection.tls ? { tls: connection.tls } : {}),
        timeoutMs: connection.timeoutMs,
        ...(connection.connectTimeoutMs ? { connectTimeoutMs: connection.connectTimeoutMs } : {}),
        userAgent: 'otelpack-exporter-dynatrace',
      },
    });
    return sender as BatchSender<DynatraceRecord>;
  },
  traces: () => spanMapping(codec()),
  logs: () => logMapping(codec()),
  metrics: (config) => {
    const metadata = new MetadataMemory();
    metadataOf.set(config, metadata);
    return new LineMapping({ ...mappingOptionsOf(config), metadata });
  },
});

/** A SpanExporter (SDK 2.x and 3.x) to Dynatrace's OTLP trace ingest. */
export class DynatraceSpanExporter extends dynatrace.SpanExporter {}

/** A LogRecordExporter (SDK 2.x and 3.x) to Dynatrace's OTLP log ingest. */
export class DynatraceLogRecordExporter extends dynatrace.LogRecordExporter {}

/** A PushMetricExporter (SDK 2.x and 3.x) to Dynatrace's metric ingest (API or local OneAgent). */
export class DynatraceMetricExporter extends dynatrace.MetricExporter {}
