export { Pipeline } from './pipeline';
export type { PipelineParts, PipelineStats } from './pipeline';
export { PIPELINE_DEFAULTS, resolvePipelineOptions } from './options';
export type {
  DeliveryMode,
  OverflowPolicy,
  PipelineOptions,
  PipelineTuning,
  ResolvedPipelineOptions,
} from './options';
export type { Batch, Entry, EntryState, QueuedRecord, SubmitResult } from './entry';
export { MemoryRecordQueue } from './queue';
export type { QueueCommitFailure, RecordQueue } from './queue';
export { decide } from './retry-policy';
export type { RecordDecision, RetryContext, RetryPolicySettings, SentRecord } from './retry-policy';
export { createNdjsonDeadLetterWriter } from './dead-letter';
export type { NdjsonDeadLetterOptions, NdjsonDeadLetterWriter } from './dead-letter';
