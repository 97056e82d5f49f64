import { utf8Length, varintLength } from '@otelpack/batching-core';
import type { Exemplar, Label, Sample, TimeSeries } from './types';

/*
 * A hand-written protobuf encoder for the remote-write 1.0 WriteRequest (prometheus/prompb):
 *
 *   WriteRequest { repeated TimeSeries timeseries = 1; }
 *   TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; repeated Exemplar exemplars = 3; }
 *   Label        { string name = 1; string value = 2; }
 *   Sample       { double value = 1; int64 timestamp = 2; }
 *   Exemplar     { repeated Label labels = 1; double value = 2; int64 timestamp = 3; }
 *
 * Two passes over the input: the first measures every string and message and keeps the lengths
 * in a reused Int32Array, the second writes into one Buffer of exactly the right size. Nothing is
 * allocated per label or per sample. Like every proto3 encoder (gogo-protobuf in Prometheus,
 * protobufjs), fields that hold their default (0, "", +0.0) are left out; -0.0 and NaN are kept.
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

function timestampOf(value: number): number {
  return Number.isInteger(value) ? value : Math.trunc(value) || 0;
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
const COPY_LOOP_LIMIT = 48;

/**
 * Reusable two-pass encoder. Series of one export share most of their labels (job, instance,
 * scope, `__name__`, the point's attributes across histogram buckets), and the mapping puts
 * them at the same positions: a label equal to the one at the same position of the previous
 * series is neither measured again (pass 1) nor encoded again (pass 2: its bytes are copied from
 * the previous series in the output, one copy per run of such labels).
 */
export class WriteRequestEncoder {
  private lengths: Int32Array = new Int32Array(4096);
  private offsetsA: Int32Array = new Int32Array(64);
  private offsetsB: Int32Array = new Int32Array(64);
  /** Per label of the request (pass 1's order): 1 when it equals the previous series' label. */
  private reused: Uint8Array = new Uint8Array(2048);

  /** Where encodeTransient writes, reused from call to call. */
  private scratch: Buffer = Buffer.allocUnsafe(0);

  /** The uncompressed protobuf WriteRequest of these series, in one Buffer. */
  encode(series: readonly TimeSeries[]): Buffer {
    return this.encodeInto(series, false);
  }

  /**
   * The same bytes in a buffer this encoder reuses: valid until its next call, for a caller that
   * is done with them before (the sender compresses them at once).
   */
  encodeTransient(series: readonly TimeSeries[]): Buffer {
    return this.encodeInto(series, true);
  }

