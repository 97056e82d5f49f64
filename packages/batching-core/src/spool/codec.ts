import v8 from 'node:v8';

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
 * The default: V8's structured serialisation, which keeps strings, numbers, Buffers, arrays,
 * Maps and plain objects as they were, so it serves every exporter whose records are plain data
 * (class instances come back as plain objects). One `v8.serialize` of an export's array costs
 * about a tenth of one call per record (measured: bench/spool.ts).
 */
export const v8Codec: SpoolCodec<unknown> = {
  encode: (records) => v8.serialize(records),
  decode: (payload) => v8.deserialize(payload) as unknown[],
};
