import { SpoolLayout, SpoolTable, recordsWrittenByV8 } from '@otelpack/batching-core';
import type { SpoolCodec, SpoolPayloadReader, SpoolPayloadWriter } from '@otelpack/batching-core';
import type {
  BucketSpan,
  Exemplar,
  Label,
  MetricTypeName,
  NativeHistogram,
  Sample,
  SeriesMetadata,
  TimeSeries,
} from './types';

/*
 * How the disk spool keeps remote-write series: an export's strings and labels once each (the
 * mapping shares Label objects between series, so most series are a few label indexes and a
 * sample), then each series. The core's default codec (V8's serialisation) took ~3 µs a series
 * of the benchmark's typical export, about as much as the exporter's whole mapping.
 *
 * Layout (SpoolPayloadWriter: counts and indexes as varints, f64 little-endian, text as its
 * length and UTF-8):
 *   tag 'V', format version 1
 *   strings: count, texts
 *   labels:  count, then per label: name index, value index
 *   series (as many as the frame says): flags (1 exemplars, 2 histograms, 4 metadata,
 *     8 created timestamp), labels (count, indexes), samples (count, value and timestamp),
 *     then what the flags say: exemplars (count, then labels, value, timestamp each),
 *     native histograms (count, then their numbers and spans), metadata (type, unit and help as
 *     string indexes), the created timestamp.
 * Numbers are f64 as the series hold them: nothing is rounded on the way. Strings go as UTF-8,
 * so a lone surrogate comes back as U+FFFD, as remote write 1.0 sends it anyway (2.0's symbol
 * table may then hold one string where it held two: the same labels on the wire).
 */

const LAYOUT = new SpoolLayout('remote-write', 0x56); // 'V'
const HAS_EXEMPLARS = 1;
const HAS_HISTOGRAMS = 2;
const HAS_METADATA = 4;
const HAS_CREATED = 8;
const METRIC_TYPES: readonly MetricTypeName[] = [
  'counter',
  'gauge',
  'histogram',
  'summary',
  'info',
];

/** The label indexes of the export being encoded, in write order: reused from call to call. */
let indexScratch: Int32Array = new Int32Array(4096);

function growIndexScratch(need: number, keep: number): Int32Array {
  const next = new Int32Array(Math.max(need, 2 * indexScratch.length));
  next.set(indexScratch.subarray(0, keep));
  indexScratch = next;
  return next;
}

/** Past this the writer grows as it goes: a huge export does not take it all up front. */
const MAX_EXPECTED_BYTES = 4 * 1024 * 1024;

/** A typical export's series take ~43 bytes each (shared labels are indexes): room for most. */
const EXPECTED_BYTES_PER_SERIES = 64;

function expectedBytes(count: number): number {
  return Math.min(MAX_EXPECTED_BYTES, 1024 + EXPECTED_BYTES_PER_SERIES * count);
}

