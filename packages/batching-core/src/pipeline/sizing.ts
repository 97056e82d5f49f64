import { diag } from '@opentelemetry/api';
import { InvalidConfigError } from '../errors';
import type { BatchSender, SharedPart } from '../types';

type MemoryModel = NonNullable<BatchSender<unknown>['memoryModel']>;

/**
 * How big a record is, asked of the sender without ever letting it throw into the pipeline: its
 * wire bytes (which cut batches), what it holds in memory (which `maxQueueBytes` bounds), and
 * its pieces when it is larger than a batch.
 */
export class RecordSizing<R> {
  /** Read once: held bytes are computed again on release and must come out the same. */
  private readonly memoryModel: MemoryModel | undefined;
  private lastCheckedPart: SharedPart | undefined;

  constructor(
    private readonly sender: BatchSender<R>,
    private readonly label: string,
  ) {
    this.memoryModel = checkedModel(sender.memoryModel);
    if (sender.sharedPartOf !== undefined && typeof sender.sharedPartOf !== 'function') {
      throw new InvalidConfigError('sender.sharedPartOf', 'expected a function, or none');
    }
  }

  /**
   * The largest batch (in wire bytes) whose records can all be held at once: batches are cut by
   * wire bytes and the queue is bounded in held bytes, so a batch bound above this could never
   * fill and would wait for the flush timer while records are dropped as `queue_full`.
   */
  fitBatchBytes(maxBatchBytes: number, maxQueueBytes: number): number {
    const model = this.memoryModel;
    if (!model || model.perWireByte === 0) return maxBatchBytes;
    const fitting = Math.floor((maxQueueBytes - model.perRecordBytes) / model.perWireByte);
    return Math.max(1, Math.min(maxBatchBytes, fitting));
  }

  /** Estimated wire bytes, at least 1 (a sender that throws or answers nonsense counts 1). */
  wireBytes(record: R): number {
    try {
      const bytes = this.sender.sizeOf(record);
      return Number.isFinite(bytes) && bytes > 0 ? Math.ceil(bytes) : 1;
    } catch (error) {
      diag.error(`${this.label}: sizeOf threw; counting 1 byte`, error);
      return 1;
    }
  }

  /**
   * What a record of `bytes` wire bytes holds in memory, by the sender's measured model.
   * Computed again on release rather than stored: a field per held record costs more than this.
   */
  heldBytes(bytes: number): number {
    const model = this.memoryModel;
    return model ? Math.ceil(model.perRecordBytes + model.perWireByte * bytes) : bytes;
  }

  /**
   * The part of `record` (of `bytes` wire bytes) that the sender says it shares with other
   * records; none when the sender has no `sharedPartOf`, or it throws or answers a part that
   * could not be one (sizes that are not whole numbers >= 0, or more wire bytes than the record
   * has): the record is then counted whole, which never counts less than it holds. Whole
   * numbers: a part is added to the count with one record and taken off with another, and
   * fractions would leave the count off by their rounding.
   */
  sharedPart(record: R, bytes: number): SharedPart | undefined {
    const sharedPartOf = this.sender.sharedPartOf;
    if (sharedPartOf === undefined) return undefined;
    let part: SharedPart | undefined;
    try {
      part = sharedPartOf.call(this.sender, record);
    } catch (error) {
      diag.error(`${this.label}: sharedPartOf threw; counting the record whole`, error);
      return undefined;
    }
    if (part === undefined || part === null) return undefined;
    // Records come in runs of one part: its sizes are checked once per run.
    if (part !== this.lastCheckedPart) {
      const size = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
      if (typeof part !== 'object' || !size(part.wireBytes) || !size(part.heldBytes)) {
        return undefined;
      }
      this.lastCheckedPart = part;
    }
    return part.wireBytes <= bytes ? part : undefined;
  }

  /** What a record of `bytes` wire bytes holds of its own, less its shared `part`. */
  ownHeldBytes(bytes: number, part: SharedPart | undefined): number {
    return this.heldBytes(part === undefined ? bytes : bytes - part.wireBytes);
  }

  /** The sender's pieces of a record larger than a batch, if it can make them. */
  split(record: R, maxBatchBytes: number): R[] | undefined {
    if (!this.sender.split) return undefined;
    try {
      const pieces = this.sender.split(record, maxBatchBytes);
      return pieces && pieces.length > 0 ? pieces : undefined;
    } catch (error) {
      diag.error(`${this.label}: split threw; dropping as too_large`, error);
      return undefined;
    }
  }
}

function checkedModel(model: MemoryModel | undefined): MemoryModel | undefined {
  if (model === undefined) return undefined;
  const valid = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n >= 0;
  if (!model || !valid(model.perRecordBytes) || !valid(model.perWireByte)) {
    throw new InvalidConfigError(
      'sender.memoryModel',
      'expected { perRecordBytes, perWireByte }, each a finite number >= 0',
    );
  }
  return { perRecordBytes: model.perRecordBytes, perWireByte: model.perWireByte };
}
