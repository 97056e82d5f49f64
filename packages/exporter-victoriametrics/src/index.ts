export { VictoriaMetricsExporter } from './exporter';
export type { MappingStats } from './mapping-state';
export { DEFAULT_URL, EXPORTER_PIPELINE_DEFAULTS, VICTORIAMETRICS_OPTIONS } from './options';
export type { VictoriaMetricsExporterOptions } from './options';
export { resolveConfig, writeUrl } from './config';
export type { Endpoint, RemoteWriteConfig } from './config';
export {
  DEFAULT_MAPPING_OPTIONS,
  POINT_DROP_REASONS,
  SUMMARY_DATA_POINT_TYPE,
  attributeValueToString,
  exponentialBound,
  exponentialToLe,
  exponentialToVmrange,
  hrTimeToMs,
  mapResourceMetrics,
} from './mapping';
export type {
  ExponentialHistogramForm,
  MappingOptions,
  DroppedPoints,
  MappingResult,
  PointDropReason,
  SummaryValue,
} from './mapping';
export { DeltaToCumulative } from './delta';
export type { DeltaConversion, DeltaToCumulativeOptions } from './delta';
export {
  formatFloat,
  isValidLabelName,
  isValidMetricName,
  prometheusMetricName,
  sanitizeLabelName,
  sanitizeMetricName,
  prometheusUnit,
  unitSuffixes,
} from './names';
export type { FamilyKind, MetricNameInput } from './names';
export {
  WriteRequestEncoder,
  encodeWriteRequest,
  timeSeriesBodyLength,
  timeSeriesEntryLength,
} from './encoder';
export { REMOTE_WRITE_HEADERS, RemoteWriteSender } from './sender';
export type { RemoteWriteSenderOptions } from './sender';
export type { Exemplar, Label, Sample, TimeSeries } from './types';
export { REMOTE_WRITE_V2_HEADERS, encodeWriteRequestV2 } from './encoder-v2';
export { bucketLayout, toNativeHistogram } from './native-histogram';
export type {
  BucketSpan,
  MetricTypeName,
  NativeHistogram,
  SeriesMetadata,
  TimeSeriesV2Fields,
} from './types';
