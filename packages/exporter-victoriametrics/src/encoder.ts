import { utf8Length, varintLength, writeShortAscii } from '@otelpack/batching-core';
import type { Exemplar, Label, Sample, TimeSeries } from './types';
import { writeVarint } from './varint';

/*
 * A hand-written protobuf encoder for the remote-write 1.0 WriteRequest (prometheus/prompb):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *   Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 *
 * One pass over the input into a buffer the encoder keeps (see WriteRequestEncoder); nothing is
 * allocated per label or per sample. A two-pass design (measure every string and message, then
 * write into a buffer of exactly the right size) spent half its time measuring: a request's
 * strings were read twice. Like every proto3 encoder (gogo-protobuf in Prometheus, protobufjs),
 * fields that hold their default (0, "", +0.0) are left out; -0.0 and NaN are kept.
 */

const TAG_TIMESERIES = 0x0a; // WriteRequest.timeseries: field 1, length-delimited
const TAG_LABELS = 0x0a; // TimeSeries.labels / Exemplar.labels: field 1, length-delimited
const TAG_SAMPLES = 0x12; // TimeSeries.samples: field 2, length-delimited
const TAG_EXEMPLARS = 0x1a; // TimeSeries.exemplars: field 3, length-delimited
const TAG_LABEL_NAME = 0x0a; // Label.name: field 1, length-delimited
const TAG_LABEL_VALUE = 0x12; // Label.value: field 2, length-delimited
const TAG_SAMPLE_VALUE = 0x09; // Sample.value: field 1, 64-bit
const TAG_SAMPLE_TIMESTAMP = 0x10; // Sample.timestamp: field 2, varint
const TAG_EXEMPLAR_VALUE = 0x11; // Exemplar.value: field 2, 64-bit
const TAG_EXEMPLAR_TIMESTAMP = 0x18; // Exemplar.timestamp: field 3, varint

function stringFieldLength(byteLength: number): number {
  return byteLength === 0 ? 0 : 1 + varintLength(byteLength) + byteLength;
}

function isDefaultDouble(value: number): boolean {
  return value === 0 && 1 / value > 0; // +0 only: -0 differs in its bits, and is kept
}

/**
 * A sample's or exemplar's int64 timestamp. The mapping drops points whose time int64 cannot
 * hold; series made by hand may still carry one, and writing Infinity's varint would never end:
 * such a time is written as 0 (left out), as protobufjs writes a non-finite int64.
 */
function timestampOf(value: number): number {
  if (Number.isInteger(value)) return Math.abs(value) < 2 ** 63 ? value : 0;
  return Number.isFinite(value) ? Math.trunc(value) : 0;
}

function sampleLength(sample: Sample): number {
  const ts = timestampOf(sample.timestampMs);
  return (isDefaultDouble(sample.value) ? 0 : 9) + (ts === 0 ? 0 : 1 + varintLength(ts));
}

function labelLength(label: Label): number {
  return stringFieldLength(utf8Length(label.name)) + stringFieldLength(utf8Length(label.value));
}

function exemplarLength(exemplar: Exemplar): number {
  let body = 0;
  for (const label of exemplar.labels) {
    const l = labelLength(label);
    body += 1 + varintLength(l) + l;
  }
  const ts = timestampOf(exemplar.timestampMs);
  body += isDefaultDouble(exemplar.value) ? 0 : 9;
  body += ts === 0 ? 0 : 1 + varintLength(ts);
  return body;
}

/** Encoded bytes of one TimeSeries message body (without its tag and length prefix). */
export function timeSeriesBodyLength(series: TimeSeries): number {
  let body = 0;
  for (const label of series.labels) {
    const l = labelLength(label);
    body += 1 + varintLength(l) + l;
  }
  return body + samplesAndExemplarsLength(series);
}

/** Encoded bytes of a TimeSeries' samples and exemplars fields. */
function samplesAndExemplarsLength(series: TimeSeries): number {
  let body = 0;
  for (const sample of series.samples) {
    const s = sampleLength(sample);
    body += 1 + varintLength(s) + s;
  }
  if (series.exemplars) {
    for (const exemplar of series.exemplars) {
      const e = exemplarLength(exemplar);
      body += 1 + varintLength(e) + e;
    }
  }
  return body;
}

/**
 * Exact bytes this series adds to a WriteRequest (tag, length prefix and body): the record size
 * the delivery core batches by, so that a batch's uncompressed request is the sum of its records.
 */
