import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineOptions, QueuedRecord, SendResult } from '../../src';
import { DiskRecordQueue, Pipeline, defaultSpoolCodec } from '../../src';
import type { ScriptedSender } from './scripted-sender';
import type { DiskQueueOptions } from '../../src';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../src/spool/format';

export type TestRecord = QueuedRecord<string>;

/** A fresh directory under the system's temporary one; removed by `cleanup`. */
export function tempSpoolDir(label = 'spool'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `otelpack-${label}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function openDiskQueue(
  directory: string,
  options: Partial<DiskQueueOptions<string>> = {},
): DiskRecordQueue<TestRecord> {
  return new DiskRecordQueue<TestRecord>({
    directory,
    maxBytes: 1 << 30,
    fsync: 'never',
    fsyncIntervalMs: 1000,
    segmentBytes: 1 << 20,
    codec: defaultSpoolCodec as DiskQueueOptions<string>['codec'],
    clockOriginMs: 1_700_000_000_000,
    ...options,
  });
}

export function testRecord(seq: number, bytes = 10): TestRecord {
  return { record: `r${seq}`, bytes, seq, acceptedAtMs: seq };
}

/** Pushes `count` records from `firstSeq` as one export (one frame) and commits it. */
export function writeExport(
  queue: DiskRecordQueue<TestRecord>,
  firstSeq: number,
  count: number,
): TestRecord[] {
  const records: TestRecord[] = [];
  for (let i = 0; i < count; i++) {
    const r = testRecord(firstSeq + i);
    records.push(r);
    queue.push(r);
  }
  const failure = queue.commit();
  if (failure) throw new Error(`commit failed: ${failure.reason}`);
  return records;
}

/**
 * What a fresh spool holds on disk after each of these exports (`[firstSeq, count]`, written in
 * turn), in a directory of its own that is then removed: frame sizes to size a test's spool by.
 */
export async function diskBytesAfter(exports: readonly [number, number][]): Promise<number[]> {
  const { dir, cleanup } = tempSpoolDir('measure');
  try {
    const queue = openDiskQueue(dir);
    const sizes: number[] = [];
    for (const [firstSeq, count] of exports) {
      writeExport(queue, firstSeq, count);
      sizes.push(queue.state().diskBytes);
    }
    await queue.close();
    return sizes;
  } finally {
    cleanup();
  }
}

/** The next `n` records out of the queue, as the pipeline takes them for sending. */
export function take(queue: { shift(): TestRecord | undefined }, n: number): TestRecord[] {
  return Array.from({ length: n }, () => queue.shift() as TestRecord);
}

export function segmentFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.seg'))
    .sort();
}

/** Where each frame of a segment file starts (after the segment header). */
export function frameStarts(file: Buffer): number[] {
  const starts: number[] = [];
  for (
    let at = SEGMENT_HEADER_BYTES;
    at < file.length;
    at += FRAME_HEADER_BYTES + file.readUInt32LE(at)
  ) {
    starts.push(at);
  }
  return starts;
}

/** A send the backend never answers. */
export const NEVER: () => Promise<SendResult> = () => new Promise(() => undefined);

/**
 * A pipeline on a spool in `directory` (its own directory there: `spooled-logs`): small
 * batches, a short flush interval and shutdown, retries far off (10 s), no fsync.
 */
export function spooledPipeline(
  directory: string,
  sender: ScriptedSender<number>,
  options: Partial<PipelineOptions<number>> = {},
): Pipeline<number> {
  return new Pipeline<number>({
    name: 'spooled',
    signal: 'logs',
    sender,
    maxBatchItems: 5,
    flushIntervalMs: 5,
    initialBackoffMs: 10_000,
    maxBackoffMs: 10_000,
    shutdownTimeoutMs: 50,
    spool: { directory, fsync: 'never' },
    ...options,
  });
}
