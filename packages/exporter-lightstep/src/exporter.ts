import { defineExporter, reportRefusedCredentialsOnce } from '@otelpack/batching-core';
import type { ExporterClasses } from '@otelpack/batching-core';
import {
  ProtobufCodec,
  createOtlpSender,
  metricMapping,
  spanMapping,
  withResourceDefaults,
} from '@otelpack/exporter-otlp';
import type { OtlpCodec, OtlpRecord, OtlpSender } from '@otelpack/exporter-otlp';
import { lightstepConfig } from './config';
import type { LightstepResolved } from './config';
import { LIGHTSTEP_OPTIONS } from './options';
import type { LightstepExporterOptions, LightstepMetricExporterOptions } from './options';

/** Protobuf, with LS_SERVICE_NAME / LS_SERVICE_VERSION on resources that lack a name or version. */
function codecOf(config: LightstepResolved): OtlpCodec {
  return withResourceDefaults(new ProtobufCodec(), {
    'service.name': config.own.serviceName,
    'service.version': config.own.serviceVersion,
  });
}

/** A refused token: said once per exporter at ERROR, with what to check. */
function tokenReporter(name: string): (status: number, reason: string) => void {
  return reportRefusedCredentialsOnce(
    (_status, reason) =>
      `otelpack ${name}: ServiceNow Cloud Observability refused the access token (${reason}). ` +
      'Check that LS_ACCESS_TOKEN (or auth.token) is an access token of the project you send to ' +
      '(Project settings → Access tokens), that it has not been revoked, and that region ' +
      "('us' or 'eu') is the project's. Every batch is counted as rejected until this is fixed.",
  );
}

/** The kit makes the SDK classes: exporter-otlp's sender and mappings, with the preset's config. */
export const lightstep: ExporterClasses<
  LightstepExporterOptions,
  OtlpRecord,
  OtlpSender,
  LightstepMetricExporterOptions
> = defineExporter({
  packageName: '@otelpack/exporter-lightstep',
  options: LIGHTSTEP_OPTIONS,
  sender: (options) => {
    const config = lightstepConfig(options);
    return createOtlpSender(config, {
      userAgent: 'otelpack-exporter-lightstep',
      onRefused: tokenReporter(config.name),
    });
  },
  traces: (options) => spanMapping(codecOf(options)),
  metrics: (options) => metricMapping(codecOf(options)),
});

/** A SpanExporter (SDK 2.x and 3.x) to ServiceNow Cloud Observability over OTLP/HTTP. */
export class LightstepSpanExporter extends lightstep.SpanExporter {}

/** A PushMetricExporter (SDK 2.x and 3.x) to ServiceNow Cloud Observability over OTLP/HTTP. */
export class LightstepMetricExporter extends lightstep.MetricExporter {}
