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
import { DataPointType, WIRE } from '@otelpack/batching-core';
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
import { OtlpProtoWriter } from './writer';

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
  /** Every encoding is a view of the writer's current slab (see OtlpProtoWriter). */
  private readonly writer = new OtlpProtoWriter();

  /**
   * A record's encoding: a view of the slab (it lives as long as its record). `item` is handed to
   * `write`, so that spans and log records need no closure each.
   */
  private encode<T>(write: (writer: OtlpProtoWriter, item: T) => void, item?: T): Uint8Array {
    try {
      write(this.writer, item as T);
    } catch (error) {
      this.writer.abandon();
      throw error;
    }
    return this.writer.finish();
  }

  /** A long-lived encoding (resource, scope, metric): copied, so that it holds no slab. */
  private encodeCopy(write: (writer: OtlpProtoWriter) => void): Buffer {
    return Buffer.from(this.encode(write));
  }

  resource(resource: ResourceLike): Buffer {
    return this.encodeCopy((writer) => writeResource(writer, resource));
  }

  scope(scope: InstrumentationScopeLike): Buffer {
    return this.encodeCopy((writer) => writeScope(writer, scope));
  }

  span(span: ReadableSpanLike): Uint8Array {
    return this.encode(writeSpan, span);
  }

  log(log: ReadableLogRecordLike): Uint8Array {
    return this.encode(writeLogRecord, log);
  }

  metric(metric: MetricDataLike): { head: Buffer; dataField: number; tail: Buffer } {
    const descriptor = metric.descriptor;
    const head = this.encodeCopy((writer) => {
      for (const [field, text] of [
        [1, descriptor.name],
        [2, descriptor.description],
        [3, descriptor.unit],
      ] as const) {
        if (!text) continue;
        writer.tag(field, WIRE.LENGTH);
        writer.string(text);
      }
    });
    const tail = this.encodeCopy((writer) => {
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
    });
    return { head, dataField: DATA_FIELD[metric.dataPointType] ?? 5, tail };
  }

  point(metric: MetricDataLike, point: DataPointLike<unknown>): Uint8Array {
    return this.encode((writer) => {
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
    });
  }

  request(
    records: Parameters<typeof encodeProtobufRequest>[0],
    _signal?: unknown,
    allocate?: (bytes: number) => Buffer,
  ): Buffer {
    return encodeProtobufRequest(records, allocate);
  }

  recordSize(record: Parameters<typeof protobufRecordSize>[0]): number {
    return protobufRecordSize(record);
  }
}
