import { existsSync, readFileSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import {
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  decodeDataBody,
  plausibleDataBody,
  scanFrames,
} from './format';
import type { IdRange, SentBatch } from './format';
import { LOCK_FILE, acquireLock, lockHolder } from './lock';
import type { LockHolder } from './lock';
import {
  ackFileName,
  isSpoolFileName,
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
  /** Who holds the lock now; undefined when no process does. */
  lock: LockHolder | undefined;
  segments: SegmentInspection[];
  bytes: number;
  records: number;
  acknowledged: number;
  waiting: number;
  damagedFrames: number;
  /** Requests sent before the holder stopped whose records still wait: replayed as they were cut. */
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

/**
 * Deletes what the spool holds, queue by queue, each under its lock: a queue whose lock a live
 * process holds is refused (`SpoolLockedError`), never emptied under it. The directories stay.
 */
export function emptySpool(directory: string): EmptiedQueue[] {
  const emptied: EmptiedQueue[] = [];
  for (const queue of queueDirectories(directory)) {
    const release = acquireLock(queue);
    try {
      const { waiting } = inspectQueue(queue);
      const files = readdirSync(queue).filter(isSpoolFileName).sort();
      for (const file of files) unlinkSync(join(queue, file));
      emptied.push({ directory: queue, files, waiting });
    } finally {
      release();
    }
  }
  return emptied;
}

function queueDirectories(directory: string): string[] {
  if (isQueueDirectory(directory)) return [directory];
  return readdirSync(directory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && isQueueDirectory(join(directory, entry.name)))
    .map((entry) => join(directory, entry.name))
    .sort();
}

function isQueueDirectory(directory: string): boolean {
  return existsSync(join(directory, LOCK_FILE)) || readdirSync(directory).some(isSpoolFileName);
}

function inspectQueue(directory: string): SpoolQueueInspection {
  const queue: SpoolQueueInspection = {
    directory,
    lock: lockHolder(directory),
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
  for (const firstId of segmentFirstIds(readdirSync(directory))) {
    const segment = inspectSegment(directory, firstId, sent, waiting);
    queue.segments.push(segment);
    queue.bytes += segment.bytes;
    queue.records += segment.records;
    queue.acknowledged += segment.acknowledged;
    queue.waiting += segment.waiting;
    queue.damagedFrames += segment.damagedFrames;
    queue.oldestWaitingAtMs = earliest(queue.oldestWaitingAtMs, segment.oldestWaitingAtMs);
    queue.newestWaitingAtMs = latest(queue.newestWaitingAtMs, segment.newestWaitingAtMs);
  }
  const sequences = new Set<number>();
  for (const batch of sent) {
    if (batch.ranges.some((range) => overlapsAny(waiting, range))) sequences.add(batch.sequence);
  }
  queue.sentBatchesWaiting = sequences.size;
  return queue;
}

/** Whether `range` shares an id with one of `runs` (sorted, disjoint). */
function overlapsAny(runs: readonly IdRange[], range: IdRange): boolean {
  let low = 0;
  let high = runs.length;
  // The first run that ends after the range begins.
  while (low < high) {
    const mid = (low + high) >> 1;
    if (runs[mid].first + runs[mid].count <= range.first) low = mid + 1;
    else high = mid;
  }
  return low < runs.length && runs[low].first < range.first + range.count;
}

function inspectSegment(
  directory: string,
  firstId: number,
  sent: SentBatch[],
  waiting: IdRange[],
): SegmentInspection {
  const file = segmentFileName(firstId);
  const ackPath = join(directory, ackFileName(firstId));
  const bytes = readFileSync(join(directory, file));
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
