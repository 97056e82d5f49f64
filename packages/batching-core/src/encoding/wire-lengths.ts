/*
 * Sizes of values as binary encoders write them: shared by the exporters' protobuf encoders
 * (remote write, OTLP), which size a message before writing it.
 */

/** Strings longer than this are measured by Buffer.byteLength rather than scanned here. */
const SCAN_LIMIT = 64;

/** UTF-8 length of a string, as Buffer.write will write it (a lone surrogate becomes U+FFFD). */
export function utf8Length(text: string): number {
  const n = text.length;
  if (n > SCAN_LIMIT) return Buffer.byteLength(text, 'utf8');
  for (let i = 0; i < n; i++) {
    if (text.charCodeAt(i) >= 0x80) return Buffer.byteLength(text, 'utf8');
  }
  return n;
}

/** Bytes of the varint of a non-negative integer below 2^53 (or of a negative int64: 10). */
export function varintLength(value: number): number {
  if (value < 0) return 10;
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  if (value < 0x800000000) return 5;
  if (value < 0x40000000000) return 6;
  if (value < 0x2000000000000) return 7;
  if (value < 0x100000000000000) return 8;
  return 9;
}
