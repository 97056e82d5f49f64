/*
 * Protobuf's base-128 varints, written into a byte array at a position: the WriteRequest encoder's
 * (tags, lengths, timestamps) and the snappy block's length preamble, which is the same encoding.
 */

/** Writes an unsigned varint (integers below 2^53), or a negative int64 as ten bytes. */
export function writeVarint(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) return writeNegativeVarint(buf, pos, value);
  while (value >= 0x80) {
    buf[pos++] = (value & 0x7f) | 0x80; // & keeps the low 7 bits of any integer below 2^53
    value = Math.floor(value / 128);
  }
  buf[pos++] = value;
  return pos;
}

function writeNegativeVarint(buf: Uint8Array, pos: number, value: number): number {
  let rest = BigInt.asUintN(64, BigInt(value));
  for (let i = 0; i < 9; i++) {
    buf[pos++] = Number(rest & 0x7fn) | 0x80;
    rest >>= 7n;
  }
  buf[pos++] = Number(rest);
  return pos;
}