export function timeSeriesEntryLength(series: TimeSeries): number {
  const body = timeSeriesBodyLength(series);
  return 1 + varintLength(body) + body;
}

/**
 * timeSeriesEntryLength for series measured one after another, as the delivery core measures
 * each record it accepts: a label that is the very object at its position in the previous
 * series (the mapping shares Label objects between the series of a point and between points
 * with the same value) is not measured again.
 */
export class SeriesSizer {
  private previous: readonly Label[] = [];
  /** Encoded bytes of the label field at each position of `previous`. */
  private fieldLengths: Int32Array = new Int32Array(64);

  entryLength(series: TimeSeries): number {
    const labels = series.labels;
    if (labels.length > this.fieldLengths.length) {
      this.fieldLengths = new Int32Array(labels.length * 2);
      this.previous = [];
    }
    const previous = this.previous;
    const fieldLengths = this.fieldLengths;
    let body = 0;
    for (let j = 0; j < labels.length; j++) {
      const label = labels[j];
      if (j >= previous.length || previous[j] !== label) {
        const l = labelLength(label);
        fieldLengths[j] = 1 + varintLength(l) + l;
      }
      body += fieldLengths[j];
    }
    this.previous = labels;
    body += samplesAndExemplarsLength(series);
    return 1 + varintLength(body) + body;
  }
}

/**
 * Same label as the one at the same position of the previous series: the same object (the
 * mapping shares them), or the same content. Values that differ mostly differ at the end (ids,
 * counters, paths), so the last character is looked at before the whole string is compared.
 */
function sameLabel(a: Label, b: Label): boolean {
  if (a === b) return true;
  const av = a.value;
  const bv = b.value;
  const n = av.length;
  if (n !== bv.length || (n > 0 && av.charCodeAt(n - 1) !== bv.charCodeAt(n - 1))) return false;
  return a.name === b.name && av === bv;
}

/** Byte runs shorter than this are copied in a JS loop; longer ones with copyWithin. */
const COPY_LOOP_MAX_BYTES = 48;

/**
 * Varint bytes left for a series' length before its body is written: what the previous series
 * needed (bodies of one request are alike), two for the first (bodies of 128 B to 16 KiB).
 */
const FIRST_SERIES_LENGTH_BYTES = 2;
/** A sample's most bytes: tag, length, the value's tag and 8 bytes, the timestamp's tag and varint. */
const MAX_SAMPLE_BYTES = 22;
/** A label's most bytes besides 3 per UTF-16 unit of its strings: tags, varints, a moved length. */
const MAX_LABEL_OVERHEAD_BYTES = 24;
/** Where the scratch buffer starts: grown by doubling to the largest request, then kept. */
const FIRST_SCRATCH_BYTES = 64 * 1024;

const NO_LABELS: readonly Label[] = [];

/**
 * Reusable one-pass encoder. A length-delimited field's length is written before its body, so
 * each message gets the varint bytes its length will likely need (one for a label, whatever the
 * previous series needed for a series) and is moved in the rare case its length needs other.
 * Strings are written in the same loop that finds them ASCII; others are measured and written by
 * Buffer.write. Series of one export share most of their labels (job, instance, scope,
 * `__name__`, the point's attributes across histogram buckets), and the mapping puts them at the
 * same positions: a label equal to the one at the same position of the previous series is not
 * encoded again but its bytes copied from the previous series in the output, one copy per run
 * of such labels.
 */
export class WriteRequestEncoder {
  private offsetsA: Int32Array = new Int32Array(64);
  private offsetsB: Int32Array = new Int32Array(64);

  /** Where every request is written, reused from call to call. */
  private scratch: Buffer = Buffer.allocUnsafe(FIRST_SCRATCH_BYTES);

  /** The uncompressed protobuf WriteRequest of these series, in a Buffer of its own. */
  encode(series: readonly TimeSeries[]): Buffer {
    const written = this.encodeInto(series);
    const out = Buffer.allocUnsafe(written.length);
    written.copy(out);
    return out;
  }

  /**
   * The same bytes in a buffer this encoder reuses: valid until its next call, for a caller that
   * is done with them before (the sender compresses them at once).
   */
  encodeTransient(series: readonly TimeSeries[]): Buffer {
    return this.encodeInto(series);
  }

