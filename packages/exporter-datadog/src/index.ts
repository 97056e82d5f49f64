export {
  DatadogLogRecordExporter,
  DatadogMetricExporter,
  DatadogSpanExporter,
  PACKAGE_NAME,
} from './exporters';
export { DATADOG_OPTIONS, PIPELINE_DEFAULTS_BY_SIGNAL, SITES } from './options';
export type { DatadogExporterOptions, HistogramMode, InitialCumulativeValue } from './options';
export { MISSING_API_KEY, logsIntakeUrl, resolveMetricsConfig } from './config';
export type { LogsConfig, MetricsConfig, TracesConfig } from './config';
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
  isUnknownService,
  tagsFromResource,
} from './tags';
export type { ServiceTags } from './tags';
export { AUTO_KEEP, HTTP_META_KEYS, mapSpan, spanId, traceIdLow } from './traces/mapping';
export type { DdSpan, TraceMappingOptions, TraceRecord } from './traces/mapping';
export {
  AttributeLookup,
  DB_TYPES,
  DEFAULT_OTLP_SERVICE,
  operationName,
  otelService,
  resourceName,
  spanType,
} from './traces/semantics';
export {
  DEFAULT_SERVICE_NAME,
  DEFAULT_SPAN_NAME,
  normalizeName,
  normalizeService,
  normalizeTagValue,
} from './traces/normalize';
export { TRACE_PATH, TraceAgentSender, chunksOf } from './traces/sender';
export type { TraceSenderOptions } from './traces/sender';
export { LOGS_MAX_AGE_MS, decimalId, mapLog, statusFromSeverity } from './logs/mapping';
export { LogRecord } from './logs/mapping';
export type { LogEntry, LogMappingOptions } from './logs/mapping';
export {
  LOGS_MAX_BYTES,
  LOGS_MAX_ENTRIES,
  LOGS_PATH,
  LogsIntakeSender,
  logsUrl,
} from './logs/sender';
export type { LogsSenderOptions } from './logs/sender';
