import { defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import { metricsConfig } from './config';
import { describeTarget } from './dogstatsd-target';
import type { MetricLine } from './metrics/datagram';
import { DogStatsDMapping } from './metrics/mapping';
import type { MetricMappingStats } from './metrics/mapping';
import { DogStatsDSender } from './metrics/sender';
import { DATADOG_OPTIONS } from './options';
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