  private encodeInto(series: readonly TimeSeries[]): Buffer {
    let buf = this.scratch;
    let pos = 0;
    // offsets[j] is where label j of the current series starts in the output, offsets[n] where
    // its labels end; the previous series' offsets are kept for copying.
    let offsets = this.offsetsA;
    let previousOffsets = this.offsetsB;
    let previous = NO_LABELS;
    let lengthBytes = FIRST_SERIES_LENGTH_BYTES;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i];
      const labels = ts.labels;
      const samples = ts.samples;
      const n = labels.length;
      if (n >= offsets.length) {
        const grown = new Int32Array(2 * n + 2);
        grown.set(previousOffsets);
        previousOffsets = grown;
        offsets = new Int32Array(2 * n + 2);
      }
      // Every write makes room for itself first. Labels copied from the previous series only
      // move pos until their run is copied, so a check before a run's copy covers it: pos
      // already counts it.
      if (pos + 1 + lengthBytes > buf.length) buf = this.grow(pos, pos + 1 + lengthBytes);
      buf[pos++] = TAG_TIMESERIES;
      const lengthAt = pos;
      pos += lengthBytes;
      const bodyAt = pos;
      let runFrom = -1; // first label of the current run copied from the previous series
      for (let j = 0; j < n; j++) {
        const label = labels[j];
        offsets[j] = pos;
        if (j < previous.length && sameLabel(label, previous[j])) {
          if (runFrom < 0) runFrom = j;
          // The run's bytes are copied when it ends; pos moves on as if written.
          pos += previousOffsets[j + 1] - previousOffsets[j];
        } else {
          const bound =
            pos + MAX_LABEL_OVERHEAD_BYTES + 3 * (label.name.length + label.value.length);
          if (bound > buf.length) buf = this.grow(pos, bound);
          if (runFrom >= 0) {
            copyRun(buf, offsets[runFrom], previousOffsets[runFrom], previousOffsets[j]);
            runFrom = -1;
          }
          pos = writeLabel(buf, pos, label);
        }
      }
      const samplesEnd = pos + samples.length * MAX_SAMPLE_BYTES;
      if (samplesEnd > buf.length) buf = this.grow(pos, samplesEnd);
      if (runFrom >= 0) {
        copyRun(buf, offsets[runFrom], previousOffsets[runFrom], previousOffsets[n]);
      }
      offsets[n] = pos;

      for (let j = 0; j < samples.length; j++) {
        const sample = samples[j];
        const t = timestampOf(sample.timestampMs);
        const keepValue = !isDefaultDouble(sample.value);
        buf[pos++] = TAG_SAMPLES;
        buf[pos++] = (keepValue ? 9 : 0) + (t === 0 ? 0 : 1 + varintLength(t)); // at most 20
        if (keepValue) {
          buf[pos++] = TAG_SAMPLE_VALUE;
          pos = writeDouble(buf, pos, sample.value);
        }
        if (t !== 0) {
          buf[pos++] = TAG_SAMPLE_TIMESTAMP;
          pos = writeVarint(buf, pos, t);
        }
      }
      const exemplars = ts.exemplars;
      if (exemplars) {
        for (let j = 0; j < exemplars.length; j++) {
          const bound = pos + exemplarBound(exemplars[j]);
          if (bound > buf.length) buf = this.grow(pos, bound);
          pos = writeExemplar(buf, pos, exemplars[j]);
        }
      }

      const bodyLength = pos - bodyAt;
      const needed = varintLength(bodyLength);
      if (needed !== lengthBytes) {
        const shift = needed - lengthBytes;
        if (pos + shift > buf.length) buf = this.grow(pos, pos + shift);
        buf.copyWithin(bodyAt + shift, bodyAt, pos);
        for (let j = 0; j <= n; j++) offsets[j] += shift;
        pos += shift;
        lengthBytes = needed;
      }
      writeVarint(buf, lengthAt, bodyLength);
      const swap = previousOffsets;
      previousOffsets = offsets;
      offsets = swap;
      previous = labels;
    }
    this.offsetsA = offsets;
    this.offsetsB = previousOffsets;
    return buf.subarray(0, pos);
  }

  /** A larger scratch buffer holding what is written so far. */
  private grow(written: number, need: number): Buffer {
    let size = this.scratch.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.scratch.copy(next, 0, 0, written);
    this.scratch = next;
    return next;
  }
}

