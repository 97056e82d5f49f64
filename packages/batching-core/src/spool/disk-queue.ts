import { mkdirSync } from 'node:fs';
import type { QueuedRecord, SentTogether } from '../pipeline/entry';
import { MemoryRecordQueue } from '../pipeline/queue';
import type { QueueCommitFailure, RecordQueue } from '../pipeline/queue';
import { inScratchEncoderOf } from './codec';
import type { InScratchEncoder, SpoolCodec } from './codec';
import {
  SEGMENT_HEADER_BYTES,
  completeDataFrame,
  dataFrameHeadBytes,
  encodeDataFrameParts,
  rangesOf,
} from './format';
import { diag } from '@opentelemetry/api';
import { describeError, errorCodeOf } from '../errors';
import { isDiskFull } from './disk-errors';
import { acquireLock } from './lock';
import type { SpoolLock } from './lock';
import { recoverSpool } from './recovery';
import type { Recovery } from './recovery';
import { SegmentLog } from './segment-log';
import type { FrameParts, FsyncPolicy, SegmentLogOptions } from './segment-log';

export type { FsyncPolicy };

/**
 * Where a record sits on disk. The pipeline's entries carry the field from birth (entry.ts);
 * other records (the conformance suite's) get it when written.
 */
interface Spooled {
  spoolId?: number;
  sentBatch?: SentTogether;
}

/**
 * `directory` is this queue's own (the pipeline gives `<spool directory>/<name>-<signal>`);
 * `maxBytes` bounds segment and acknowledgement bytes on disk (an export that would pass it is
 * refused); a segment is closed, and the next begun, past `segmentBytes`.
 */
export interface DiskQueueOptions<R> extends SegmentLogOptions {
  codec: SpoolCodec<R>;
  /** Wall-clock ms that records' `acceptedAtMs` counts from (the pipeline's `clockOriginMs`). */
  clockOriginMs: number;
}

/** What the spool holds now, for `stats()` and self-metrics. */
export interface SpoolState {
  directory: string;
  fsync: FsyncPolicy;
  diskBytes: number;
  maxBytes: number;
  segments: number;
  fsyncs: number;
  /** Segment fsyncs that failed, and directory fsyncs the disk failed (each also a warning). */
  fsyncFailures: number;
  /** Why the spool no longer writes (its lock was taken over). */
  error?: string;
}

const LOCK_LOST =
  'its lock was taken over by another process (this one was stopped or paused past the lease?); records are held in memory only from now on, and nothing more is written to the directory';

/**
 * A `RecordQueue` that writes every accepted export to an append-only segment log before the
 * export counts as accepted, and forgets records as they are acknowledged, so that a process
 * that dies leaves the next one what it had not finished. Waiting records are also kept in
 * memory (the queue's bounds still apply): disk is for surviving, not for holding more.
 *
 * Layout: `lock` (the holder's pid), `<first id>.seg` (frames of records), `<first id>.ack`
 * (ranges of acknowledged ids of that segment), kept by `SegmentLog`.
 */
export class DiskRecordQueue<T extends QueuedRecord<unknown>> implements RecordQueue<T> {
  readonly persistent = true;
  /** The waiting records, in memory as well: reads never touch the disk. */
  private readonly memory = new MemoryRecordQueue<T>();
  /** Pushed since the last commit: written by the next `commit()`. */
  private uncommitted: T[] = [];
  /**
   * The same records as a set, made at the first eviction of one of them and kept up to date
   * from then to the commit: a search of the array per evicted record was quadratic in the size
   * of the export, and keeping the set always costs every accepted record.
   */
  private uncommittedSet: Set<T> | undefined;
  /** Uncommitted records acknowledged (evicted) before their commit: not to be written. */
  private cancelled: Set<T> | undefined;
  private readonly log: SegmentLog;
  /** The built-in codecs write their bytes straight after the frame's header (codec.ts). */
  private readonly inScratch: InScratchEncoder<T['record']> | undefined;
  private readonly lock: SpoolLock;
  /** Set when the lock was found taken over: the directory is another process's from then on. */
  private lockLost = false;
  private recovery: Recovery<unknown> | undefined;
  /** The batch `restore` is adding records to: its sequence, and the mark they share. */
  private restoring: { sequence: number; mark: { records: number } } | undefined;
  private closed = false;

  constructor(private readonly options: DiskQueueOptions<T['record']>) {
    mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    this.inScratch = inScratchEncoderOf(options.codec);
    this.lock = acquireLock(options.directory);
    try {
      const recovery = recoverSpool(options.directory, options.codec);
      this.recovery = recovery;
      this.log = new SegmentLog(
        options,
        recovery.segments,
        recovery.nextId,
        recovery.nextSentSequence,
      );
    } catch (error) {
      this.lock();
      throw error;
    }
  }

