/**
 * Writes `text` as a protobuf string's bytes — a one-byte length at `at`, the characters after
 * it — when it is ASCII and shorter than 128 units, the common case of telemetry's keys and
 * values, in the loop that finds it so (each character is read once: no measuring pass before
 * the copy). Returns the end, or -1 for any other text, which the caller then measures and
 * writes with Buffer.write (it may have written over `at + 1` onwards). The caller leaves room
 * for `1 + text.length` bytes. Shared by the protobuf encoders (OTLP, remote write).
 */
export function writeShortAscii(buf: Uint8Array, at: number, text: string): number {
  const n = text.length;
  if (n >= 0x80) return -1;
  const start = at + 1;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) return -1;
    buf[start + i] = code;
  }
  buf[at] = n;
  return start + n;
}
