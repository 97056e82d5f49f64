import {
  appendFileSync,
  readFileSync,
  readdirSync,
  statSync,
  truncateSync,
  unlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import type { SpoolCodec } from './codec';
import {
  SEGMENT_HEADER_BYTES,
  checkSegmentHeader,
  decodeAckBody,
  decodeDataBody,
  decodeSentBatchBody,
  encodeAckFrame,
  peekDataHeader,
  plausibleAckBody,
  plausibleDataBody,
  scanFrames,
} from './format';
import type { IdRange, SentBatch } from './format';

const SEGMENT_SUFFIX = '.seg';
const ACK_SUFFIX = '.ack';
const ID_DIGITS = 20;
/** The names this spool writes, and only those: any other file in the directory is left alone. */
const SEGMENT_NAME = /^(\d{20})\.seg$/;
const ACK_NAME = /^(\d{20})\.ack$/;

/** The first ids of the segments among a directory's `names`, ascending. */
export function segmentFirstIds(names: readonly string[]): number[] {
  return names
    .map((name) => SEGMENT_NAME.exec(name)?.[1])
    .filter((digits): digits is string => digits !== undefined)
    .map(Number)
    .filter((id) => Number.isSafeInteger(id))
    .sort((a, b) => a - b);
}

/** Whether `name` is one of the spool's files (a segment or an acknowledgement file). */
export function isSpoolFileName(name: string): boolean {
  return SEGMENT_NAME.test(name) || ACK_NAME.test(name);
}

export function segmentFileName(firstId: number): string {
  return `${String(firstId).padStart(ID_DIGITS, '0')}${SEGMENT_SUFFIX}`;
}

export function ackFileName(firstId: number): string {
  return `${String(firstId).padStart(ID_DIGITS, '0')}${ACK_SUFFIX}`;
}

/** A record left by an earlier process, not acknowledged, to be sent again. */
export interface RecoveredRecord<R> {
  id: number;
  record: R;
  bytes: number;
  acceptedAtWallMs: number;
  /**
   * The sequence number of the last request that carried it, when an earlier process sent it:
   * records with the same one are replayed next to each other, to be sent together again.
   */
  sentBatch?: number;
}

/** A segment with records not yet acknowledged, as recovery leaves it. */
export interface RecoveredSegment {
  firstId: number;
  /** One past its last id. */
  endId: number;
  unacked: number;
  /** Segment and acknowledgement file bytes. */
  diskBytes: number;
}

export interface Recovery<R> {
  /**
   * Oldest first, except that records last sent together (the same `sentBatch`) follow the
   * first of them.
   */
  records: RecoveredRecord<R>[];
  /** Records that were in the spool and cannot be read back, with what was wrong. */
  corrupt: { count: number; detail: string }[];
  segments: RecoveredSegment[];
  /** The id the next record gets. */
  nextId: number;
  /**
   * Frames cut short or damaged whose record count cannot be read: each held at least one
   * record, which may have been reported accepted (`interval`, a power cut). The pipeline counts
   * one `corrupt` record per frame, the least it held.
   */
  tornUnknown: number;
  /** The sequence number the next sent batch gets. */
  nextSentSequence: number;
}

/** Acknowledged ids of one segment: ranges, sorted and merged once read, searched by halves. */
export class AckedIds {
  private ranges: IdRange[] = [];
  private sorted = true;
  add(range: IdRange): void {
    if (range.count > 0) this.ranges.push(range);
    this.sorted = false;
  }
  has(id: number): boolean {
    if (!this.sorted) this.sort();
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const r = this.ranges[mid];
      if (id < r.first) high = mid - 1;
      else if (id >= r.first + r.count) low = mid + 1;
      else return true;
    }
    return false;
  }
  private sort(): void {
    this.ranges.sort((a, b) => a.first - b.first);
    const merged: IdRange[] = [];
    for (const r of this.ranges) {
      const last = merged[merged.length - 1];
      if (last && r.first <= last.first + last.count) {
        last.count = Math.max(last.count, r.first + r.count - last.first);
      } else merged.push({ ...r });
    }
    this.ranges = merged;
    this.sorted = true;
  }
  /** Ids of [first, end) not acknowledged. */
  unackedIn(first: number, end: number): IdRange[] {
    const out: IdRange[] = [];
    let runStart = -1;
    for (let id = first; id < end; id++) {
      if (this.has(id)) {
        if (runStart >= 0) out.push({ first: runStart, count: id - runStart });
        runStart = -1;
      } else if (runStart < 0) runStart = id;
    }
    if (runStart >= 0) out.push({ first: runStart, count: end - runStart });
    return out;
  }
}