  get length(): number {
    return this.memory.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get bytes(): number {
    return this.memory.bytes;
  }

  /** What the last process left (once): the pipeline counts it and gives it back with `restore`. */
  takeRecovery(): Recovery<T['record']> {
    const recovery = this.recovery ?? {
      records: [],
      corrupt: [],
      segments: [],
      nextId: this.log.nextId,
      tornUnknown: 0,
      nextSentSequence: 1,
    };
    this.recovery = undefined;
    return recovery as Recovery<T['record']>;
  }

  /**
   * A recovered record, already on disk, goes back in the queue without being written again.
   * Records restored one after the other with the same `sentBatch` (the recovery's sequence of
   * the request that last carried them) share one mark, which the batcher cuts them by.
   */
  restore(record: T & Spooled, id: number, sentBatch?: number): void {
    record.spoolId = id;
    if (sentBatch !== undefined) {
      const last = this.restoring;
      if (last?.sequence === sentBatch) last.mark.records++;
      else this.restoring = { sequence: sentBatch, mark: { records: 1 } };
      record.sentBatch = (this.restoring as { mark: SentTogether }).mark;
    }
    this.memory.push(record);
  }

  /**
   * Writes down which records go out in this request, unless they are exactly the ones written
   * down last time (a retry of the whole batch, or a replayed batch sent as it was).
   */
  willSend(records: readonly (T & Spooled)[]): void {
    if (records.length === 0 || this.closed || this.lockLost) return;
    const mark = records[0].sentBatch;
    if (mark?.records === records.length && records.every((r) => r.sentBatch === mark)) return;
    const ids: number[] = [];
    for (const record of records) if (record.spoolId !== undefined) ids.push(record.spoolId);
    if (ids.length === 0 || !this.stillHeld()) return;
    this.log.recordSent(rangesOf(ids));
    const sent: SentTogether = { records: records.length };
    for (const record of records) record.sentBatch = sent;
  }

  push(record: T): void {
    this.memory.push(record);
    this.uncommitted.push(record);
    this.uncommittedSet?.add(record);
  }

  /**
   * Writes what was pushed since the last commit, as one frame. What cannot be written (the
   * spool is full, the disk is, or it fails) is taken back out of the queue and returned, with
   * why: the pipeline drops it, counted.
   */
  commit(): QueueCommitFailure<T> | undefined {
    if (this.uncommitted.length === 0) return undefined;
    if (this.lockLost || !this.stillHeld()) {
      // Kept in memory, delivered as without a spool: the files are another process's now.
      this.uncommitted = [];
      this.uncommittedSet = undefined;
      this.cancelled = undefined;
      return undefined;
    }
    let batch = this.uncommitted;
    this.uncommitted = [];
    this.uncommittedSet = undefined;
    if (this.cancelled) {
      const cancelled = this.cancelled;
      batch = batch.filter((r) => !cancelled.has(r));
      this.cancelled = undefined;
      if (batch.length === 0) return undefined;
    }
    // Typed columns: the frame copies them as they are.
    const acceptedAtWallMs = new Float64Array(batch.length);
    const bytes = new Uint32Array(batch.length);
    const records = new Array<T['record']>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      acceptedAtWallMs[i] = this.wallClockOf(r);
      bytes[i] = r.bytes;
      records[i] = r.record;
    }
    let frame: FrameParts;
    const firstId = this.log.nextId;
    try {
      const whole = this.inScratch?.(records, dataFrameHeadBytes(batch.length));
      frame = whole
        ? {
            head: completeDataFrame(whole, firstId, acceptedAtWallMs, bytes),
            payload: NO_BYTES,
            length: whole.length,
          }
        : encodeDataFrameParts(firstId, {
            acceptedAtWallMs,
            bytes,
            payload: this.options.codec.encode(records),
          });
    } catch (error) {
      return this.takeBack(
        batch,
        `the spool codec cannot encode them: ${(error as Error).message}`,
        'the spool codec cannot encode them',
      );
    }
    // In a spool of its own, the frame needs a segment's header too.
    const alone = frame.length + SEGMENT_HEADER_BYTES;
    if (alone > this.options.maxBytes) {
      // Never to fit, however much is delivered: said so, not as a spool that is merely full.
      return this.takeBack(
        batch,
        `an export of ${batch.length} records needs ${alone} bytes on disk, more than spool.maxBytes (${this.options.maxBytes}) holds: raise spool.maxBytes, or export fewer records at a time`,
        'export larger than spool.maxBytes',
      );
    }
    // A segment whose every record is acknowledged gives its space back before the export is
    // refused; then the frame needs a header only if it begins a segment.
    if (this.log.diskBytes + this.log.bytesToWrite(frame.length) > this.options.maxBytes) {
      this.log.reclaimActive();
    }
    const needed = this.log.bytesToWrite(frame.length);
    const onDisk = this.log.diskBytes;
    if (onDisk + needed > this.options.maxBytes) {
      return this.takeBack(
        batch,
        `spool full (${onDisk} of ${this.options.maxBytes} bytes on disk, the export needs ${needed})`,
        'spool full',
      );
    }
    try {
      this.log.write(frame, batch.length);
    } catch (error) {
      // The disk itself is full (not maxBytes, checked above): a segment whose every record is
      // acknowledged gives its space back, and the export is written once more. Without it, a
      // full disk refused every export while the spool's own delivered segment held the space.
      if (!isDiskFull(error) || !this.log.reclaimActive()) return this.writeFailed(batch, error);
      try {
        this.log.write(frame, batch.length);
      } catch (again) {
        return this.writeFailed(batch, again);
      }
    }
    for (let i = 0; i < batch.length; i++) (batch[i] as T & Spooled).spoolId = firstId + i;
    return undefined;
  }

