/*
 * Just enough protobuf reading for OTLP's answers: the fields of one message, each as a varint
 * (number, exact below 2^53) or a length-delimited slice. Anything malformed throws.
 */

export interface ReadField {
  field: number;
  wireType: number;
  /** Varint fields. */
  value?: number;
  /** Length-delimited fields. */
  bytes?: Buffer;
}

export function readFields(buffer: Buffer): ReadField[] {
  const fields: ReadField[] = [];
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= buffer.length) throw new Error('truncated varint');
      const byte = buffer[pos++];
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  };
  while (pos < buffer.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    switch (wireType) {
      case 0:
        fields.push({ field, wireType, value: varint() });
        break;
      case 1:
        pos += 8;
        fields.push({ field, wireType });
        break;
      case 2: {
        const length = varint();
        if (pos + length > buffer.length) throw new Error('truncated length-delimited field');
        fields.push({ field, wireType, bytes: buffer.subarray(pos, pos + length) });
        pos += length;
        break;
      }
      case 5:
        pos += 4;
        fields.push({ field, wireType });
        break;
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
    if (pos > buffer.length) throw new Error('truncated fixed-size field');
  }
  return fields;
}
