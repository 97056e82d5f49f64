import type { Timestamp9 } from '../mapping/time';
import type { StringMap } from '../mapping/values';
import { INSERT_COLUMNS } from '../schema/tables';
import type { ColumnKind, InsertColumn, TableKind } from '../schema/tables';

/*
 * The row objects back from the RowBinary bytes this exporter wrote (row-binary.ts), column by
 * column in the layout's order. A row encoded for the exporter's own schema that must go into a
 * table of other column types (an older table's `Int32` where ours is `UInt8`) is read back
 * and written again as JSON, which ClickHouse converts; RowBinary's bytes would be refused.
 * Every read is checked against the row's end: bytes this writer did not make throw.
 */

const NANOS_PER_SECOND = 1_000_000_000n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

class ByteReader {
  private offset = 0;

  constructor(private readonly bytes: Buffer) {}

  get done(): boolean {
    return this.offset === this.bytes.length;
  }

  private need(count: number): void {
    if (this.offset + count > this.bytes.length) throw new Error('RowBinary row ends early');
  }

  varUInt(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      this.need(1);
      const byte = this.bytes[this.offset++];
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 49) throw new Error('RowBinary length past 2^56');
    }
  }

  string(): string {
    const length = this.varUInt();
    this.need(length);
    const text = this.bytes.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return text;
  }

  uint8(): number {
    this.need(1);
    return this.bytes[this.offset++];
  }

  uint32(): number {
    this.need(4);
    const value = this.bytes.readUInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  int32(): number {
    this.need(4);
    const value = this.bytes.readInt32LE(this.offset);
    this.offset += 4;
    return value;
  }

  float64(): number {
    this.need(8);
    const value = this.bytes.readDoubleLE(this.offset);
    this.offset += 8;
    return value;
  }

  /** As the mapping gives it: a number where it is exact, else a bigint. */
  uint64(): number | bigint {
    this.need(8);
    const value = this.bytes.readBigUInt64LE(this.offset);
    this.offset += 8;
    return value <= MAX_SAFE ? Number(value) : value;
  }

  timestamp(): Timestamp9 {
    this.need(8);
    const nanos = this.bytes.readBigUInt64LE(this.offset);
    this.offset += 8;
    return [Number(nanos / NANOS_PER_SECOND), Number(nanos % NANOS_PER_SECOND)];
  }

  map(): StringMap {
    const pairs: [string, string][] = new Array(this.varUInt());
    for (let i = 0; i < pairs.length; i++) pairs[i] = [this.string(), this.string()];
    return pairs;
  }
}

type FieldReader = (reader: ByteReader) => unknown;

function arrayOf(read: FieldReader): FieldReader {
  return (reader) => {
    const items: unknown[] = new Array(reader.varUInt());
    for (let i = 0; i < items.length; i++) items[i] = read(reader);
    return items;
  };
}

const seconds = (reader: ByteReader): Timestamp9 => [reader.uint32(), 0];

const READERS: Record<ColumnKind, FieldReader> = {
  string: (r) => r.string(),
  datetime64: (r) => r.timestamp(),
  datetime: seconds,
  uint8: (r) => r.uint8(),
  uint32: (r) => r.uint32(),
  int32: (r) => r.int32(),
  uint64: (r) => r.uint64(),
  float64: (r) => r.float64(),
  bool: (r) => r.uint8() !== 0,
  map: (r) => r.map(),
  'string[]': arrayOf((r) => r.string()),
  'datetime64[]': arrayOf((r) => r.timestamp()),
  'datetime[]': arrayOf(seconds),
  'map[]': arrayOf((r) => r.map()),
  'uint64[]': arrayOf((r) => r.uint64()),
  'float64[]': arrayOf((r) => r.float64()),
};

function rowReader(columns: readonly InsertColumn[]): (reader: ByteReader) => object {
  const names = columns.map((column) => column.name);
  const readers = columns.map((column) => READERS[column.kind]);
  return (reader) => {
    const row: Record<string, unknown> = {};
    for (let i = 0; i < readers.length; i++) row[names[i]] = readers[i](reader);
    return row;
  };
}

/** A function from one row's RowBinary bytes (written for `columns`) to its row object. */
export function rowBinaryReader(columns: readonly InsertColumn[]): (bytes: Buffer) => object {
  const read = rowReader(columns);
  return (bytes) => {
    const reader = new ByteReader(bytes);
    const row = read(reader);
    if (!reader.done) throw new Error('RowBinary row longer than its columns');
    return row;
  };
}

const tableReaders = new Map<TableKind, (bytes: Buffer) => object>();

/** The reader of a table's rows as the exporter encodes them (its own columns), made once. */
export function tableRowReader(table: TableKind): (bytes: Buffer) => object {
  let read = tableReaders.get(table);
  if (!read) tableReaders.set(table, (read = rowBinaryReader(INSERT_COLUMNS[table])));
  return read;
}

/**
 * The rows of a RowBinaryWithNamesAndTypes body (an INSERT's), read with `columns` after its
 * header of names and types: what a test or a fake server makes of what the exporter sent.
 */
export function readRowBinaryBody(
  columns: readonly InsertColumn[],
  body: Buffer,
): { names: string[]; types: string[]; rows: object[] } {
  const reader = new ByteReader(body);
  const count = reader.varUInt();
  const names = Array.from({ length: count }, () => reader.string());
  const types = Array.from({ length: count }, () => reader.string());
  const read = rowReader(columns);
  const rows: object[] = [];
  while (!reader.done) rows.push(read(reader));
  return { names, types, rows };
}