  peek(): T | undefined {
    return this.memory.peek();
  }

  shift(): T | undefined {
    return this.memory.shift();
  }

  drain(): T[] {
    return this.memory.drain();
  }

  acknowledge(records: readonly T[]): void {
    if (this.closed) return;
    const ids: number[] = [];
    for (const record of records) {
      const id = (record as T & Spooled).spoolId;
      if (id !== undefined) ids.push(id);
      // Evicted before its export was written: it must not be written now.
      else if ((this.uncommittedSet ??= new Set(this.uncommitted)).has(record)) {
        (this.cancelled ??= new Set()).add(record);
      }
    }
    this.forget(ids);
  }

  /**
   * These ids are final: written down as acknowledged, their segment deleted once all are. Not
   * once the lock is another process's: its files are no longer ours to write or delete (checked
   * here too, not only before a write: a takeover between exports would otherwise go unseen).
   */
  forget(ids: readonly number[]): void {
    if (ids.length > 0 && !this.closed && !this.lockLost && this.stillHeld()) this.log.forget(ids);
  }

  state(): SpoolState {
    return {
      directory: this.options.directory,
      fsync: this.options.fsync,
      diskBytes: this.log.diskBytes,
      maxBytes: this.options.maxBytes,
      segments: this.log.segmentCount,
      fsyncs: this.log.fsyncs,
      fsyncFailures: this.log.fsyncFailures,
      // The lock is looked at too (one stat): its refresh timer may have seen a takeover that no
      // write has met yet, and the state feeds the spool.unavailable gauge.
      ...(this.lockLost || (!this.closed && !this.lock.held()) ? { error: LOCK_LOST } : {}),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A takeover since the last write: sync, delete and write nothing of the new owner's.
    if (!this.lockLost && !this.lock.held()) this.lockLost = true;
    try {
      await this.log.close(this.lockLost);
    } finally {
      this.lock();
    }
  }

  /**
   * Whether the lock is still this queue's (another process takes it over only when it was not
   * refreshed for a minute: this process was stopped or frozen that long). Checked before each
   * write: two processes appending to the same segments would corrupt them.
   */
  private stillHeld(): boolean {
    if (this.lock.held()) return true;
    this.lockLost = true;
    // Its descriptors too: kept open, they would hold names the new owner deletes (Windows).
    this.log.close(true).catch((error: unknown) => {
      diag.debug(`otelpack spool ${this.options.directory}: closing: ${describeError(error)}`);
    });
    diag.warn(`otelpack spool ${this.options.directory}: ${LOCK_LOST}`);
    return false;
  }

  /** The acceptance time to store: wall-clock, so a later process can age the record. */
  private wallClockOf(record: T): number {
    return this.options.clockOriginMs + record.acceptedAtMs;
  }

  private writeFailed(batch: T[], error: unknown): QueueCommitFailure<T> {
    return this.takeBack(
      batch,
      `spool write failed: ${describeError(error)}`,
      `spool write failed: ${errorCodeOf(error)}`,
    );
  }

  private takeBack(batch: T[], reason: string, cause: string): QueueCommitFailure<T> {
    // The batch is the newest records: the tail of the queue.
    const refused = new Set(batch);
    for (const record of this.memory.drain()) if (!refused.has(record)) this.memory.push(record);
    return { records: batch, reason, cause };
  }
}

const NO_BYTES = new Uint8Array(0);
