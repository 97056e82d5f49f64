import { resolveSpoolOptions } from '../spool/options';
import type { ResolvedSpoolOptions, SpoolOptions } from '../spool/options';
import { performance } from 'node:perf_hooks';
import type { MeterProvider } from '@opentelemetry/api';
import type { BackoffPolicy } from '../backoff';
import { AdaptiveConcurrency, FixedConcurrency } from '../concurrency';
import type { AdaptiveConcurrencyOptions, ConcurrencyLimiter } from '../concurrency';
import { booleanOption, enumOption, integerOption, numberOption, stringOption } from '../config';
import { InvalidConfigError } from '../errors';
import { assertNoRenamedOptions } from '../pipeline-options';
import { DROP_REASONS } from '../types';
import type { BatchSender, DeadLetterHandler, DropReason, Signal } from '../types';

export type OverflowPolicy = 'drop_newest' | 'drop_oldest' | 'block';
export type DeliveryMode = 'queued' | 'direct';

export interface PipelineOptions<R> {
  /** The exporter's name, e.g. `elasticsearch`: labels logs and stats (self-metrics name the component instead). */
  name: string;
  signal: Signal;
  sender: BatchSender<R>;

  /** Records held at once, from acceptance to final outcome (queued, in flight, awaiting retry). */
  maxQueueItems?: number;
  /** Bytes held at once: the sender's memory model of each record, else its wire size. */
  maxQueueBytes?: number;
  /** What to do with a record that does not fit. */
  overflow?: OverflowPolicy;
  /** With `overflow: 'block'`: how long an export call may wait for room. */
  blockTimeoutMs?: number;

  maxBatchItems?: number;
  /** A record larger than this is split by the sender, or dropped as `too_large`. */
  maxBatchBytes?: number;
  /** A partial batch is sent once its oldest record has waited this long. */
  flushIntervalMs?: number;

  /** `queued`: an export completes when its records are accepted; `direct`: when they are settled. */
  deliveryMode?: DeliveryMode;

  initialBackoffMs?: number;
  maxBackoffMs?: number;
  multiplier?: number;
  /** A record is given up (`expired`) when its next retry would start later than this after acceptance. */
  maxElapsedMs?: number;

  /** Requests in flight at once; with adaptive concurrency, the ceiling. */
  maxConcurrency?: number;
  /** AIMD on round-trip time and back-pressure, after Vector's adaptive request concurrency. */
  adaptiveConcurrency?: boolean | AdaptiveConcurrencyOptions;
  /** One send may take this long before it is aborted and retried. */
  requestTimeoutMs?: number;
  /**
   * Deliver batches strictly in acceptance order: while a batch waits for its retry, no newer
   * batch is sent (records are still accepted into the queue). For backends that refuse data
   * older than what they already hold, such as Prometheus's remote-write receiver. Needs
   * `maxConcurrency: 1` without adaptive concurrency.
   */
  ordered?: boolean;

  /**
   * Deadline of `shutdown()`, and of the SDK's whole flush-then-shutdown sequence: a shutdown
   * that follows a `forceFlush()` ends at most this long after that flush began.
   */
  shutdownTimeoutMs?: number;
  /** Default deadline of `forceFlush()`. */
  flushTimeoutMs?: number;
  /** After this long without a delivery while sends fail, one WARN says so, with counts. */
  failureWarnAfterMs?: number;

  /** Receives the records given up on, with the reason. Never throws into the pipeline. */
  deadLetter?: DeadLetterHandler<R>;
  /** Which drop reasons reach the dead-letter handler. */
  deadLetterReasons?: DropReason[];

  /**
   * Self-telemetry (`otel.sdk.exporter.*` and `otelpack.exporter.*`) goes to this meter provider;
   * none is recorded without one. The name is SDK 3.x's for the same option of its processors.
   */
  selfObsMeterProvider?: MeterProvider;

  /**
   * Write accepted records to disk before they count as accepted, and replay what an earlier
   * process left on start: a crash or a restart loses nothing accepted (see the README's
   * "Disk spool"). A directory alone takes the defaults.
   */
  spool?: SpoolOptions | string;

