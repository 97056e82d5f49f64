import { diag } from '@opentelemetry/api';
import { nextComponentName, SelfTelemetry } from '../telemetry';
import type { ComponentIdentity } from '../telemetry';
import { DROP_REASONS } from '../types';
import type { DropReason, SharedPart, Signal } from '../types';
import { Admission } from './admission';
import { Batcher } from './batcher';
import { DeadLetterOutlet } from './dead-letter';
import { Dispatcher } from './dispatcher';
import type { SendOutcome } from './dispatcher';
import type { Batch, Entry, SubmitResult, Ticket } from './entry';
import { HeldEntry, appendAll } from './entry';
import { FailureWatch } from './failure-watch';
import { RefusalWatch } from './refusal-watch';
import { KeepAlive } from './keep-alive';
import { Ledger } from './ledger';
import { resolvePipelineOptions } from './options';
import type { DeliveryMode, PipelineOptions, ResolvedPipelineOptions } from './options';
import { MemoryRecordQueue } from './queue';
import type { RecordQueue } from './queue';
import { decide } from './retry-policy';
import { RetryWaits } from './retry-waits';
import { RecordSizing } from './sizing';
import { DiskRecordQueue } from '../spool/disk-queue';
import type { SpoolState } from '../spool/disk-queue';
import { openSpool } from '../spool/open';

export interface PipelineStats {
  exporter: string;
  signal: Signal;
  /** Every record handed to the pipeline, including those dropped at the door. */
  accepted: number;
  delivered: number;
  dropped: Record<DropReason, number>;
  droppedTotal: number;
  /** Accepted and not yet final: accepted − delivered − dropped. */
  pending: number;
  /** Where the pending records are (the three add up to `pending`). */
  awaitingSendItems: number;
  inFlightItems: number;
  awaitingRetryItems: number;
  /** Records held, counted on admission and release, apart from the ledger (equal to `pending`). */
  queuedItems: number;
  /** Their held bytes, against `maxQueueBytes`. */
  queuedBytes: number;
  maxQueueItems: number;
  maxQueueBytes: number;
  inFlightRequests: number;
  concurrencyLimit: number;
  /** Records scheduled for another send. */
  retries: number;
  requests: number;
  shutDown: boolean;
  /** Of `accepted`: records a spool replayed from an earlier process (`spool` option). */
  replayed: number;
  /**
   * Records the spool kept at shutdown for the next process: final for this one, so
   * accepted = delivered + dropped + pending + leftInSpool.
   */
  leftInSpool: number;
  /** With the `spool` option: what is on disk, or why the spool could not be opened. */
  spool?: SpoolState | { error: string };
}

/** Parts a caller may supply instead of the defaults. */
export interface PipelineParts<R> {
  /** Where records wait for their first send. Default: in memory. */
  queue?: RecordQueue<Entry<R>>;
  /**
   * Who reports the self-telemetry (`otel.component.type`, `otel.component.name`, the server).
   * The exporter kit gives the exporter's; a pipeline on its own is
   * `@otelpack/batching-core.Pipeline/<n>`.
   */
  identity?: Partial<ComponentIdentity>;
}

const PIPELINE_COMPONENT_TYPE = '@otelpack/batching-core.Pipeline';

/**
 * After shutdown's deadline, closing the sender and the dead-letter writes get this long at
 * least: enough for a socket to close, short enough to keep the documented deadline + 1 s.
 */
const CLOSE_GRACE_MS = 500;

/**
 * A shutdown this soon after a forceFlush ended (or while one runs) is taken as the second half
 * of the SDK's flush-then-shutdown, which calls the two back to back.
 */
const FLUSH_THEN_SHUTDOWN_GAP_MS = 1_000;

/**
 * The delivery core: accepts records into a bounded queue, cuts batches, sends them under a
 * concurrency limit, retries what is retryable, and keeps a ledger in which every accepted
 * record is delivered, dropped with a reason, or pending. It owns every timer and every retry;
 * a sender only reports what one send came to.
 *
 * This class only assembles the parts (see the package README): admission, queue, batcher,
 * dispatcher, retry policy and waits, ledger, dead letters, failure watch and keep-alive.
 */
export class Pipeline<R> {
  readonly name: string;
  readonly signal: Signal;

  private readonly options: ResolvedPipelineOptions<R>;
  /**
   * Wall-clock time at construction. Timers, deadlines and record ages run on the monotonic
   * clock from this moment (a wall-clock step stalls or expires nothing), so a record's
   * wall-clock acceptance time is `clockOriginMs + acceptedAtMs`: what a persistent queue
   * stores, and turns back into an age in a later process.
   */
  readonly clockOriginMs: number;
  /** `maxBatchBytes`, lowered where the sender's memory model says a batch could not be held. */
  private readonly maxBatchBytes: number;
  private readonly now: () => number;
  private readonly keepAlive = new KeepAlive();
  private readonly telemetry: SelfTelemetry;
  private readonly ledger: Ledger;
  private readonly queue: RecordQueue<Entry<R>>;
  private readonly admission: Admission;
  private readonly batcher: Batcher<R>;
  private readonly dispatcher: Dispatcher<R>;
  private readonly retryWaits: RetryWaits<R>;
  private readonly deadLetters: DeadLetterOutlet<R>;
  private readonly failureWatch: FailureWatch;
  /** Exports a persistent queue refuses: warned about by period, not one by one. */
  private readonly refusals = new RefusalWatch((message) => diag.warn(`${this.label}: ${message}`));

