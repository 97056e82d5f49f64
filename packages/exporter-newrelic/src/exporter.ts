import { diag } from '@opentelemetry/api';
import { defineExporter, isRetryableStatus } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import {
  ProtobufCodec,
  createOtlpSender,
  logMapping,
  metricMapping,
  spanMapping,
  withTimeWindow,
} from '@otelpack/exporter-otlp';
import type { OtlpCodec, OtlpRecord, OtlpSender } from '@otelpack/exporter-otlp';
import { newRelicConfig } from './config';
import type { NewRelicResolved } from './config';
import { withNewRelicLimits } from './limits/codec';
import { withPointLimits } from './limits/points';
import { NEW_RELIC_OPTIONS } from './options';
import type { NewRelicExporterOptions, NewRelicMetricExporterOptions } from './options';
import { LimitsReport } from './report';
import { NEW_RELIC_TIME_WINDOWS } from './time-windows';

/** Protobuf (New Relic's advice), within New Relic's attribute limits and time windows. */
function codecOf(config: NewRelicResolved, report: LimitsReport): OtlpCodec {
  const limited = withNewRelicLimits(new ProtobufCodec(), {
    records: config.signal === 'metrics' ? 'metrics' : 'events',
    onLimited: report.record,
  });
  return withTimeWindow(limited, NEW_RELIC_TIME_WINDOWS);
}

/** The exporter's limits report, counted on the meter provider of its own self-metrics. */
function reportOf(config: NewRelicResolved): LimitsReport {
  return new LimitsReport(config.name, config.pipeline.selfObsMeterProvider);
}

/**
 * A refused key: said once per exporter at ERROR, with what to check (a 401/403 is otherwise
 * only a count of rejected records).
 */
function keyReporter(name: string): (status: number, reason: string) => void {
  let reported = false;
  return (status, reason) => {
    if ((status !== 401 && status !== 403) || reported) return;
    reported = true;
    diag.error(
      `otelpack ${name}: New Relic refused the license key (${reason}). ` +
        'Check that NEW_RELIC_LICENSE_KEY (or auth.apiKey) is a license key (INGEST - LICENSE) of the ' +
        "account you send to, that it has not been deleted, and that region ('us', 'eu' or 'fedramp') " +
        "is the account's data center. Every batch is counted as rejected until this is fixed.",
    );
  };
}

/** The kit makes the SDK classes: exporter-otlp's sender and mappings, with the preset's config. */
export const newRelic: ExporterClasses<
  NewRelicExporterOptions,
  OtlpRecord,
  OtlpSender,
  NewRelicMetricExporterOptions
> = defineExporter({
  packageName: '@otelpack/exporter-newrelic',
  options: NEW_RELIC_OPTIONS,
  sender: (options) => {
    const config = newRelicConfig(options);
    return createOtlpSender(config, {
      userAgent: 'otelpack-exporter-newrelic',
      onRefused: keyReporter(config.name),
      // New Relic documents 408 (too long to reach the endpoint) and 5xx (server error, "please
      // retry") as answers to retry, beyond OTLP's 429, 502, 503 and 504 (docs.newrelic.com:
      // Trace API general requirements and limits; OTLP best practices, "retry").
      isRetryable: isRetryableStatus,
    });
  },
  traces: (options) => spanMapping(codecOf(options, reportOf(options))),
  logs: (options) => logMapping(codecOf(options, reportOf(options))),
  metrics: (options) => {
    const report = reportOf(options);
    return withPointLimits(metricMapping(codecOf(options, report)), report.record);
  },
});

/** A SpanExporter (SDK 2.x and 3.x) to New Relic over OTLP/HTTP. */
export class NewRelicSpanExporter extends newRelic.SpanExporter {}

/** A LogRecordExporter (SDK 2.x and 3.x) to New Relic over OTLP/HTTP. */
export class NewRelicLogRecordExporter extends newRelic.LogRecordExporter {}

/** A PushMetricExporter (SDK 2.x and 3.x) to New Relic over OTLP/HTTP. */
export class NewRelicMetricExporter extends newRelic.MetricExporter {}