  /**
   * The exporter's defaults for pipeline options: below the user's values, above the core's.
   * Limits are reconciled after layering (a batch never exceeds the queue), so no combination of
   * valid values throws.
   */
  defaults?: PipelineTuning<R>;

  /** Test seam: the source of jitter, a draw in [0, 1). */
  random?: () => number;
  /**
   * Test seam: the clock, in milliseconds. By default timers, deadlines and record ages run on
   * the monotonic clock (a wall-clock step must not stall or expire anything), and the wall clock
   * is read once, at construction, as `clockOriginMs`: a record's wall-clock acceptance time is
   * `clockOriginMs + acceptedAtMs`, which a persistent queue stores.
   */
  now?: () => number;
}

/** The pipeline options an exporter passes through from its own options, under the same names. */
export type PipelineTuning<R> = Partial<
  Omit<PipelineOptions<R>, 'name' | 'signal' | 'sender' | 'random' | 'now' | 'defaults'>
>;

/** The defaults, and the reason for each, are in the package README. */
export const PIPELINE_DEFAULTS = {
  maxQueueItems: 20_000,
  maxQueueBytes: 64 * 1024 * 1024,
  overflow: 'drop_newest' as OverflowPolicy,
  blockTimeoutMs: 5_000,
  maxBatchItems: 1_000,
  maxBatchBytes: 4 * 1024 * 1024,
  flushIntervalMs: 1_000,
  deliveryMode: 'queued' as DeliveryMode,
  initialBackoffMs: 1_000,
  maxBackoffMs: 30_000,
  multiplier: 1.5,
  maxElapsedMs: 300_000,
  maxConcurrency: 4,
  adaptiveMaxConcurrency: 64,
  requestTimeoutMs: 30_000,
  shutdownTimeoutMs: 10_000,
  flushTimeoutMs: 10_000,
  failureWarnAfterMs: 60_000,
  deadLetterReasons: ['rejected', 'expired', 'too_large'] as DropReason[],
};

/** Every option checked and every default applied: what the parts are built from. */
export interface ResolvedPipelineOptions<R> {
  name: string;
  signal: Signal;
  sender: BatchSender<R>;
  maxQueueItems: number;
  maxQueueBytes: number;
  overflow: OverflowPolicy;
  blockTimeoutMs: number;
  maxBatchItems: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  deliveryMode: DeliveryMode;
  backoff: BackoffPolicy;
  maxElapsedMs: number;
  requestTimeoutMs: number;
  ordered: boolean;
  shutdownTimeoutMs: number;
  flushTimeoutMs: number;
  failureWarnAfterMs: number;
  deadLetter: DeadLetterHandler<R> | undefined;
  deadLetterReasons: ReadonlySet<DropReason>;
  selfObsMeterProvider: MeterProvider | undefined;
  spool: ResolvedSpoolOptions<R> | undefined;
  limiter: ConcurrencyLimiter;
  random: () => number;
  /** Monotonic clock: timers, deadlines, record ages, round-trip times. */
  now: () => number;
  /** Wall clock: what a record's age is measured from when it must outlive the process. */
  wallNow: () => number;
}

/**
 * Validates the options (each error names the option and what it accepts), layers the user's
 * values over the exporter's defaults over the core's, and reconciles the limits.
 */
