import { INSERT_COLUMNS } from '../schema/tables';
import type { InsertColumn, TableKind } from '../schema/tables';
import { jsonCompactEachRowWriter, jsonEachRowWriter } from './json';
import { rowBinaryWriter } from './row-binary';
import { nextRowId } from './row-ids';

/**
 * The INSERT formats the exporter can write. JSONEachRow is the default (see the README's
 * measurements); RowBinary needs an HTTP connection, as the embedded chdb connection passes
 * insert bodies through as text.
 */
export type InsertFormat = 'JSONEachRow' | 'JSONCompactEachRow' | 'RowBinary';

/**
 * The format named in the INSERT: RowBinary goes with its names-and-types header, so that a
 * table of another shape is refused rather than misread.
 */
export function wireFormat(format: InsertFormat): string {
  return format === 'RowBinary' ? 'RowBinaryWithNamesAndTypes' : format;
}

export const INSERT_FORMATS: readonly InsertFormat[] = [
  'JSONEachRow',
  'JSONCompactEachRow',
  'RowBinary',
];

/**
 * What the pipeline carries: one row, already encoded in the insert format, and the table it
 * goes to. Encoding at export time leaves the send one concatenation. JSON rows stay strings
 * until then: one UTF-8 conversion per batch instead of one allocation per row.
 */
export interface ClickHouseRow {
  table: TableKind;
  /** A JSON line (with its newline), or RowBinary bytes. */
  data: string | Buffer;
  /** The row's number in the process that encoded it (row-ids.ts), for the insert's dedup token. */
  id?: number;
  /**
   * That process's part of the token, when it is not this process: a row replayed from the
   * disk spool. Its number may be one this process gives again; the origin keeps them apart.
   */
  origin?: string;
  /**
   * The row object, kept where a table made by someone else may need other encodings than the
   * exporter's own schema: metric rows, whose times are `DateTime` in the Collector's tables.
   * The sender encodes it again for such a table (see TableLayouts).
   */
  source?: object;
}

/**
 * A ClickHouseRow as the exporter makes them: by a constructor, every field present, so that
 * rows have one shape whichever of the optional fields they carry. Not an object literal: rows
 * are held until their batch of up to `maxBatchItems` leaves, and V8 allocates all later objects
 * of a literal whose objects mostly outlive a young collection straight in the old generation,
 * where delivered rows then became garbage for mark-compact collections (batching-core's
 * HeldEntry says more; bench/HISTORY.md, 7 December, has the figures).
 */
export class EncodedRow implements ClickHouseRow {
  table: TableKind;
  data: string | Buffer;
  id: number | undefined;
  origin: string | undefined;
  source: object | undefined;

  constructor(
    table: TableKind,
    data: string | Buffer,
    id: number | undefined,
    origin?: string,
    source?: object,
  ) {
    this.table = table;
    this.data = data;
    this.id = id;
    this.origin = origin;
    this.source = source;
  }
}

/** A row already encoded for the exporter's own columns, numbered for the dedup token. */
export function encodedRow(table: TableKind, data: string | Buffer): ClickHouseRow {
  return new EncodedRow(table, data, nextRowId());
}

/** The function from a row object to its encoding, for columns in a format. */
export function rowWriter(
  format: InsertFormat,
  columns: readonly InsertColumn[],
): (row: object) => string | Buffer {
  switch (format) {
    case 'RowBinary':
      return rowBinaryWriter(columns);
    case 'JSONCompactEachRow':
      return jsonCompactEachRowWriter(columns);
    case 'JSONEachRow':
      return jsonEachRowWriter(columns);
  }
}

/** Encodes rows of every table in one format. */
export class RowEncoder {
  readonly format: InsertFormat;
  private readonly writers: Partial<Record<TableKind, (row: object) => string | Buffer>> = {};

  constructor(format: InsertFormat) {
    this.format = format;
  }

  encode(table: TableKind, row: object): ClickHouseRow {
    return encodedRow(table, this.writerOf(table)(row));
  }

  /** As `encode`, keeping the row object for a table of other column types (metric rows). */
  encodeKeepingSource(table: TableKind, row: object): ClickHouseRow {
    return new EncodedRow(table, this.writerOf(table)(row), nextRowId(), undefined, row);
  }

  private writerOf(table: TableKind): (row: object) => string | Buffer {
    return (this.writers[table] ??= rowWriter(this.format, INSERT_COLUMNS[table]));
  }
}

/**
 * The size a row counts for in the pipeline's byte limits: bytes for RowBinary; for a JSON line
 * its length in UTF-16 units, which is its UTF-8 size for ASCII text and close to what the
 * string holds in memory otherwise.
 */
export function rowSize(row: ClickHouseRow): number {
  return row.data.length;
}

/** Where a body is written: a buffer of at least `bytes` (the sender's reused buffers). */
export type BodyAllocator = (bytes: number) => Buffer;

const FRESH: BodyAllocator = (bytes) => Buffer.allocUnsafe(bytes);

/**
 * The body of one INSERT: an optional header, then the rows in order, written at the start of
 * a buffer from `allocate` (the returned Buffer is a view of it, of the body's exact size).
 *
 * JSON lines are sized in UTF-8 and written one by one. Joined into one string first, as this
 * did before, the join alone (a string of a megabyte from a thousand lines) cost 4-7 µs per
 * line, the largest single cost of an export; sized and written, a line costs about 0.3 µs.
 */
export function insertBody(
  header: Buffer | undefined,
  rows: readonly (string | Buffer)[],
  allocate: BodyAllocator = FRESH,
): Buffer {
  const byteLengths = new Array<number>(rows.length);
  let total = header ? header.length : 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    byteLengths[i] = typeof row === 'string' ? Buffer.byteLength(row, 'utf8') : row.length;
    total += byteLengths[i];
  }
  const body = allocate(total);
  if (header) body.set(header, 0);
  let offset = header ? header.length : 0;
  // TypedArray#set, not Buffer#copy: copy's argument checks cost more than a row's bytes.
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row === 'string') {
      offset += body.write(row, offset, byteLengths[i], 'utf8');
    } else {
      body.set(row, offset);
      offset += row.length;
    }
  }
  return body.length === total ? body : body.subarray(0, total);
}
