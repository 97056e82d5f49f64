export { MemoryRecordQueue, Pipeline, PIPELINE_DEFAULTS, decide } from './pipeline';
export type {
  DeliveryMode,
  OverflowPolicy,
  PipelineOptions,
  PipelineParts,
  PipelineStats,
  QueuedRecord,
  RecordDecision,
  RecordQueue,
  RetryContext,
  RetryPolicySettings,
  SentRecord,
  SubmitResult,
} from './pipeline';
export { PIPELINE_OPTION_NAMES, assertKnownOptions, pickPipelineOptions } from './pipeline-options';
export type { PipelineTuning } from './pipeline-options';
export { DROP_REASONS } from './types';
export type {
  BatchSender,
  DeadLetter,
  DeadLetterHandler,
  DropReason,
  ItemFailure,
  SendContext,
  SendResult,
  Signal,
  UnmappedLetter,
} from './types';
export { backoffCeilingMs, backoffDelayMs } from './backoff';
export type { BackoffPolicy } from './backoff';
export { parseRetryAfterMs } from './retry-after';
export { AdaptiveConcurrency, FixedConcurrency } from './concurrency';
export type { AdaptiveConcurrencyOptions, ConcurrencyLimiter } from './concurrency';
export { InvalidConfigError, OtelpackError } from './errors';
export type { OtelpackErrorCode } from './errors';
export {
  booleanOption,
  enumOption,
  env,
  integerOption,
  numberOption,
  stringOption,
  urlOption,
} from './config';
export { createNdjsonDeadLetterWriter } from './pipeline';
export type { NdjsonDeadLetterOptions, NdjsonDeadLetterWriter } from './pipeline';
export { SELF_TELEMETRY_SCOPE } from './telemetry';
export { HttpTransport, HTTP_TRANSPORT_DEFAULTS, TransportError } from './http/transport';
export type {
  HeaderMap,
  HttpRequest,
  HttpResponse,
  HttpTransportOptions,
  TlsOptions,
} from './http/transport';
export {
  classifyStatus,
  errorCode,
  isPermanentNetworkCode,
  isRetryableNetworkCode,
  isRetryableNetworkError,
  isRetryableStatus,
} from './http/classify';
export {
  REDACTED,
  isSecretHeader,
  redact,
  redactUrl,
  secretsInHeaders,
  secretsInUrl,
} from './http/redact';
export {
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
  temporalitySelector,
} from './sdk/exporters';
export type {
  PipelineExporterOptions,
  PipelineMetricExporterOptions,
  RecordMapper,
  TemporalityPreference,
} from './sdk/exporters';
export { AggregationTemporality, DataPointType, ExportResultCode } from './sdk/types';
export type {
  AnyValue,
  AnyValueMap,
  DataPointLike,
  ExponentialHistogramValue,
  ExportResult,
  HistogramValue,
  InstrumentationScopeLike,
  InstrumentType,
  MetricDataLike,
  MetricDescriptorLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  ResourceMetricsLike,
  ScopeMetricsLike,
  TimedEventLike,
} from './sdk/types';