  private readonly sizing: RecordSizing<R>;
  /** The disk queue, when the `spool` option opened one. */
  private readonly spool: DiskRecordQueue<Entry<R>> | undefined;
  private readonly spoolError: string | undefined;
  /** Each request's records are written down before it leaves (see BatchSender). */
  private readonly writesSentBatches: boolean;
  private retriedRecords = 0;
  private flushRequests = 0;
  private directWaiting = 0;
  private pumping = false;
  /**
   * The queued-mode submit being accepted, and the newest sequence number held before it: its
   * entries do not point back at its ticket (nothing reports to a caller that has its answer),
   * so an eviction that takes one of them (drop_oldest, an export larger than the queue) finds
   * the ticket here, and the submit's result counts the drop instead of calling it pending.
   */
  private acceptingSubmit: { ticket: Ticket; heldBeforeSeq: number } | undefined;
  /** The start of the forceFlush running now, or of the last one, and when that one ended. */
  private lastFlushStartMs: number | undefined;
  private lastFlushEndMs: number | undefined;
  private flushesRunning = 0;
  private closing = false;
  private shutdownDeadlineMs: number | undefined;
  private shutdownPromise: Promise<void> | undefined;

  constructor(options: PipelineOptions<R>, parts: PipelineParts<R> = {}) {
    const o = (this.options = resolvePipelineOptions(options));
    this.name = o.name;
    this.signal = o.signal;
    // Times are kept as milliseconds since this origin: small integers, which V8 stores in the
    // entry itself, where a Date.now() value would cost each held record a 16-byte box.
    this.clockOriginMs = o.wallNow();
    const monotonicOriginMs = o.now();
    this.now = () => o.now() - monotonicOriginMs;
    this.sizing = new RecordSizing(o.sender, this.label);
    this.writesSentBatches =
      o.sender.deduplicatesBatches === true || typeof o.sender.sentBeforeRestart === 'function';
    this.maxBatchBytes = this.sizing.fitBatchBytes(o.maxBatchBytes, o.maxQueueBytes);
    let spool = parts.queue instanceof DiskRecordQueue ? parts.queue : undefined;
    if (!parts.queue && o.spool) {
      const opened = openSpool(
        o.spool,
        o.sender.spoolCodec,
        this.clockOriginMs,
        this.label,
        (ms, code) => this.telemetry.spoolFsync(ms, code),
      );
      if ('queue' in opened) spool = opened.queue;
      else this.spoolError = opened.error;
    }
    this.spool = spool;
    this.queue = parts.queue ?? spool ?? new MemoryRecordQueue<Entry<R>>();
    try {
      this.admission = new Admission(
        o.maxQueueItems,
        o.maxQueueBytes,
        o.overflow,
        this.keepAlive,
        this.now,
      );
      this.batcher = new Batcher(
        this.queue,
        o.maxBatchItems,
        this.maxBatchBytes,
        o.flushIntervalMs,
        this.now,
        () => this.pumpFromTimer(),
      );
      this.dispatcher = new Dispatcher(o.sender, o.limiter, o.requestTimeoutMs, o.now);
      this.retryWaits = new RetryWaits(() => this.pumpFromTimer());
      this.deadLetters = new DeadLetterOutlet(o.name, o.signal, o.deadLetter, o.deadLetterReasons);
      this.failureWatch = new FailureWatch(
        o.failureWarnAfterMs,
        (failingForMs, reason) =>
          diag.warn(
            `${this.label}: every send has failed for ${Math.round(failingForMs / 1000)} s (last: ${reason}); ${this.ledger.pending} records held, ${this.ledger.droppedTotal} dropped so far (${this.describeDrops()})`,
          ),
        (failedForMs) =>
          diag.warn(
            `${this.label}: delivering again after ${Math.round(failedForMs / 1000)} s of failures; ${this.ledger.droppedTotal} records dropped so far (${this.describeDrops()})`,
          ),
      );
      const type = parts.identity?.type ?? PIPELINE_COMPONENT_TYPE;
      const identity = {
        ...parts.identity,
        type,
        name: parts.identity?.name ?? nextComponentName(type),
      };
      this.telemetry = new SelfTelemetry(o.selfObsMeterProvider, identity, o.signal, {
        queuedItems: () => this.admission.heldItems,
        queuedBytes: () => this.admission.heldBytes,
        capacityItems: () => o.maxQueueItems,
        capacityBytes: () => o.maxQueueBytes,
        inFlightRequests: () => this.dispatcher.inFlightRequests,
        concurrencyLimit: () => this.dispatcher.limit,
        spool: spool ? () => this.spool?.state() : undefined,
        spoolUnavailable:
          spool || (o.spool && !parts.queue)
            ? () => (this.spoolError !== undefined || this.spool?.state().error ? 1 : 0)
            : undefined,
      });
      this.ledger = new Ledger(this.telemetry);
      if (spool) this.replay(spool);
    } catch (error) {
      // The spool is open and locked, with its lock refreshed on a timer: a constructor that
      // throws now leaves no pipeline to shut down, so it lets go here, or the next pipeline
      // on this directory (a retry, a test) would find it locked for the process's life.
      if (spool && !parts.queue) void spool.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Hands records to the pipeline. Resolves when they are accepted (`queued` delivery) or settled
   * (`direct`). Never rejects: what could not be taken is in the result, dropped with a reason.
   */
  submit(records: readonly R[], options?: { deliveryMode?: DeliveryMode }): Promise<SubmitResult> {
    const waitForSettlement = (options?.deliveryMode ?? this.options.deliveryMode) === 'direct';
    const ticket = this.ledger.openTicket(waitForSettlement, Math.floor(this.now()));
    if (this.options.overflow === 'block' && !this.closing) {
      return this.submitBlocking(records, ticket, waitForSettlement);
    }
    if (!ticket.tracked) {
      this.acceptingSubmit = { ticket, heldBeforeSeq: this.ledger.newestSeq };
    }
    try {
      for (const record of records) this.acceptOne(record, ticket);
    } finally {
      this.acceptingSubmit = undefined;
    }
    this.commitToQueue(ticket);
    this.pump();
    return this.finishSubmit(ticket, waitForSettlement);
  }

  /**
   * Resolves once every record accepted before the call is final (delivered or dropped), or when
   * the timeout passes (the records then stay pending: flushing never drops). During shutdown,
   * never later than shutdown's deadline.
   */
  forceFlush(timeoutMs?: number): Promise<void> {
    const startMs = this.now();
    if (this.flushesRunning === 0) this.lastFlushStartMs = startMs;
    let limitMs = timeoutMs ?? this.options.flushTimeoutMs;
    if (this.shutdownDeadlineMs !== undefined) {
      limitMs = Math.min(limitMs, Math.max(0, this.shutdownDeadlineMs - startMs));
    }
    const pending = this.ledger.pending;
    if (pending === 0) {
      this.lastFlushEndMs = startMs;
      return Promise.resolve();
    }
    this.flushRequests++;
    this.flushesRunning++;
    this.keepAlive.hold();
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (timedOut: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.flushRequests--;
        this.flushesRunning--;
        this.lastFlushEndMs = this.now();
        this.keepAlive.release();
        if (timedOut) {
          diag.warn(
            `${this.label}: forceFlush timed out after ${limitMs} ms with ${this.ledger.pending} records pending`,
          );
        }
        resolve();
      };
      const withdraw = this.ledger.barrier(this.ledger.newestSeq, pending, () => finish(false));
      const timer = setTimeout(() => {
        withdraw();
        finish(true);
      }, limitMs);
      this.pump();
    });
  }

