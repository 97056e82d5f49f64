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
export { OutsideTimeWindowError, withTimeWindow } from './time-window';
export type { TimeWindow, TimeWindows } from './time-window';
export type { ResourceDefaults } from './resource-defaults';
export { ProtobufCodec } from './protobuf/codec';
export { JsonCodec } from './json/codec';
export { ProtoWriter } from './protobuf/writer';
export { encodeProtobufRequest } from './protobuf/request';
export { readErrorReason, readPartialSuccess } from './response';
export type { PartialSuccess } from './response';
export { OtlpSender, classifyOtlpResponse, rejectedRecords } from './sender';
export type { OtlpEndpoint, OtlpSenderOptions } from './sender';
export type { MetricGroup, OtlpRecord, ResourceGroup, ScopeGroup } from './records';
