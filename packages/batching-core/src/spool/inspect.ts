import { readFileSync, readdirSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describeError } from '../errors';
import {
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  decodeDataBody,
  plausibleDataBody,
  scanFrames,
} from './format';
import type { IdRange, SentBatch } from './format';
import { LOCK_FILE, SpoolLockedError, acquireLock, lockHolder } from './lock';
import type { LockHolder } from './lock';
import {
  ackFileName,
  isSpoolFileName,
  labelByLastSentBatch,
  readAckFile,
  segmentFileName,
  segmentFirstIds,
} from './recovery';

/*
 * What a spool holds, read without changing a byte of it (recovery, by contrast, cuts torn tails
 * and writes damaged ids down as acknowledged): for an operator deciding whether a backlog is
 * worth keeping, and for `otelpack-spool inspect`. No codec is needed: records are counted from
 * the frames' headers, not decoded.
 */

export interface SegmentInspection {
  file: string;
  /** The segment's and its acknowledgement file's bytes. */
  bytes: number;
  /** Records in frames whose checksum holds. */
  records: number;
  acknowledged: number;
  /** Records written and not acknowledged: what the next start replays. */
  waiting: number;
  /** Frames whose checksum fails, and bytes after the last readable frame (a torn tail). */
  damagedFrames: number;
  tornBytes: number;
  /** Why the segment cannot be read at all (its header), if so. */
  problem?: string;
  /** Acceptance times of its oldest and newest waiting records (wall-clock ms). */
  oldestWaitingAtMs?: number;
  newestWaitingAtMs?: number;
}

export interface SpoolQueueInspection {
  /** `<spool directory>/<name>-<signal>`: one exporter's signal. */
  directory: string;
  /** Why the queue could not be read (`EACCES: …`); its counts are then zero. */
  error?: string;
  /** Who holds the lock now; undefined when no process does. */
  lock: LockHolder | undefined;
  segments: SegmentInspection[];
  bytes: number;
  records: number;
  acknowledged: number;
  waiting: number;
  damagedFrames: number;
  /**
   * Requests sent before the holder stopped whose records still wait, each counted by the last
   * request that carried them, as the next start replays them (as they were cut).
   */
  sentBatchesWaiting: number;
  oldestWaitingAtMs?: number;
  newestWaitingAtMs?: number;
}

/**
 * The queues in `directory`: the spool's own directory (the `spool.directory` option), whose
 * sub-directories are one per exporter and signal, or one of those sub-directories.
 */
export function inspectSpool(directory: string): SpoolQueueInspection[] {
  return queueDirectories(directory).map(inspectQueue);
}

/** What `emptySpool` deleted, per queue directory. */
export interface EmptiedQueue {
  directory: string;
  files: string[];
  /** Records deleted unsent. */
  waiting: number;
}

export interface EmptiedSpool {
  emptied: EmptiedQueue[];
  /** Queues left as they were: a live process holds them, or they could not be read. */
  refused: { directory: string; error: Error }[];
}

/**
 * Deletes what the spool holds, queue by queue, each under its lock: a queue a live process
 * holds is refused (`SpoolLockedError`, in `refused`), never emptied under it, and the others
 * are still emptied. A holder in another PID namespace counts as live until its lease runs out
 * (`LockHolder.stale`), where an exporter opening the spool would take it over at once. The
 * directories stay.
 */
export function emptySpool(directory: string): EmptiedSpool {
  const result: EmptiedSpool = { emptied: [], refused: [] };
  for (const queue of queueDirectories(directory)) {
    try {
      result.emptied.push(emptyQueue(queue));
    } catch (error) {
      result.refused.push({ directory: queue, error: error as Error });
    }
  }
  return result;
}

function emptyQueue(queue: string): EmptiedQueue {
  const holder = lockHolder(queue);
  if (holder && !holder.stale) {
    throw new SpoolLockedError(queue, holder.pid, { host: holder.host });
  }
  const release = acquireLock(queue);
  try {
    const { waiting, error } = inspectQueue(queue);
    if (error) throw new Error(`${queue}: ${error}`);
    const files = readdirSync(queue).filter(isSpoolFileName).sort();
    for (const file of files) unlinkSync(join(queue, file));
    return { directory: queue, files, waiting };
  } finally {
    release();
  }
}

function queueDirectories(directory: string): string[] {
  if (isQueueDirectory(directory)) return [directory];
  // A queue reached twice (a link beside its directory) is one queue.
  const seen = new Set<string>();
  return readdirSync(directory)
    .map((name) => join(directory, name))
    .sort()
    .filter((path) => isDirectory(path) && isQueueDirectory(path, true))
    .filter((path) => {
      const real = realPathOf(path);
      if (seen.has(real)) return false;
      seen.add(real);
      return true;
    });
}

