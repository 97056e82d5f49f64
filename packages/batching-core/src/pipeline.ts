import { performance } from 'node:perf_hooks';
import { context, createContextKey, diag } from '@opentelemetry/api';
import type { MeterProvider } from '@opentelemetry/api';
import { backoffDelayMs } from './backoff';
import type { BackoffPolicy } from './backoff';
import { AdaptiveConcurrency, FixedConcurrency } from './concurrency';
import type { AdaptiveConcurrencyOptions, ConcurrencyLimiter } from './concurrency';
import { booleanOption, enumOption, integerOption, numberOption, stringOption } from './config';
import { Deque } from './deque';
import { InvalidConfigError, OtelpackError } from './errors';
import type { PipelineTuning } from './pipeline-options';
import { SelfTelemetry } from './telemetry';
import { DROP_REASONS } from './types';
import type {
  BatchSender,
  DeadLetterHandler,
  DropReason,
  ItemFailure,
  SendResult,
  Signal,
  UnmappedLetter,
  DeadLetter,
} from './types';

export type OverflowPolicy = 'drop_newest' | 'drop_oldest' | 'block';
export type DeliveryMode = 'queued' | 'direct';

export interface PipelineOptions<R> {
  /** The exporter's name, e.g. `elasticsearch`: labels logs, stats and self-telemetry. */
  name: string;
  signal: Signal;
  sender: BatchSender<R>;

  /** Records held at once, from acceptance to final outcome (queued, in flight, awaiting retry). */
  maxQueueItems?: number;
  /** Estimated bytes held at once (the sender's `sizeOf`). */
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

  /** Default deadline of `shutdown()`. */
  shutdownTimeoutMs?: number;
  /** Default deadline of `forceFlush()`. */
  flushTimeoutMs?: number;

  /** Receives the records given up on, with the reason. Never throws into the pipeline. */
  deadLetter?: DeadLetterHandler<R>;
  /** Which drop reasons reach the dead-letter handler. */
  deadLetterReasons?: DropReason[];

  /** Self-telemetry goes to this meter provider; none is recorded without one. */
  meterProvider?: MeterProvider;

  /**
   * The exporter's defaults for pipeline options: below the user's values, above the core's.
   * Limits are reconciled after layering (a batch never exceeds the queue), so no combination of
   * valid values throws.
   */
  defaults?: PipelineTuning<R>;

  /** Test seam: the source of jitter, a draw in [0, 1). */
  random?: () => number;
  /** Test seam: a monotonic clock in milliseconds. */
  now?: () => number;
}

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
  flushTimeoutMs: 30_000,
  deadLetterReasons: ['rejected', 'expired', 'too_large'] as DropReason[],
};

export interface PipelineStats {
  exporter: string;
  signal: Signal;
  /** Every record handed to the pipeline, including those dropped at the door. */
  accepted: number;
  delivered: number;
  dropped: Record<DropReason, number>;
  droppedTotal: number;
  /** Held and not yet final: awaitingSend + inFlight + awaitingRetry. */
  pending: number;
  awaitingSendItems: number;
  inFlightItems: number;
  awaitingRetryItems: number;
  /** Records held, counted apart from `pending` so that the two can be checked against each other. */
  queuedItems: number;
  queuedBytes: number;
  maxQueueItems: number;
  maxQueueBytes: number;
  inFlightRequests: number;
  concurrencyLimit: number;
  /** Records scheduled for another send. */
  retries: number;
  requests: number;
  shutDown: boolean;
}

/** What became of the records of one `submit` call, as far as known when it resolves. */
export interface SubmitResult {
  accepted: number;
  delivered: number;
  dropped: Partial<Record<DropReason, number>>;
  /** Records still held (always 0 when the submit waited for settlement). */
  pending: number;
  /** The first reason a record was dropped, for the SDK's error message. */
  firstDropDetail?: string;
}

const enum EntryState {
  AwaitingSend,
  InFlight,
  AwaitingRetry,
  Done,
}

interface Ticket {
  /** Records of this submit still held. Entries point back at the ticket only in direct mode. */
  remaining: number;
  tracked: boolean;
  /** One clock read per submit: the records of one export share their acceptance time. */
  acceptedAtMs: number;
  /** Dropped before they were held, tallied so self-telemetry is updated once per submit. */
  doorDrops: Partial<Record<DropReason, number>>;
  result: SubmitResult;
  resolve?: (result: SubmitResult) => void;
}

interface Entry<R> {
  record: R;
  bytes: number;
  seq: number;
  acceptedAtMs: number;
  state: EntryState;
  ticket: Ticket | undefined;
}

interface Batch<R> {
  entries: Entry<R>[];
  /** Sends these records have had before this one. */
  attempt: number;
}

interface RetryWait<R> {
  batch: Batch<R>;
  timer: NodeJS.Timeout;
}

interface Barrier {
  seq: number;
  remaining: number;
  resolve: () => void;
}

/**
 * The delivery core: accepts records into a bounded queue, cuts batches, sends them under a
 * concurrency limit, retries what is retryable, and keeps a ledger in which every accepted
 * record is delivered, dropped with a reason, or pending. It owns every timer and every retry;
 * a sender only reports what one send came to.
 */
export class Pipeline<R> {
  readonly name: string;
  readonly signal: Signal;