  private encodeInto(series: readonly TimeSeries[], transient: boolean): Buffer {
    // Pass 1: measure. Scratch layout per series: [body, (name, value) per label,
    // then per exemplar: [body, (name, value) per label]].
    let lengths = this.lengths;
    let k = 0;
    let total = 0;
    let maxLabels = 0;
    let previous: readonly Label[] = [];
    let previousAt = 0;
    let reused = this.reused;
    let r = 0;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i];
      const labels = ts.labels;
      const exemplars = ts.exemplars;
      let need = k + 1 + 2 * labels.length;
      if (exemplars) for (const e of exemplars) need += 1 + 2 * e.labels.length;
      if (need > lengths.length) lengths = this.grow(need);
      if (labels.length > maxLabels) maxLabels = labels.length;
      if (r + labels.length > reused.length) reused = this.growReused(r + labels.length);
      const slot = k++;
      const labelsAt = k;
      let body = 0;
      for (let j = 0; j < labels.length; j++) {
        const label = labels[j];
        let nameLength: number;
        let valueLength: number;
        if (j < previous.length && sameLabel(label, previous[j])) {
          nameLength = lengths[previousAt + 2 * j];
          valueLength = lengths[previousAt + 2 * j + 1];
          reused[r++] = 1;
        } else {
          nameLength = utf8Length(label.name);
          valueLength = utf8Length(label.value);
          reused[r++] = 0;
        }
        lengths[k++] = nameLength;
        lengths[k++] = valueLength;
        const l = stringFieldLength(nameLength) + stringFieldLength(valueLength);
        body += 1 + varintLength(l) + l;
      }
      previous = labels;
      previousAt = labelsAt;
      const samples = ts.samples;
      for (let j = 0; j < samples.length; j++) {
        const s = sampleLength(samples[j]);
        body += 1 + varintLength(s) + s;
      }
      if (exemplars) {
        for (let j = 0; j < exemplars.length; j++) {
          const exemplar = exemplars[j];
          const exemplarSlot = k++;
          let exemplarBody = 0;
          for (const label of exemplar.labels) {
            const nameLength = utf8Length(label.name);
            const valueLength = utf8Length(label.value);
            lengths[k++] = nameLength;
            lengths[k++] = valueLength;
            const l = stringFieldLength(nameLength) + stringFieldLength(valueLength);
            exemplarBody += 1 + varintLength(l) + l;
          }
          const ts2 = timestampOf(exemplar.timestampMs);
          exemplarBody += isDefaultDouble(exemplar.value) ? 0 : 9;
          exemplarBody += ts2 === 0 ? 0 : 1 + varintLength(ts2);
          lengths[exemplarSlot] = exemplarBody;
          body += 1 + varintLength(exemplarBody) + exemplarBody;
        }
      }
      lengths[slot] = body;
      total += 1 + varintLength(body) + body;
    }

    // Pass 2: write. offsets[j] is where label j of the current series starts in the output,
    // offsets[n] where its labels end; the previous series' offsets are kept for copying.
    if (maxLabels + 1 > this.offsetsA.length) {
      this.offsetsA = new Int32Array(maxLabels + 1);
      this.offsetsB = new Int32Array(maxLabels + 1);
    }
    let offsets = this.offsetsA;
    let previousOffsets = this.offsetsB;
    let buf: Buffer;
    if (!transient) buf = Buffer.allocUnsafe(total);
    else {
      if (this.scratch.length < total) this.scratch = Buffer.allocUnsafe(total);
      buf = this.scratch.subarray(0, total);
    }
    let pos = 0;
    k = 0;
    r = 0;
    for (let i = 0; i < series.length; i++) {
      const ts = series[i];
      buf[pos++] = TAG_TIMESERIES;
      pos = writeVarint(buf, pos, lengths[k++]);
      const labels = ts.labels;
      let runFrom = -1; // first label of the current run copied from the previous series
      for (let j = 0; j < labels.length; j++) {
        const label = labels[j];
        offsets[j] = pos;
        if (reused[r++] === 1) {
          if (runFrom < 0) runFrom = j;
          // The run's bytes are copied when it ends; pos moves on as if written.
          pos += previousOffsets[j + 1] - previousOffsets[j];
        } else {
          if (runFrom >= 0) {
            copyRun(buf, offsets[runFrom], previousOffsets[runFrom], previousOffsets[j]);
            runFrom = -1;
          }
          pos = writeLabel(buf, pos, TAG_LABELS, label, lengths[k], lengths[k + 1]);
        }
        k += 2;
      }
      if (runFrom >= 0) {
        copyRun(buf, offsets[runFrom], previousOffsets[runFrom], previousOffsets[labels.length]);
      }
      offsets[labels.length] = pos;
      const swap = previousOffsets;
      previousOffsets = offsets;
      offsets = swap;

      const samples = ts.samples;
      for (let j = 0; j < samples.length; j++) {
        const sample = samples[j];
        buf[pos++] = TAG_SAMPLES;
        pos = writeVarint(buf, pos, sampleLength(sample));
        if (!isDefaultDouble(sample.value)) {
          buf[pos++] = TAG_SAMPLE_VALUE;
          pos = writeDouble(buf, pos, sample.value);
        }
        const t = timestampOf(sample.timestampMs);
        if (t !== 0) {
          buf[pos++] = TAG_SAMPLE_TIMESTAMP;
          pos = writeVarint(buf, pos, t);
        }
      }
      const exemplars = ts.exemplars;
      if (exemplars) {
        for (let j = 0; j < exemplars.length; j++) {
          const exemplar = exemplars[j];
          buf[pos++] = TAG_EXEMPLARS;
          pos = writeVarint(buf, pos, lengths[k++]);
          for (const label of exemplar.labels) {
            pos = writeLabel(buf, pos, TAG_LABELS, label, lengths[k], lengths[k + 1]);
            k += 2;
          }
          if (!isDefaultDouble(exemplar.value)) {
            buf[pos++] = TAG_EXEMPLAR_VALUE;
            pos = writeDouble(buf, pos, exemplar.value);
          }
          const t = timestampOf(exemplar.timestampMs);
          if (t !== 0) {
            buf[pos++] = TAG_EXEMPLAR_TIMESTAMP;
            pos = writeVarint(buf, pos, t);
          }
        }
      }
    }
    if (pos !== total) {
      // A bug, never an input problem: refuse to send a corrupt request.
      throw new Error(`remote-write encoder wrote ${pos} bytes where it measured ${total}`);
    }
    return buf;
  }

  private growReused(need: number): Uint8Array {
    let size = this.reused.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.reused);
    this.reused = next;
    return next;
  }

  private grow(need: number): Int32Array {
    let size = this.lengths.length * 2;
    while (size < need) size *= 2;
    const next = new Int32Array(size);
    next.set(this.lengths); // keeps what this call has measured so far
    this.lengths = next;
    return next;
  }
}

