import { defineExporter, sendDeadlineMs } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import { hecConfig } from './config';
import type {
  ExportResult,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
} from '@otelpack/batching-core';
import type { HealthReport } from './health';
import type { HecRecord } from './mapping/event';
import { logMapping, metricMapping, spanMapping } from './mapping';
import { SPLUNK_HEC_OPTIONS } from './options';
import type { SplunkHecExporterOptions } from './options';
import { HecSender } from './sender';

/** The kit makes the SDK classes from the options, the sender and the mappings. */
export const splunkHec: ExporterClasses<SplunkHecExporterOptions, HecRecord, HecSender> =
  defineExporter({
    packageName: '@otelpack/exporter-splunk-hec',
    options: SPLUNK_HEC_OPTIONS,
    serverUrl: (options) => hecConfig(options).endpoints.display,
    // With acknowledgement a send is the request and the wait for its ackId: its deadline covers
    // both, and the ack timeout (which resends) comes first.
    sendDeadlineMs: (options) =>
      options.own.indexerAcknowledgement
        ? sendDeadlineMs(options.timeoutMs) +
          options.own.ackTimeoutMs +
          options.own.ackPollIntervalMs
        : undefined,
    sender: (options) => new HecSender({ config: hecConfig(options) }),
    traces: (options) => spanMapping(hecConfig(options).mapping),
    logs: (options) => logMapping(hecConfig(options).mapping),
    metrics: (options) => metricMapping(hecConfig(options).mapping),
  });

/*
 * Each class starts the sender's health check at its first export (construction sends nothing):
 * a wrong URL or token is logged through diag at once, not at the first refused batch.
 */

/** A SpanExporter (SDK 2.x and 3.x): spans as HEC events, through the otelpack core. */
export class SplunkHecSpanExporter extends splunkHec.SpanExporter {
  override get sender(): HecSender {
    return super.sender;
  }
  override export(spans: ReadableSpanLike[], done: (result: ExportResult) => void): void {
    this.sender.startHealthCheck();
    super.export(spans, done);
  }
  /** HEC's health and whether it takes the token (the report the first export logs). */
  checkHealth(): Promise<HealthReport> {
    return this.sender.checkHealth();
  }
}

/** A LogRecordExporter (SDK 2.x and 3.x): log records as HEC events, through the otelpack core. */
export class SplunkHecLogRecordExporter extends splunkHec.LogRecordExporter {
  override get sender(): HecSender {
    return super.sender;
  }
  override export(logs: ReadableLogRecordLike[], done: (result: ExportResult) => void): void {
    this.sender.startHealthCheck();
    super.export(logs, done);
  }
  checkHealth(): Promise<HealthReport> {
    return this.sender.checkHealth();
  }
}

/** A PushMetricExporter (SDK 2.x and 3.x): metric values as HEC metric events. */
export class SplunkHecMetricExporter extends splunkHec.MetricExporter {
  override get sender(): HecSender {
    return super.sender;
  }
  override export(metrics: ResourceMetricsLike, done: (result: ExportResult) => void): void {
    this.sender.startHealthCheck();
    super.export(metrics, done);
  }
  checkHealth(): Promise<HealthReport> {
    return this.sender.checkHealth();
  }
}
