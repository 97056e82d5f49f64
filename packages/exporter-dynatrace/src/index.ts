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
