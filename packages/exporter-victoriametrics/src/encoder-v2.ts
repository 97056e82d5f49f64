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
 * as its presence is what the receiver reads.
 *
 *   Request    { repeated string symbols = 4; repeated TimeSeries timeseries = 5; }
 *   TimeSeries { repeated uint32 labels_refs = 1; repeated Sample samples = 2;
 *                repeated Histogram histograms = 3; repeated Exemplar exemplars = 4;
 *                Metadata metadata = 5; int64 created_timestamp = 6; }
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

const TWO_32 = 0x1_0000_0000;

/** A growing buffer with the few protobuf primitives the Request needs. */
class Writer {
  buffer = Buffer.allocUnsafe(64 * 1024);
  pos = 0;

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + bytes));
    this.buffer.copy(next, 0, 0, this.pos);
    this.buffer = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buffer[this.pos++] = value;
  }

  /** A varint of a non-negative integer below 2^53. */
  varint(value: number): void {
    this.ensure(10);
    while (value >= 0x80) {
      this.buffer[this.pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.pos++] = value;
  }

  /** int64 as protobuf writes it: a negative value is ten bytes of two's complement. */
  int64(value: number): void {
    if (value >= 0) {
      this.varint(value);
      return;
    }
    const magnitude = -value;
    let low = ~(magnitude % TWO_32) >>> 0;
    let high = ~Math.floor(magnitude / TWO_32) >>> 0;
    low = (low + 1) >>> 0;
    if (low === 0) high = (high + 1) >>> 0;
    this.ensure(10);
    for (let i = 0; i < 9; i++) {
      this.buffer[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    this.buffer[this.pos++] = low & 0x01;
  }

  /** sint32 / sint64 (zigzag) of an integer within ±2^52. */
  sint(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  double(value: number): void {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(value: string): void {
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.pos += this.buffer.write(value, this.pos, 'utf8');
  }

  /** Starts a length-delimited field; `end` writes its length in front of it. */
  begin(): number {
    return this.pos;
  }

  end(start: number): void {
    const length = this.pos - start;
    let size = 1;
    while (length >= 2 ** (7 * size)) size++;
    this.ensure(size);
    this.buffer.copyWithin(start + size, start, this.pos);
    const body = this.pos;
    this.pos = start;
    this.varint(length);
    this.pos = body + size;
  }
}

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

function writeRefs(w: Writer, field: number, labels: readonly Label[], symbols: Symbols): void {
  if (labels.length === 0) return;
  w.byte((field << 3) | 2);
  const start = w.begin();
  for (const label of labels) {
    w.varint(symbols.ref(label.name));
    w.varint(symbols.ref(label.value));
  }
  w.end(start);
}

function writeSpans(w: Writer, field: number, spans: readonly BucketSpan[]): void {
  for (const span of spans) {
    w.byte((field << 3) | 2);
    const start = w.begin();
    if (span.offset !== 0) {
      w.byte(0x08);
      w.sint(span.offset);
    }
    if (span.length !== 0) {
      w.byte(0x10);
      w.varint(span.length);
    }
    w.end(start);
  }
}

function writeDeltas(w: Writer, field: number, deltas: readonly number[]): void {
  if (deltas.length === 0) return;
  w.byte((field << 3) | 2);
  const start = w.begin();
  for (const delta of deltas) w.sint(delta);
  w.end(start);
}

function writeHistogram(w: Writer, h: NativeHistogram): void {
  w.byte(0x1a); // TimeSeries.histograms = 3
  const start = w.begin();
  w.byte(0x08); // count_int = 1 (a oneof member: always written)
  w.varint(h.count);
  if (!isPositiveZero(h.sum)) {
    w.byte(0x19); // sum = 3
    w.double(h.sum);
  }
  if (h.schema !== 0) {
    w.byte(0x20); // schema = 4, sint32
    w.sint(h.schema);
  }
  if (!isPositiveZero(h.zeroThreshold)) {
    w.byte(0x29); // zero_threshold = 5
    w.double(h.zeroThreshold);
  }
  w.byte(0x30); // zero_count_int = 6 (a oneof member)
  w.varint(h.zeroCount);
  writeSpans(w, 8, h.negativeSpans);
  writeDeltas(w, 9, h.negativeDeltas);
  writeSpans(w, 11, h.positiveSpans);
  writeDeltas(w, 12, h.positiveDeltas);
  if (h.timestampMs !== 0) {
    w.byte(0x78); // timestamp = 15
    w.int64(Math.trunc(h.timestampMs));
  }
  w.end(start);
}

function writeExemplar(w: Writer, e: Exemplar, symbols: Symbols): void {
  w.byte(0x22); // TimeSeries.exemplars = 4
  const start = w.begin();
  writeRefs(w, 1, e.labels, symbols);
  if (!isPositiveZero(e.value)) {
    w.byte(0x11);
    w.double(e.value);
  }
  const ts = Math.trunc(e.timestampMs) || 0;
  if (ts !== 0) {
    w.byte(0x18);
    w.int64(ts);
  }
  w.end(start);
}

function writeSeries(w: Writer, series: TimeSeries, symbols: Symbols): void {
  w.byte(0x2a); // Request.timeseries = 5
  const start = w.begin();
  writeRefs(w, 1, series.labels, symbols);
  for (const sample of series.samples) {
    w.byte(0x12); // samples = 2
    const s = w.begin();
    if (!isPositiveZero(sample.value)) {
      w.byte(0x09);
      w.double(sample.value);
    }
    const ts = Math.trunc(sample.timestampMs) || 0;
    if (ts !== 0) {
      w.byte(0x10);
      w.int64(ts);
    }
    w.end(s);
  }
  for (const histogram of series.histograms ?? []) writeHistogram(w, histogram);
  for (const exemplar of series.exemplars ?? []) writeExemplar(w, exemplar, symbols);
  const metadata = series.metadata;
  if (metadata) {
    w.byte(0x2a); // metadata = 5
    const m = w.begin();
    w.byte(0x08);
    w.varint(METRIC_TYPES[metadata.type] ?? 0);
    const help = symbols.ref(metadata.help);
    if (help !== 0) {
      w.byte(0x18);
      w.varint(help);
    }
    const unit = symbols.ref(metadata.unit);
    if (unit !== 0) {
      w.byte(0x20);
      w.varint(unit);
    }
    w.end(m);
  }
  const created = Math.trunc(series.createdTimestampMs ?? 0) || 0;
  if (created !== 0) {
    w.byte(0x30); // created_timestamp = 6
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
  const body = new Writer();
  for (const ts of series) writeSeries(body, ts, symbols);
  const head = new Writer();
  for (const symbol of symbols.list) {
    head.byte(0x22); // Request.symbols = 4
    head.string(symbol);
  }
  return Buffer.concat([head.buffer.subarray(0, head.pos), body.buffer.subarray(0, body.pos)]);
}
