import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  unlinkSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { join } from 'node:path';
import { diag } from '@opentelemetry/api';
import { describeError, errorCodeOf } from '../errors';
import { isDiskFailure } from './disk-errors';
import {
  SEGMENT_HEADER_BYTES,
  encodeAckFrame,
  encodeSentBatchFrame,
  rangesOf,
  segmentHeader,
} from './format';
import type { IdRange } from './format';
import { ackFileName, segmentFileName } from './recovery';
import type { RecoveredSegment } from './recovery';

export type FsyncPolicy = 'always' | 'interval' | 'never';

export interface SegmentLogOptions {
  directory: string;
  maxBytes: number;
  fsync: FsyncPolicy;
  fsyncIntervalMs: number;
  segmentBytes: number;
  /** Each fsync of a segment, for self-telemetry: its duration, and its error's code if it failed. */
  onFsync?: (durationMs: number, errorCode?: string) => void;
}

interface Segment {
  firstId: number;
  /** One past its last id. */
  endId: number;
  unacked: number;
  diskBytes: number;
}

/** A frame ready to write: its header and columns, and the codec's bytes apart. */
export interface FrameParts {
  head: Buffer;
  payload: Uint8Array;
  length: number;
}

/**
 * The files of one spool: the segment being appended to, the acknowledgement files, which
 * segment an id is in, deleting a segment once all of it is acknowledged, and the fsync policy.
 * It knows frames only as bytes (the queue encodes them).
 */
export class SegmentLog {
  private readonly segments: Segment[] = [];
  private active: { segment: Segment; fd: number; size: number } | undefined;
  /** The id the next record gets. */
  nextId: number;
  /** The sequence number of the next sent batch: on from the last process's. */
  private nextSentSequence: number;
  diskBytes = 0;
  fsyncs = 0;
  /**
   * Segment fsyncs that failed, and directory fsyncs the disk failed. Under `interval` the export
   * was reported accepted before it: what it covered may not survive a power cut (the kernel may
   * drop the pages it could not write), which only this count and a warning show.
   */
  fsyncFailures = 0;
  private dirty = false;
  /** `interval`: a segment was created since the directory was last synced. */
  private directoryDirty = false;
  /** Background fsyncs running (`interval`): one at a time is enough. */
  private syncing = 0;
  private readonly whenSynced: (() => void)[] = [];
  /** Descriptors of segments deleted while a background fsync had them: closed after it. */
  private readonly closeWhenSynced = new Set<number>();
  /** The descriptors a background fsync is running on. */
  private readonly syncingFds = new Set<number>();
  private readonly timer: NodeJS.Timeout | undefined;
  /**
   * The acknowledgement file last appended to, kept open with its size: nearly every delivered
   * batch is acknowledged in the segment being written, and an open, fstat and close around each
   * 20-byte write were three system calls too many (~16 ns a record in the profile). One
   * descriptor whatever the number of segments: one per segment ran out of them.
   */
  private ackFile: { firstId: number; fd: number; size: number } | undefined;
  private ackWriteFailed = false;
  private closed = false;

