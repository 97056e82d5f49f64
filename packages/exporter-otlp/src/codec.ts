import type {
  DataPointLike,
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
  Signal,
} from '@otelpack/batching-core';
import type { OtlpRecord } from './records';

/**
 * One of OTLP/HTTP's two encodings: how each part is encoded when the SDK hands it over, and how
 * a batch of records becomes a request body.
 */
export interface OtlpCodec {
  readonly contentType: string;
  resource(resource: ResourceLike): Buffer;
  scope(scope: InstrumentationScopeLike): Buffer;
  span(span: ReadableSpanLike): Uint8Array;
  log(log: ReadableLogRecordLike): Uint8Array;
  metric(metric: MetricDataLike): { head: Buffer; dataField: number; tail: Buffer };
  point(metric: MetricDataLike, point: DataPointLike<unknown>): Uint8Array;
  /**
   * `allocate(bytes)`, when given, provides the body's buffer of exactly `bytes` (the sender's
   * reused buffers); a codec that cannot size its body first may ignore it.
   */
  request(
    records: readonly OtlpRecord[],
    signal: Signal,
    allocate?: (bytes: number) => Buffer,
  ): Buffer;
  /** Bytes the record adds to a request (the batch limits count these). */
  recordSize(record: OtlpRecord): number;
}
