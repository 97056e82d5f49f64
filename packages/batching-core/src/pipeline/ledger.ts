import type { SelfTelemetry } from '../telemetry';
import { DROP_REASONS } from '../types';
import type { DropReason } from '../types';
import type { Entry, SubmitResult, Ticket } from './entry';

interface Barrier {
  /** Records accepted up to this sequence number are waited for. */
  seq: number;
  remaining: number;
  resolve: () => void;
}

/**
 * The ledger: the only place where outcome counts, submit tickets and flush barriers change.
 * Every accepted record ends in exactly one bucket, `delivered` or `dropped` (by reason), or is
 * still `pending`; pending is derived (accepted − delivered − dropped), never counted, so the
 * invariant holds by construction and the places where records are can be checked against it.
 */
export class Ledger {
  accepted = 0;
  delivered = 0;
  readonly dropped: Record<DropReason, number> = {
    queue_full: 0,
    shutdown: 0,
    expired: 0,
    too_large: 0,
    rejected: 0,
    corrupt: 0,
    filtered: 0,
    transform_error: 0,
  };
  /** Of `accepted`: records a spool replayed from an earlier process. */
  replayed = 0;
  /** Records a persistent queue kept at shutdown for the next process: final for this one. */
  leftInSpool = 0;
  private lastSeq = 0;
  /** Held records whose submit waits for their outcome: without any, settling skips tickets. */
  private trackedHeld = 0;
  private barriers: Barrier[] = [];

  constructor(private readonly telemetry: SelfTelemetry) {}

  get droppedTotal(): number {
    let total = 0;
    for (const reason of DROP_REASONS) total += this.dropped[reason];
    return total;
  }

  get pending(): number {
    return this.accepted - this.delivered - this.droppedTotal - this.leftInSpool;
  }

  /** The sequence number of the newest record held. */
  get newestSeq(): number {
    return this.lastSeq;
  }

  openTicket(tracked: boolean, acceptedAtMs: number): Ticket {
    return {
      remaining: 0,
      tracked,
      acceptedAtMs,
      reportedAccepted: 0,
      doorDrops: {},
      result: { accepted: 0, delivered: 0, dropped: {}, pending: 0 },
    };
  }

  accept(ticket: Ticket): void {
    this.accepted++;
    ticket.result.accepted++;
  }

  /** The accepted record is held: it gets its place in the order of acceptance. */
  hold(ticket: Ticket): number {
    ticket.remaining++;
    if (ticket.tracked) this.trackedHeld++;
    return ++this.lastSeq;
  }

  /** Accepted and dropped at once, never held. */
  dropAtDoor(ticket: Ticket, reason: DropReason, detail: string): void {
    this.count(reason, 1, ticket, detail);
    ticket.doorDrops[reason] = (ticket.doorDrops[reason] ?? 0) + 1;
  }

  /**
   * The submit's records are all accepted: its telemetry is recorded once, and its result is
   * final now unless it waits for settlement (then `undefined`: the ticket resolves later).
   */
  closeTicket(ticket: Ticket, waitForSettlement: boolean): SubmitResult | undefined {
    this.reportAccepted(ticket);
    for (const reason of DROP_REASONS) {
      const count = ticket.doorDrops[reason];
      if (count) this.telemetry.dropped(count, reason);
    }
    if (waitForSettlement && ticket.remaining > 0) return undefined;
    ticket.result.pending = ticket.remaining;
    ticket.resolve = undefined;
    // Later settlements must not write into a result the caller already holds.
    return { ...ticket.result, dropped: { ...ticket.result.dropped } };
  }

  /**
   * Self-telemetry hears of the submit's records accepted so far: once at its end, and before a
   * blocking submit waits (its first records may be delivered before it ends).
   */
  reportAccepted(ticket: Ticket): void {
    const unreported = ticket.result.accepted - ticket.reportedAccepted;
    if (unreported > 0) this.telemetry.accepted(unreported);
    ticket.reportedAccepted = ticket.result.accepted;
  }

