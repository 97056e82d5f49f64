import { WIRE } from '@otelpack/batching-core';
import type {
  DataPointLike,
  ExponentialHistogramValue,
  HistogramValue,
  ReadableLogRecordLike,
  ReadableSpanLike,
} from '@otelpack/batching-core';
import { writeAnyValue, writeKeyValues, writeUint32Field } from './common';
import type { Attributes } from './common';
import type { OtlpProtoWriter } from './writer';

/*
 * The bodies of one span (trace.proto `Span`), one log record (logs.proto `LogRecord`) and one
 * data point (metrics.proto), each written alone: a queued record is one of these, encoded when
 * the SDK hands it over, and a request is their concatenation under their resource and scope.
 */

/** SpanFlags: the W3C trace flags, and whether the parent's context is known to be remote. */
const HAS_IS_REMOTE = 0x100;
const IS_REMOTE = 0x200;

export function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | HAS_IS_REMOTE | (isRemote ? IS_REMOTE : 0);
}

interface LinkLike {
  context: {
    traceId: string;
    spanId: string;
    traceFlags: number;
    isRemote?: boolean;
    traceState?: { serialize(): string };
  };
  attributes?: Attributes;
  droppedAttributesCount?: number;
}

export function writeSpan(writer: OtlpProtoWriter, span: ReadableSpanLike): void {
  const context = span.spanContext();
  writer.tag(1, WIRE.LENGTH);
  writer.hexBytes(context.traceId);
  writer.tag(2, WIRE.LENGTH);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.tag(3, WIRE.LENGTH);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.tag(4, WIRE.LENGTH);
    writer.hexBytes(parent.spanId);
  }
  if (span.name) {
    writer.tag(5, WIRE.LENGTH);
    writer.string(span.name);
  }
  // The API's SpanKind starts at INTERNAL = 0; the protocol's at UNSPECIFIED = 0.
  const kind = span.kind == null ? 0 : span.kind + 1;
  if (kind !== 0) {
    writer.tag(6, WIRE.VARINT);
    writer.uint32(kind);
  }
  writer.tag(7, WIRE.FIXED64);
  writer.hrTime(span.startTime);
  writer.tag(8, WIRE.FIXED64);
  writer.hrTime(span.endTime);
  if (span.attributes) writeKeyValues(writer, span.attributes, 9);
  writeUint32Field(writer, 10, span.droppedAttributesCount);
  for (const event of span.events) {
    writer.tag(11, WIRE.LENGTH);
    const start = writer.begin();
    writer.tag(1, WIRE.FIXED64);
    writer.hrTime(event.time);
    if (event.name) {
      writer.tag(2, WIRE.LENGTH);
      writer.string(event.name);
    }
    if (event.attributes) writeKeyValues(writer, event.attributes, 3);
    writeUint32Field(writer, 4, event.droppedAttributesCount);
    writer.end(start);
  }
  writeUint32Field(writer, 12, span.droppedEventsCount);
  for (const link of span.links as LinkLike[]) {
    writer.tag(13, WIRE.LENGTH);
    const start = writer.begin();
    writer.tag(1, WIRE.LENGTH);
    writer.hexBytes(link.context.traceId);
    writer.tag(2, WIRE.LENGTH);
    writer.hexBytes(link.context.spanId);
    const linkState = link.context.traceState?.serialize();
    if (linkState) {
      writer.tag(3, WIRE.LENGTH);
      writer.string(linkState);
    }
    if (link.attributes) writeKeyValues(writer, link.attributes, 4);
    writeUint32Field(writer, 5, link.droppedAttributesCount);
    writer.tag(6, WIRE.FIXED32);
    writer.fixed32(spanFlags(link.context.traceFlags, link.context.isRemote));
    writer.end(start);
  }
  writeUint32Field(writer, 14, span.droppedLinksCount);
  // Always present, also when unset: a message field has presence, and the official exporter
  // sends it, so a receiver sees the same either way.
  const status = span.status;
  writer.tag(15, WIRE.LENGTH);
  const statusStart = writer.begin();
  if (status?.message) {
    writer.tag(2, WIRE.LENGTH);
    writer.string(status.message);
  }
  writeUint32Field(writer, 3, status?.code);
  writer.end(statusStart);
  writer.tag(16, WIRE.FIXED32);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
}

export function writeLogRecord(writer: OtlpProtoWriter, log: ReadableLogRecordLike): void {
  writer.tag(1, WIRE.FIXED64);
  writer.hrTime(log.hrTime);
  writeUint32Field(writer, 2, log.severityNumber);
  if (log.severityText) {
    writer.tag(3, WIRE.LENGTH);
    writer.string(log.severityText);
  }
  if (log.body !== undefined) {
    writer.tag(5, WIRE.LENGTH);
    const start = writer.begin();
    writeAnyValue(writer, log.body);
    writer.end(start);
  }
  if (log.attributes) writeKeyValues(writer, log.attributes, 6);
  writeUint32Field(writer, 7, log.droppedAttributesCount);
  const context = log.spanContext;
  if (context?.traceFlags) {
    writer.tag(8, WIRE.FIXED32);
    writer.fixed32(context.traceFlags);
  }
  if (context?.traceId) {
    writer.tag(9, WIRE.LENGTH);
    writer.hexBytes(context.traceId);
  }
  if (context?.spanId) {
    writer.tag(10, WIRE.LENGTH);
    writer.hexBytes(context.spanId);
  }
  writer.tag(11, WIRE.FIXED64);
  writer.hrTime(log.hrTimeObserved);
  if (log.eventName) {
    writer.tag(12, WIRE.LENGTH);
    writer.string(log.eventName);
  }
}

