export { DatadogMetricExporter, PACKAGE_NAME } from './exporters';
export { DATADOG_OPTIONS, PIPELINE_DEFAULTS_BY_SIGNAL } from './options';
export type { DatadogExporterOptions, HistogramMode, InitialCumulativeValue } from './options';
export { resolveMetricsConfig } from './config';
export type { MetricsConfig } from './config';
export { DEFAULT_MAX_DATAGRAM_BYTES, describeTarget, dogStatsDTarget } from './dogstatsd-target';
export type { DogStatsDTarget } from './dogstatsd-target';
export {
  MAX_TAG_CHARS,
  encodeLine,
  formatValue,
  packDatagrams,
  sanitizeMetricName,
  sanitizeTag,
} from './metrics/datagram';
export type { DogStatsDType, LineFields, MetricLine, PackedDatagrams } from './metrics/datagram';
export { DogStatsDMapping, SUMMARY_DATA_POINT_TYPE } from './metrics/mapping';
export type { MetricMappingOptions, MetricMappingStats, SummaryValue } from './metrics/mapping';
export { CumulativeToDelta } from './metrics/cumulative';
export type { CumulativeOptions, CumulativeOutcome } from './metrics/cumulative';
export {
  explicitBucketValues,
  exponentialBucketValues,
  formatBound,
  rateForCount,
} from './metrics/histograms';
export type { WeightedValue } from './metrics/histograms';
export { DogStatsDSender, hotShotsOptions } from './metrics/sender';
export type { DatagramClient, DogStatsDSenderStats } from './metrics/sender';
export {
  CONTAINER_MAPPING,
  CORE_MAPPING,
  KUBERNETES_LABEL_MAPPING,
  attributeText,
  hostnameFromResource,
  tagsFromResource,
} from './tags';
export type { ServiceTags } from './tags';
