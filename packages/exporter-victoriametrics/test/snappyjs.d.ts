// snappyjs ships no types. Only the Buffer overloads are declared: the tests (its decoder checks
// what src/snappy.ts writes) and the benchmarks (its compressor is the anchor) never pass the
// ArrayBuffer or plain Uint8Array forms, whose return types differ.
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}

// The compressor behind compress(): the benchmark's anchor uses it as the exporter did before
// src/snappy.ts, into a reused buffer (it writes every byte it reports, so no zeroing is needed).
declare module 'snappyjs/snappy_compressor' {
  export class SnappyCompressor {
    constructor(uncompressed: Uint8Array);
    maxCompressedLength(): number;
    /** Writes the snappy block into out; returns its length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