  /**
   * Stops accepting, sends what is held until the deadline, then drops what is left with reason
   * `shutdown` and closes the sender. Idempotent: later calls return the first call's promise.
   *
   * Without an explicit timeout, a shutdown that comes right after a `forceFlush()` (or during
   * one) ends `shutdownTimeoutMs` after that flush began: the SDK's processors flush and then
   * shut down, and the documented deadline is for the whole sequence.
   */
  shutdown(timeoutMs?: number): Promise<void> {
    if (this.shutdownPromise) return this.shutdownPromise;
    this.closing = true;
    const nowMs = this.now();
    const limitMs = timeoutMs ?? this.options.shutdownTimeoutMs;
    let deadlineMs = nowMs + limitMs;
    const followsFlush =
      this.flushesRunning > 0 ||
      (this.lastFlushEndMs !== undefined &&
        nowMs - this.lastFlushEndMs <= FLUSH_THEN_SHUTDOWN_GAP_MS);
    if (timeoutMs === undefined && followsFlush && this.lastFlushStartMs !== undefined) {
      deadlineMs = Math.min(deadlineMs, this.lastFlushStartMs + limitMs);
    }
    this.shutdownDeadlineMs = deadlineMs;
    this.admission.wakeWaiters();
    this.shutdownPromise = this.keepAlive.around(this.runShutdown(deadlineMs));
    return this.shutdownPromise;
  }

