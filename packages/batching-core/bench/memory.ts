/**
 * Scenario 2: heap bytes the pipeline spends per queued record, at capacity, beyond the record
 * itself. Anchor: the same records held in a plain array. The sender never answers, so the
 * pipeline fills to maxQueueItems and stays there. Needs --expose-gc (run.ts starts it so);
 * `node --expose-gc --import tsx bench/memory.ts` runs it alone.
 */
import { Pipeline } from './lib/core';
import type { BatchSender, SendResult } from '../src';
import { forceGc, reportToParent } from './lib/child';
import { estimateBytes, makeRecords, meanJsonBytes } from './lib/records';
import type { BenchRecord } from './lib/records';
import { round } from './lib/stats';

const CAPACITY = 100_000;
const EXPORT_SIZE = 512;
const MAX_BATCH_ITEMS = 1000;
const MAX_CONCURRENCY = 4;

export interface MemoryResult {
  records: number;
  meanJsonBytes: number;
  anchor: { name: string; bytesPerRecord: number };
  pipeline: {
    settings: Record<string, number | string>;
    bytesPerRecord: number;
    overheadBytesPerRecord: number;
    ratioToAnchor: number;
    queuedItems: number;
    inFlightItems: number;
  };
}

/** A backend that never answers: each send stays in flight until the pipeline is dropped. */
class SilentSender implements BatchSender<BenchRecord> {
  sizeOf(record: BenchRecord): number {
    return estimateBytes(record);
  }
  send(): Promise<SendResult> {
    return new Promise<SendResult>(() => {});
  }
}

function heapUsed(): number {
  forceGc();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<MemoryResult> {
  // Everything that is loaded once (modules, the class's code) is in the baseline.
  const baseline = heapUsed();

  let records: BenchRecord[] | undefined = makeRecords(CAPACITY);
  const meanJson = meanJsonBytes(records);
  const withArray = heapUsed();
  const anchorPerRecord = (withArray - baseline) / CAPACITY;

  const pipeline = new Pipeline<BenchRecord>({
    name: 'bench',
    signal: 'logs',
    sender: new SilentSender(),
    maxQueueItems: CAPACITY,
    maxQueueBytes: 1024 * 1024 * 1024,
    maxBatchItems: MAX_BATCH_ITEMS,
    maxConcurrency: MAX_CONCURRENCY,
    // Long enough that no request is timed out and retried while we measure.
    requestTimeoutMs: 600_000,
  });
  for (let i = 0; i < records.length; i += EXPORT_SIZE) {
    await pipeline.submit(records.slice(i, i + EXPORT_SIZE));
  }
  const stats = pipeline.stats();
  if (stats.queuedItems !== CAPACITY || stats.droppedTotal !== 0) {
    throw new Error(`pipeline did not fill to capacity: ${JSON.stringify(stats)}`);
  }
  // Now only the pipeline holds the records: what the heap holds is records + pipeline.
  records = undefined;
  const withPipeline = heapUsed();
  const pipelinePerRecord = (withPipeline - baseline) / CAPACITY;

  // Records are still held here; drop them only after the measurement above.
  const after = pipeline.stats();
  if (after.queuedItems !== CAPACITY) throw new Error('records left the pipeline while measuring');

  return {
    records: CAPACITY,
    meanJsonBytes: round(meanJson, 1),
    anchor: {
      name: 'the same records in a plain array (record + array slot)',
      bytesPerRecord: round(anchorPerRecord, 1),
    },
    pipeline: {
      settings: {
        maxQueueItems: CAPACITY,
        maxBatchItems: MAX_BATCH_ITEMS,
        maxConcurrency: MAX_CONCURRENCY,
        exportSize: EXPORT_SIZE,
        sender: 'never answers',
      },
      bytesPerRecord: round(pipelinePerRecord, 1),
      overheadBytesPerRecord: round(pipelinePerRecord - anchorPerRecord, 1),
      ratioToAnchor: round(pipelinePerRecord / anchorPerRecord, 3),
      queuedItems: stats.queuedItems,
      inFlightItems: stats.inFlightItems,
    },
  };
}

reportToParent(main);
