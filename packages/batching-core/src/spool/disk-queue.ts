import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import type { QueuedRecord } from '../pipeline/entry';
import { MemoryRecordQueue } from '../pipeline/queue';
import type { QueueCommitFailure, RecordQueue } from '../pipeline/queue';
import type { SpoolCodec } from './codec';
import { encodeAckFrame, encodeDataFrameParts, rangesOf, segmentHeader } from './format';
import { acquireLock } from './lock';
import { ackFileName, recoverSpool, segmentFileName } from './recovery';
import type { Recovery } from './recovery';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface DiskQueueOptions<R> {
  /** This queue's own directory (the pipeline gives `<spool directory>/<name>-<signal>`). */
  directory: string;
  /** Segment and acknowledgement bytes on disk at most: an export that would pass it is refused. */
  maxBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  /** A segment is closed, and a new one begun, once it passes this size. */
  segmentBytes: number;
  codec: SpoolCodec<R>;
  /** Wall-clock ms that records' `acceptedAtMs` counts from (the pipeline's `clockOriginMs`). */
  clockOriginMs: number;
  /** Each fsync's duration, for self-telemetry. */
  onFsync?: (durationMs: number) => void;
}

interface Segment {
  firstId: number;
  endId: number;
  unacked: number;
  diskBytes: number;
  ackFd: number | undefined;
}

/** Where a persistent queue's record sits on disk. */
interface Spooled {
  spoolId?: number;
}

/** What the spool holds now, for `stats()` and self-metrics. */
export interface SpoolState {
  directory: string;
  fsync: FsyncPolicy;
  diskBytes: number;
  maxBytes: number;
  segments: number;
  fsyncs: number;
}

/**
 * A `RecordQueue` that writes every accepted export to an append-only segment log before the
 * export counts as accepted, and forgets records as they are acknowledged, so that a process
 * that dies leaves the next one what it had not finished. Waiting records are also kept in
 * memory (the queue's bounds still apply): disk is for surviving, not for holding more.
 *
 * Layout: `lock` (the holder's pid), `<first id>.seg` (frames of records), `<first id>.ack`
 * (ranges of acknowledged ids of that segment). A segment whose records are all acknowledged is
 * deleted with its acknowledgement file; the one being written stays.
 */