  /**
   * Items the exporter's mapping refused, each in a JSON-safe form with why: counted as accepted
   * and dropped (`rejected`) like any record, and handed to the dead-letter handler.
   */
  rejectUnmapped(items: readonly { item: Record<string, unknown>; detail: string }[]): void {
    if (items.length === 0) return;
    this.ledger.rejectedUnmapped(items.length, items[0].detail);
    this.deadLetters.unmapped([...items]);
  }

  /**
   * Items the exporter's transform left out (`filtered`) or failed on (`transform_error`): accepted
   * and dropped at once, so that the ledger still balances. No dead letter: a drop statement
   * is the user's decision, and a failed item is what the statement could not make safe to keep.
   */
  dropTransformed(count: number, reason: 'filtered' | 'transform_error', detail: string): void {
    this.ledger.droppedBeforeQueue(count, reason, detail);
  }

  /** What the transform did besides dropping: values redacted, statement errors ignored. */
  recordTransform(redacted: number, errors: number): void {
    this.telemetry.transformed(redacted, errors);
  }

  /** Whether drops for `reason` reach a dead-letter handler (callers skip building letters otherwise). */
  wantsDeadLetters(reason: DropReason): boolean {
    return this.deadLetters.wants(reason);
  }

  get isShutdown(): boolean {
    return this.closing;
  }

  stats(): PipelineStats {
    const readyRetryItems = this.retryWaits.readyItems();
    return {
      exporter: this.name,
      signal: this.signal,
      accepted: this.ledger.accepted,
      delivered: this.ledger.delivered,
      dropped: { ...this.ledger.dropped },
      droppedTotal: this.ledger.droppedTotal,
      pending: this.ledger.pending,
      awaitingSendItems: this.queue.length + readyRetryItems,
      inFlightItems: this.dispatcher.inFlightItems,
      awaitingRetryItems: this.retryWaits.items - readyRetryItems,
      queuedItems: this.admission.heldItems,
      queuedBytes: this.admission.heldBytes,
      maxQueueItems: this.options.maxQueueItems,
      maxQueueBytes: this.options.maxQueueBytes,
      inFlightRequests: this.dispatcher.inFlightRequests,
      concurrencyLimit: this.dispatcher.limit,
      retries: this.retriedRecords,
      requests: this.dispatcher.requests,
      shutDown: this.closing,
      replayed: this.ledger.replayed,
      leftInSpool: this.ledger.leftInSpool,
      ...(this.spool
        ? { spool: this.spool.state() }
        : this.spoolError !== undefined
          ? { spool: { error: this.spoolError } }
          : {}),
    };
  }

  private get label(): string {
    return `otelpack ${this.name} ${this.signal}`;
  }

  // ---- acceptance ----------------------------------------------------------------------------

  private async submitBlocking(
    records: readonly R[],
    ticket: Ticket,
    waitForSettlement: boolean,
  ): Promise<SubmitResult> {
    const deadlineMs = this.now() + this.options.blockTimeoutMs;
    for (const record of records) {
      const bytes = this.sizing.wireBytes(record);
      const part = this.sizing.sharedPart(record, bytes);
      const heldBytes = this.sizing.ownHeldBytes(bytes, part);
      // A record too large to be held ever is not waited for: acceptOne drops it as too_large.
      if (
        heldBytes + (part?.heldBytes ?? 0) <= this.options.maxQueueBytes &&
        !this.admission.hasRoom(heldBytes, part)
      ) {
        // What this submit already added must go out to make the room it waits for, and be
        // counted in flight before any of it can be delivered.
        this.ledger.reportAccepted(ticket);
        this.commitToQueue(ticket);
        this.pump();
        while (
          !this.closing &&
          !this.admission.hasRoom(heldBytes, part) &&
          this.now() < deadlineMs
        ) {
          await this.admission.waitForRoom(deadlineMs);
        }
        ticket.acceptedAtMs = Math.floor(this.now());
      }
      this.acceptOne(record, ticket, bytes);
    }
    this.commitToQueue(ticket);
    this.pump();
    return this.finishSubmit(ticket, waitForSettlement);
  }

  private finishSubmit(ticket: Ticket, waitForSettlement: boolean): Promise<SubmitResult> {
    const result = this.ledger.closeTicket(ticket, waitForSettlement);
    if (result) return Promise.resolve(result);
    this.keepAlive.hold();
    // The SDK exports one batch at a time and waits for this answer: its records must not sit
    // out flushIntervalMs waiting for companions that cannot come.
    this.directWaiting++;
    this.pump();
    return new Promise((resolve) => {
      ticket.resolve = (settled) => {
        this.directWaiting--;
        this.keepAlive.release();
        resolve(settled);
      };
    });
  }

