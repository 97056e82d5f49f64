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
export {
  DiskRecordQueue,
  SPOOL_DEFAULTS,
  SpoolLockedError,
  SpoolLayout,
  SpoolPayloadReader,
  SpoolPayloadWriter,
  SpoolTable,
  bytesSpoolCodec,
  defaultSpoolCodec,
  emptySpool,
  inspectSpool,
  recordsWrittenByV8,
  stringSpoolCodec,
  textSpoolCodec,
  v8Codec,
} from './spool';
export type {
  DiskQueueOptions,
  EmptiedQueue,
  EmptiedSpool,
  FsyncPolicy,
  LockHolder,
  SegmentInspection,
  SpoolCodec,
  SpoolOptions,
  SpoolQueueInspection,
  SpoolState,
} from './spool';
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
  SharedPart,
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
export {
  GZIP_ON_CALLING_THREAD_ENV,
  callingThreadMaxBytesFromEnvironment,
  HttpTransport,
  HTTP_TRANSPORT_DEFAULTS,
  TransportError,
} from './http/transport';
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
export { KnownSecrets } from './http/secrets';
export { BodyBuffers } from './http/body-buffers';
export { IdleRelease } from './idle-release';
export type { BodyBuffersOptions } from './http/body-buffers';
export { compressBody, SYNC_COMPRESS_MAX_BYTES } from './http/compress';
export type { BodyCompression } from './http/compress';
export { reportRefusedCredentialsOnce } from './http/refused';
export {
  PipelineLogRecordExporter,
  PipelineMetricExporter,
  PipelineSpanExporter,
} from './sdk/exporters';
export type { PipelineExporterOptions, PipelineMetricExporterOptions } from './sdk/exporters';
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

// ---- The exporter kit: options declared once, the SDK classes made from options + mapping + sender.
export { defineExporterOptions, ResolvedOptions } from './options/define';
export type {
  CompressionCodec,
  DefaultCompressionCodec,
  EnvironmentEntry,
  EnvironmentVariables,
  ExporterOptionsDefinition,
  ExporterOptionsSpec,
  ResolvedOwn,
  VocabularySpec,
} from './options/define';
export { optionKinds } from './options/kinds';
export type { OptionKind } from './options/kinds';
export {
  environmentVariableName,
  fromText,
  parseKeyValueList,
  readEnvironment,
} from './options/environment';
export type { TextParser } from './options/environment';
export { describeValue } from './options/describe';
export { DEFAULT_TIMEOUT_MS, SEND_DEADLINE_GRACE_MS, sendDeadlineMs } from './options/deadlines';
export {
  DERIVED_PIPELINE_OPTIONS,
  PIPELINE_OPTION_TEXT,
  exporterPipelineOptionNames,
} from './options/pipeline-environment';
export type { PipelineOptionName } from './options/pipeline-environment';
export {
  TLS_FIELDS,
  parseAuth,
  parseHeaders,
  parseTls,
  parseUrls,
  urlListFromText,
} from './options/vocabulary';
export type { AuthForm, ExporterAuth, HeaderProvider, TlsField } from './options/vocabulary';
export { assembleExporter, defineExporter } from './sdk/kit';
export { hrTimeToEpochMs } from './sdk/time';
export { checkTimeWindow, OutsideTimeWindowError } from './sdk/time-window';
export type { TimeWindow } from './sdk/time-window';
export type { ExporterClasses, ExporterDefinition, SignalItems } from './sdk/kit';
export { mapEach, mapEachWithUnmapped } from './sdk/mapping';
export type { ItemMapping, MappedItems, RecordMapper, UnmappedItem } from './sdk/mapping';
export { serializeSdkItem } from './sdk/serialize';
export { setOwnField } from './sdk/own-field';
export {
  CIRCULAR_MARKER,
  DEFAULT_VALUE_BOUNDS,
  TOO_DEEP_MARKER,
  TRUNCATED_MARKER,
  boundedValue,
} from './sdk/bounded-value';
export type { ValueBounds } from './sdk/bounded-value';
export { attributesIdentity } from './sdk/series-identity';
export { temporalitySelector } from './sdk/temporality';
export type { TemporalityOption, TemporalityPreference } from './sdk/temporality';
export { Failover } from './http/failover';
export { utf8Length, varintLength } from './encoding/wire-lengths';
export { writeShortAscii } from './encoding/short-ascii';
export { ProtoWriter, WIRE } from './encoding/proto-writer';
export { createTransformStage } from './transform';
export type {
  ErrorMode,
  RedactionOptions,
  TransformFunction,
  TransformOption,
  TransformStage,
  TransformStatements,
} from './transform';

/** The options the kit gives every exporter besides the pipeline's: each exporter's options type extends it. */
export type { KitOptions } from './transform/kit-options';
