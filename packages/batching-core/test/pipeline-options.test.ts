import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidConfigError,
  PIPELINE_OPTION_NAMES,
  Pipeline,
  assertKnownOptions,
  pickPipelineOptions,
} from '../src';
import type { PipelineOptions } from '../src';

test('pickPipelineOptions keeps exactly the core options that are set', () => {
  const deadLetter = () => {};
  assert.deepEqual(
    pickPipelineOptions({
      url: 'http://x',
      maxBatchItems: 5,
      overflow: 'block',
      ordered: undefined,
      deadLetter,
    }),
    { maxBatchItems: 5, overflow: 'block', deadLetter },
  );
  assert.deepEqual(pickPipelineOptions(undefined), {});
});

test('every tunable pipeline option is listed, and nothing else', () => {
  // A compile-time list of PipelineOptions' keys, so a new core option cannot be forgotten here.
  const all: Record<keyof PipelineOptions<unknown>, true> = {
    name: true,
    signal: true,
    defaults: true,
    sender: true,
    random: true,
    now: true,
    maxQueueItems: true,
    maxQueueBytes: true,
    overflow: true,
    blockTimeoutMs: true,
    maxBatchItems: true,
    maxBatchBytes: true,
    flushIntervalMs: true,
    deliveryMode: true,
    initialBackoffMs: true,
    maxBackoffMs: true,
    multiplier: true,
    maxElapsedMs: true,
    maxConcurrency: true,
    adaptiveConcurrency: true,
    requestTimeoutMs: true,
    ordered: true,
    shutdownTimeoutMs: true,
    flushTimeoutMs: true,
    failureWarnAfterMs: true,
    deadLetter: true,
    deadLetterReasons: true,
    selfObsMeterProvider: true,
    spool: true,
  };
  const notTunable = ['name', 'signal', 'sender', 'random', 'now', 'defaults'];
  assert.deepEqual(
    [...PIPELINE_OPTION_NAMES].sort(),
    Object.keys(all)
      .filter((k) => !notTunable.includes(k))
      .sort(),
  );
});

test('assertKnownOptions names an unknown option and the closest known one', () => {
  const known = ['url', ...PIPELINE_OPTION_NAMES];
  assert.doesNotThrow(() => assertKnownOptions({ url: 'x', maxBatchItems: 1 }, known));
  assert.throws(
    () => assertKnownOptions({ maxBatchItem: 1 }, known),
    (error: unknown) =>
      error instanceof InvalidConfigError &&
      error.option === 'maxBatchItem' &&
      error.message === "maxBatchItem: unknown option (did you mean 'maxBatchItems'?)",
  );
  assert.throws(
    () => assertKnownOptions({ colour: 'red' }, known),
    /^InvalidConfigError: colour: unknown option$|colour: unknown option$/,
  );
});

test('the old option name meterProvider is refused with its new name, by the core and by the kit', () => {
  const options = {
    name: 'x',
    signal: 'logs',
    sender: { sizeOf: () => 1, send: async () => ({ kind: 'delivered' }) },
    meterProvider: {},
  };
  assert.throws(
    () => new Pipeline(options as never),
    /meterProvider: renamed 'selfObsMeterProvider'/,
  );
  assert.throws(
    () => assertKnownOptions({ meterProvider: {} }, PIPELINE_OPTION_NAMES),
    /meterProvider: renamed 'selfObsMeterProvider'/,
  );
});
