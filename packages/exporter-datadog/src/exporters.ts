import { defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import { diag } from '@opentelemetry/api';
import { MISSING_API_KEY, logsConfig, logsIntakeUrl, metricsConfig, tracesConfig } from './config';
import { mapLog } from './logs/mapping';
import type { LogRecord } from './logs/mapping';
import { LogsIntakeSender } from './logs/sender';
import { describeTarget } from './dogstatsd-target';
import type { MetricLine } from './metrics/datagram';
import { DogStatsDMapping } from './metrics/mapping';
import type { MetricMappingStats } from './metrics/mapping';
import { DogStatsDSender } from './metrics/sender';
import { DATADOG_OPTIONS } from './options';
import { mapSpan } from './traces/mapping';
import type { TraceRecord } from './traces/mapping';
import { TraceAgentSender } from './traces/sender';
import { mapEach } from '@otelpack/batching-core';
import type { DatadogExporterOptions } from './options';

export const PACKAGE_NAME = '@otelpack/exporter-datadog';

/** Metrics: the kit makes the SDK class from the options, the DogStatsD mapping and sender. */
export const dogStatsD: ExporterClasses<DatadogExporterOptions, MetricLine, DogStatsDSender> =
  defineExporter({
    packageName: PACKAGE_NAME,
    options: DATADOG_OPTIONS,
    serverUrl: (config) => {
      const target = metricsConfig(config).target;
      return target.protocol === 'uds' ? undefined : `http://${target.host}:${target.port}`;
    },
    sender: (config) => {
      const metrics = metricsConfig(config);
      return new DogStatsDSender({ target: metrics.target, name: metrics.name });
    },
    metrics: (config) => {
      const metrics = metricsConfig(config);
      return new DogStatsDMapping(metrics.mapping, metrics.cumulative);
    },
  });

/**
 * A PushMetricExporter (OpenTelemetry JS SDK 2.x and 3.x) that sends metrics to the Datadog
 * Agent's DogStatsD server with hot-shots, mapped as Datadog's OpenTelemetry translator maps them.
 * It asks the SDK for delta temporality.
 */
export class DatadogMetricExporter extends dogStatsD.MetricExporter {
  override get sender(): DogStatsDSender {
    return super.sender;
  }

  /** Where the datagrams go, e.g. `udp://localhost:8125`. */
  get target(): string {
    return describeTarget(this.sender.target);
  }

  /** What the mapping did; the delivery of the lines it made is in `stats()`. */
  mappingStats(): MetricMappingStats {
    return (this.mapping as DogStatsDMapping).stats();
  }
}

/** Traces: the kit makes the SDK class from the options, the span conversion and the Agent sender. */
export const traceAgent: ExporterClasses<DatadogExporterOptions, TraceRecord, TraceAgentSender> =
  defineExporter({
    packageName: PACKAGE_NAME,
    options: DATADOG_OPTIONS,
    serverUrl: (config) => tracesConfig(config).url.href,
    sender: (config) => {
      const traces = tracesConfig(config);
      return new TraceAgentSender({
        url: traces.url,
        name: traces.name,
        transport: traces.transport,
      });
    },
    traces: (config) => {
      const mapping = tracesConfig(config).mapping;
      return mapEach((span) => mapSpan(span, mapping));
    },
  });

/**
 * A SpanExporter (OpenTelemetry JS SDK 2.x and 3.x) that sends spans to the Datadog trace Agent's
 * `/v0.4/traces`, converted as the Agent converts OpenTelemetry spans.
 */
export class DatadogSpanExporter extends traceAgent.SpanExporter {
  override get sender(): TraceAgentSender {
    return super.sender;
  }
}

/** Logs: the kit makes the SDK class from the options, the log mapping and the intake sender. */
export const logsIntake: ExporterClasses<DatadogExporterOptions, LogRecord, LogsIntakeSender> =
  defineExporter({
    packageName: PACKAGE_NAME,
    options: DATADOG_OPTIONS,
    serverUrl: (config) => (config.urls[0] ?? logsIntakeUrl(config.own.site)).href,
    sender: (config) => {
      const logs = logsConfig(config);
      if (logs.apiKey === undefined && !logs.keyless) {
        diag.error(`otelpack ${logs.name}: ${MISSING_API_KEY}`);
      }
      return new LogsIntakeSender({
        url: logs.url,
        apiKey: logs.apiKey,
        keyless: logs.keyless,
        compression: logs.compression,
        transport: logs.transport,
      });
    },
    logs: (config) => {
      const mapping = logsConfig(config).mapping;
      return mapEach((record) => mapLog(record, mapping));
    },
  });

/**
 * A LogRecordExporter (OpenTelemetry JS SDK 2.x and 3.x) that sends logs to Datadog's HTTP logs
 * intake (`/api/v2/logs`), mapped as Datadog's translator maps OpenTelemetry logs.
 */
export class DatadogLogRecordExporter extends logsIntake.LogRecordExporter {
  override get sender(): LogsIntakeSender {
    return super.sender;
  }
}
