export {
  SplunkHecLogRecordExporter,
  SplunkHecMetricExporter,
  SplunkHecSpanExporter,
  splunkHec,
} from './exporters';
export {
  DEFAULT_ACK_POLL_INTERVAL_MS,
  DEFAULT_ACK_TIMEOUT_MS,
  DEFAULT_URL,
  EXPORTER_PIPELINE_DEFAULTS,
  SPLUNK_HEC_OPTIONS,
} from './options';
export type { SplunkHecExporterOptions } from './options';
export { HEC_PATHS, hecConfig, hecEndpoints } from './config';
export type { HecConfig, HecEndpoints } from './config';
export { HEC_CODES, describeAnswer, hecCode, parseHecAnswer } from './hec-codes';
export type { HecAnswer, HecCode, HecHandling } from './hec-codes';
export { classifyHecAnswer } from './classify';
export { CHANNEL_HEADER, HecSender } from './sender';
export type { HecSenderOptions } from './sender';
export { AckTracker } from './ack';
export type { AckLog, AckOutcome, AckQuery } from './ack';
export { checkHealth } from './health';
export type { HealthReport } from './health';
export { RawJson, encodeEvent, jsonValue, sanitizeFloat, toRecord } from './mapping/event';
export type { HecEvent, HecRecord } from './mapping/event';
export { LOG_FIELDS, logRecordToEvent } from './mapping/logs';
export {
  METRIC_NAME_PREFIX,
  METRIC_TYPE_FIELD,
  mergeMultiMetric,
  resourceMetricsToEvents,
} from './mapping/metrics';
export type { MetricEvents, MetricMappingOptions } from './mapping/metrics';
export {
  HEC_TOKEN_ATTRIBUTE,
  ROUTING_ATTRIBUTES,
  envelope,
  UNKNOWN_HOST,
  mergeField,
} from './mapping/routing';
export type { Route, RoutingAttributes, RoutingOptions, SeverityFields } from './mapping/routing';
export { spanToEvent } from './mapping/spans';
export { logMapping, metricMapping, spanMapping } from './mapping';
export { asString, epochNanosText, epochSecondsMs, formatFloatG } from './mapping/values';
export { PACKAGE_VERSION } from './version';
