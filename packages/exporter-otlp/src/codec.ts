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
  span(span: ReadableSpanLike): Buffer;
  log(log: ReadableLogRecordLike): Buffer;
  metric(metric: MetricDataLike): { head: Buffer; dataField: number; tail: Buffer };
  point(metric: MetricDataLike, point: DataPointLike<unknown>): Buffer;
  request(records: readonly OtlpRecord[], signal: Signal): Buffer;
  /** Bytes the record adds to a request (the batch limits count these). */
  recordSize(record: OtlpRecord): number;
}