export function resolvePipelineOptions<R>(input: PipelineOptions<R>): ResolvedPipelineOptions<R> {
  if (!input || typeof input !== 'object') {
    throw new InvalidConfigError('options', 'expected an object');
  }
  assertNoRenamedOptions(input);
  const options = layerDefaults(input);
  const d = PIPELINE_DEFAULTS;
  const name = stringOption('name', options.name, undefined) as string;
  if (!name) throw new InvalidConfigError('name', 'is required');
  const sender = options.sender;
  if (!sender || typeof sender.send !== 'function' || typeof sender.sizeOf !== 'function') {
    throw new InvalidConfigError('sender', 'expected an object with send() and sizeOf()');
  }

  const maxQueueItems = integerOption('maxQueueItems', options.maxQueueItems, d.maxQueueItems, {
    min: 1,
  });
  const maxQueueBytes = integerOption('maxQueueBytes', options.maxQueueBytes, d.maxQueueBytes, {
    min: 1,
  });
  const backoff: BackoffPolicy = {
    initialBackoffMs: integerOption(
      'initialBackoffMs',
      options.initialBackoffMs,
      d.initialBackoffMs,
    ),
    maxBackoffMs: integerOption('maxBackoffMs', options.maxBackoffMs, d.maxBackoffMs),
    multiplier: numberOption('multiplier', options.multiplier, d.multiplier, { min: 1 }),
  };
  if (backoff.maxBackoffMs < backoff.initialBackoffMs) {
    throw new InvalidConfigError(
      'maxBackoffMs',
      `must be at least initialBackoffMs (${backoff.initialBackoffMs}), got ${backoff.maxBackoffMs}`,
    );
  }
  const ordered = orderedDelivery(input, options);
  if (options.deadLetter !== undefined && typeof options.deadLetter !== 'function') {
    throw new InvalidConfigError('deadLetter', 'expected a function (letter) => void | Promise');
  }
  const reasons = options.deadLetterReasons ?? d.deadLetterReasons;
  if (!Array.isArray(reasons)) {
    throw new InvalidConfigError(
      'deadLetterReasons',
      `expected an array of ${DROP_REASONS.join(', ')}`,
    );
  }
  for (const reason of reasons) enumOption('deadLetterReasons[]', reason, DROP_REASONS, 'rejected');

  return {
    name,
    signal: enumOption('signal', options.signal, ['traces', 'logs', 'metrics'], 'traces'),
    sender,
    maxQueueItems,
    maxQueueBytes,
    overflow: enumOption(
      'overflow',
      options.overflow,
      ['drop_newest', 'drop_oldest', 'block'],
      d.overflow,
    ),
    blockTimeoutMs: integerOption('blockTimeoutMs', options.blockTimeoutMs, d.blockTimeoutMs),
    // A batch larger than the queue could never be cut: the smaller bound wins.
    maxBatchItems: Math.min(
      integerOption('maxBatchItems', options.maxBatchItems, d.maxBatchItems, { min: 1 }),
      maxQueueItems,
    ),
    maxBatchBytes: Math.min(
      integerOption('maxBatchBytes', options.maxBatchBytes, d.maxBatchBytes, { min: 1 }),
      maxQueueBytes,
    ),
    flushIntervalMs: integerOption('flushIntervalMs', options.flushIntervalMs, d.flushIntervalMs),
    deliveryMode: enumOption(
      'deliveryMode',
      options.deliveryMode,
      ['queued', 'direct'],
      d.deliveryMode,
    ),
    backoff,
    maxElapsedMs: integerOption('maxElapsedMs', options.maxElapsedMs, d.maxElapsedMs),
    requestTimeoutMs: integerOption(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      d.requestTimeoutMs,
      { min: 1 },
    ),
    ordered,
    shutdownTimeoutMs: integerOption(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs,
      d.shutdownTimeoutMs,
    ),
    flushTimeoutMs: integerOption('flushTimeoutMs', options.flushTimeoutMs, d.flushTimeoutMs),
    failureWarnAfterMs: integerOption(
      'failureWarnAfterMs',
      options.failureWarnAfterMs,
      d.failureWarnAfterMs,
    ),
    deadLetter: options.deadLetter,
    deadLetterReasons: new Set(reasons),
    selfObsMeterProvider: options.selfObsMeterProvider,
    spool: resolveSpoolOptions<R>(
      options.spool,
      name,
      enumOption('signal', options.signal, ['traces', 'logs', 'metrics'], 'traces'),
    ),
    limiter: concurrencyLimiter(options, ordered),
    random: options.random ?? Math.random,
    now: options.now ?? (() => performance.now()),
    wallNow: options.now ?? Date.now,
  };
}

