import { ProtoWriter, WIRE } from '@otelpack/batching-core';
import type {
  BucketSpan,
  Exemplar,
  Label,
  MetricTypeName,
  NativeHistogram,
  TimeSeries,
} from './types';

/*
 * A hand-written protobuf encoder for the remote-write 2.0 Request (io.prometheus.write.v2,
 * prompb/io/prometheus/write/v2/types.proto): every string (label names and values, help, unit)
 * once in `symbols` (which starts with ''), series refer to them by index. Fields holding their
 * proto3 default are left out, but a oneof member (count_int, zero_count_int) is always written,
 * as its presence is what the receiver reads. Written in one pass by the core's ProtoWriter, which
 * the OTLP encoder also writes with.
 *
 *   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
 *   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2;
 *                repeated Histogram histograms = 3; repeated Exemplar exemplars = 4;
 *                Metadata metadata = 5; int64 created_timestamp = 6; }
 *   Sample     { double value = 1; int64 timestamp = 2; int64 start_timestamp = 3; }
 *
 * The start (created) timestamp is written twice: as TimeSeries' created_timestamp (6), the
 * field of the 2.0 drafts Prometheus 2.54-3.7 implement, and as each sample's and histogram's
 * start_timestamp (Sample 3, Histogram 17), where it moved in Prometheus' #17411 (3.8), which
 * reserved field 6. Each side skips the other's field as unknown, so both get it; it costs a few
 * bytes a sample. (Prometheus ingests it only with created-timestamp-zero-ingestion on, from 3.2.)
 */

const METRIC_TYPES: Readonly<Record<MetricTypeName, number>> = {
  counter: 1,
  gauge: 2,
  histogram: 3,
  summary: 5,
  info: 6,
};

/** The HTTP headers of a 2.0 request (Remote-Write 2.0 specification, "Protocol"). */
export const REMOTE_WRITE_V2_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-encoding': 'snappy',
  'content-type': 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
  'x-prometheus-remote-write-version': '2.0.0',
});

function isPositiveZero(value: number): boolean {
  return value === 0 && 1 / value > 0;
}

/** Builds the symbol table of one request. */
class Symbols {
  readonly list: string[] = [''];
  private readonly index = new Map<string, number>([['', 0]]);
  ref(value: string): number {
    let at = this.index.get(value);
    if (at === undefined) {
      at = this.list.length;
      this.list.push(value);
      this.index.set(value, at);
    }
    return at;
  }
}

function writeRefs(
  w: ProtoWriter,
  field: number,
  labels: readonly Label[],
  symbols: Symbols,
): void {
  if (labels.length === 0) return;
  w.tag(field, WIRE.LENGTH); // packed
  const start = w.begin();
  for (const label of labels) {
    w.uint32(symbols.ref(label.name));
    w.uint32(symbols.ref(label.value));
  }
  w.end(start);
}

function writeSpans(w: ProtoWriter, field: number, spans: readonly BucketSpan[]): void {
  for (const span of spans) {
    w.tag(field, WIRE.LENGTH);
    const start = w.begin();
    if (span.offset !== 0) {
      w.tag(1, WIRE.VARINT);
      w.sint32(span.offset);
    }
    if (span.length !== 0) {
      w.tag(2, WIRE.VARINT);
      w.uint32(span.length);
    }
    w.end(start);
  }
}

function writeDeltas(w: ProtoWriter, field: number, deltas: readonly number[]): void {
  if (deltas.length === 0) return;
  w.tag(field, WIRE.LENGTH); // packed
  const start = w.begin();
  for (const delta of deltas) w.sint64(delta);
  w.end(start);
}

