import { context, createContextKey, diag } from '@opentelemetry/api';
import type { ConcurrencyLimiter } from '../concurrency';
import { describeError, OtelpackError } from '../errors';
import type { BatchSender, SendResult } from '../types';
import type { Batch, Entry } from './entry';

/** How one send ended, with what the telemetry and the limiter want to know. */
export interface SendOutcome {
  result: SendResult;
  rttMs: number;
}

/**
 * Sends batches under the concurrency limit, one request each, with a deadline and an abort
 * signal, outside any trace. It knows which batches are in flight and how many records they
 * hold; what a result means for the records is the retry policy's business.
 */
export class Dispatcher<R> {
  inFlightItems = 0;
  requests = 0;
  private readonly inFlight = new Map<Batch<R>, AbortController>();

  constructor(
    private readonly sender: BatchSender<R>,
    private readonly limiter: ConcurrencyLimiter,
    private readonly requestTimeoutMs: number,
    /** Round-trip times want a monotonic clock. */
    private readonly monotonicNow: () => number,
  ) {}

  get inFlightRequests(): number {
    return this.inFlight.size;
  }

  get limit(): number {
    return this.limiter.limit;
  }

  hasCapacity(): boolean {
    return this.inFlight.size < this.limiter.limit;
  }

  /** Sends `batch`; `onSettled` gets the outcome once, whatever the sender does. */
  dispatch(batch: Batch<R>, onSettled: (batch: Batch<R>, outcome: SendOutcome) => void): void {
    for (const entry of batch.entries) entry.state = 'in_flight';
    this.inFlightItems += batch.entries.length;
    this.requests++;
    const abort = new AbortController();
    this.inFlight.set(batch, abort);
    const inFlightAtStart = this.inFlight.size;
    const startedMs = this.monotonicNow();
    batch.operation ??= { startedAtMs: startedMs, errorType: undefined };
    void this.sendOnce(batch, abort).then((result) => {
      this.inFlight.delete(batch);
      const rttMs = this.monotonicNow() - startedMs;
      const backpressure =
        (result.kind === 'retryable' || result.kind === 'partial') && result.backpressure === true;
      this.limiter.onResponse({ rttMs, backpressure, inFlightAtStart });
      try {
        onSettled(batch, { result, rttMs });
      } catch (error) {
        // A bug here must not become an unhandled rejection in the application.
        diag.error('otelpack: settling a batch failed', error);
      }
    });
  }

  /** An in-flight record left the batch's count (delivered, dropped or rescheduled). */
  leave(count: number): void {
    this.inFlightItems -= count;
  }

  /** Aborts every send in flight; returns their batches, whose records are still in flight. */
  abortAll(reason: string): Batch<R>[] {
    const batches = [...this.inFlight.keys()];
    for (const abort of this.inFlight.values()) {
      abort.abort(new OtelpackError('OTELPACK_ERR_SHUTDOWN', reason));
    }
    return batches;
  }

  /** One send with a deadline; always resolves, whatever the sender does. */
  private sendOnce(batch: Batch<R>, abort: AbortController): Promise<SendResult> {
    const records = batch.entries.map((e: Entry<R>) => e.record);
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
}

/**
 * The context key with which the OpenTelemetry SDK marks work that must not be traced
 * (@opentelemetry/core's suppressTracing). createContextKey keys by Symbol.for(description), so
 * the same key is made here without depending on @opentelemetry/core.
 */
const SUPPRESS_TRACING_KEY = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** A sender's answer made safe to act on: anything malformed becomes a retryable failure. */
export function validResult(result: SendResult, batchSize: number): SendResult {
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
