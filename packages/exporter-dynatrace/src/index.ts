export {
  DynatraceLogRecordExporter,
  DynatraceMetricExporter,
  DynatraceSpanExporter,
  LOG_WINDOW,
  SPAN_WINDOW,
  dynatrace,
} from './exporter';
export {
  DYNATRACE_OPTIONS,
  EXPORTER_PIPELINE_DEFAULTS,
  INGEST_PATHS,
  ONEAGENT_METRICS_URL,
} from './options';
export type {
  DynatraceExporterOptions,
  DynatraceMetricExporterOptions,
  DynatraceRecord,
} from './options';
export {
  MISSING_TOKEN,
  connectionOf,
  mappingOptionsOf,
  missingUrl,
  otlpConfigOf,
  signalUrl,
} from './config';
export { UnconfiguredSender } from './unconfigured';
export type { DynatraceResolved } from './config';
export {
  MAX_DIMENSION_KEY_LENGTH,
  MAX_DIMENSION_VALUE_LENGTH,
  MAX_METRIC_KEY_LENGTH,
  escapeValue,
  normalizeDimensionKey,
  normalizeDimensionValue,
  normalizeMetricKey,
} from './normalize';
export {
  InvalidPointError,
  MAX_DIMENSIONS,
  MAX_LINE_LENGTH,
  countPayload,
  formatLine,
  formatNumber,
  gaugePayload,
  lineTimestamp,
  metadataLine,
  summaryPayload,
} from './lines';
export { DimensionWriter, attributeText, normalizeDimensions } from './dimensions';
export type { Dimension } from './dimensions';
export { LineMapping, keyForKind, refusedKey } from './mapping';
export { MetadataMemory, isMetadataLine } from './metadata';
export type { LineMappingOptions } from './mapping';
export { SeriesState } from './temporality';
export type { HistogramCounts } from './temporality';
export { estimateBounds, summaryOf } from './summary';
export {
  HOST_METADATA_FILE,
  JSON_INDIRECTION_FILE,
  PROPERTIES_INDIRECTION_FILE,
  parseProperties,
  readOneAgentMetadata,
} from './enrichment';
export type { ReadText } from './enrichment';
export { LINE_HEADERS, LineSender } from './sender';
export type { LineSenderOptions } from './sender';
export { lineFailures, readIngestAnswer } from './response';
export type { IngestAnswer, InvalidLine } from './response';
