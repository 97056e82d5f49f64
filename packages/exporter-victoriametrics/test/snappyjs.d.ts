// snappyjs ships no types. Only the Buffer overloads are declared: the tests (its decoder checks
// what src/snappy.ts writes) and the benchmarks (its compressor is the anchor) never pass the
// ArrayBuffer or plain Uint8Array forms, whose return types differ.
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}
