import { diag } from '@opentelemetry/api';

/** How an acknowledgement wait ended. */
export type AckOutcome =
  | { kind: 'acked' }
  /** The ack endpoint said acknowledgement is off for the token: the 200 is all there is. */
  | { kind: 'unsupported'; reason: string }
  | { kind: 'timeout' }
  | { kind: 'aborted'; reason: string };

/** One poll of `/services/collector/ack`: the ids asked for, each true once indexed. */
export type AckQuery = (
  ids: number[],
) => Promise<{ acks: Record<string, boolean> } | { unsupported: string } | { failed: string }>;

/** How the tracker speaks in the log: the exporter's name, and the transport's redaction. */
export interface AckLog {
  name: string;
  redact: (text: string) => string;
}

interface Waiter {
  id: number;
  deadlineMs: number;
  settle: (outcome: AckOutcome) => void;
}

/**
 * The pending ackIds of one channel, and the one poll loop that asks for all of them at a time
 * (Splunk's advice: one `/ack` request for many ids, not one per id). A wait ends when Splunk says
 * the id was indexed, when its timeout passes (the caller sends the batch again), or when its
 * signal aborts (shutdown). The timer is unref'd: pending acks never keep the process alive.
 */
export class AckTracker {
  private readonly waiters = new Map<number, Waiter>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Polls made, and ids acknowledged: for stats and tests. */
  polls = 0;
  acknowledged = 0;

  constructor(
    private readonly query: AckQuery,
    private readonly pollIntervalMs: number,
    private readonly timeoutMs: number,
    private readonly log: AckLog = { name: 'splunk-hec', redact: (text) => text },
    private readonly now: () => number = Date.now,
  ) {}

  get pending(): number {
    return this.waiters.size;
  }

  wait(id: number, signal: AbortSignal): Promise<AckOutcome> {
    return new Promise<AckOutcome>((resolve) => {
      const onAbort = (): void =>
        finish({
          kind: 'aborted',
          reason: String((signal.reason as Error)?.message ?? signal.reason),
        });
      const finish = (outcome: AckOutcome): void => {
        if (this.waiters.get(id) !== waiter) return;
        this.waiters.delete(id);
        signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const waiter: Waiter = { id, deadlineMs: this.now() + this.timeoutMs, settle: finish };
      // An id HEC hands out again (a new channel, a restarted indexer) replaces the stale wait.
      this.waiters.get(id)?.settle({ kind: 'timeout' });
      this.waiters.set(id, waiter);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort);
      this.schedule();
    });
  }

  /** Ends every wait (shutdown): their batches are settled by the core. */
  close(reason: string): void {
    for (const waiter of [...this.waiters.values()]) waiter.settle({ kind: 'aborted', reason });
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.polling || this.waiters.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.pollIntervalMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const ids = [...this.waiters.keys()];
      if (ids.length === 0) return;
      this.polls++;
      // A transport error can quote the request (a proxy echoing headers): redacted before the log.
      const answer = await this.query(ids).catch((error: unknown) => ({
        failed: this.log.redact(String((error as Error)?.message ?? error)),
      }));
      if ('acks' in answer) {
        for (const id of ids) {
          if (answer.acks[String(id)] === true) {
            this.acknowledged++;
            this.waiters.get(id)?.settle({ kind: 'acked' });
          }
        }
      } else if ('unsupported' in answer) {
        for (const id of ids)
          this.waiters.get(id)?.settle({ kind: 'unsupported', reason: answer.unsupported });
      } else {
        diag.warn(
          `otelpack ${this.log.name}: polling acknowledgements failed, will ask again: ${this.log.redact(answer.failed)}`,
        );
      }
      const nowMs = this.now();
      for (const waiter of [...this.waiters.values()]) {
        if (waiter.deadlineMs <= nowMs) waiter.settle({ kind: 'timeout' });
      }
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
