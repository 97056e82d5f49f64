import { InvalidConfigError } from './errors';
import type { PipelineTuning } from './pipeline';

export type { PipelineTuning };

/**
 * Every option of the core an exporter takes at its top level, so that users tune every
 * otelpack exporter with the same names (`maxBatchItems`, `overflow`, `deadLetter`, …).
 */
export const PIPELINE_OPTION_NAMES = [
  'maxQueueItems',
  'maxQueueBytes',
  'overflow',
  'blockTimeoutMs',
  'maxBatchItems',
  'maxBatchBytes',
  'flushIntervalMs',
  'deliveryMode',
  'initialBackoffMs',
  'maxBackoffMs',
  'multiplier',
  'maxElapsedMs',
  'maxConcurrency',
  'adaptiveConcurrency',
  'requestTimeoutMs',
  'ordered',
  'shutdownTimeoutMs',
  'flushTimeoutMs',
  'failureWarnAfterMs',
  'deadLetter',
  'deadLetterReasons',
  'selfObsMeterProvider',
  'spool',
] as const satisfies readonly (keyof PipelineTuning<unknown>)[];

/** The pipeline options among an exporter's options (the core validates their values). */
export function pickPipelineOptions<R>(options: object | undefined): PipelineTuning<R> {
  const picked: Record<string, unknown> = {};
  if (!options) return picked as PipelineTuning<R>;
  for (const name of PIPELINE_OPTION_NAMES) {
    const value = (options as Record<string, unknown>)[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked as PipelineTuning<R>;
}

/**
 * Refuses options nobody reads: from plain JavaScript a misspelt `maxBatchItem` would otherwise
 * be ignored without a word. Names the option, and the closest known one.
 */
/** Options that had another name: their old name is refused with the new one. */
export const RENAMED_OPTIONS: Readonly<Record<string, string>> = {
  meterProvider: 'selfObsMeterProvider',
};

/** Throws for an option under its old name, saying the new one. */
export function assertNoRenamedOptions(options: object | undefined): void {
  if (!options) return;
  for (const [old, now] of Object.entries(RENAMED_OPTIONS)) {
    if (old in options) {
      throw new InvalidConfigError(
        old,
        `renamed '${now}' (the name SDK 3.x gives the same option of its processors)`,
      );
    }
  }
}

export function assertKnownOptions(options: object | undefined, known: Iterable<string>): void {
  if (!options) return;
  assertNoRenamedOptions(options);
  const names = [...known];
  const knownSet = new Set(names);
  for (const key of Object.keys(options)) {
    if (knownSet.has(key)) continue;
    const suggestion = closest(key, names);
    throw new InvalidConfigError(
      key,
      `unknown option${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`,
    );
  }
}

function closest(name: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
