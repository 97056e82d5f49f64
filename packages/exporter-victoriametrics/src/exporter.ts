import { defineExporter } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import { remoteWriteConfig } from './config';
import { RemoteWriteMapping } from './mapping-state';
import type { MappingStats } from './mapping-state';
import { VICTORIAMETRICS_OPTIONS } from './options';
import type { VictoriaMetricsExporterOptions } from './options';
import { RemoteWriteSender } from './sender';
import type { TimeSeries } from './types';

/** The kit makes the SDK class from the options, the sender and the mapping. */
export const victoriaMetrics: ExporterClasses<
  VictoriaMetricsExporterOptions,
  TimeSeries,
  RemoteWriteSender
> = defineExporter({
  packageName: '@otelpack/exporter-victoriametrics',
  options: VICTORIAMETRICS_OPTIONS,
  sender: (options) => {
    const config = remoteWriteConfig(options);
    return new RemoteWriteSender({
      name: config.name,
      remoteWriteVersion: config.remoteWriteVersion,
      endpoints: config.endpoints,
      transport: {
        headers: config.headers,
        ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
        ...(config.tls ? { tls: config.tls } : {}),
        timeoutMs: config.timeoutMs,
        ...(config.connectTimeoutMs ? { connectTimeoutMs: config.connectTimeoutMs } : {}),
        userAgent: 'otelpack-exporter-victoriametrics',
      },
    });
  },
  metrics: (options) =>
    new RemoteWriteMapping(remoteWriteConfig(options), options.pipeline.selfObsMeterProvider),
});

/**
 * A PushMetricExporter (OpenTelemetry JS SDK 2.x and 3.x) that writes metrics to
 * VictoriaMetrics, or to any Prometheus remote-write receiver (Prometheus, Mimir, Thanos), over
 * remote write 1.0, through the otelpack delivery core. It asks the SDK for cumulative
 * temporality.
 */
export class VictoriaMetricsExporter extends victoriaMetrics.MetricExporter {
  /** The sender (current endpoint, failovers, bytes sent). */
  override get sender(): RemoteWriteSender {
    return super.sender;
  }

  /** What the mapping did; the delivery of the series it made is in `stats()`. */
  mappingStats(): MappingStats {
    return (this.mapping as RemoteWriteMapping).stats();
  }
}