export const timeSeriesSpoolCodec: SpoolCodec<TimeSeries> = {
  encode(series) {
    // Pass 1: the labels' indexes, in the order pass 2 writes them, and the strings. A label that
    // is the previous series' at the same position (the mapping shares them) is not looked up.
    const labels = new SpoolTable<Label>();
    let labelIndexes = indexScratch;
    let n = 0;
    let previous: readonly Label[] = [];
    let previousAt = 0;
    for (const s of series) {
      const list = s.labels;
      let need = n + list.length;
      if (s.exemplars) for (const e of s.exemplars) need += e.labels.length;
      if (need > labelIndexes.length) labelIndexes = growIndexScratch(need, n);
      const at = n;
      for (let j = 0; j < list.length; j++) {
        const label = list[j];
        labelIndexes[n++] =
          j < previous.length && previous[j] === label
            ? labelIndexes[previousAt + j]
            : labels.indexOf(label);
      }
      previous = list;
      previousAt = at;
      if (s.exemplars) {
        for (const e of s.exemplars)
          for (const l of e.labels) labelIndexes[n++] = labels.indexOf(l);
      }
    }
    const strings = new SpoolTable<string>();
    const nameOf = new Int32Array(labels.items.length);
    const valueOf = new Int32Array(labels.items.length);
    labels.items.forEach((label, i) => {
      nameOf[i] = strings.indexOf(label.name);
      valueOf[i] = strings.indexOf(label.value);
    });
    for (const s of series) {
      if (s.metadata) {
        strings.indexOf(s.metadata.unit);
        strings.indexOf(s.metadata.help);
      }
    }

    // Pass 2.
    const out = LAYOUT.writer(expectedBytes(series.length));
    out.uv(strings.items.length);
    for (const text of strings.items) out.text(text);
    out.uv(labels.items.length);
    for (let i = 0; i < labels.items.length; i++) {
      out.uv(nameOf[i]);
      out.uv(valueOf[i]);
    }
    let next = 0;
    const writeLabels = (count: number) => {
      out.uv(count);
      for (let j = 0; j < count; j++) out.uv(labelIndexes[next++]);
    };
    for (const s of series) {
      out.u8(
        (s.exemplars ? HAS_EXEMPLARS : 0) |
          (s.histograms ? HAS_HISTOGRAMS : 0) |
          (s.metadata ? HAS_METADATA : 0) |
          (s.createdTimestampMs !== undefined ? HAS_CREATED : 0),
      );
      writeLabels(s.labels.length);
      out.uv(s.samples.length);
      for (const sample of s.samples) {
        out.f64(sample.value);
        out.f64(sample.timestampMs);
      }
      if (s.exemplars) {
        out.uv(s.exemplars.length);
        for (const e of s.exemplars) {
          writeLabels(e.labels.length);
          out.f64(e.value);
          out.f64(e.timestampMs);
        }
      }
      if (s.histograms) {
        out.uv(s.histograms.length);
        for (const h of s.histograms) writeHistogram(out, h);
      }
      if (s.metadata) {
        const type = METRIC_TYPES.indexOf(s.metadata.type);
        // A frame that could not be read back must not be written: the core keeps the export
        // in memory instead, and says why.
        if (type < 0) throw new Error(`a series of unknown metric type ${String(s.metadata.type)}`);
        out.u8(type);
        out.uv(strings.indexOf(s.metadata.unit));
        out.uv(strings.indexOf(s.metadata.help));
      }
      if (s.createdTimestampMs !== undefined) out.f64(s.createdTimestampMs);
    }
    return out.finish();
  },

  decode(payload, count) {
    // A spool written before this codec (the core's default codec: V8's serialisation of
    // series) is replayed as it was written: an upgrade loses nothing it held.
    const earlier = recordsWrittenByV8<TimeSeries>(payload, count, checkSeries);
    if (earlier) return earlier;
    const input = LAYOUT.reader(payload);
    const strings: string[] = new Array(input.uv());
    for (let i = 0; i < strings.length; i++) strings[i] = input.text();
    const string = () => strings[input.index(strings.length, 'string')];
    // One object per label of the export: series share them again, as the mapping made them.
    const labels: Label[] = new Array(input.uv());
    for (let i = 0; i < labels.length; i++) labels[i] = { name: string(), value: string() };
    const readLabels = (): Label[] => {
      const list: Label[] = new Array(input.uv());
      for (let j = 0; j < list.length; j++) list[j] = labels[input.index(labels.length, 'label')];
      return list;
    };
    const series: TimeSeries[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const flags = input.u8();
      if (flags > 15) throw new Error(`remote-write spool payload: series flags ${flags}`);
      const seriesLabels = readLabels();
      const samples: Sample[] = new Array(input.uv());
      for (let j = 0; j < samples.length; j++) {
        samples[j] = { value: input.f64(), timestampMs: input.f64() };
      }
      const s: {
        labels: Label[];
        samples: Sample[];
        exemplars?: Exemplar[];
        histograms?: NativeHistogram[];
        metadata?: SeriesMetadata;
        createdTimestampMs?: number;
      } = { labels: seriesLabels, samples };
      if (flags & HAS_EXEMPLARS) {
        s.exemplars = new Array(input.uv());
        for (let j = 0; j < s.exemplars.length; j++) {
          s.exemplars[j] = { labels: readLabels(), value: input.f64(), timestampMs: input.f64() };
        }
      }
      if (flags & HAS_HISTOGRAMS) {
        s.histograms = new Array(input.uv());
        for (let j = 0; j < s.histograms.length; j++) s.histograms[j] = readHistogram(input);
      }
      if (flags & HAS_METADATA) {
        const type = METRIC_TYPES[input.u8()];
        if (type === undefined) throw new Error('remote-write spool payload: unknown metric type');
        s.metadata = { type, unit: string(), help: string() };
      }
      if (flags & HAS_CREATED) s.createdTimestampMs = input.f64();
      series[i] = s;
    }
    input.end();
    return series;
  },
};

function writeSpans(out: SpoolPayloadWriter, spans: readonly BucketSpan[]): void {
  out.uv(spans.length);
  for (const span of spans) {
    out.f64(span.offset);
    out.f64(span.length);
  }
}

function writeNumbers(out: SpoolPayloadWriter, values: readonly number[]): void {
  out.uv(values.length);
  for (const value of values) out.f64(value);
}

function writeHistogram(out: SpoolPayloadWriter, h: NativeHistogram): void {
  out.f64(h.count);
  out.f64(h.sum);
  out.f64(h.schema);
  out.f64(h.zeroThreshold);
  out.f64(h.zeroCount);
  writeSpans(out, h.negativeSpans);
  writeNumbers(out, h.negativeDeltas);
  writeSpans(out, h.positiveSpans);
  writeNumbers(out, h.positiveDeltas);
  out.f64(h.timestampMs);
}

function readSpans(input: SpoolPayloadReader): BucketSpan[] {
  const spans: BucketSpan[] = new Array(input.uv());
  for (let i = 0; i < spans.length; i++) spans[i] = { offset: input.f64(), length: input.f64() };
  return spans;
}

function readNumbers(input: SpoolPayloadReader): number[] {
  const values: number[] = new Array(input.uv());
  for (let i = 0; i < values.length; i++) values[i] = input.f64();
  return values;
}

function readHistogram(input: SpoolPayloadReader): NativeHistogram {
  return {
    count: input.f64(),
    sum: input.f64(),
    schema: input.f64(),
    zeroThreshold: input.f64(),
    zeroCount: input.f64(),
    negativeSpans: readSpans(input),
    negativeDeltas: readNumbers(input),
    positiveSpans: readSpans(input),
    positiveDeltas: readNumbers(input),
    timestampMs: input.f64(),
  };
}

/**
 * A record V8 wrote (the core's default codec, before this one), checked to be a series before
 * it is replayed: records of another shape (a spool directory another exporter wrote) would fail
 * each request they joined.
 */
function checkSeries(value: unknown): void {
  const s = value as TimeSeries | undefined;
  if (!Array.isArray(s?.labels) || !Array.isArray(s.samples)) {
    throw new Error('a spooled record that is not a remote-write series');
  }
}
