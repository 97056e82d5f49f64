import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { uncompress } from 'snappyjs';
import type { TimeSeries } from '../../src';

/*
 * The reference side of the encoder tests (and the benchmark's anchor): protobufjs reading the
 * remote-write .proto. It is a devDependency only; the package's own encoder never uses it.
 */

const root = protobuf.parse(readFileSync(join(__dirname, '../fixtures/remote.proto'), 'utf8')).root;
export const WriteRequestType = root.lookupType('prometheus.WriteRequest');

export interface DecodedSeries {
  labels: { name: string; value: string }[];
  samples: { value: number; timestamp: number }[];
  exemplars: { labels: { name: string; value: string }[]; value: number; timestamp: number }[];
}

/** Decodes an uncompressed WriteRequest with protobufjs into plain objects (int64 as numbers). */
export function decodeWriteRequest(bytes: Uint8Array): DecodedSeries[] {
  const message = WriteRequestType.decode(bytes);
  const object = WriteRequestType.toObject(message, { longs: Number, defaults: true }) as {
    timeseries: DecodedSeries[];
  };
  return object.timeseries;
}

/** Decodes a snappy-compressed WriteRequest (a request body). */
export function decodeRequestBody(body: Buffer): DecodedSeries[] {
  return decodeWriteRequest(uncompress(body));
}

/** The protobufjs object form of series, as the anchor encodes them. */
export function toProtobufObject(series: readonly TimeSeries[]): {
  timeseries: DecodedSeries[];
} {
  return {
    timeseries: series.map((s) => ({
      labels: s.labels.map((l) => ({ name: l.name, value: l.value })),
      samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestampMs })),
      exemplars: (s.exemplars ?? []).map((e) => ({
        labels: e.labels.map((l) => ({ name: l.name, value: l.value })),
        value: e.value,
        timestamp: e.timestampMs,
      })),
    })),
  };
}

/** protobufjs's encoding of the same WriteRequest. */
export function encodeWithProtobufjs(series: readonly TimeSeries[]): Uint8Array {
  return WriteRequestType.encode(WriteRequestType.fromObject(toProtobufObject(series))).finish();
}

/** What the encoder's output must decode to: the input with defaults filled as proto3 reads them. */
export function expectedDecoded(series: readonly TimeSeries[]): DecodedSeries[] {
  return series.map((s) => ({
    labels: s.labels.map((l) => ({ name: toWellFormed(l.name), value: toWellFormed(l.value) })),
    samples: s.samples.map((x) => ({ value: x.value, timestamp: Math.trunc(x.timestampMs) })),
    exemplars: (s.exemplars ?? []).map((e) => ({
      labels: e.labels.map((l) => ({ name: toWellFormed(l.name), value: toWellFormed(l.value) })),
      value: e.value,
      timestamp: Math.trunc(e.timestampMs),
    })),
  }));
}

/**
 * The series with every string well-formed: protobufjs writes a lone surrogate as the invalid
 * bytes ED A0 80, where this encoder (like Buffer) writes U+FFFD, so byte comparisons use this.
 */
export function wellFormedSeries(series: readonly TimeSeries[]): TimeSeries[] {
  const fix = (l: { name: string; value: string }) => ({
    name: toWellFormed(l.name),
    value: toWellFormed(l.value),
  });
  return series.map((s) => ({
    labels: s.labels.map(fix),
    samples: s.samples,
    ...(s.exemplars
      ? { exemplars: s.exemplars.map((e) => ({ ...e, labels: e.labels.map(fix) })) }
      : {}),
  }));
}

/** A lone surrogate is written as U+FFFD, as Buffer and every UTF-8 encoder write it. */
export function toWellFormed(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}
