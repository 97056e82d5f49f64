import { defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import { codecFor, otlpConfig } from './config';
import type { OtlpConfig } from './config';
import { logMapping, metricMapping, spanMapping } from './mapping';
import { OTLP_OPTIONS } from './options';
import type { OtlpExporterOptions, OtlpMetricExporterOptions } from './options';
import type { OtlpRecord } from './records';
import { OtlpSender } from './sender';
import type { OtlpSenderOptions } from './sender';

/** The sender of one signal's exporter, from its configuration: shared with the vendor presets. */
export function createOtlpSender(
  config: OtlpConfig,
  extra: {
    userAgent?: string;
    onRefused?: OtlpSenderOptions['onRefused'];
    isRetryable?: OtlpSenderOptions['isRetryable'];
  } = {},
): OtlpSender {
  return new OtlpSender({
    signal: config.signal,
    codec: codecFor(config.encoding),
    encoding: config.encoding,
    endpoints: config.endpoints,
    compression: config.compression,
    name: config.name,
    ...(extra.onRefused ? { onRefused: extra.onRefused } : {}),
    ...(extra.isRetryable ? { isRetryable: extra.isRetryable } : {}),
    transport: {
      headers: config.headers,
      ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
      ...(config.tls ? { tls: config.tls } : {}),
      timeoutMs: config.timeoutMs,
      ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
      userAgent: extra.userAgent ?? 'otelpack-exporter-otlp',
    },
  });
}

/** The kit makes the SDK classes from the options, the sender and the mappings. */
export const otlp: ExporterClasses<
  OtlpExporterOptions,
  OtlpRecord,
  OtlpSender,
  OtlpMetricExporterOptions
> = defineExporter({
  packageName: '@otelpack/exporter-otlp',
  options: OTLP_OPTIONS,
  sender: (options) => createOtlpSender(otlpConfig(options)),
  traces: (options) => spanMapping(codecFor(options.own.encoding)),
  logs: (options) => logMapping(codecFor(options.own.encoding)),
  metrics: (options) => metricMapping(codecFor(options.own.encoding)),
});

/** A SpanExporter (SDK 2.x and 3.x) sending OTLP/HTTP through the otelpack delivery core. */
export class OtlpSpanExporter extends otlp.SpanExporter {}

/** A LogRecordExporter (SDK 2.x and 3.x) sending OTLP/HTTP through the otelpack delivery core. */
export class OtlpLogRecordExporter extends otlp.LogRecordExporter {}

/** A PushMetricExporter (SDK 2.x and 3.x) sending OTLP/HTTP through the otelpack delivery core. */
export class OtlpMetricExporter extends otlp.MetricExporter {}
