// snappyjs ships no types. Only the Buffer overloads are declared: this package never passes the
// ArrayBuffer or plain Uint8Array forms, whose return types differ.
declare module 'snappyjs' {
  export function compress(uncompressed: Buffer): Buffer;
  export function uncompress(compressed: Buffer, maxLength?: number): Buffer;
}