  constructor(
    private readonly options: SegmentLogOptions,
    recovered: readonly RecoveredSegment[],
    nextId: number,
    nextSentSequence = 1,
  ) {
    this.nextId = nextId;
    this.nextSentSequence = nextSentSequence;
    for (const s of recovered) {
      this.segments.push({ ...s });
      this.diskBytes += s.diskBytes;
    }
    if (options.fsync === 'interval') {
      this.timer = setInterval(() => this.tick(), options.fsyncIntervalMs);
      this.timer.unref();
    }
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /**
   * The disk bytes that writing a frame of `frameBytes` takes now: the frame, and a segment
   * header when the frame begins a segment (none yet, or the one being written is too full).
   */
  bytesToWrite(frameBytes: number): number {
    return frameBytes + (this.fitsActive(frameBytes) ? 0 : SEGMENT_HEADER_BYTES);
  }

  /** Writes a frame of `count` records from `nextId`, or throws what the disk said. */
  write(frame: FrameParts, count: number): void {
    this.append(frame, count);
    this.nextId += count;
  }

  /**
   * Deletes the segment being written when every record in it is acknowledged, so that the
   * space it holds counts again: a spool whose `maxBytes` a single segment reaches would
   * otherwise stay full, its last segment never rolled and never deleted.
   */
  reclaimActive(): boolean {
    const active = this.active;
    if (!active || active.segment.unacked > 0) return false;
    this.active = undefined;
    this.dirty = false;
    if (this.syncingFds.has(active.fd)) {
      // A background fsync holds the descriptor: it closes it when done.
      this.deleteSegment(active.segment);
      this.closeWhenSynced.add(active.fd);
      return true;
    }
    closeSync(active.fd);
    this.deleteSegment(active.segment);
    return true;
  }

  /** These ids are final: written down as acknowledged, their segment deleted once all are. */
  forget(ids: readonly number[]): void {
    if (this.closed || ids.length === 0) return;
    // A delivered batch nearly always lies in one segment: one search instead of one per id.
    const only = this.segmentOf(ids[0]);
    if (only && ids.every((id) => id >= only.firstId && id < only.endId)) {
      this.acknowledgeIn(only, ids.slice());
      return;
    }
    const bySegment = new Map<Segment, number[]>();
    for (const id of ids) {
      const segment = this.segmentOf(id);
      if (!segment) continue;
      let ofSegment = bySegment.get(segment);
      if (!ofSegment) bySegment.set(segment, (ofSegment = []));
      ofSegment.push(id);
    }
    for (const [segment, ofSegment] of bySegment) this.acknowledgeIn(segment, ofSegment);
  }

  /**
   * Writes down that the ids of `ranges` (sorted) go out in one request, in the acknowledgement
   * file of each segment holding some of them (its own ids): a segment is deleted only once all
   * of its records are acknowledged, so a batch's record outlives every one of its records still
   * to be sent.
   * Not synced, as acknowledgements are not: after a power cut a batch may be replayed cut
   * otherwise, as it would have been without this record.
   */
  recordSent(ranges: readonly IdRange[]): void {
    if (this.closed || ranges.length === 0) return;
    const sequence = this.nextSentSequence++;
    // Nearly every batch lies in one segment: one search instead of a look at each.
    const first = ranges[0].first;
    const last = ranges[ranges.length - 1];
    const only = this.segmentOf(first);
    if (only && last.first + last.count <= only.endId) {
      this.appendCounted(only, encodeSentBatchFrame(sequence, ranges));
      return;
    }
    // Each file names only its own segment's ids, under the one sequence: a segment deleted at
    // a clean close gives its ids to the next process's records, which a frame in an older
    // segment's file naming them would wrongly put in this batch.
    for (const segment of this.segments) {
      const own = clip(ranges, segment.firstId, segment.endId);
      if (own.length > 0 && !this.appendCounted(segment, encodeSentBatchFrame(sequence, own))) {
        return;
      }
    }
  }

  /**
   * `keepFiles`: the directory is another process's now (its lock was taken over): descriptors
   * are closed, and nothing is synced, deleted or written.
   */
  async close(keepFiles = false): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    // A background fsync still running has the active segment's descriptor.
    while (this.syncing > 0) await new Promise<void>((resolve) => this.whenSynced.push(resolve));
    this.closeAckFile();
    if (keepFiles) {
      if (this.active) closeSync(this.active.fd);
      this.active = undefined;
      return;
    }
    // A clean stop leaves the spool durable, whatever the policy while running: the active
    // segment's bytes, and the name of one created since the last tick.
    if (this.options.fsync !== 'never') {
      this.syncNow();
      if (this.directoryDirty) this.syncDirectory();
    }
    for (const segment of [...this.segments]) {
      if (segment.unacked === 0) this.deleteSegment(segment);
    }
    if (this.active) closeSync(this.active.fd);
    this.active = undefined;
  }