  private readonly sender: BatchSender<R>;
  private readonly maxQueueItems: number;
  private readonly maxQueueBytes: number;
  private readonly overflow: OverflowPolicy;
  private readonly blockTimeoutMs: number;
  private readonly maxBatchItems: number;
  private readonly maxBatchBytes: number;
  private readonly flushIntervalMs: number;
  private readonly deliveryMode: DeliveryMode;
  private readonly backoff: BackoffPolicy;
  private readonly maxElapsedMs: number;
  private readonly requestTimeoutMs: number;
  private readonly ordered: boolean;
  private readonly shutdownTimeoutMs: number;
  private readonly flushTimeoutMs: number;
  private readonly deadLetter?: DeadLetterHandler<R>;
  private readonly deadLetterReasons: ReadonlySet<DropReason>;
  private readonly limiter: ConcurrencyLimiter;
  private readonly telemetry: SelfTelemetry;
  private readonly random: () => number;
  private readonly now: () => number;

  // The ledger.
  private acceptedCount = 0;
  private deliveredCount = 0;
  private readonly droppedCounts: Record<DropReason, number> = {
    queue_full: 0,
    shutdown: 0,
    expired: 0,
    too_large: 0,
    rejected: 0,
  };

  // Where held records are; each count is kept by the state transitions, never derived.
  private readonly queue = new Deque<Entry<R>>();
  private queueBytes = 0;
  private inFlightItems = 0;
  private awaitingRetryItems = 0;
  private heldItems = 0;
  private heldBytes = 0;

  private inFlightRequests = 0;
  private readonly inFlight = new Map<Batch<R>, AbortController>();
  private readonly retryWaits = new Set<RetryWait<R>>();
  private readonly readyRetries = new Deque<Batch<R>>(16);
  private retriesCount = 0;
  private requestsCount = 0;

  private nextSeq = 1;
  private barriers: Barrier[] = [];
  private flushRequests = 0;
  private directWaiting = 0;
  private flushTimer: NodeJS.Timeout | undefined;
  private flushTimerDueMs = Infinity;
  private pumping = false;
  private roomWaiters: (() => void)[] = [];
  private readonly deadLetterWrites = new Set<Promise<void>>();

  // Background timers are unref'd; while someone awaits the pipeline (a direct-mode export,
  // forceFlush, shutdown, a blocked export) one ref'd handle keeps the process alive for them.
  private awaiting = 0;
  private keepAlive: NodeJS.Timeout | undefined;

