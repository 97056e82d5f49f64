import { utf8Length } from '@otelpack/batching-core';
import type { BatchSender, SendResult } from '@otelpack/batching-core';
import type { DynatraceRecord } from './options';

/**
 * The sender of traces or logs made without a URL: they have nowhere to go (the OneAgent takes
 * only metrics), so each batch is refused with the reason and counted as rejected, never sent.
 * The exporter still constructs, so that a program (or a tool listing exporters) made before its
 * configuration is complete runs, and says what is missing.
 */
export class UnconfiguredSender implements BatchSender<DynatraceRecord> {
  constructor(private readonly reason: string) {}

  sizeOf(record: DynatraceRecord): number {
    return typeof record === 'string' ? utf8Length(record) + 1 : record.body.length;
  }

  send(): Promise<SendResult> {
    return Promise.resolve({ kind: 'permanent', reason: this.reason });
  }
}
