export {
  OtlpLogRecordExporter,
  OtlpMetricExporter,
  OtlpSpanExporter,
  createOtlpSender,
  otlp,
} from './exporter';
export { DEFAULT_BASE_URL, EXPORTER_PIPELINE_DEFAULTS, OTLP_OPTIONS } from './options';
export type { OtlpEncoding, OtlpExporterOptions, OtlpMetricExporterOptions } from './options';
export { codecFor, otlpConfig } from './config';
export { presetConfig } from './preset';
export type { OtlpPresetOptions } from './preset-options';
export type { OtlpConfig, OtlpResolved } from './config';
export {
  GENERIC_ENDPOINT_VARIABLE,
  SIGNAL_PATHS,
  TEMPORALITY_VARIABLE,
  otlpVariables,
  signalUrl,
} from './environment';
export { GroupCache, logMapping, metricMapping, spanMapping } from './mapping';
export type { OtlpCodec } from './codec';
export { decorateCodec } from './decorate';
export { withResourceDefaults } from './resource-defaults';
export { withTimeWindow } from './time-window';
export type { TimeWindows } from './time-window';
// The window and its error live in batching-core (every exporter's mapping may refuse by time);
// re-exported here, where presets built on this package have always imported them.
export { OutsideTimeWindowError } from '@otelpack/batching-core';
export type { TimeWindow } from '@otelpack/batching-core';
export type { ResourceDefaults } from './resource-defaults';
export { ProtobufCodec } from './protobuf/codec';
export { JsonCodec } from './json/codec';
export { OtlpProtoWriter } from './protobuf/writer';
export { encodeProtobufRequest } from './protobuf/request';
export { readErrorReason, readPartialSuccess } from './response';
export type { PartialSuccess } from './response';
export { OtlpSender, classifyOtlpResponse, rejectedRecords } from './sender';
export type { OtlpEndpoint, OtlpSenderOptions } from './sender';
export type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from './records';