export class DiskRecordQueue<T extends QueuedRecord<unknown>> implements RecordQueue<T> {
  readonly persistent = true;
  /** The waiting records, in memory as well: reads never touch the disk. */
  private readonly memory = new MemoryRecordQueue<T>();
  /** Pushed since the last commit: written by the next `commit()`. */
  private uncommitted: T[] = [];
  /** Uncommitted records acknowledged (evicted) before their commit: not to be written. */
  private cancelled: Set<T> | undefined;
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; fd: number; size: number } | undefined;
  private nextId: number;
  private diskBytes = 0;
  private dirty = false;
  private fsyncs = 0;
  /** Background fsyncs running (`interval`): one at a time is enough. */
  private syncing = 0;
  private readonly whenSynced: (() => void)[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly releaseLock: () => void;
  private recovery: Recovery<unknown> | undefined;
  private ackWriteFailed = false;
  private closed = false;

  constructor(private readonly options: DiskQueueOptions<T['record']>) {
    mkdirSync(options.directory, { recursive: true, mode: 0o700 });
    this.releaseLock = acquireLock(options.directory);
    try {
      const recovery = recoverSpool(options.directory, options.codec);
      this.recovery = recovery;
      this.nextId = recovery.nextId;
      for (const s of recovery.segments) {
        this.segments.push({ ...s, ackFd: undefined });
        this.diskBytes += s.diskBytes;
      }
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    if (options.fsync === 'interval') {
      this.timer = setInterval(() => this.tick(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get length(): number {
    return this.memory.length;
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
      nextId: this.nextId,
      tornUnknown: 0,
    };
    this.recovery = undefined;
    return recovery as Recovery<T['record']>;
  }

  /** A recovered record, already on disk, goes back in the queue without being written again. */
  restore(record: T & Spooled, id: number): void {
    record.spoolId = id;
    this.memory.push(record);
  }

  push(record: T): void {
    this.memory.push(record);
    this.uncommitted.push(record);
  }

  /**
   * Writes what was pushed since the last commit, as one frame. What cannot be written (the
   * spool is full, the disk is, or it fails) is taken back out of the queue and returned, with
   * why: the pipeline drops it, counted.
   */
  commit(): QueueCommitFailure<T> | undefined {
    if (this.uncommitted.length === 0) return undefined;
    let batch = this.uncommitted;
    this.uncommitted = [];
    if (this.cancelled) {
      const cancelled = this.cancelled;
      batch = batch.filter((r) => !cancelled.has(r));
      this.cancelled = undefined;
      if (batch.length === 0) return undefined;
    }
    const acceptedAtWallMs = new Array<number>(batch.length);
    const bytes = new Array<number>(batch.length);
    const records = new Array<T['record']>(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const r = batch[i];
      acceptedAtWallMs[i] = this.wallClockOf(r);
      bytes[i] = r.bytes;
      records[i] = r.record;
    }
    let frame: { head: Buffer; payload: Uint8Array; length: number };
    try {
      frame = encodeDataFrameParts(this.nextId, {
        acceptedAtWallMs,
        bytes,
        payload: this.options.codec.encode(records),
      });
    } catch (error) {
      return this.takeBack(
        batch,
        `the spool codec cannot encode them: ${(error as Error).message}`,
      );
    }
    if (this.diskBytes + frame.length > this.options.maxBytes) {
      return this.takeBack(
        batch,
        `spool full (${this.diskBytes} of ${this.options.maxBytes} bytes on disk, the export needs ${frame.length})`,
      );
    }
    try {
      this.append(frame, batch.length);
    } catch (error) {
      return this.takeBack(batch, `spool write failed: ${describeError(error)}`);
    }
    for (let i = 0; i < batch.length; i++) (batch[i] as T & Spooled).spoolId = this.nextId + i;
    this.nextId += batch.length;
    if (this.options.fsync === 'always') this.syncNow();
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
      else if (this.uncommitted.includes(record)) (this.cancelled ??= new Set()).add(record);
    }
    this.forget(ids);
  }

  /** These ids are final: written down as acknowledged, their segment deleted once all are. */
  forget(ids: readonly number[]): void {
    if (this.closed || ids.length === 0) return;
    const bySegment = new Map<Segment, number[]>();
    for (const id of ids) {
      const segment = this.segmentOf(id);
      if (!segment) continue;
      let ids = bySegment.get(segment);
      if (!ids) bySegment.set(segment, (ids = []));
      ids.push(id);
    }
    for (const [segment, ids] of bySegment) this.acknowledgeIn(segment, ids);
  }

  state(): SpoolState {
    return {
      directory: this.options.directory,
      fsync: this.options.fsync,
      diskBytes: this.diskBytes,
      maxBytes: this.options.maxBytes,
      segments: this.segments.length,
      fsyncs: this.fsyncs,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // A background fsync still running has the active segment's descriptor.
    while (this.syncing > 0) await new Promise<void>((resolve) => this.whenSynced.push(resolve));
    try {
      // A clean stop leaves the spool durable, whatever the policy while running.
      if (this.options.fsync !== 'never') this.syncNow();
      for (const segment of [...this.segments]) {
        if (segment.unacked === 0) this.deleteSegment(segment);
      }
      if (this.active) closeSync(this.active.fd);
      this.active = undefined;
      for (const segment of this.segments) this.closeAck(segment);
    } finally {
      this.releaseLock();
    }
  }

  /** The acceptance time to store: wall-clock, so a later process can age the record. */
  private wallClockOf(record: T): number {
    return this.options.clockOriginMs + record.acceptedAtMs;
  }

  private append(
    frame: { head: Buffer; payload: Uint8Array; length: number },
    count: number,
  ): void {
    const active = this.activeFor(frame.length);
    const before = active.size;
    try {
      writeAll(active.fd, frame.head, frame.payload);
    } catch (error) {
      // Leave no half frame behind for the next write to follow.
      try {
        ftruncateSync(active.fd, before);
      } catch {
        // The next start cuts a torn tail off anyway.
      }
      throw error;
    }
    active.size += frame.length;
    active.segment.endId = this.nextId + count;
    active.segment.unacked += count;
    active.segment.diskBytes += frame.length;
    this.diskBytes += frame.length;
    this.dirty = true;
  }

  private activeFor(frameBytes: number): { segment: Segment; fd: number; size: number } {
    const active = this.active;
    if (
      active &&
      (active.size + frameBytes <= this.options.segmentBytes ||
        active.segment.endId === active.segment.firstId)
    ) {
      return active;
    }
    if (active) {
      // Roll. `always` made every frame durable already; `interval` syncs the finished segment
      // off the event loop and closes it after, `never` closes it at once.
      this.active = undefined;
      if (this.options.fsync === 'interval') this.syncInBackground(active.fd, true);
      else closeSync(active.fd);
      if (active.segment.unacked === 0) this.deleteSegment(active.segment);
    }
    const header = segmentHeader();
    const path = join(this.options.directory, segmentFileName(this.nextId));
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeFully(fd, header);
    } catch (error) {
      closeSync(fd);
      unlinkSync(path);
      throw error;
    }
    const segment: Segment = {
      firstId: this.nextId,
      endId: this.nextId,
      unacked: 0,
      diskBytes: header.length,
      ackFd: undefined,
    };
    this.segments.push(segment);
    this.diskBytes += header.length;
    this.active = { segment, fd, size: header.length };
    return this.active;
  }

  private segmentOf(id: number): Segment | undefined {
    const segments = this.segments;
    let low = 0;
    let high = segments.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const s = segments[mid];
      if (id < s.firstId) high = mid - 1;
      else if (id >= s.endId) low = mid + 1;
      else return s;
    }
    return undefined;
  }

  private acknowledgeIn(segment: Segment, ids: number[]): void {
    segment.unacked -= ids.length;
    if (segment.unacked <= 0 && this.active?.segment !== segment) {
      this.deleteSegment(segment);
      return;
    }
    const frame = encodeAckFrame(rangesOf(ids));
    try {
      segment.ackFd ??= openSync(
        join(this.options.directory, ackFileName(segment.firstId)),
        'a',
        0o600,
      );
      writeFully(segment.ackFd, frame);
      segment.diskBytes += frame.length;
      this.diskBytes += frame.length;
    } catch (error) {
      // A lost acknowledgement only means the record is sent again after a restart.
      if (!this.ackWriteFailed) {
        this.ackWriteFailed = true;
        diag.warn(
          `otelpack spool ${this.options.directory}: writing acknowledgements failed (${describeError(error)}); records delivered since may be sent again after a restart`,
        );
      }
    }
  }

  private deleteSegment(segment: Segment): void {
    this.closeAck(segment);
    for (const name of [segmentFileName(segment.firstId), ackFileName(segment.firstId)]) {
      try {
        unlinkSync(join(this.options.directory, name));
      } catch {
        // Gone already, or undeletable: the next start finds it acknowledged.
      }
    }
    this.diskBytes -= segment.diskBytes;
    const index = this.segments.indexOf(segment);
    if (index >= 0) this.segments.splice(index, 1);
  }

  private closeAck(segment: Segment): void {
    if (segment.ackFd === undefined) return;
    try {
      closeSync(segment.ackFd);
    } catch {
      // Nothing more to do with it.
    }
    segment.ackFd = undefined;
  }

  private syncNow(): void {
    if (!this.dirty || !this.active) return;
    this.dirty = false;
    try {
      this.timedSync(this.active.fd);
    } catch (error) {
      diag.warn(`otelpack spool ${this.options.directory}: fsync failed (${describeError(error)})`);
    }
  }

  /**
   * `interval`: the fsync runs on libuv's thread pool, so the event loop (and every export)
   * does not wait for the disk; what was written before it started is covered.
   */
  private syncInBackground(fd: number, thenClose: boolean): void {
    const start = performance.now();
    this.syncing++;
    fdatasync(fd, (error) => {
      this.syncing--;
      if (error) {
        diag.warn(
          `otelpack spool ${this.options.directory}: fsync failed (${describeError(error)})`,
        );
      } else {
        this.fsyncs++;
        this.options.onFsync?.(performance.now() - start);
      }
      if (thenClose) close(fd, () => undefined);
      if (this.syncing === 0) for (const resolve of this.whenSynced.splice(0)) resolve();
    });
  }

  private tick(): void {
    if (!this.dirty || !this.active || this.syncing > 0) return;
    this.dirty = false;
    this.syncInBackground(this.active.fd, false);
  }

  private timedSync(fd: number): void {
    const start = performance.now();
    fdatasyncSync(fd);
    this.fsyncs++;
    this.options.onFsync?.(performance.now() - start);
  }

  private takeBack(batch: T[], reason: string): QueueCommitFailure<T> {
    // The batch is the newest records: the tail of the queue.
    const refused = new Set(batch);
    for (const record of this.memory.drain()) if (!refused.has(record)) this.memory.push(record);
    return { records: batch, reason };
  }
}

/** Both parts, in one system call when the kernel takes it all (it nearly always does). */
function writeAll(fd: number, head: Buffer, payload: Uint8Array): void {
  const total = head.length + payload.length;
  const written = writevSync(fd, [head, payload]);
  if (written === total) return;
  writeFully(fd, Buffer.concat([head, payload]).subarray(written));
}

function writeFully(fd: number, data: Buffer): void {
  let at = 0;
  while (at < data.length) at += writeSync(fd, data, at, data.length - at);
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code}: ${e.message}` : String(e?.message ?? error);
}
