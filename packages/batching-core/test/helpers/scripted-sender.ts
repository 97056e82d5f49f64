import type { BatchSender, SendContext, SendResult } from '../../src';

/**
 * An in-memory sender for tests: each send asks `script` what to answer, and the records of
 * every send are kept. Delivered records land in `delivered`, so tests can count them exactly.
 */
export class ScriptedSender<R> implements BatchSender<R> {
  /** Each send as it began; `atMs` on the monotonic clock (performance.now()). */
  readonly sends: { batch: R[]; attempt: number; atMs: number }[] = [];
  readonly delivered: R[] = [];
  closed = 0;
  inFlight = 0;
  /** Set to replay batches sent before a restart as they were cut (`BatchSender`). */
  deduplicatesBatches: boolean | undefined;
  maxInFlight = 0;

  constructor(
    private readonly script: (
      batch: readonly R[],
      context: SendContext,
      sendIndex: number,
    ) => SendResult | Promise<SendResult> = () => ({ kind: 'delivered' }),
    private readonly size: (record: R) => number = () => 10,
  ) {}

  sizeOf(record: R): number {
    return this.size(record);
  }

  async send(batch: readonly R[], context: SendContext): Promise<SendResult> {
    const index = this.sends.length;
    this.sends.push({ batch: [...batch], attempt: context.attempt, atMs: performance.now() });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      const result = await this.script(batch, context, index);
      if (result.kind === 'delivered') this.delivered.push(...batch);
      if (result.kind === 'partial') {
        const failed = new Set(result.failures.map((f) => f.index));
        batch.forEach((record, i) => {
          if (!failed.has(i)) this.delivered.push(record);
        });
      }
      return result;
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    this.closed++;
  }
}

export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { eventually } from '../../src/testing/eventually';