  private closing = false;
  private shutdownDeadlineMs = Infinity;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: PipelineOptions<R>) {
    if (!options || typeof options !== 'object') {
      throw new InvalidConfigError('options', 'expected an object');
    }
    const d = PIPELINE_DEFAULTS;
    options = layerDefaults(options);
    this.name = stringOption('name', options.name, undefined) as string;
    if (!this.name) throw new InvalidConfigError('name', 'is required');
    this.signal = enumOption('signal', options.signal, ['traces', 'logs', 'metrics'], 'traces');
    if (
      !options.sender ||
      typeof options.sender.send !== 'function' ||
      typeof options.sender.sizeOf !== 'function'
    ) {
      throw new InvalidConfigError('sender', 'expected an object with send() and sizeOf()');
    }
    this.sender = options.sender;

    this.maxQueueItems = integerOption('maxQueueItems', options.maxQueueItems, d.maxQueueItems, {
      min: 1,
    });
    this.maxQueueBytes = integerOption('maxQueueBytes', options.maxQueueBytes, d.maxQueueBytes, {
      min: 1,
    });
    this.overflow = enumOption(
      'overflow',
      options.overflow,
      ['drop_newest', 'drop_oldest', 'block'],
      d.overflow,
    );
    this.blockTimeoutMs = integerOption('blockTimeoutMs', options.blockTimeoutMs, d.blockTimeoutMs);
    this.maxBatchItems = integerOption('maxBatchItems', options.maxBatchItems, d.maxBatchItems, {
      min: 1,
    });
    // A batch larger than the queue could never be cut: the smaller bound wins.
    this.maxBatchBytes = Math.min(
      integerOption('maxBatchBytes', options.maxBatchBytes, d.maxBatchBytes, { min: 1 }),
      this.maxQueueBytes,
    );
    this.flushIntervalMs = integerOption(
      'flushIntervalMs',
      options.flushIntervalMs,
      d.flushIntervalMs,
    );
    this.deliveryMode = enumOption(
      'deliveryMode',
      options.deliveryMode,
      ['queued', 'direct'],
      d.deliveryMode,
    );
    this.backoff = {
      initialBackoffMs: integerOption(
        'initialBackoffMs',
        options.initialBackoffMs,
        d.initialBackoffMs,
      ),
      maxBackoffMs: integerOption('maxBackoffMs', options.maxBackoffMs, d.maxBackoffMs),
      multiplier: numberOption('multiplier', options.multiplier, d.multiplier, { min: 1 }),
    };
    if (this.backoff.maxBackoffMs < this.backoff.initialBackoffMs) {
      throw new InvalidConfigError(
        'maxBackoffMs',
        `must be at least initialBackoffMs (${this.backoff.initialBackoffMs}), got ${this.backoff.maxBackoffMs}`,
      );
    }
    this.maxElapsedMs = integerOption('maxElapsedMs', options.maxElapsedMs, d.maxElapsedMs);
    this.requestTimeoutMs = integerOption(
      'requestTimeoutMs',
      options.requestTimeoutMs,
      d.requestTimeoutMs,
      { min: 1 },
    );
    this.ordered = booleanOption('ordered', options.ordered, false);
    if (
      this.ordered &&
      (adaptiveRequested(options.adaptiveConcurrency) || (options.maxConcurrency ?? 1) !== 1)
    ) {
      throw new InvalidConfigError(
        'ordered',
        'needs maxConcurrency: 1 and no adaptiveConcurrency (two requests in flight can land in either order)',
      );
    }
    this.shutdownTimeoutMs = integerOption(
      'shutdownTimeoutMs',
      options.shutdownTimeoutMs,
      d.shutdownTimeoutMs,
    );
    this.flushTimeoutMs = integerOption('flushTimeoutMs', options.flushTimeoutMs, d.flushTimeoutMs);

    if (options.deadLetter !== undefined && typeof options.deadLetter !== 'function') {
      throw new InvalidConfigError('deadLetter', 'expected a function (letter) => void | Promise');
    }
    this.deadLetter = options.deadLetter;
    const reasons = options.deadLetterReasons ?? d.deadLetterReasons;
    if (!Array.isArray(reasons)) {
      throw new InvalidConfigError(
        'deadLetterReasons',
        `expected an array of ${DROP_REASONS.join(', ')}`,
      );
    }
    for (const reason of reasons)
      enumOption('deadLetterReasons[]', reason, DROP_REASONS, 'rejected');
    this.deadLetterReasons = new Set(reasons);

    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => performance.now());

    const adaptive = options.adaptiveConcurrency;
    if (adaptive !== undefined && typeof adaptive !== 'boolean' && typeof adaptive !== 'object') {
      throw new InvalidConfigError(
        'adaptiveConcurrency',
        'expected true, false or an object of adaptive options',
      );
    }
    if (adaptive) {
      const settings = typeof adaptive === 'object' ? adaptive : {};
      const max = integerOption(
        'maxConcurrency',
        settings.maxConcurrency ?? options.maxConcurrency,
        d.adaptiveMaxConcurrency,
        { min: 1, max: 10_000 },
      );
      this.limiter = new AdaptiveConcurrency(
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
            { min: 0, max: 1, minExclusive: true },
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
        this.now,
      );
    } else {
      booleanOption('adaptiveConcurrency', adaptive, false);
      this.limiter = new FixedConcurrency(
        integerOption(
          'maxConcurrency',
          options.maxConcurrency,
          this.ordered ? 1 : d.maxConcurrency,
          {
            min: 1,
            max: 10_000,
          },
        ),
      );
    }

    this.telemetry = new SelfTelemetry(options.meterProvider, this.name, this.signal, {
      queuedItems: () => this.heldItems,
      queuedBytes: () => this.heldBytes,
      capacityItems: () => this.maxQueueItems,
      capacityBytes: () => this.maxQueueBytes,
      inFlightRequests: () => this.inFlightRequests,
      concurrencyLimit: () => this.limiter.limit,
    });
  }

  /**
   * Hands records to the pipeline. Resolves when they are accepted (`queued` delivery) or settled
   * (`direct`). Never rejects: what could not be taken is in the result, dropped with a reason.
   */
  submit(records: readonly R[], options?: { deliveryMode?: DeliveryMode }): Promise<SubmitResult> {
    const waitForSettlement = (options?.deliveryMode ?? this.deliveryMode) === 'direct';
    const ticket: Ticket = {
      remaining: 0,
      tracked: waitForSettlement,
      acceptedAtMs: Math.floor(this.now()),
      doorDrops: {},
      result: { accepted: 0, delivered: 0, dropped: {}, pending: 0 },
    };
    if (this.overflow === 'block' && !this.closing) {
      return this.submitBlocking(records, ticket, waitForSettlement);
    }
    for (const record of records) this.acceptOne(record, ticket);
    this.pump();
    return this.finishSubmit(ticket, waitForSettlement);
  }

  /**
   * Resolves once every record accepted before the call is final (delivered or dropped), or when
   * `timeoutMs` passes (the records then stay pending: flushing never drops).
   */
  forceFlush(timeoutMs: number = this.flushTimeoutMs): Promise<void> {
    const pending = this.pendingCount();
    if (pending === 0) return Promise.resolve();
    this.flushRequests++;
    this.holdOpen();
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (timedOut: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.flushRequests--;
        this.letGo();
        if (timedOut) {
          diag.warn(
            `otelpack ${this.name} ${this.signal}: forceFlush timed out after ${timeoutMs} ms with ${this.pendingCount()} records pending`,
          );
        }
        resolve();
      };
      const barrier: Barrier = {
        seq: this.nextSeq - 1,
        remaining: pending,
        resolve: () => finish(false),
      };
      const timer = setTimeout(() => {
        this.barriers = this.barriers.filter((b) => b !== barrier);
        finish(true);
      }, timeoutMs);
      this.barriers.push(barrier);
      this.pump();
    });
  }

  /**
   * Stops accepting, sends what is held until `timeoutMs`, then drops what is left with reason
   * `shutdown` and closes the sender. Idempotent: later calls return the first call's promise.
   */
  shutdown(timeoutMs: number = this.shutdownTimeoutMs): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.closing = true;
    this.shutdownDeadlineMs = this.now() + timeoutMs;
    this.wakeRoomWaiters();
    this.holdOpen();
    this.shutdownPromise = this.runShutdown(timeoutMs).finally(() => this.letGo());
    return this.shutdownPromise;
  }

  /**
   * Counts SDK items that never became records (the exporter's mapping refused them) as
   * accepted and dropped (`rejected`), so the ledger still accounts for everything exported.
   */
  countUnmapped(count: number, detail: string): void {
    if (count <= 0) return;
    this.acceptedCount += count;
    this.telemetry.accepted(count);
    this.telemetry.dropped(count, 'rejected');
    this.countDropped('rejected', count, undefined, detail);
  }

  /**
   * Items the exporter's mapping refused, each in a JSON-safe form with why: counted as accepted
   * and dropped (`rejected`) like any record, and handed to the dead-letter handler.
   */
  rejectUnmapped(items: readonly { item: Record<string, unknown>; detail: string }[]): void {
    if (items.length === 0) return;
    this.countUnmapped(items.length, items[0].detail);
    if (!this.deadLetter || !this.deadLetterReasons.has('rejected')) return;
    this.deliverLetter({
      stage: 'mapping',
      exporter: this.name,
      signal: this.signal,
      reason: 'rejected',
      items: [...items],
    });
  }

  get isShutdown(): boolean {
    return this.closing;
  }

  stats(): PipelineStats {
    const droppedTotal = DROP_REASONS.reduce((sum, reason) => sum + this.droppedCounts[reason], 0);
    return {
      exporter: this.name,
      signal: this.signal,
      accepted: this.acceptedCount,
      delivered: this.deliveredCount,
      dropped: { ...this.droppedCounts },
      droppedTotal,
      pending: this.pendingCount(),
      awaitingSendItems: this.queue.length + this.readyRetryItems(),
      inFlightItems: this.inFlightItems,
      awaitingRetryItems: this.awaitingRetryItems - this.readyRetryItems(),
      queuedItems: this.heldItems,
      queuedBytes: this.heldBytes,
      maxQueueItems: this.maxQueueItems,
      maxQueueBytes: this.maxQueueBytes,
      inFlightRequests: this.inFlightRequests,
      concurrencyLimit: this.limiter.limit,
      retries: this.retriesCount,
      requests: this.requestsCount,
      shutDown: this.closing,
    };
  }

  // ---- acceptance ----------------------------------------------------------------------------

  private async submitBlocking(
    records: readonly R[],
    ticket: Ticket,
    waitForSettlement: boolean,
  ): Promise<SubmitResult> {
    const deadlineMs = this.now() + this.blockTimeoutMs;
    for (const record of records) {
      const bytes = this.measure(record);
      if (!this.hasRoom(bytes)) {
        while (!this.closing && !this.hasRoom(bytes) && this.now() < deadlineMs) {
          await this.waitForRoom(deadlineMs);
        }
        ticket.acceptedAtMs = Math.floor(this.now());
      }
      this.acceptOne(record, ticket, bytes);
    }
    this.pump();
    return this.finishSubmit(ticket, waitForSettlement);
  }

  private finishSubmit(ticket: Ticket, waitForSettlement: boolean): Promise<SubmitResult> {
    this.telemetry.accepted(ticket.result.accepted);
    for (const reason of DROP_REASONS) {
      const count = ticket.doorDrops[reason];
      if (count) this.telemetry.dropped(count, reason);
    }
    if (!waitForSettlement || ticket.remaining === 0) {
      ticket.result.pending = ticket.remaining;
      // Later settlements must not write into a result the caller already holds.
      const snapshot = { ...ticket.result, dropped: { ...ticket.result.dropped } };
      ticket.resolve = undefined;
      return Promise.resolve(snapshot);
    }
    this.holdOpen();
    // The SDK exports one batch at a time and waits for this answer: its records must not sit
    // out flushIntervalMs waiting for companions that cannot come.
    this.directWaiting++;
    this.pump();
    return new Promise((resolve) => {
      ticket.resolve = (result) => {
        this.directWaiting--;
        this.letGo();
        resolve(result);
      };
    });
  }

  private holdOpen(): void {
    if (this.awaiting++ === 0) this.keepAlive = setInterval(() => {}, 1 << 30);
  }

  private letGo(): void {
    if (--this.awaiting === 0) {
      clearInterval(this.keepAlive);
      this.keepAlive = undefined;
    }
  }

  private acceptOne(record: R, ticket: Ticket, knownBytes?: number): void {
    const bytes = knownBytes ?? this.measure(record);
    if (bytes > this.maxBatchBytes) {
      const pieces = this.trySplit(record);
      if (pieces) {
        for (const piece of pieces) this.acceptOne(piece, ticket);
        return;
      }
    }
    this.acceptedCount++;
    ticket.result.accepted++;

    if (this.closing) {
      this.dropAtDoor(record, ticket, 'shutdown', 'the exporter is shut down');
      return;
    }
    if (bytes > this.maxBatchBytes) {
      this.dropAtDoor(
        record,
        ticket,
        'too_large',
        `record of ${bytes} bytes exceeds maxBatchBytes (${this.maxBatchBytes})`,
      );
      return;
    }
    if (!this.hasRoom(bytes)) {
      if (this.overflow === 'drop_oldest') this.evictOldestFor(bytes);
      if (!this.hasRoom(bytes)) {
        this.dropAtDoor(
          record,
          ticket,
          'queue_full',
          `queue full (${this.heldItems}/${this.maxQueueItems} records, ${this.heldBytes}/${this.maxQueueBytes} bytes)`,
        );
        return;
      }
    }

    const entry: Entry<R> = {
      record,
      bytes,
      seq: this.nextSeq++,
      acceptedAtMs: ticket.acceptedAtMs,
      state: EntryState.AwaitingSend,
      // A queued-mode caller has its answer already: no need to report back to it per record.
      ticket: ticket.tracked ? ticket : undefined,
    };
    ticket.remaining++;
    this.heldItems++;
    this.heldBytes += bytes;
    this.queue.push(entry);
    this.queueBytes += bytes;
  }

  private measure(record: R): number {
    try {
      const bytes = this.sender.sizeOf(record);
      return Number.isFinite(bytes) && bytes > 0 ? Math.ceil(bytes) : 1;
    } catch (error) {
      diag.error(`otelpack ${this.name} ${this.signal}: sizeOf threw; counting 1 byte`, error);
      return 1;
    }
  }

  private trySplit(record: R): R[] | undefined {
    if (!this.sender.split) return undefined;
    try {
      const pieces = this.sender.split(record, this.maxBatchBytes);
      return pieces && pieces.length > 0 ? pieces : undefined;
    } catch (error) {
      diag.error(`otelpack ${this.name} ${this.signal}: split threw; dropping as too_large`, error);
      return undefined;
    }
  }

  private hasRoom(bytes: number): boolean {
    return this.heldItems < this.maxQueueItems && this.heldBytes + bytes <= this.maxQueueBytes;
  }

  private dropAtDoor(record: R, ticket: Ticket, reason: DropReason, detail: string): void {
    this.countDropped(reason, 1, ticket, detail);
    ticket.doorDrops[reason] = (ticket.doorDrops[reason] ?? 0) + 1;
    this.emitDeadLetter(reason, [{ record, detail }]);
  }

  /**
   * `drop_oldest`: makes room by dropping the oldest held records that are not in flight. A batch
   * waiting for its retry goes whole: a part of it resent alone would be a different request,
   * which defeats the backend's deduplication of retried requests (e.g. ClickHouse's tokens).
   */
  private evictOldestFor(bytes: number): void {
    const evicted: Entry<R>[] = [];
    while (!this.hasRoom(bytes)) {
      const victims = this.oldestEvictable();
      if (victims.length === 0) break;
      for (const victim of victims) {
        this.release(victim);
        evicted.push(victim);
      }
    }
    if (evicted.length > 0) {
      this.dropEntries(evicted, 'queue_full', 'evicted by drop_oldest to make room');
    }
  }

  private oldestEvictable(): Entry<R>[] {
    // Records awaiting retry were accepted before anything still in the queue, so they go first.
    for (const batch of this.readyRetries) {
      const live = batch.entries.filter((e) => e.state !== EntryState.Done);
      if (live.length > 0) return live;
    }
    for (const wait of this.retryWaits) {
      const live = wait.batch.entries.filter((e) => e.state !== EntryState.Done);
      if (live.length > 0) return live;
    }
    const head = this.queue.peek();
    return head ? [head] : [];
  }

  private waitForRoom(deadlineMs: number): Promise<void> {
    return new Promise((resolve) => {
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        this.letGo();
        resolve();
      };
      this.holdOpen();
      const timer = setTimeout(done, Math.max(1, deadlineMs - this.now()));
      this.roomWaiters.push(done);
    });
  }

  private wakeRoomWaiters(): void {
    if (this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.inFlightRequests < this.limiter.limit) {
        const batch = this.nextBatch();
        if (!batch) break;
        this.dispatch(batch);
      }
    } finally {
      this.pumping = false;
    }
    this.armFlushTimer();
  }

  private nextBatch(): Batch<R> | undefined {
    // Retries go first: their records are the oldest, and their waits are already served.
    while (this.readyRetries.length > 0) {
      const batch = this.readyRetries.shift() as Batch<R>;
      const live = batch.entries.filter((e) => e.state !== EntryState.Done);
      if (live.length > 0) return { entries: live, attempt: batch.attempt };
    }
    // Ordered delivery: nothing newer may overtake a batch that is waiting for its retry.
    if (this.ordered && this.retryWaits.size > 0) return undefined;
    const head = this.queue.peek();
    if (!head) return undefined;
    const due =
      this.closing ||
      this.flushRequests > 0 ||
      this.directWaiting > 0 ||
      this.queue.length >= this.maxBatchItems ||
      this.queueBytes >= this.maxBatchBytes ||
      this.now() - head.acceptedAtMs >= this.flushIntervalMs;
    if (!due) return undefined;

    const entries: Entry<R>[] = [];
    let bytes = 0;
    while (entries.length < this.maxBatchItems) {
      const next = this.queue.peek();
      if (!next) break;
      if (entries.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
      this.queue.shift();
      this.queueBytes -= next.bytes;
      bytes += next.bytes;
      entries.push(next);
    }
    return { entries, attempt: 0 };
  }

  private armFlushTimer(): void {
    const head = this.queue.peek();
    if (!head) return;
    const dueMs = head.acceptedAtMs + this.flushIntervalMs;
    if (this.flushTimer && this.flushTimerDueMs <= dueMs) return;
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimerDueMs = dueMs;
    this.flushTimer = setTimeout(
      () => {
        this.flushTimer = undefined;
        this.flushTimerDueMs = Infinity;
        this.pump();
      },
      Math.max(0, dueMs - this.now()),
    );
    this.flushTimer.unref();
  }

  private dispatch(batch: Batch<R>): void {
    for (const entry of batch.entries) {
      if (entry.state === EntryState.AwaitingRetry) this.awaitingRetryItems--;
      entry.state = EntryState.InFlight;
    }
    this.inFlightItems += batch.entries.length;
    this.inFlightRequests++;
    this.requestsCount++;
    const inFlightAtStart = this.inFlightRequests;
    const startedMs = this.now();
    const abort = new AbortController();
    this.inFlight.set(batch, abort);

    void this.sendOnce(batch, abort).then((result) => {
      this.inFlight.delete(batch);
      this.inFlightRequests--;
      try {
        const rttMs = this.now() - startedMs;
        const backpressure =
          (result.kind === 'retryable' || result.kind === 'partial') &&
          result.backpressure === true;
        this.limiter.onResponse({ rttMs, backpressure, inFlightAtStart });
        this.telemetry.request(rttMs, result.kind);
        this.settleBatch(batch, result);
      } catch (error) {
        // A bug here must not become an unhandled rejection in the application.
        diag.error(`otelpack ${this.name} ${this.signal}: settling a batch failed`, error);
      }
      this.pump();
    });
  }

  /** One send with a deadline; always resolves, whatever the sender does. */
  private sendOnce(batch: Batch<R>, abort: AbortController): Promise<SendResult> {
    const records = batch.entries.map((e) => e.record);
    return new Promise<SendResult>((resolve) => {
      let finished = false;
      const finish = (result: SendResult): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        resolve(result);
      };
      const timer = setTimeout(() => {
        abort.abort(
          new OtelpackError(
            'OTELPACK_ERR_TIMEOUT',
            `request timed out after ${this.requestTimeoutMs} ms`,
          ),
        );
      }, this.requestTimeoutMs);
      timer.unref();
      // A sender that ignores the signal must not hold the batch forever. A timeout counts as
      // back-pressure: a backend that stops answering in time is overloaded.
      abort.signal.addEventListener('abort', () =>
        finish({
          kind: 'retryable',
          reason: describeError(abort.signal.reason),
          backpressure: true,
        }),
      );
      let sent: Promise<SendResult>;
      try {
        // The export's own requests must not be traced: with HTTP instrumentation on, each send
        // would make spans that this exporter then has to send, without end.
        sent = context.with(context.active().setValue(SUPPRESS_TRACING_KEY, true), () =>
          this.sender.send(records, { signal: abort.signal, attempt: batch.attempt + 1 }),
        );
      } catch (error) {
        sent = Promise.reject(error);
      }
      Promise.resolve(sent).then(
        (result) => finish(validResult(result, records.length)),
        (error: unknown) =>
          // A thrown error is most often the network; retrying is safe and maxElapsedMs bounds it.
          finish({ kind: 'retryable', reason: describeError(error) }),
      );
    });
  }

  // ---- outcomes ------------------------------------------------------------------------------

  private settleBatch(batch: Batch<R>, result: SendResult): void {
    // Entries dropped meanwhile (shutdown's deadline) are already final.
    const live = batch.entries.filter((e) => e.state === EntryState.InFlight);
    if (live.length === 0) return;
    switch (result.kind) {
      case 'delivered':
        this.countDelivered(live);
        return;
      case 'permanent':
        this.dropEntries(live, 'rejected', result.reason);
        return;
      case 'retryable':
        this.scheduleRetry(live, batch.attempt + 1, result.reason, result.retryAfterMs);
        return;
      case 'partial':
        this.settlePartial(batch, result.failures);
        return;
      case 'too_large':
        this.splitOrDrop(live, batch.attempt, result.reason);
        return;
    }
  }

  /** Halves go back to the front of the line at once: size, not load, was the problem. */
  private splitOrDrop(entries: Entry<R>[], attempt: number, reason: string): void {
    if (entries.length === 1) {
      this.dropEntries(
        entries,
        'too_large',
        `the backend refused a single record for its size: ${reason}`,
      );
      return;
    }
    const middle = Math.ceil(entries.length / 2);
    for (const entry of entries) entry.state = EntryState.AwaitingRetry;
    this.inFlightItems -= entries.length;
    this.awaitingRetryItems += entries.length;
    diag.debug(
      `otelpack ${this.name} ${this.signal}: splitting a batch of ${entries.length} records the backend found too large: ${reason}`,
    );
    this.readyRetries.unshift({ entries: entries.slice(middle), attempt });
    this.readyRetries.unshift({ entries: entries.slice(0, middle), attempt });
  }

  private settlePartial(batch: Batch<R>, failures: ItemFailure[]): void {
    const failed = new Map<number, ItemFailure>();
    for (const failure of failures) failed.set(failure.index, failure);
    const delivered: Entry<R>[] = [];
    const rejected: { entry: Entry<R>; reason: string }[] = [];
    const retry: Entry<R>[] = [];
    let retryReason = '';
    let retryAfterMs: number | undefined;
    batch.entries.forEach((entry, index) => {
      if (entry.state !== EntryState.InFlight) return;
      const failure = failed.get(index);
      if (!failure) {
        delivered.push(entry);
      } else if (failure.retryable) {
        retry.push(entry);
        retryReason ||= failure.reason;
        if (failure.retryAfterMs !== undefined) {
          retryAfterMs = Math.max(retryAfterMs ?? 0, failure.retryAfterMs);
        }
      } else {
        rejected.push({ entry, reason: failure.reason });
      }
    });
    this.countDelivered(delivered);
    if (rejected.length > 0) this.dropEntriesWithDetails(rejected, 'rejected');
    if (retry.length > 0) this.scheduleRetry(retry, batch.attempt + 1, retryReason, retryAfterMs);
  }

  /** Entries come in flight; those that may still be tried wait, the rest are dropped. */
  private scheduleRetry(
    entries: Entry<R>[],
    attempt: number,
    reason: string,
    retryAfterMs: number | undefined,
  ): void {
    const delayMs = retryAfterMs ?? backoffDelayMs(this.backoff, attempt, this.random);
    const dueMs = this.now() + delayMs;
    if (this.closing && dueMs >= this.shutdownDeadlineMs) {
      this.dropEntries(entries, 'shutdown', `shutting down before the next retry: ${reason}`);
      return;
    }
    const keep: Entry<R>[] = [];
    const expired: Entry<R>[] = [];
    for (const entry of entries) {
      (dueMs - entry.acceptedAtMs > this.maxElapsedMs ? expired : keep).push(entry);
    }
    if (expired.length > 0) {
      this.dropEntries(
        expired,
        'expired',
        `gave up after ${attempt} attempts within maxElapsedMs (${this.maxElapsedMs} ms): ${reason}`,
      );
    }
    if (keep.length === 0) return;

    for (const entry of keep) entry.state = EntryState.AwaitingRetry;
    this.inFlightItems -= keep.length;
    this.awaitingRetryItems += keep.length;
    this.retriesCount += keep.length;
    this.telemetry.retried(keep.length);
    diag.debug(
      `otelpack ${this.name} ${this.signal}: retrying ${keep.length} records in ${Math.round(delayMs)} ms: ${reason}`,
    );

    const batch: Batch<R> = { entries: keep, attempt };
    const wait: RetryWait<R> = {
      batch,
      timer: setTimeout(() => {
        this.retryWaits.delete(wait);
        this.readyRetries.push(batch);
        this.pump();
      }, delayMs),
    };
    wait.timer.unref();
    this.retryWaits.add(wait);
  }

  /**
   * Takes a held entry out of the count of wherever it is, making it final. Entries awaiting
   * their first send leave the queue only at its head (eviction); shutdown empties the queue
   * wholesale.
   */
  private release(entry: Entry<R>): void {
    switch (entry.state) {
      case EntryState.InFlight:
        this.inFlightItems--;
        break;
      case EntryState.AwaitingRetry:
        this.awaitingRetryItems--;
        break;
      case EntryState.AwaitingSend:
        if (this.queue.peek() === entry) {
          this.queue.shift();
          this.queueBytes -= entry.bytes;
        }
        break;
      case EntryState.Done:
        return;
    }
    entry.state = EntryState.Done;
    this.heldItems--;
    this.heldBytes -= entry.bytes;
  }

  private countDelivered(entries: Entry<R>[]): void {
    if (entries.length === 0) return;
    this.deliveredCount += entries.length;
    this.telemetry.delivered(entries.length);
    for (const entry of entries) {
      this.release(entry);
      if (entry.ticket) {
        entry.ticket.result.delivered++;
        this.ticketProgress(entry.ticket);
      }
    }
    this.afterSettle(entries);
  }

  private dropEntries(entries: Entry<R>[], reason: DropReason, detail: string): void {
    this.dropEntriesWithDetails(
      entries.map((entry) => ({ entry, reason: detail })),
      reason,
    );
  }

  private dropEntriesWithDetails(
    items: { entry: Entry<R>; reason: string }[],
    reason: DropReason,
  ): void {
    if (items.length === 0) return;
    this.telemetry.dropped(items.length, reason);
    for (const { entry, reason: detail } of items) {
      this.release(entry);
      if (entry.ticket) {
        this.countDropped(reason, 1, entry.ticket, detail);
        this.ticketProgress(entry.ticket);
      } else {
        this.countDropped(reason, 1, undefined, detail);
      }
    }
    diag.warn(
      `otelpack ${this.name} ${this.signal}: dropped ${items.length} records (${reason}): ${items[0].reason}`,
    );
    this.emitDeadLetter(
      reason,
      items.map(({ entry, reason: detail }) => ({ record: entry.record, detail })),
    );
    this.afterSettle(items.map((i) => i.entry));
  }

  private countDropped(
    reason: DropReason,
    count: number,
    ticket: Ticket | undefined,
    detail: string,
  ): void {
    this.droppedCounts[reason] += count;
    if (ticket) {
      ticket.result.dropped[reason] = (ticket.result.dropped[reason] ?? 0) + count;
      ticket.result.firstDropDetail ??= `${reason}: ${detail}`;
    }
  }

  private ticketProgress(ticket: Ticket): void {
    ticket.remaining--;
    if (ticket.remaining === 0 && ticket.resolve) {
      const resolve = ticket.resolve;
      ticket.resolve = undefined;
      resolve(ticket.result);
    }
  }

  private afterSettle(entries: Entry<R>[]): void {
    if (this.barriers.length > 0) {
      for (const barrier of this.barriers) {
        for (const entry of entries) if (entry.seq <= barrier.seq) barrier.remaining--;
      }
      const open: Barrier[] = [];
      for (const barrier of this.barriers) {
        if (barrier.remaining <= 0) barrier.resolve();
        else open.push(barrier);
      }
      this.barriers = open;
    }
    this.wakeRoomWaiters();
  }

  private emitDeadLetter(reason: DropReason, items: { record: R; detail: string }[]): void {
    if (!this.deadLetter || !this.deadLetterReasons.has(reason) || items.length === 0) return;
    this.deliverLetter({
      stage: 'delivery',
      exporter: this.name,
      signal: this.signal,
      reason,
      items,
    });
  }

  private deliverLetter(letter: DeadLetter<R> | UnmappedLetter): void {
    if (!this.deadLetter) return;
    try {
      const written = this.deadLetter(letter);
      if (written && typeof (written as Promise<void>).then === 'function') {
        const tracked = Promise.resolve(written).catch((error: unknown) => {
          diag.error(`otelpack ${this.name} ${this.signal}: dead-letter handler failed`, error);
        });
        this.deadLetterWrites.add(tracked);
        void tracked.then(() => this.deadLetterWrites.delete(tracked));
      }
    } catch (error) {
      diag.error(`otelpack ${this.name} ${this.signal}: dead-letter handler threw`, error);
    }
  }

  // ---- shutdown ------------------------------------------------------------------------------

  private async runShutdown(timeoutMs: number): Promise<void> {
    this.pump();
    const pending = this.pendingCount();
    if (pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.barriers.push({
          seq: Number.MAX_SAFE_INTEGER,
          remaining: pending,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    this.abandonAll();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    try {
      await this.sender.close?.();
    } catch (error) {
      diag.error(`otelpack ${this.name} ${this.signal}: closing the sender failed`, error);
    }
    await Promise.all([...this.deadLetterWrites]);
  }

  /** Shutdown's deadline passed: whatever is still held is dropped, in-flight sends aborted. */
  private abandonAll(): void {
    const left: Entry<R>[] = [];
    for (const [batch, abort] of this.inFlight) {
      left.push(...batch.entries);
      abort.abort(new OtelpackError('OTELPACK_ERR_SHUTDOWN', 'shutdown deadline passed'));
    }
    for (const wait of this.retryWaits) {
      clearTimeout(wait.timer);
      left.push(...wait.batch.entries);
    }
    this.retryWaits.clear();
    while (this.readyRetries.length > 0) {
      left.push(...(this.readyRetries.shift() as Batch<R>).entries);
    }
    // Taken off the queue here; dropEntries() then makes them final like the rest.
    while (this.queue.length > 0) left.push(this.queue.shift() as Entry<R>);
    this.queueBytes = 0;
    const live = left.filter((e) => e.state !== EntryState.Done);
    if (live.length > 0) {
      this.dropEntries(live, 'shutdown', 'shutdown deadline passed before delivery');
    }
  }

  private pendingCount(): number {
    return this.queue.length + this.inFlightItems + this.awaitingRetryItems;
  }

  private readyRetryItems(): number {
    let count = 0;
    for (const batch of this.readyRetries) {
      for (const entry of batch.entries) if (entry.state === EntryState.AwaitingRetry) count++;
    }
    return count;
  }
}

/**
 * The context key with which the OpenTelemetry SDK marks work that must not be traced
 * (@opentelemetry/core's suppressTracing). createContextKey keys by Symbol.for(description), so
 * the same key is made here without depending on @opentelemetry/core.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** The user's pipeline options over the exporter's defaults (`options.defaults`). */
function layerDefaults<R>(options: PipelineOptions<R>): PipelineOptions<R> {
  const defaults = options.defaults;
  if (defaults === undefined) return options;
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

function validResult(result: SendResult, batchSize: number): SendResult {
  if (!result || typeof result !== 'object') {
    return { kind: 'retryable', reason: 'sender returned no result' };
  }
  if (result.kind === 'partial') {
    const failures = Array.isArray(result.failures) ? result.failures : [];
    // Indexes outside the batch would silently count records as delivered: refuse them.
    const valid = failures.filter(
      (f) => Number.isInteger(f.index) && f.index >= 0 && f.index < batchSize,
    );
    if (valid.length !== failures.length) {
      diag.error(
        `otelpack: sender reported ${failures.length - valid.length} failures outside the batch`,
      );
    }
    return { kind: 'partial', failures: valid, backpressure: result.backpressure === true };
  }
  if (
    result.kind === 'delivered' ||
    result.kind === 'retryable' ||
    result.kind === 'permanent' ||
    result.kind === 'too_large'
  ) {
    return result;
  }
  return { kind: 'retryable', reason: `sender returned an unknown result kind` };
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return code ? `${String(code)}: ${error.message}` : error.message;
  }
  return String(error);
}