  private acceptOne(record: R, ticket: Ticket, knownBytes?: number): void {
    const { maxBatchBytes } = this;
    const bytes = knownBytes ?? this.sizing.wireBytes(record);
    if (bytes > maxBatchBytes) {
      const pieces = this.sizing.split(record, maxBatchBytes);
      if (pieces) {
        for (const piece of pieces) this.acceptOne(piece, ticket);
        return;
      }
    }
    this.ledger.accept(ticket);
    if (this.closing) {
      this.dropAtDoor(record, ticket, 'shutdown', 'the exporter is shut down');
      return;
    }
    if (bytes > maxBatchBytes) {
      this.dropAtDoor(
        record,
        ticket,
        'too_large',
        `record of ${bytes} bytes exceeds maxBatchBytes (${maxBatchBytes})`,
      );
      return;
    }
    const part = this.sizing.sharedPart(record, bytes);
    const heldBytes = this.sizing.ownHeldBytes(bytes, part);
    const heldAlone = heldBytes + (part?.heldBytes ?? 0);
    if (heldAlone > this.options.maxQueueBytes) {
      // It could never be held: evicting others for it would only lose them too.
      this.dropAtDoor(
        record,
        ticket,
        'too_large',
        `record holds ${heldAlone} bytes in memory, more than maxQueueBytes (${this.options.maxQueueBytes})`,
      );
      return;
    }
    if (!this.admission.hasRoom(heldBytes, part)) {
      if (this.options.overflow === 'drop_oldest') this.evictOldestFor(heldBytes, part);
      if (!this.admission.hasRoom(heldBytes, part)) {
        this.dropAtDoor(record, ticket, 'queue_full', this.admission.describeFull());
        return;
      }
    }
    const entry = new HeldEntry(
      record,
      bytes,
      this.ledger.hold(ticket),
      ticket.acceptedAtMs,
      part,
      // A queued-mode caller has its answer already: no need to report back to it per record.
      ticket.tracked ? ticket : undefined,
      undefined,
    );
    this.admission.admit(heldBytes, part);
    this.queue.push(entry);
  }

  private dropAtDoor(record: R, ticket: Ticket, reason: DropReason, detail: string): void {
    this.ledger.dropAtDoor(ticket, reason, detail);
    this.deadLetters.records(reason, [{ record, detail }]);
  }

  /**
   * `drop_oldest`: makes room by dropping the oldest held records that are not in flight.
   * Records awaiting retry were accepted before anything still in the queue, so they go first.
   */
  private evictOldestFor(heldBytes: number, part: SharedPart | undefined): void {
    const evicted: Entry<R>[] = [];
    const endedOperations: Batch<R>[] = [];
    while (!this.admission.hasRoom(heldBytes, part)) {
      const retrying = this.retryWaits.oldestLive();
      const head = this.queue.peek();
      const victims = retrying ? retrying.entries : head ? [head] : [];
      if (victims.length === 0) break;
      if (retrying) endedOperations.push(retrying);
      const accepting = this.acceptingSubmit;
      for (const victim of victims) {
        this.release(victim);
        if (accepting && victim.ticket === undefined && victim.seq > accepting.heldBeforeSeq) {
          victim.ticket = accepting.ticket;
        }
        evicted.push(victim);
      }
    }
    this.settleDropped(
      evicted.map((entry) => ({ entry, detail: 'evicted by drop_oldest to make room' })),
      'queue_full',
    );
    for (const batch of endedOperations) this.endOperation(batch, undefined, 'queue_full');
  }