function concurrencyLimiter<R>(options: PipelineOptions<R>, ordered: boolean): ConcurrencyLimiter {
  const d = PIPELINE_DEFAULTS;
  const adaptive = options.adaptiveConcurrency;
  if (adaptive !== undefined && typeof adaptive !== 'boolean' && typeof adaptive !== 'object') {
    throw new InvalidConfigError(
      'adaptiveConcurrency',
      'expected true, false or an object of adaptive options',
    );
  }
  if (!adaptive) {
    booleanOption('adaptiveConcurrency', adaptive, false);
    return new FixedConcurrency(
      integerOption('maxConcurrency', options.maxConcurrency, ordered ? 1 : d.maxConcurrency, {
        min: 1,
        max: 10_000,
      }),
    );
  }
  const settings = typeof adaptive === 'object' ? adaptive : {};
  const max = integerOption(
    'maxConcurrency',
    settings.maxConcurrency ?? options.maxConcurrency,
    d.adaptiveMaxConcurrency,
    { min: 1, max: 10_000 },
  );
  return new AdaptiveConcurrency(
    {
      maxConcurrency: max,
      initialConcurrency: integerOption(
        'adaptiveConcurrency.initialConcurrency',
        settings.initialConcurrency,
        1,
        { min: 1, max },
      ),
      decreaseRatio: numberOption(
        'adaptiveConcurrency.decreaseRatio',
        settings.decreaseRatio,
        0.9,
        {
          min: 0,
          max: 1,
          minExclusive: true,
        },
      ),
      ewmaAlpha: numberOption('adaptiveConcurrency.ewmaAlpha', settings.ewmaAlpha, 0.4, {
        min: 0,
        max: 1,
        minExclusive: true,
      }),
      rttDeviationScale: numberOption(
        'adaptiveConcurrency.rttDeviationScale',
        settings.rttDeviationScale,
        2.5,
      ),
    },
    // Round-trip times want a monotonic clock; the test seam replaces both.
    options.now ?? (() => performance.now()),
  );
}

/**
 * Ordered delivery needs one request in flight. Where `ordered` and the concurrency were both
 * chosen by the user, a conflict is an error; where one of them is only a default, the user's
 * choice wins: `ordered: true` over an exporter's default concurrency means one request (and
 * `options` is set so), a concurrency the user raised turns an exporter's default order off.
 */
function orderedDelivery<R>(input: PipelineOptions<R>, options: PipelineOptions<R>): boolean {
  const ordered = booleanOption('ordered', options.ordered, false);
  const conflicting = (o: PipelineOptions<R>): boolean =>
    adaptiveRequested(o.adaptiveConcurrency) || (o.maxConcurrency ?? 1) !== 1;
  if (!ordered || !conflicting(options)) return ordered;
  const userConcurrency =
    input.maxConcurrency !== undefined || input.adaptiveConcurrency !== undefined;
  if (input.ordered !== undefined && userConcurrency) {
    throw new InvalidConfigError(
      'ordered',
      'needs maxConcurrency: 1 and no adaptiveConcurrency (two requests in flight can land in either order)',
    );
  }
  if (input.ordered !== undefined) {
    options.maxConcurrency = 1;
    options.adaptiveConcurrency = false;
    return true;
  }
  return false;
}

/** The user's pipeline options over the exporter's defaults (`options.defaults`). */
function layerDefaults<R>(options: PipelineOptions<R>): PipelineOptions<R> {
  const defaults = options.defaults;
  if (defaults === undefined) return { ...options };
  if (!defaults || typeof defaults !== 'object') {
    throw new InvalidConfigError('defaults', 'expected an object of pipeline options');
  }
  const layered: Record<string, unknown> = { ...options };
  for (const [key, value] of Object.entries(defaults)) {
    if (layered[key] === undefined) layered[key] = value;
  }
  return layered as unknown as PipelineOptions<R>;
}

function adaptiveRequested(value: PipelineOptions<unknown>['adaptiveConcurrency']): boolean {
  return value === true || (typeof value === 'object' && value !== null);
}