function writeLabel(
  buf: Buffer,
  pos: number,
  tag: number,
  label: Label,
  nameLength: number,
  valueLength: number,
): number {
  const l = stringFieldLength(nameLength) + stringFieldLength(valueLength);
  buf[pos++] = tag;
  pos = writeVarint(buf, pos, l);
  if (nameLength > 0) {
    buf[pos++] = TAG_LABEL_NAME;
    pos = writeVarint(buf, pos, nameLength);
    pos = writeString(buf, pos, label.name, nameLength);
  }
  if (valueLength > 0) {
    buf[pos++] = TAG_LABEL_VALUE;
    pos = writeVarint(buf, pos, valueLength);
    pos = writeString(buf, pos, label.value, valueLength);
  }
  return pos;
}

/** Copies bytes [from, to) of the output to `at` (an earlier series' labels, so no overlap). */
function copyRun(buf: Buffer, at: number, from: number, to: number): void {
  const n = to - from;
  if (n <= COPY_LOOP_LIMIT) {
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

/** ASCII strings up to this length are copied byte by byte, cheaper than Buffer.write for them. */
const ASCII_COPY_LIMIT = 64;

function writeString(buf: Buffer, pos: number, text: string, byteLength: number): number {
  if (byteLength === text.length && byteLength <= ASCII_COPY_LIMIT) {
    // ASCII (a string is ASCII exactly when its UTF-8 length equals its length).
    for (let i = 0; i < byteLength; i++) buf[pos + i] = text.charCodeAt(i);
  } else {
    buf.write(text, pos, byteLength, 'utf8');
  }
  return pos + byteLength;
}

/** Writes an unsigned varint (integers below 2^53), or a negative int64 as ten bytes. */
function writeVarint(buf: Buffer, pos: number, value: number): number {
  if (value < 0) return writeNegativeVarint(buf, pos, value);
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80; // & keeps the low 7 bits of any integer below 2^53
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

function writeNegativeVarint(buf: Buffer, pos: number, value: number): number {
  let rest = BigInt.asUintN(64, BigInt(value));
  for (let i = 0; i < 9; i++) {
    buf[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  buf[pos++] = Number(rest);
  return pos;
}

const sharedEncoder = new WriteRequestEncoder();

/** The uncompressed protobuf WriteRequest of these series. */
export function encodeWriteRequest(series: readonly TimeSeries[]): Buffer {
  return sharedEncoder.encode(series);
}