/** Bytes an exemplar can take at most (see MAX_LABEL_OVERHEAD_BYTES). */
function exemplarBound(exemplar: Exemplar): number {
  let bound = 1 + 5 + 9 + 11;
  for (const label of exemplar.labels) {
    bound += MAX_LABEL_OVERHEAD_BYTES + 3 * (label.name.length + label.value.length);
  }
  return bound;
}

function writeExemplar(buf: Buffer, pos: number, exemplar: Exemplar): number {
  buf[pos] = TAG_EXEMPLARS;
  const lengthAt = pos + 1;
  pos += 2;
  for (const label of exemplar.labels) pos = writeLabel(buf, pos, label);
  if (!isDefaultDouble(exemplar.value)) {
    buf[pos++] = TAG_EXEMPLAR_VALUE;
    pos = writeDouble(buf, pos, exemplar.value);
  }
  const t = timestampOf(exemplar.timestampMs);
  if (t !== 0) {
    buf[pos++] = TAG_EXEMPLAR_TIMESTAMP;
    pos = writeVarint(buf, pos, t);
  }
  return closeOneByteLength(buf, lengthAt, pos);
}

/** A Label message (field 1 of TimeSeries and Exemplar), its length written after its body. */
function writeLabel(buf: Buffer, pos: number, label: Label): number {
  buf[pos] = TAG_LABELS;
  const lengthAt = pos + 1;
  pos = writeStringField(buf, pos + 2, TAG_LABEL_NAME, label.name);
  pos = writeStringField(buf, pos, TAG_LABEL_VALUE, label.value);
  return closeOneByteLength(buf, lengthAt, pos);
}

/**
 * Writes the length of the body from `lengthAt + 1` to `end` at `lengthAt`, where one byte was
 * left for it; a body of 128 bytes or more is first moved to make room. Returns the new end.
 */
function closeOneByteLength(buf: Buffer, lengthAt: number, end: number): number {
  const length = end - lengthAt - 1;
  if (length < 0x80) {
    buf[lengthAt] = length;
    return end;
  }
  const shift = varintLength(length) - 1;
  buf.copyWithin(lengthAt + 1 + shift, lengthAt + 1, end);
  writeVarint(buf, lengthAt, length);
  return end + shift;
}

/**
 * A string field, left out when empty (proto3): short ASCII by writeShortAscii, anything else
 * measured and written by Buffer.write (a lone surrogate becomes U+FFFD, as utf8Length counts).
 */
function writeStringField(buf: Buffer, pos: number, tag: number, text: string): number {
  if (text.length === 0) return pos;
  buf[pos] = tag;
  const end = writeShortAscii(buf, pos + 1, text);
  if (end >= 0) return end;
  const byteLength = Buffer.byteLength(text, 'utf8');
  pos = writeVarint(buf, pos + 1, byteLength);
  buf.write(text, pos, byteLength, 'utf8');
  return pos + byteLength;
}

/** Copies bytes [from, to) of the output to `at` (an earlier series' labels, so no overlap). */
function copyRun(buf: Buffer, at: number, from: number, to: number): void {
  const n = to - from;
  if (n <= COPY_LOOP_MAX_BYTES) {
    for (let i = 0; i < n; i++) buf[at + i] = buf[from + i];
  } else {
    buf.copyWithin(at, from, to);
  }
}

const doubleScratch = new Float64Array(1);
const doubleBytes = new Uint8Array(doubleScratch.buffer);

/** A double, little-endian (as protobuf's fixed64 wants it). */
function writeDouble(buf: Buffer, pos: number, value: number): number {
  doubleScratch[0] = value;
  if (LITTLE_ENDIAN) {
    buf[pos] = doubleBytes[0];
    buf[pos + 1] = doubleBytes[1];
    buf[pos + 2] = doubleBytes[2];
    buf[pos + 3] = doubleBytes[3];
    buf[pos + 4] = doubleBytes[4];
    buf[pos + 5] = doubleBytes[5];
    buf[pos + 6] = doubleBytes[6];
    buf[pos + 7] = doubleBytes[7];
  } else {
    buf.writeDoubleLE(value, pos);
  }
  return pos + 8;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const sharedEncoder = new WriteRequestEncoder();

/** The uncompressed protobuf WriteRequest of these series. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Buffer {
  return sharedEncoder.encode(series);
}
