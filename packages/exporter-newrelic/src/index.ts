export {
  NewRelicLogRecordExporter,
  NewRelicMetricExporter,
  NewRelicSpanExporter,
  newRelic,
} from './exporter';
export {
  MAX_PAYLOAD_BYTES,
  NEW_RELIC_OPTIONS,
  NEW_RELIC_PIPELINE_DEFAULTS,
  OTLP_HOSTS,
} from './options';
export type {
  NewRelicExporterOptions,
  NewRelicMetricExporterOptions,
  NewRelicRegion,
} from './options';
export {
  KEY_HEADER,
  LICENSE_KEY_LENGTH,
  MISSING_KEY,
  OTHER_KEYS,
  checkLicenseKey,
  newRelicConfig,
  regionOfKey,
  resolveRegion,
} from './config';
export type { NewRelicResolved } from './config';
export { newRelicTemporality } from './temporality';
export { NEW_RELIC_TIME_WINDOWS } from './time-windows';
export {
  INTRINSIC_ATTRIBUTES,
  MAX_EVENT_ATTRIBUTES,
  MAX_METRIC_ATTRIBUTES,
  NEW_RELIC_ATTRIBUTE_LIMITS,
  TRUNCATION_MARKER,
  exceedsLimits,
  flatCount,
  flatten,
  limitAttributes,
  limitValue,
  truncateText,
} from './limits/attributes';
export type { AttributeLimits, LimitedAttributes } from './limits/attributes';
export { AttributeBudget } from './limits/budget';
export { NON_MONOTONIC_DELTA, withNewRelicLimits } from './limits/codec';
export type { LimitEvent, NewRelicLimitsOptions } from './limits/codec';
export { limitPoints, withPointLimits } from './limits/points';
export { LIMITED_METRIC, LimitsReport } from './report';
export type { LimitReason, LimitsTally } from './report';