  settleDelivered(entries: readonly Entry<unknown>[]): void {
    if (entries.length === 0) return;
    this.delivered += entries.length;
    this.telemetry.delivered(entries.length);
    if (this.trackedHeld > 0) {
      for (const entry of entries) {
        if (entry.ticket) {
          entry.ticket.result.delivered++;
          this.progress(entry.ticket);
        }
      }
    }
    this.passBarriers(entries);
  }

  settleDropped(
    items: readonly { entry: Entry<unknown>; detail: string }[],
    reason: DropReason,
  ): void {
    if (items.length === 0) return;
    this.telemetry.dropped(items.length, reason);
    for (const { entry, detail } of items) {
      this.count(reason, 1, entry.ticket, detail);
      if (entry.ticket) this.progress(entry.ticket);
    }
    this.passBarriers(items.map((i) => i.entry));
  }

  /**
   * Records a spool left from an earlier process: accepted (and counted replayed) in this one.
   * Self-telemetry counts them as accepted too, so that its figures balance within the process.
   */
  acceptReplayed(ticket: Ticket, count: number): void {
    this.accepted += count;
    this.replayed += count;
    ticket.result.accepted += count;
  }

  /**
   * Held records of the submit still open (`ticket`) that a persistent queue could not write:
   * dropped before the submit answers, so its result says so.
   */
  refuseHeld(
    ticket: Ticket,
    entries: readonly Entry<unknown>[],
    reason: DropReason,
    detail: string,
  ): void {
    if (entries.length === 0) return;
    this.telemetry.dropped(entries.length, reason);
    this.count(reason, entries.length, ticket, detail);
    ticket.remaining -= entries.length;
    if (ticket.tracked) this.trackedHeld -= entries.length;
    this.passBarriers(entries);
  }

  /**
   * Shutdown's deadline passed and a persistent queue keeps these records for the next process:
   * they leave this process's ledger without an outcome here (the next one replays them).
   */
  settleLeftInSpool(entries: readonly Entry<unknown>[]): void {
    if (entries.length === 0) return;
    this.leftInSpool += entries.length;
    for (const entry of entries) if (entry.ticket) this.progress(entry.ticket);
    this.passBarriers(entries);
  }

  /** SDK items that never became records: accepted and dropped as `rejected` in one step. */
  rejectedUnmapped(count: number, detail: string): void {
    this.droppedBeforeQueue(count, 'rejected', detail);
  }

  /** Records accepted and dropped before they were records (unmapped, or left out by the transform). */
  droppedBeforeQueue(count: number, reason: DropReason, detail: string): void {
    if (count <= 0) return;
    this.accepted += count;
    this.telemetry.accepted(count);
    this.telemetry.dropped(count, reason);
    this.count(reason, count, undefined, detail);
  }

  /**
   * Resolves once every record held now (accepted up to `seq`) is settled; `remaining` is how
   * many of them are still pending. Returns a function that withdraws the barrier.
   */
  barrier(seq: number, remaining: number, resolve: () => void): () => void {
    const barrier: Barrier = { seq, remaining, resolve };
    this.barriers.push(barrier);
    return () => {
      this.barriers = this.barriers.filter((b) => b !== barrier);
    };
  }

  private count(
    reason: DropReason,
    count: number,
    ticket: Ticket | undefined,
    detail: string,
  ): void {
    this.dropped[reason] += count;
    if (ticket) {
      ticket.result.dropped[reason] = (ticket.result.dropped[reason] ?? 0) + count;
      ticket.result.firstDropDetail ??= `${reason}: ${detail}`;
    }
  }

  private progress(ticket: Ticket): void {
    ticket.remaining--;
    // An untracked ticket is reached only while its submit is being accepted (an eviction).
    if (ticket.tracked) this.trackedHeld--;
    if (ticket.remaining === 0 && ticket.resolve) {
      const resolve = ticket.resolve;
      ticket.resolve = undefined;
      resolve(ticket.result);
    }
  }

  private passBarriers(entries: readonly Entry<unknown>[]): void {
    if (this.barriers.length === 0) return;
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
}
