import v8 from 'node:v8';
import {
  decodeObjectColumns,
  encodeObjectColumns,
  encodeObjectColumnsInScratch,
} from './object-columns';
import {
  BYTES_TAG,
  decodeTagged,
  encodeBytes,
  encodeStrings,
  encodeStringsInScratch,
  OBJECTS_TAG,
  STRINGS_TAG,
  V8_TAG,
} from './length-prefixed';

/**
 * How an exporter's records become the bytes of one spool frame and back. A frame holds the
 * records of one accepted export, so a codec sees them together: one serialisation per export.
 */
export interface SpoolCodec<R> {
  encode(records: readonly R[]): Uint8Array;
  /** Throws (or returns the wrong number of records) when the bytes are not its own: counted `corrupt`. */
  decode(payload: Uint8Array, count: number): R[];
}

/**
 * The built-in codecs' second way to encode, for the spool's frame only (not part of the API):
 * the payload written after `prefixBytes` of a scratch buffer that is reused from export to
 * export, so that the frame's header goes before it and the whole frame is one buffer, one
 * checksum pass and one `write(2)`, without a fresh ~100 KB buffer per export. The answer is
 * valid only until the next encode; `undefined` means: use `encode`.
 */
export const ENCODE_IN_SCRATCH = Symbol('otelpack.spool.encodeInScratch');

export type InScratchEncoder<R> = (
  records: readonly R[],
  prefixBytes: number,
) => Buffer | undefined;

export function inScratchEncoderOf<R>(codec: SpoolCodec<R>): InScratchEncoder<R> | undefined {
  return (codec as SpoolCodec<R> & { [ENCODE_IN_SCRATCH]?: InScratchEncoder<R> })[
    ENCODE_IN_SCRATCH
  ];
}

function withInScratch<R, C extends SpoolCodec<R>>(codec: C, encoder: InScratchEncoder<R>): C {
  Object.defineProperty(codec, ENCODE_IN_SCRATCH, { value: encoder });
  return codec;
}

/**
 * V8's structured serialisation, which keeps strings, numbers, Buffers, arrays, Maps and plain
 * objects as they were, so it serves every exporter whose records are plain data (class
 * instances come back as plain objects). One `v8.serialize` of an export's array costs about a
 * tenth of one call per record, but still about 1 µs a record of ~200 B (bench/spool.ts).
 */
export const v8Codec: SpoolCodec<unknown> = {
  encode: (records) => v8.serialize(records),
  decode: (payload) => v8.deserialize(payload) as unknown[],
};

/**
 * For an exporter's own codec: the records of a payload that V8's serialisation wrote (the core's
 * default codec, before the exporter had a codec of its own), each passed to `check`, which
 * throws for a record of another shape (a spool directory another exporter wrote: replayed, it
 * would fail every request it joined). Undefined when V8 did not write the payload. An upgrade
 * then replays what the spool held instead of counting it all `corrupt`.
 */
export function recordsWrittenByV8<R>(
  payload: Uint8Array,
  count: number,
  check: (record: unknown) => void,
): R[] | undefined {
  if (payload[0] !== V8_TAG) return undefined;
  const records = v8Codec.decode(payload, count);
  for (const record of records) check(record);
  return records as R[];
}

/**
 * Records that are already text (Dynatrace metric lines, a bulk body's lines): a tag byte, the
 * records' UTF-8 byte lengths, and their UTF-8, without `v8.serialize`'s walk and tags. Text is
 * kept as UTF-8 keeps it (a lone surrogate comes back as U+FFFD, as it would on the wire).
 */
export const stringSpoolCodec: SpoolCodec<string> = withInScratch<string, SpoolCodec<string>>(
  {
    encode: (records) => encodeStrings(records) as Buffer,
    decode: (payload, count) => decodeTagged(payload, count, STRINGS_TAG) as string[],
  },
  (records, prefixBytes) => encodeStringsInScratch(records, false, prefixBytes),
);

/**
 * Records that are one text each (a serialised event, a protocol line) with fields derived from
 * it: only the text is written, through the strings layout, and `fromText` makes the record
 * again (its class, its byte count) on replay. For an exporter's `spoolCodec`.
 */
export function textSpoolCodec<R>(
  toText: (record: R) => string,
  fromText: (text: string) => R,
): SpoolCodec<R> {
  const textsOf = (records: readonly R[]): string[] => {
    const texts: string[] = new Array(records.length);
    for (let i = 0; i < records.length; i++) texts[i] = toText(records[i]);
    return texts;
  };
  const codec: SpoolCodec<R> = {
    encode: (records) => stringSpoolCodec.encode(textsOf(records)),
    decode(payload, count) {
      const texts = stringSpoolCodec.decode(payload, count);
      const records: R[] = new Array(texts.length);
      for (let i = 0; i < texts.length; i++) records[i] = fromText(texts[i]);
      return records;
    },
  };
  return withInScratch(codec, (records: readonly R[], prefixBytes: number) =>
    encodeStringsInScratch(textsOf(records), false, prefixBytes),
  );
}

/** Records that are already bytes (encoded protobuf, a serialised row): length-prefixed. */
export const bytesSpoolCodec: SpoolCodec<Uint8Array> = {
  encode: encodeBytes,
  decode: (payload, count) => decodeTagged(payload, count, BYTES_TAG) as Uint8Array[],
};

/**
 * The default when neither the options nor the sender give a codec: an export whose records are
 * all strings, or all bytes, is written length-prefixed; plain objects of one shape whose values
 * are strings, numbers, booleans or null, as columns (object-columns.ts); any other through
 * `v8Codec`, as is text with a lone surrogate. Decoding reads the tag, so one spool may hold all.
 */
export const defaultSpoolCodec: SpoolCodec<unknown> = withInScratch<unknown, SpoolCodec<unknown>>(
  {
    encode(records) {
      if (records.length > 0) {
        const first = records[0];
        if (typeof first === 'string') {
          if (records.every((r) => typeof r === 'string')) {
            const strings = encodeStrings(records as string[], true);
            if (strings) return strings;
          }
        } else if (first instanceof Uint8Array) {
          if (records.every((r) => r instanceof Uint8Array))
            return encodeBytes(records as Uint8Array[]);
        } else {
          const columns = encodeObjectColumns(records);
          if (columns) return columns;
        }
      }
      return v8Codec.encode(records);
    },
    decode(payload, count) {
      if (payload.length === 0) throw new Error('empty spool payload');
      if (payload[0] === V8_TAG) return v8Codec.decode(payload, count);
      if (payload[0] === OBJECTS_TAG) return decodeObjectColumns(payload, count);
      return decodeTagged(payload, count, payload[0]);
    },
  },
  (records, prefixBytes) => {
    if (records.length === 0) return undefined;
    const first = records[0];
    if (typeof first === 'string') {
      return records.every((r) => typeof r === 'string')
        ? encodeStringsInScratch(records as string[], true, prefixBytes)
        : undefined;
    }
    // Bytes are copied once either way; V8's serialisation has its own buffer.
    if (first instanceof Uint8Array) return undefined;
    return encodeObjectColumnsInScratch(records, prefixBytes);
  },
);
