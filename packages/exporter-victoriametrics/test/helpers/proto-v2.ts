import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';

/*
 * The reference side of the remote write 2.0 tests: protobufjs reading the published
 * io.prometheus.write.v2 .proto, then the symbol references resolved, so that a test compares
 * what a receiver would read with what was sent.
 */

const root = protobuf.parse(
  readFileSync(join(__dirname, '../fixtures/write_v2.proto'), 'utf8'),
).root;
const RequestType = root.lookupType('io.prometheus.write.v2.Request');

export interface DecodedV2 {
  symbols: string[];
  timeseries: {
    labels: Record<string, string>;
    samples: { value: number; timestamp: number }[];
    histograms: Record<string, unknown>[];
    exemplars: { labels: Record<string, string>; value: number; timestamp: number }[];
    metadata?: { type: string; help: string; unit: string };
    createdTimestamp: number;
  }[];
}

function pairs(refs: number[], symbols: string[]): Record<string, string> {
  if (refs.length % 2 !== 0) throw new Error(`odd labels_refs length ${refs.length}`);
  const out: Record<string, string> = {};
  for (let i = 0; i < refs.length; i += 2) {
    const name = symbols[refs[i]];
    const value = symbols[refs[i + 1]];
    if (name === undefined || value === undefined) throw new Error(`ref out of range at ${i}`);
    out[name] = value;
  }
  return out;
}

type Raw = {
  symbols: string[];
  timeseries: {
    labelsRefs: number[];
    samples: { value: number; timestamp: number }[];
    histograms: Record<string, unknown>[];
    exemplars: { labelsRefs: number[]; value: number; timestamp: number }[];
    metadata?: { type: string; helpRef: number; unitRef: number };
    createdTimestamp: number;
  }[];
};

/** Decodes an uncompressed io.prometheus.write.v2.Request and resolves its symbols. */
export function decodeRequestV2(bytes: Uint8Array): DecodedV2 {
  const message = RequestType.decode(bytes);
  const raw = RequestType.toObject(message, {
    longs: Number,
    enums: String,
    defaults: true,
    oneofs: true,
  }) as Raw;
  const symbols = raw.symbols;
  return {
    symbols,
    timeseries: raw.timeseries.map((ts) => ({
      labels: pairs(ts.labelsRefs, symbols),
      samples: ts.samples,
      histograms: ts.histograms,
      exemplars: ts.exemplars.map((e) => ({
        labels: pairs(e.labelsRefs, symbols),
        value: e.value,
        timestamp: e.timestamp,
      })),
      // With `defaults`, an absent message field reads as null.
      ...(ts.metadata
        ? {
            metadata: {
              type: ts.metadata.type,
              help: symbols[ts.metadata.helpRef],
              unit: symbols[ts.metadata.unitRef],
            },
          }
        : {}),
      createdTimestamp: ts.createdTimestamp,
    })),
  };
}

const CurrentRequestType = protobuf
  .parse(readFileSync(join(__dirname, '../fixtures/write_v2_start_timestamp.proto'), 'utf8'))
  .root.lookupType('io.prometheus.write.v2.Request');

/**
 * The start timestamps Prometheus 3.8 and later read from a request (write_v2_start_timestamp.proto):
 * each sample's and each histogram's, per series.
 */
export function startTimestampsV2(
  bytes: Uint8Array,
): { samples: number[]; histograms: number[] }[] {
  const raw = CurrentRequestType.toObject(CurrentRequestType.decode(bytes), {
    longs: Number,
    defaults: true,
  }) as {
    timeseries: {
      samples: { startTimestamp: number }[];
      histograms: { startTimestamp: number }[];
    }[];
  };
  return raw.timeseries.map((ts) => ({
    samples: ts.samples.map((s) => s.startTimestamp),
    histograms: ts.histograms.map((h) => h.startTimestamp),
  }));
}