function realPathOf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** A directory, a symbolic link to one included. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Whether `directory` holds a queue: its lock, or a segment. One that cannot be listed is
 * counted as one when `unreadableCounts` (below the spool's directory: inspecting it then says
 * why it could not be read, rather than the whole listing failing).
 */
function isQueueDirectory(directory: string, unreadableCounts = false): boolean {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    if (unreadableCounts) return true;
    throw error;
  }
  return names.includes(LOCK_FILE) || names.some(isSpoolFileName);
}

function inspectQueue(directory: string): SpoolQueueInspection {
  const queue: SpoolQueueInspection = {
    directory,
    lock: undefined,
    segments: [],
    bytes: 0,
    records: 0,
    acknowledged: 0,
    waiting: 0,
    damagedFrames: 0,
    sentBatchesWaiting: 0,
  };
  const sent: SentBatch[] = [];
  /** Runs of waiting ids, in id order. */
  const waiting: IdRange[] = [];
  try {
    queue.lock = lockHolder(directory);
    for (const firstId of segmentFirstIds(readdirSync(directory))) {
      const segment = inspectSegment(directory, firstId, sent, waiting);
      if (!segment) continue;
      queue.segments.push(segment);
      queue.bytes += segment.bytes;
      queue.records += segment.records;
      queue.acknowledged += segment.acknowledged;
      queue.waiting += segment.waiting;
      queue.damagedFrames += segment.damagedFrames;
      queue.oldestWaitingAtMs = earliest(queue.oldestWaitingAtMs, segment.oldestWaitingAtMs);
      queue.newestWaitingAtMs = latest(queue.newestWaitingAtMs, segment.newestWaitingAtMs);
    }
  } catch (error) {
    return { ...queue, segments: [], error: describeError(error) };
  }
  queue.sentBatchesWaiting = lastBatchesOf(waiting, sent);
  return queue;
}

/**
 * How many batches the waiting records were last sent in, as recovery labels them (the next
 * start replays each as it was cut).
 */
function lastBatchesOf(waiting: readonly IdRange[], sent: SentBatch[]): number {
  if (sent.length === 0 || waiting.length === 0) return 0;
  const records: { id: number; sentBatch?: number }[] = [];
  for (const run of waiting) {
    for (let id = run.first; id < run.first + run.count; id++) records.push({ id });
  }
  labelByLastSentBatch(records, sent);
  const batches = new Set<number>();
  for (const record of records) if (record.sentBatch !== undefined) batches.add(record.sentBatch);
  return batches.size;
}

function inspectSegment(
  directory: string,
  firstId: number,
  sent: SentBatch[],
  waiting: IdRange[],
): SegmentInspection | undefined {
  const file = segmentFileName(firstId);
  const ackPath = join(directory, ackFileName(firstId));
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(directory, file));
  } catch (error) {
    // Deleted since the directory was listed: a live exporter acknowledged its last record.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const acked = readAckFile(ackPath, sent);
  const segment: SegmentInspection = {
    file,
    bytes: bytes.length + sizeOf(ackPath),
    records: 0,
    acknowledged: 0,
    waiting: 0,
    damagedFrames: 0,
    tornBytes: 0,
  };
  const problem = checkSegmentHeader(bytes);
  if (problem) return { ...segment, problem };
  const scan = scanFrames(bytes, SEGMENT_HEADER_BYTES, plausibleDataBody);
  segment.damagedFrames = scan.damaged.length;
  segment.tornBytes = scan.stop ? bytes.length - scan.validEnd : 0;
  for (const { body } of scan.frames) {
    const frame = decodeDataBody(body);
    if (!frame) {
      segment.damagedFrames++;
      continue;
    }
    segment.records += frame.count;
    for (const run of acked.unackedIn(frame.firstId, frame.firstId + frame.count)) {
      waiting.push(run);
      segment.waiting += run.count;
      for (let id = run.first; id < run.first + run.count; id++) {
        const at = frame.acceptedAtWallMs[id - frame.firstId];
        segment.oldestWaitingAtMs = earliest(segment.oldestWaitingAtMs, at);
        segment.newestWaitingAtMs = latest(segment.newestWaitingAtMs, at);
      }
    }
    segment.acknowledged = segment.records - segment.waiting;
  }
  return segment;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

function latest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.max(a, b);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