/** What a segment's acknowledgement file says: the ids acknowledged, and the batches sent. */
export function readAckFile(path: string, sent: SentBatch[]): AckedIds {
  const acked = new AckedIds();
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return acked;
    throw error;
  }
  // A damaged or torn acknowledgement only sends its records again (at least once); a damaged
  // sent batch, that they may be cut otherwise.
  for (const { body } of scanFrames(file, 0, plausibleAckBody).frames) {
    const batch = decodeSentBatchBody(body);
    if (batch) sent.push(batch);
    else for (const range of decodeAckBody(body) ?? []) acked.add(range);
  }
  return acked;
}

const countOf = (ranges: IdRange[]) => ranges.reduce((sum, r) => sum + r.count, 0);

/**
 * Reads what an earlier process left in `directory`: the records not acknowledged, oldest first.
 * Damage is repaired so that the next start does not count it again: a torn tail is cut off,
 * and the ids of records that cannot be read are written down as acknowledged.
 */
export function recoverSpool<R>(directory: string, codec: SpoolCodec<R>): Recovery<R> {
  const names = readdirSync(directory);
  const firstIds = segmentFirstIds(names);
  // An acknowledgement file whose segment is gone (a crash between the two deletions) would
  // apply to the new records that reuse its ids: it goes before any is written.
  const segmentIds = new Set(firstIds);
  for (const name of names) {
    const digits = ACK_NAME.exec(name)?.[1];
    if (digits !== undefined && !segmentIds.has(Number(digits))) {
      unlinkQuietly(join(directory, name));
    }
  }
  const recovery: Recovery<R> = {
    records: [],
    corrupt: [],
    segments: [],
    nextId: 1,
    tornUnknown: 0,
    nextSentSequence: 1,
  };
  const sent: SentBatch[] = [];
  for (let s = 0; s < firstIds.length; s++) {
    const firstId = firstIds[s];
    const nextFirstId = firstIds[s + 1] as number | undefined;
    const segmentPath = join(directory, segmentFileName(firstId));
    const ackPath = join(directory, ackFileName(firstId));
    const file = readFileSync(segmentPath);
    const acked = readAckFile(ackPath, sent);
    const lost: IdRange[] = [];
    const loseRange = (first: number, end: number, detail: string) => {
      if (end <= first) return;
      const ranges = acked.unackedIn(first, end);
      const count = countOf(ranges);
      if (count > 0)
        recovery.corrupt.push({ count, detail: `${segmentFileName(firstId)}: ${detail}` });
      lost.push({ first, count: end - first });
    };

    let expected = firstId;
    let live = 0;
    const headerProblem = checkSegmentHeader(file);
    if (headerProblem) {
      // A segment cut short in its header was being created: it holds nothing.
      if (nextFirstId !== undefined) loseRange(firstId, nextFirstId, headerProblem);
      unlinkQuietly(segmentPath);
      unlinkQuietly(ackPath);
      recovery.nextId = Math.max(recovery.nextId, nextFirstId ?? firstId);
      continue;
    }
    const scan = scanFrames(file, SEGMENT_HEADER_BYTES, plausibleDataBody);
    for (const { body } of scan.frames) {
      const frame = decodeDataBody(body);
      if (!frame || frame.firstId < expected) {
        // Its checksum held but its fields do not: the writer's bug, not the disk's. Skipped;
        // the gap to the next good frame counts what it held.
        continue;
      }
      loseRange(expected, frame.firstId, 'a damaged frame (checksum mismatch)');
      expected = frame.firstId + frame.count;
      const wanted: number[] = [];
      for (let i = 0; i < frame.count; i++) if (!acked.has(frame.firstId + i)) wanted.push(i);
      if (wanted.length === 0) continue;
      let records: R[];
      try {
        records = codec.decode(frame.payload, frame.count);
        if (!Array.isArray(records) || records.length !== frame.count) {
          throw new Error(
            `the codec gave ${Array.isArray(records) ? records.length : 'no'} records for ${frame.count}`,
          );
        }
      } catch (error) {
        loseRange(
          frame.firstId,
          expected,
          `records the codec cannot read (${(error as Error).message})`,
        );
        continue;
      }
      for (const i of wanted) {
        recovery.records.push({
          id: frame.firstId + i,
          record: records[i],
          bytes: frame.bytes[i],
          acceptedAtWallMs: frame.acceptedAtWallMs[i],
        });
        live++;
      }
    }
    // What follows the last good frame. Ids up to the next segment's first are either this
    // segment's damaged tail or segments deleted since (all their records acknowledged): only a
    // damaged tail makes them lost.
    const lastGood = lastGoodOffset(scan);
    let cutAt: number | undefined;
    const damagedTail =
      scan.stop !== undefined || scan.damaged.some((damaged) => damaged.offset > lastGood);
    if (nextFirstId !== undefined && damagedTail) {
      loseRange(
        expected,
        nextFirstId,
        scan.stop
          ? 'unreadable bytes after a damaged frame'
          : 'a damaged frame (checksum mismatch)',
      );
      expected = Math.max(expected, nextFirstId);
    } else if (nextFirstId === undefined) {
      // Damaged frames after the last good one: their own header is all that says what they
      // held, believed only where it continues the ids and its count fits its length. The first
      // one not believed ends what can be numbered: the file is cut there, so that the next
      // start does not find it, and count it, again.
      for (const damaged of scan.damaged) {
        if (damaged.offset <= lastGood) continue;
        const header = peekDataHeader(damaged.body);
        if (header && header.firstId === expected) {
          loseRange(expected, expected + header.count, 'a damaged frame (checksum mismatch)');
          expected += header.count;
        } else {
          recovery.tornUnknown++;
          cutAt = damaged.offset;
          break;
        }
      }
      if (scan.stop && cutAt === undefined) {
        const tail = scan.stop.tail;
        const header =
          tail.length >= 8 ? peekDataHeader(tail.subarray(8), tail.readUInt32LE(0)) : undefined;
        if (header && header.firstId === expected) {
          loseRange(expected, expected + header.count, `a frame cut short (${scan.stop.reason})`);
          expected += header.count;
        } else {
          recovery.tornUnknown++;
        }
      }
    }
    if (cutAt !== undefined) truncateSync(segmentPath, cutAt);
    else if (scan.stop) truncateSync(segmentPath, scan.validEnd);
    if (lost.length > 0) appendFileSync(ackPath, encodeAckFrame(lost));
    recovery.nextId = Math.max(recovery.nextId, expected);
    if (live === 0) {
      unlinkQuietly(segmentPath);
      unlinkQuietly(ackPath);
      continue;
    }
    recovery.segments.push({
      firstId,
      endId: expected,
      unacked: live,
      diskBytes: sizeOf(segmentPath) + sizeOf(ackPath),
    });
  }
  recovery.records = inSentBatches(recovery.records, sent);
  for (const batch of sent) {
    recovery.nextSentSequence = Math.max(recovery.nextSentSequence, batch.sequence + 1);
  }
  return recovery;
}