  private append(frame: FrameParts, count: number): void {
    const active = this.activeFor(frame.length);
    const before = active.size;
    try {
      // At the size we count, not the descriptor's offset: after a failed write is cut back
      // below, the offset is still past the cut, and the next frame would follow a hole.
      writeAll(active.fd, frame.head, frame.payload, before);
      // `always`: durable before the export counts as accepted, or not accepted at all (after a
      // failed fsync the kernel may have dropped the pages it could not write).
      if (this.options.fsync === 'always') this.timedSync(active.fd);
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

  /** Whether a frame of `frameBytes` goes in the segment being written (else one is begun). */
  private fitsActive(frameBytes: number): boolean {
    const active = this.active;
    return (
      active !== undefined &&
      // A segment takes its first frame whatever its size.
      (active.size + frameBytes <= this.options.segmentBytes ||
        active.segment.endId === active.segment.firstId)
    );
  }

  private activeFor(frameBytes: number): { segment: Segment; fd: number; size: number } {
    const active = this.active;
    if (active && this.fitsActive(frameBytes)) return active;
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
      writeFully(fd, header, 0);
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
    };
    this.segments.push(segment);
    this.diskBytes += header.length;
    this.active = { segment, fd, size: header.length };
    // A new file's name is in the directory, which has its own fsync: without it a power cut
    // can lose the whole segment however often the file was synced.
    if (this.options.fsync === 'always') this.syncDirectory();
    else if (this.options.fsync === 'interval') this.directoryDirty = true;
    return this.active;
  }

  private syncDirectory(): void {
    this.directoryDirty = false;
    let fd: number | undefined;
    try {
      fd = openSync(this.options.directory, 'r');
      fsyncSync(fd);
    } catch (error) {
      if (isDiskFailure(error)) {
        // The disk failed it: the new segment's name may not survive a power cut, which matters
        // as much as a failed fsync of the segment itself.
        this.fsyncFailures++;
        diag.warn(
          `otelpack spool ${this.options.directory}: directory fsync failed (${describeError(error)})`,
        );
      } else {
        // Not every platform syncs a directory (Windows cannot open one): the file's own syncs stand.
        diag.debug(
          `otelpack spool ${this.options.directory}: directory fsync: ${describeError(error)}`,
        );
      }
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
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
    this.appendCounted(segment, encodeAckFrame(rangesOf(ids)));
  }

  /** A frame appended to the segment's acknowledgement file, its bytes counted; false if not. */
  private appendCounted(segment: Segment, frame: Buffer): boolean {
    try {
      this.appendAck(segment, frame);
    } catch (error) {
      this.ackFailed(error);
      return false;
    }
    segment.diskBytes += frame.length;
    this.diskBytes += frame.length;
    return true;
  }

  /**
   * Said once: a lost acknowledgement only means the record is sent again after a restart, a
   * lost sent batch that it may be sent again cut otherwise.
   */
  private ackFailed(error: unknown): void {
    if (this.ackWriteFailed) return;
    this.ackWriteFailed = true;
    diag.warn(
      `otelpack spool ${this.options.directory}: writing acknowledgements failed (${describeError(error)}); records delivered since may be sent again after a restart`,
    );
  }

  /**
   * One acknowledgement frame appended to the segment's file. A write cut short is cut back off,
   * so that the file holds whole frames (recovery skips a damaged one, but a frame appended
   * after a torn one could be misread as its continuation); the file is then closed, so that
   * the next append measures it again. It is cut only when nothing but this frame's bytes came
   * after the size kept: another process's frames (the lock taken over) are never cut.
   */
  private appendAck(segment: Segment, frame: Buffer): void {
    let file = this.ackFile;
    if (file?.firstId !== segment.firstId) {
      this.closeAckFile();
      const fd = openSync(join(this.options.directory, ackFileName(segment.firstId)), 'a', 0o600);
      try {
        file = { firstId: segment.firstId, fd, size: fstatSync(fd).size };
      } catch (error) {
        closeSync(fd);
        throw error;
      }
      this.ackFile = file;
    }
    try {
      // Opened to append: each write lands at the end, after a cut too.
      writeFully(file.fd, frame, null);
      file.size += frame.length;
    } catch (error) {
      try {
        const grown = fstatSync(file.fd).size - file.size;
        if (grown > 0 && grown < frame.length) ftruncateSync(file.fd, file.size);
      } catch {
        // The next start skips the cut frame: the records it named are sent again.
      }
      this.closeAckFile();
      throw error;
    }
  }

  /**
   * A file system that reports a failed write only at close (NFS, CIFS: EIO, ENOSPC, EDQUOT) has
   * lost acknowledgements then: said like a failed write.
   */
  private closeAckFile(): void {
    const file = this.ackFile;
    if (!file) return;
    this.ackFile = undefined;
    try {
      closeSync(file.fd);
    } catch (error) {
      this.ackFailed(error);
    }
  }

  private deleteSegment(segment: Segment): void {
    if (this.ackFile?.firstId === segment.firstId) this.closeAckFile();
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

  private syncNow(): void {
    if (!this.dirty || !this.active) return;
    this.dirty = false;
    try {
      this.timedSync(this.active.fd);
    } catch {
      // Counted and said by timedSync.
    }
  }

  /**
   * `interval`: the fsync runs on libuv's thread pool, so the event loop (and every export)
   * does not wait for the disk; what was written before it started is covered.
   */
  private syncInBackground(fd: number, thenClose: boolean): void {
    const start = performance.now();
    this.syncing++;
    this.syncingFds.add(fd);
    fdatasync(fd, (error) => {
      this.syncing--;
      this.syncingFds.delete(fd);
      if (error) {
        this.fsyncFailed(performance.now() - start, error);
      } else {
        this.fsyncs++;
        this.options.onFsync?.(performance.now() - start);
      }
      if (thenClose || this.closeWhenSynced.delete(fd)) close(fd, () => undefined);
      if (this.syncing === 0) for (const resolve of this.whenSynced.splice(0)) resolve();
    });
  }

  private tick(): void {
    if (this.directoryDirty) this.syncDirectory();
    if (!this.dirty || !this.active || this.syncing > 0) return;
    this.dirty = false;
    this.syncInBackground(this.active.fd, false);
  }

  /** Throws what the fsync threw, once counted and said: `always` takes the export back. */
  private timedSync(fd: number): void {
    const start = performance.now();
    try {
      fdatasyncSync(fd);
    } catch (error) {
      this.fsyncFailed(performance.now() - start, error);
      throw error;
    }
    this.fsyncs++;
    this.options.onFsync?.(performance.now() - start);
  }

  private fsyncFailed(durationMs: number, error: unknown): void {
    this.fsyncFailures++;
    this.options.onFsync?.(durationMs, errorCodeOf(error));
    diag.warn(`otelpack spool ${this.options.directory}: fsync failed (${describeError(error)})`);
  }
}

/** The parts of `ranges` (sorted) within [first, end). */
function clip(ranges: readonly IdRange[], first: number, end: number): IdRange[] {
  const within: IdRange[] = [];
  for (const range of ranges) {
    const from = Math.max(range.first, first);
    const to = Math.min(range.first + range.count, end);
    if (from < to) within.push({ first: from, count: to - from });
  }
  return within;
}

/**
 * Both parts at `position`, in one system call when the kernel takes it all (it nearly always
 * does).
 */
function writeAll(fd: number, head: Buffer, payload: Uint8Array, position: number): void {
  // A frame built in one buffer (the built-in codecs) is one write.
  if (payload.length === 0) return writeFully(fd, head, position);
  const total = head.length + payload.length;
  const written = writevSync(fd, [head, payload], position);
  if (written === total) return;
  writeFully(fd, Buffer.concat([head, payload]).subarray(written), position + written);
}

/** All of `data` at `position`, or where the descriptor is (`null`: a file opened to append). */
function writeFully(fd: number, data: Buffer, position: number | null): void {
  let at = 0;
  while (at < data.length) {
    at += writeSync(fd, data, at, data.length - at, position === null ? null : position + at);
  }
}
