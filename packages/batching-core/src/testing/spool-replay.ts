import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueuedRecord } from '../pipeline/entry';
import { defaultSpoolCodec } from '../spool/codec';
import type { SpoolCodec } from '../spool/codec';
import { DiskRecordQueue } from '../spool/disk-queue';
import { SPOOL_DEFAULTS } from '../spool/options';

/**
 * Writes `records` to a real spool in a fresh directory as one export, as an exporter's
 * pipeline does with `codec` (the sender's `spoolCodec`; default the core's), closes it, opens it
 * again as the next process would and returns what recovery reads back, with the first byte of
 * the payload (which layout the codec chose: 0xFF is V8). An exporter's test compares the result
 * with the records it mapped.
 */
export async function replayThroughSpool<R>(
  records: readonly R[],
  codec: SpoolCodec<R> = defaultSpoolCodec as SpoolCodec<R>,
): Promise<{ records: R[]; corrupt: number; payloadTag: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'otelpack-spool-replay-'));
  const open = () =>
    new DiskRecordQueue<QueuedRecord<R>>({
      directory,
      maxBytes: SPOOL_DEFAULTS.maxBytes,
      fsync: 'never',
      fsyncIntervalMs: SPOOL_DEFAULTS.fsyncIntervalMs,
      segmentBytes: SPOOL_DEFAULTS.segmentBytes,
      codec,
      clockOriginMs: Date.now(),
    });
  try {
    const writer = open();
    records.forEach((record, seq) => writer.push({ record, bytes: 1, seq, acceptedAtMs: 0 }));
    const failure = writer.commit();
    await writer.close();
    if (failure) throw new Error(`the spool refused the records: ${failure.reason}`);
    const reader = open();
    const recovery = reader.takeRecovery();
    await reader.close();
    return {
      records: recovery.records.map((r) => r.record),
      corrupt: recovery.corrupt.reduce((n, c) => n + c.count, 0),
      payloadTag: codec.encode(records)[0],
    };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