/**
 * Labels each record with the last batch that carried it (a batch spanning segments is in each
 * of their files: the same sequence, read once per file, labels the same records), and moves the
 * records of one batch next to the first of them, so that the queue can hand them out together.
 * `records` are in id order.
 */
function inSentBatches<R>(records: RecoveredRecord<R>[], sent: SentBatch[]): RecoveredRecord<R>[] {
  if (sent.length === 0 || records.length === 0) return records;
  labelByLastSentBatch(records, sent);
  const ordered: RecoveredRecord<R>[] = [];
  const placed = new Set<number>();
  const members = new Map<number, RecoveredRecord<R>[]>();
  for (const record of records) {
    if (record.sentBatch === undefined) continue;
    let of = members.get(record.sentBatch);
    if (!of) members.set(record.sentBatch, (of = []));
    of.push(record);
  }
  for (const record of records) {
    const batch = record.sentBatch;
    if (batch === undefined) ordered.push(record);
    else if (!placed.has(batch)) {
      placed.add(batch);
      for (const member of members.get(batch) ?? []) ordered.push(member);
    }
  }
  return ordered;
}

/**
 * Sets each record's `sentBatch` to the sequence of the last batch naming its id (a retry of part
 * of a batch, or a split, names its records again, later). `records` are in id order; a batch
 * spanning segments, read once per file, labels the same records.
 */
export function labelByLastSentBatch(
  records: { id: number; sentBatch?: number }[],
  sent: SentBatch[],
): void {
  for (const batch of [...sent].sort((a, b) => a.sequence - b.sequence)) {
    for (const range of batch.ranges) {
      const end = range.first + range.count;
      for (let i = firstAtOrAfter(records, range.first); i < records.length; i++) {
        if (records[i].id >= end) break;
        records[i].sentBatch = batch.sequence;
      }
    }
  }
}

/** The index of the first record whose id is `id` or more (records in id order). */
function firstAtOrAfter(records: readonly { id: number }[], id: number): number {
  let low = 0;
  let high = records.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (records[mid].id < id) low = mid + 1;
    else high = mid;
  }
  return low;
}

function lastGoodOffset(scan: { frames: { offset: number }[] }): number {
  return scan.frames.length > 0 ? scan.frames[scan.frames.length - 1].offset : -1;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
