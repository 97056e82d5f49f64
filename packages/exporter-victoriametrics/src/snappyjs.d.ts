// snappyjs ships no types. Only the Buffer overloads are declared: this package never passes the
// ArrayBuffer or plain Uint8Array forms, whose return types differ.
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}

// The compressor behind compress(), used with a buffer of our own (see snappy.ts). It writes
// every byte it reports, so the buffer need not be zeroed.
declare module 'snappyjs/snappy_compressor' {
  export class SnappyCompressor {
    constructor(uncompressed: Uint8Array);
    maxCompressedLength(): number;
    /** Writes the snappy block into out; returns its length. */
    compressToBuffer(out: Uint8Array): number;
  }
}