  // ---- dispatch ------------------------------------------------------------------------------

  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    let waitingForSend = false;
    try {
      // Until every send allowed is in flight, or ordered delivery holds new batches back while a
      // retry waits: what ends either (a send settling, the retry's timer) pumps again.
      for (;;) {
        if (!this.dispatcher.hasCapacity()) {
          waitingForSend = true;
          break;
        }
        const batch = this.nextBatch();
        if (!batch) {
          waitingForSend = this.options.ordered && this.retryWaits.hasWaiting;
          break;
        }
        if (this.writesSentBatches) this.queue.willSend?.(batch.entries);
        this.dispatcher.dispatch(batch, (sent, outcome) => this.onSent(sent, outcome));
      }
    } finally {
      this.pumping = false;
    }
    // Armed for a head already due, while nothing can be sent, the timer fired at once, found
    // no room and was armed again: some 800 wake-ups a second through a whole backlog.
    if (!waitingForSend) this.batcher.arm();
  }

  /** From a timer there is no caller to tell: a failure (a queue that throws) is logged, not thrown. */
  private pumpFromTimer(): void {
    try {
      this.pump();
    } catch (error) {
      diag.error(`${this.label}: sending failed`, error);
    }
  }

  private nextBatch(): Batch<R> | undefined {
    // Retries go first: their records are the oldest, and their waits are already served.
    const retry = this.retryWaits.takeReady();
    if (retry) return retry;
    // Ordered delivery: nothing newer may overtake a batch that is waiting for its retry.
    if (this.options.ordered && this.retryWaits.hasWaiting) return undefined;
    // Half full: waiting for a batch to fill or come of age would only make new records drop.
    const urgent =
      this.closing ||
      this.flushRequests > 0 ||
      this.directWaiting > 0 ||
      this.admission.isHalfFull();
    const entries = this.batcher.next(urgent);
    return entries ? { entries, attempt: 0, operation: undefined } : undefined;
  }

  /** Carries out what the retry policy decides for each record of a batch that came back. */
  private onSent(batch: Batch<R>, { result, rttMs }: SendOutcome): void {
    this.telemetry.request(rttMs, result.kind);
    this.failureWatch.observe(result, this.now());
    if (result.kind === 'delivered') {
      this.settleDelivered(batch.entries);
      this.endOperation(batch, result.httpStatus, undefined);
      this.pump();
      return;
    }
    const decisions = decide(result, batch.entries, this.options, {
      attempt: batch.attempt + 1,
      nowMs: this.now(),
      jitter: this.options.random,
      shutdownDeadlineMs: this.closing ? this.shutdownDeadlineMs : undefined,
    });
    const pick = (indexes: number[]): Entry<R>[] => indexes.map((i) => batch.entries[i]);
    let continues = false;
    let errorType: string | undefined;
    for (const decision of decisions) {
      switch (decision.action) {
        case 'deliver':
          this.settleDelivered(pick(decision.indexes));
          break;
        case 'drop':
          this.settleDropped(
            decision.indexes.map((i, k) => ({
              entry: batch.entries[i],
              detail: decision.details[k],
            })),
            decision.reason,
          );
          errorType ??= decision.reason;
          if (batch.operation) batch.operation.errorType = decision.reason;
          break;
        case 'retry': {
          continues = true;
          const entries = pick(decision.indexes);
          this.dispatcher.leave(entries.length);
          this.retryWaits.schedule(entries, batch.attempt + 1, decision.delayMs, batch.operation);
          this.retriedRecords += entries.length;
          this.telemetry.retried(entries.length);
          diag.debug(
            `${this.label}: retrying ${entries.length} records in ${Math.round(decision.delayMs)} ms: ${decision.detail}`,
          );
          break;
        }
        case 'split': {
          continues = true;
          const [first, second] = decision.halves.map(pick);
          this.dispatcher.leave(first.length + second.length);
          this.retryWaits.sendNext(second, batch.attempt, batch.operation);
          this.retryWaits.sendNext(first, batch.attempt, batch.operation);
          diag.debug(
            `${this.label}: splitting a batch of ${first.length + second.length} records the backend found too large: ${decision.detail}`,
          );
          break;
        }
      }
    }
    // The operation goes on while some of its records are to be sent again. With no decision at
    // all, shutdown settled every record while the send ran: that was the final attempt's end.
    if (decisions.length === 0) errorType = this.closing ? 'shutdown' : result.kind;
    if (!continues) this.endOperation(batch, result.httpStatus, errorType);
    this.pump();
  }

  /** A batch's records are all final: one observation of the export operation's duration. */
  private endOperation(
    batch: Batch<R>,
    httpStatus: number | undefined,
    errorType: string | undefined,
  ): void {
    const operation = batch.operation;
    if (!operation) return;
    this.telemetry.operation({
      durationMs: this.options.now() - operation.startedAtMs,
      // The final attempt's cause, else an earlier one's: records dropped on the way (a partial
      // success, say) make the operation a failure even when its last send delivered.
      errorType: errorType ?? operation.errorType,
      httpStatus,
    });
  }

  // ---- outcomes ------------------------------------------------------------------------------

  /** Takes a held entry out of wherever it is (an entry awaiting send leaves only at the head). */
  private release(entry: Entry<R>): void {
    switch (entry.state) {
      case 'in_flight':
        this.dispatcher.leave(1);
        break;
      case 'awaiting_retry':
        this.retryWaits.leave(1);
        break;
      case 'awaiting_send':
        if (this.queue.peek() === entry) this.queue.shift();
        break;
      case 'done':
        return;
    }
    this.giveBackRoom(entry);
  }

  /** The entry is done: its own bytes go back, and its shared part's with the last holder. */
  private giveBackRoom(entry: Entry<R>): void {
    entry.state = 'done';
    this.admission.release(this.sizing.ownHeldBytes(entry.bytes, entry.shared), entry.shared);
  }

  /**
   * Delivers those of `entries` still in flight, in one pass (delivered records are always in
   * flight: only a send delivers). A batch that came back delivered whole comes here without
   * asking the retry policy, whose answer to `delivered` is always exactly this.
   */
  private settleDelivered(entries: Entry<R>[]): void {
    let live = entries;
    for (const entry of entries) {
      if (entry.state !== 'in_flight') {
        live = entries.filter((e) => e.state === 'in_flight');
        break;
      }
    }
    if (live.length === 0) return;
    let heldBytes = 0;
    for (const entry of live) {
      entry.state = 'done';
      heldBytes += this.sizing.ownHeldBytes(entry.bytes, entry.shared);
      if (entry.shared !== undefined) this.admission.releasePart(entry.shared);
    }
    this.dispatcher.leave(live.length);
    this.admission.releaseMany(live.length, heldBytes);
    this.ledger.settleDelivered(live);
    this.queue.acknowledge(live);
    this.admission.wakeWaiters();
    this.tellDelivered(live);
  }

  /** The sender's `afterDelivered`, last: nothing here reads the records after it. */
  private tellDelivered(entries: readonly Entry<R>[]): void {
    const sender = this.options.sender;
    if (typeof sender.afterDelivered !== 'function') return;
    const records = new Array<R>(entries.length);
    for (let i = 0; i < entries.length; i++) records[i] = entries[i].record;
    try {
      sender.afterDelivered(records);
    } catch (error) {
      diag.error(`${this.label}: the sender's afterDelivered threw`, error);
    }
  }

  private settleDropped(
    items: { entry: Entry<R>; detail: string }[],
    reason: DropReason,
    options: { quiet?: boolean } = {},
  ): void {
    if (items.length === 0) return;
    if (reason === 'shutdown' && this.queue.persistent) {
      this.keepInSpool(items.map((i) => i.entry));
      return;
    }
    for (const { entry } of items) this.release(entry);
    this.ledger.settleDropped(items, reason);
    if (!options.quiet) {
      diag.warn(`${this.label}: dropped ${items.length} records (${reason}): ${items[0].detail}`);
    }
    if (this.deadLetters.wants(reason)) {
      this.deadLetters.records(
        reason,
        items.map(({ entry, detail }) => ({ record: entry.record, detail })),
      );
    }
    this.queue.acknowledge(items.map((i) => i.entry));
    this.admission.wakeWaiters();
  }

  /**
   * A persistent queue writes what this submit added before the submit answers: what it could
   * not write (spool or disk full, a failing disk) is dropped as `queue_full`, in the submit's
   * result, with the reason.
   */
  private commitToQueue(ticket: Ticket): void {
    const failure = this.queue.commit?.();
    if (!failure || failure.records.length === 0) {
      // Records of this submit are held (written, or kept in memory by a spool that lost its
      // lock): exports are being accepted.
      if (ticket.remaining > 0) this.refusals.accepted(this.now());
      return;
    }
    for (const entry of failure.records) this.giveBackRoom(entry);
    this.ledger.refuseHeld(ticket, failure.records, 'queue_full', failure.reason);
    this.refusals.refused(
      // A reason carries figures that change from export to export: without a cause, one name.
      failure.cause ?? 'the queue refused the export',
      failure.records.length,
      failure.reason,
      this.now(),
    );
    this.deadLetters.records(
      'queue_full',
      failure.records.map((entry) => ({ record: entry.record, detail: failure.reason })),
    );
    this.admission.wakeWaiters();
  }

  private tellSentBeforeRestart(records: R[]): void {
    const sender = this.options.sender;
    if (typeof sender.sentBeforeRestart !== 'function') return;
    try {
      sender.sentBeforeRestart(records);
    } catch (error) {
      diag.error(`${this.label}: the sender's sentBeforeRestart threw`, error);
    }
  }

  /**
   * What an earlier process left in the spool goes first, oldest first, counted as accepted and
   * replayed; records it cannot read back are dropped as `corrupt`, and replayed records beyond
   * this process's queue bounds as `queue_full`.
   */
  private replay(spool: DiskRecordQueue<Entry<R>>): void {
    const recovery = spool.takeRecovery();
    const corruptions = [...recovery.corrupt];
    if (recovery.tornUnknown > 0) {
      // A frame cut short or damaged with no count to believe held at least one record, lost (a
      // power cut inside `interval`'s window, after its export was reported accepted, or damage
      // to the disk). Counted as one each, the least it held, so that a drop counter shows it:
      // a warning alone would leave the loss out of every figure a user alerts on.
      corruptions.push({
        count: recovery.tornUnknown,
        detail: `${recovery.tornUnknown} damaged frames whose record count cannot be read (counted as one record each, the least each held)`,
      });
    }
    let corrupt = 0;
    for (const c of corruptions) corrupt += c.count;
    const total = recovery.records.length + corrupt;
    if (total === 0) return;
    const ticket = this.ledger.openTicket(false, 0);
    this.ledger.acceptReplayed(ticket, total);
    this.telemetry.replayed(total);
    ticket.reportedAccepted = total;
    for (const c of corruptions) {
      for (let i = 0; i < c.count; i++) this.ledger.dropAtDoor(ticket, 'corrupt', c.detail);
      diag.error(
        `${this.label}: ${c.count} records in the spool cannot be read back (corrupt): ${c.detail}`,
      );
    }
    const beyond: number[] = [];
    const sentBefore: R[] = [];
    for (const found of recovery.records) {
      const part = this.sizing.sharedPart(found.record, found.bytes);
      const heldBytes = this.sizing.ownHeldBytes(found.bytes, part);
      if (!this.admission.hasRoom(heldBytes, part)) {
        this.dropAtDoor(
          found.record,
          ticket,
          'queue_full',
          'replayed from the spool beyond the queue bounds',
        );
        beyond.push(found.id);
        continue;
      }
      const entry = new HeldEntry(
        found.record,
        found.bytes,
        this.ledger.hold(ticket),
        Math.floor(found.acceptedAtWallMs - this.clockOriginMs),
        part,
        undefined,
        found.id,
      );
      this.admission.admit(heldBytes, part);
      spool.restore(entry, found.id, found.sentBatch);
      if (found.sentBatch !== undefined) sentBefore.push(found.record);
    }
    spool.forget(beyond);
    if (sentBefore.length > 0) this.tellSentBeforeRestart(sentBefore);
    this.ledger.closeTicket(ticket, false);
    diag.info(
      `${this.label}: replaying ${recovery.records.length - beyond.length} records an earlier process left in the spool`,
    );
    this.pump();
  }

  /**
   * What shutdown would drop, a persistent queue keeps: still on disk, not acknowledged, so the
   * next process replays it. Final for this process's ledger as `leftInSpool`.
   */
  private keepInSpool(entries: Entry<R>[]): void {
    const live = entries.filter((e) => e.state !== 'done');
    for (const entry of live) this.release(entry);
    this.ledger.settleLeftInSpool(live);
    this.telemetry.leftInSpool(live.length);
    this.admission.wakeWaiters();
  }

  private describeDrops(): string {
    const parts = DROP_REASONS.filter((r) => this.ledger.dropped[r] > 0).map(
      (r) => `${r}: ${this.ledger.dropped[r]}`,
    );
    return parts.length > 0 ? parts.join(', ') : 'none';
  }

  // ---- shutdown ------------------------------------------------------------------------------

  private async runShutdown(deadlineMs: number): Promise<void> {
    this.pump();
    const pending = this.ledger.pending;
    if (pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadlineMs - this.now()));
        this.ledger.barrier(Number.MAX_SAFE_INTEGER, pending, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    const abandoned = this.abandonAll();
    this.batcher.stop();
    this.refusals.close(this.now());
    const kept = this.ledger.leftInSpool;
    if (abandoned > 0 || kept > 0 || this.ledger.droppedTotal > 0) {
      const held = this.queue.persistent
        ? `${kept} records not delivered by the deadline were kept in the spool for the next start`
        : `${abandoned} records still held at the deadline were dropped`;
      diag.warn(
        `${this.label}: shut down: ${abandoned > 0 || kept > 0 ? held : 'nothing was held at the deadline'}; in all ${this.ledger.accepted} accepted, ${this.ledger.delivered} delivered, ${this.ledger.droppedTotal} dropped (${this.describeDrops()})`,
      );
    }
    // Closing gets what is left of the deadline, at least CLOSE_GRACE_MS, once for all steps.
    const closeByMs = Math.max(deadlineMs, this.now() + CLOSE_GRACE_MS);
    const left = (): number => Math.max(0, closeByMs - this.now());
    await withTimeout(
      Promise.resolve()
        .then(() => this.options.sender.close?.())
        .catch((error: unknown) => diag.error(`${this.label}: closing the sender failed`, error)),
      left(),
    );
    await this.deadLetters.settled(left());
    await withTimeout(
      this.queue
        .close()
        .catch((error: unknown) => diag.error(`${this.label}: closing the queue failed`, error)),
      left(),
    );
    this.telemetry.close();
  }

  /**
   * Shutdown's deadline passed: whatever is still held is dropped (one WARN line follows with
   * the counts), in-flight sends aborted. Returns how many records were dropped.
   */
  private abandonAll(): number {
    const left: Entry<R>[] = [];
    for (const batch of this.dispatcher.abortAll('shutdown deadline passed')) {
      for (const entry of batch.entries) if (entry.state === 'in_flight') left.push(entry);
    }
    const retrying = this.retryWaits.drain();
    for (const batch of retrying) appendAll(left, batch.entries);
    // Taken off the queue here; settleDropped() then makes them final like the rest.
    appendAll(left, this.queue.drain());
    const live = left.filter((e) => e.state !== 'done');
    this.settleDropped(
      live.map((entry) => ({ entry, detail: 'shutdown deadline passed before delivery' })),
      'shutdown',
      { quiet: true },
    );
    // Batches waiting to retry end their export operation here (in-flight ones end as their
    // aborted send comes back).
    for (const batch of retrying) this.endOperation(batch, undefined, 'shutdown');
    return live.length;
  }
}

/** Waits for `work`, at most `timeoutMs`; the work itself goes on, unwatched. */
async function withTimeout(work: Promise<unknown>, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
}