function writeHistogram(w: ProtoWriter, h: NativeHistogram, startMs: number): void {
  w.tag(3, WIRE.LENGTH); // TimeSeries.histograms
  const start = w.begin();
  w.tag(1, WIRE.VARINT); // count_int (a oneof member: always written)
  w.uint64(h.count);
  if (!isPositiveZero(h.sum)) {
    w.tag(3, WIRE.FIXED64); // sum
    w.double(h.sum);
  }
  if (h.schema !== 0) {
    w.tag(4, WIRE.VARINT); // schema
    w.sint32(h.schema);
  }
  if (!isPositiveZero(h.zeroThreshold)) {
    w.tag(5, WIRE.FIXED64); // zero_threshold
    w.double(h.zeroThreshold);
  }
  w.tag(6, WIRE.VARINT); // zero_count_int (a oneof member)
  w.uint64(h.zeroCount);
  writeSpans(w, 8, h.negativeSpans);
  writeDeltas(w, 9, h.negativeDeltas);
  writeSpans(w, 11, h.positiveSpans);
  writeDeltas(w, 12, h.positiveDeltas);
  if (h.timestampMs !== 0) {
    w.tag(15, WIRE.VARINT); // timestamp
    w.int64(Math.trunc(h.timestampMs));
  }
  if (startMs !== 0) {
    w.tag(17, WIRE.VARINT); // start_timestamp (Prometheus 3.8 and later)
    w.int64(startMs);
  }
  w.end(start);
}

function writeExemplar(w: ProtoWriter, e: Exemplar, symbols: Symbols): void {
  w.tag(4, WIRE.LENGTH); // TimeSeries.exemplars
  const start = w.begin();
  writeRefs(w, 1, e.labels, symbols);
  if (!isPositiveZero(e.value)) {
    w.tag(2, WIRE.FIXED64);
    w.double(e.value);
  }
  const ts = Math.trunc(e.timestampMs) || 0;
  if (ts !== 0) {
    w.tag(3, WIRE.VARINT);
    w.int64(ts);
  }
  w.end(start);
}

function writeSeries(w: ProtoWriter, series: TimeSeries, symbols: Symbols): void {
  w.tag(5, WIRE.LENGTH); // Request.timeseries
  const start = w.begin();
  writeRefs(w, 1, series.labels, symbols);
  const created = Math.trunc(series.createdTimestampMs ?? 0) || 0;
  for (const sample of series.samples) {
    w.tag(2, WIRE.LENGTH); // samples
    const s = w.begin();
    if (!isPositiveZero(sample.value)) {
      w.tag(1, WIRE.FIXED64);
      w.double(sample.value);
    }
    const ts = Math.trunc(sample.timestampMs) || 0;
    if (ts !== 0) {
      w.tag(2, WIRE.VARINT);
      w.int64(ts);
    }
    if (created !== 0) {
      w.tag(3, WIRE.VARINT); // start_timestamp (Prometheus 3.8 and later)
      w.int64(created);
    }
    w.end(s);
  }
  for (const histogram of series.histograms ?? []) writeHistogram(w, histogram, created);
  for (const exemplar of series.exemplars ?? []) writeExemplar(w, exemplar, symbols);
  const metadata = series.metadata;
  if (metadata) {
    w.tag(5, WIRE.LENGTH); // metadata
    const m = w.begin();
    w.tag(1, WIRE.VARINT);
    w.uint32(METRIC_TYPES[metadata.type] ?? 0);
    const help = symbols.ref(metadata.help);
    if (help !== 0) {
      w.tag(3, WIRE.VARINT);
      w.uint32(help);
    }
    const unit = symbols.ref(metadata.unit);
    if (unit !== 0) {
      w.tag(4, WIRE.VARINT);
      w.uint32(unit);
    }
    w.end(m);
  }
  if (created !== 0) {
    w.tag(6, WIRE.VARINT); // created_timestamp (Prometheus before 3.8)
    w.int64(created);
  }
  w.end(start);
}

/**
 * The uncompressed protobuf io.prometheus.write.v2.Request of these series. The series are
 * written first (collecting the symbols), then the symbols are put in front: field order does
 * not matter to a protobuf decoder, but the symbols first is what the specification's examples
 * and Prometheus' sender do.
 */
export function encodeWriteRequestV2(series: readonly TimeSeries[]): Buffer {
  const symbols = new Symbols();
  const writer = new ProtoWriter();
  for (const ts of series) writeSeries(writer, ts, symbols);
  const body = writer.finish();
  for (const symbol of symbols.list) {
    writer.tag(4, WIRE.LENGTH); // Request.symbols
    writer.string(symbol);
  }
  // Each finish() is a view that stays valid while the writer goes on (see ProtoWriter).
  return Buffer.concat([writer.finish(), body]);
}