/**
 * An exemplar, where a data point carries them (the JS SDK records none today; other producers
 * of `ResourceMetrics` may): metrics.proto `Exemplar`.
 */
export interface ExemplarLike {
  filteredAttributes?: Attributes;
  value: number;
  timestamp: readonly [number, number];
  spanId?: string;
  traceId?: string;
}

function writeExemplars(
  writer: OtlpProtoWriter,
  exemplars: readonly ExemplarLike[] | undefined,
  field: number,
  integer: boolean,
): void {
  if (!exemplars) return;
  for (const exemplar of exemplars) {
    writer.tag(field, WIRE.LENGTH);
    const start = writer.begin();
    writer.tag(2, WIRE.FIXED64);
    writer.hrTime(exemplar.timestamp);
    if (integer && Number.isInteger(exemplar.value)) {
      writer.tag(6, WIRE.FIXED64);
      writer.sfixed64(exemplar.value);
    } else {
      writer.tag(3, WIRE.FIXED64);
      writer.double(exemplar.value);
    }
    if (exemplar.spanId) {
      writer.tag(4, WIRE.LENGTH);
      writer.hexBytes(exemplar.spanId);
    }
    if (exemplar.traceId) {
      writer.tag(5, WIRE.LENGTH);
      writer.hexBytes(exemplar.traceId);
    }
    if (exemplar.filteredAttributes) writeKeyValues(writer, exemplar.filteredAttributes, 7);
    writer.end(start);
  }
}

/** An `optional double` field: written when the value is there, 0 included. */
function writeOptionalDouble(writer: OtlpProtoWriter, field: number, value: number | undefined) {
  if (value === undefined) return;
  writer.tag(field, WIRE.FIXED64);
  writer.double(value);
}

type WithExemplars = { exemplars?: readonly ExemplarLike[] };

/** NumberDataPoint: `integer` (the instrument's value type is INT) writes as_int, else as_double. */
export function writeNumberPoint(
  writer: OtlpProtoWriter,
  point: DataPointLike<number>,
  integer: boolean,
): void {
  writer.tag(2, WIRE.FIXED64);
  writer.hrTime(point.startTime);
  writer.tag(3, WIRE.FIXED64);
  writer.hrTime(point.endTime);
  if (integer) {
    writer.tag(6, WIRE.FIXED64);
    writer.sfixed64(point.value);
  } else {
    writer.tag(4, WIRE.FIXED64);
    writer.double(point.value);
  }
  writeExemplars(writer, (point as WithExemplars).exemplars, 5, integer);
  if (point.attributes) writeKeyValues(writer, point.attributes, 7);
}

export function writeHistogramPoint(writer: OtlpProtoWriter, point: DataPointLike<HistogramValue>) {
  const value = point.value;
  writer.tag(2, WIRE.FIXED64);
  writer.hrTime(point.startTime);
  writer.tag(3, WIRE.FIXED64);
  writer.hrTime(point.endTime);
  writer.tag(4, WIRE.FIXED64);
  writer.fixed64Number(value.count);
  writeOptionalDouble(writer, 5, value.sum);
  const counts = value.buckets.counts;
  if (counts.length > 0) {
    writer.tag(6, WIRE.LENGTH);
    writer.uint32(counts.length * 8);
    for (const count of counts) writer.fixed64Number(count);
  }
  const bounds = value.buckets.boundaries;
  if (bounds.length > 0) {
    writer.tag(7, WIRE.LENGTH);
    writer.uint32(bounds.length * 8);
    for (const bound of bounds) writer.double(bound);
  }
  writeExemplars(writer, (point as WithExemplars).exemplars, 8, false);
  if (point.attributes) writeKeyValues(writer, point.attributes, 9);
  writeOptionalDouble(writer, 11, value.min);
  writeOptionalDouble(writer, 12, value.max);
}

function writeBuckets(
  writer: OtlpProtoWriter,
  field: number,
  buckets: { offset: number; bucketCounts: number[] },
): void {
  writer.tag(field, WIRE.LENGTH);
  const start = writer.begin();
  if (buckets.offset !== 0) {
    writer.tag(1, WIRE.VARINT);
    writer.sint32(buckets.offset);
  }
  if (buckets.bucketCounts.length > 0) {
    writer.tag(2, WIRE.LENGTH);
    const counts = writer.begin();
    for (const count of buckets.bucketCounts) writer.int64(count);
    writer.end(counts);
  }
  writer.end(start);
}

export function writeExponentialHistogramPoint(
  writer: OtlpProtoWriter,
  point: DataPointLike<ExponentialHistogramValue>,
): void {
  const value = point.value;
  if (point.attributes) writeKeyValues(writer, point.attributes, 1);
  writer.tag(2, WIRE.FIXED64);
  writer.hrTime(point.startTime);
  writer.tag(3, WIRE.FIXED64);
  writer.hrTime(point.endTime);
  writer.tag(4, WIRE.FIXED64);
  writer.fixed64Number(value.count);
  writeOptionalDouble(writer, 5, value.sum);
  if (value.scale !== 0) {
    writer.tag(6, WIRE.VARINT);
    writer.sint32(value.scale);
  }
  if (value.zeroCount) {
    writer.tag(7, WIRE.FIXED64);
    writer.fixed64Number(value.zeroCount);
  }
  writeBuckets(writer, 8, value.positive);
  writeBuckets(writer, 9, value.negative);
  writeExemplars(writer, (point as WithExemplars).exemplars, 11, false);
  writeOptionalDouble(writer, 12, value.min);
  writeOptionalDouble(writer, 13, value.max);
}
