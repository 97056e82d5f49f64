import type {
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  InstrumentationScopeLike,
  MetricDataLike,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceLike,
} from '@otelpack/batching-core';
import { DataPointType } from '@otelpack/batching-core';
import type { OtlpCodec } from '../codec';
import { writeResource, writeScope } from './common';
import { encodeProtobufRequest, protobufRecordSize } from './request';
import {
  writeExponentialHistogramPoint,
  writeHistogramPoint,
  writeLogRecord,
  writeNumberPoint,
  writeSpan,
} from './signals';
import { ProtoWriter, WIRE } from './writer';

/** The metric's oneof `data` field per SDK data point type. */
const DATA_FIELD: Record<number, number> = {
  [DataPointType.GAUGE]: 5,
  [DataPointType.SUM]: 7,
  [DataPointType.HISTOGRAM]: 9,
  [DataPointType.EXPONENTIAL_HISTOGRAM]: 10,
};

/** The SDK's AggregationTemporality (DELTA 0, CUMULATIVE 1) → the protocol's (1, 2). */
function protocolTemporality(temporality: number): number {
  return temporality === 0 ? 1 : temporality === 1 ? 2 : 0;
}

/** ValueType.INT of the API. */
export const VALUE_TYPE_INT = 0;

/** OTLP/HTTP with protobuf bodies (`application/x-protobuf`). */
export class ProtobufCodec implements OtlpCodec {
  readonly contentType = 'application/x-protobuf';
  /** Reused scratch space: every encoding is copied out of it at once. */
  private readonly writer = new ProtoWriter(64 * 1024);

  private done(): Buffer {
    const encoded = this.writer.copy();
    this.writer.reset();
    return encoded;
  }

  resource(resource: ResourceLike): Buffer {
    writeResource(this.writer, resource);
    return this.done();
  }

  scope(scope: InstrumentationScopeLike): Buffer {
    writeScope(this.writer, scope);
    return this.done();
  }

  span(span: ReadableSpanLike): Buffer {
    this.writer.reset();
    writeSpan(this.writer, span);
    return this.done();
  }

  log(log: ReadableLogRecordLike): Buffer {
    this.writer.reset();
    writeLogRecord(this.writer, log);
    return this.done();
  }

  metric(metric: MetricDataLike): { head: Buffer; dataField: number; tail: Buffer } {
    const writer = this.writer;
    writer.reset();
    const descriptor = metric.descriptor;
    for (const [field, text] of [
      [1, descriptor.name],
      [2, descriptor.description],
      [3, descriptor.unit],
    ] as const) {
      if (!text) continue;
      writer.tag(field, WIRE.LENGTH);
      writer.string(text);
    }
    const head = this.done();
    if (metric.dataPointType !== DataPointType.GAUGE) {
      const temporality = protocolTemporality(metric.aggregationTemporality);
      if (temporality !== 0) {
        writer.tag(2, WIRE.VARINT);
        writer.uint32(temporality);
      }
    }
    if (metric.dataPointType === DataPointType.SUM && metric.isMonotonic) {
      writer.tag(3, WIRE.VARINT);
      writer.uint32(1);
    }
    return { head, dataField: DATA_FIELD[metric.dataPointType] ?? 5, tail: this.done() };
  }

  point(metric: MetricDataLike, point: DataPointLike<unknown>): Buffer {
    const writer = this.writer;
    writer.reset();
    switch (metric.dataPointType) {
      case DataPointType.HISTOGRAM:
        writeHistogramPoint(writer, point as DataPointLike<HistogramValue>);
        break;
      case DataPointType.EXPONENTIAL_HISTOGRAM:
        writeExponentialHistogramPoint(writer, point as DataPointLike<ExponentialHistogramValue>);
        break;
      default:
        writeNumberPoint(
          writer,
          point as DataPointLike<number>,
          metric.descriptor.valueType === VALUE_TYPE_INT,
        );
    }
    return this.done();
  }

  request(records: Parameters<typeof encodeProtobufRequest>[0]): Buffer {
    return encodeProtobufRequest(records);
  }

  recordSize(record: Parameters<typeof protobufRecordSize>[0]): number {
    return protobufRecordSize(record);
  }
}
