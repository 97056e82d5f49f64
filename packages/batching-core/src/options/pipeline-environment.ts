import { PIPELINE_OPTION_NAMES } from '../pipeline-options';
import { fromText } from './environment';
import type { TextParser } from './environment';
import { spoolFromText } from '../spool/options';

export type PipelineOptionName = (typeof PIPELINE_OPTION_NAMES)[number];

/**
 * Pipeline options an exporter does not take, because the kit derives them from the exporter's
 * own: `requestTimeoutMs`, the pipeline's deadline for one send, comes from `timeoutMs`.
 */
export const DERIVED_PIPELINE_OPTIONS: readonly PipelineOptionName[] = ['requestTimeoutMs'];

/** The pipeline options an exporter takes at its top level: every core option but the derived. */
export function exporterPipelineOptionNames(): PipelineOptionName[] {
  return PIPELINE_OPTION_NAMES.filter((name) => !DERIVED_PIPELINE_OPTIONS.includes(name));
}

/**
 * How each pipeline option's environment variable reads (`OTELPACK_<BACKEND>_<OPTION>`). The
 * core checks the values; the kit only turns text into numbers and booleans. Options without a
 * text form (the dead-letter handler, a meter provider) have none; a core option added later gets
 * its variable by an entry here, in every exporter at once.
 */
export const PIPELINE_OPTION_TEXT: Partial<Record<PipelineOptionName, TextParser>> = {
  maxQueueItems: fromText.integer,
  maxQueueBytes: fromText.integer,
  overflow: fromText.string,
  blockTimeoutMs: fromText.integer,
  maxBatchItems: fromText.integer,
  maxBatchBytes: fromText.integer,
  flushIntervalMs: fromText.integer,
  deliveryMode: fromText.string,
  initialBackoffMs: fromText.integer,
  maxBackoffMs: fromText.integer,
  multiplier: fromText.number,
  maxElapsedMs: fromText.integer,
  maxConcurrency: fromText.integer,
  adaptiveConcurrency: fromText.boolean,
  ordered: fromText.boolean,
  shutdownTimeoutMs: fromText.integer,
  flushTimeoutMs: fromText.integer,
  failureWarnAfterMs: fromText.integer,
  deadLetterReasons: fromText.list,
  spool: spoolFromText as TextParser,
};
