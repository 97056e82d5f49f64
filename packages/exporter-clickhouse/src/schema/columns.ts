import type { ClickHouseClient } from '@clickhouse/client';
import { INSERT_COLUMNS } from './tables';
import type { ColumnKind, InsertColumn, TableKind } from './tables';

/** A table's columns as `system.columns` lists them: name to type. */
export type ColumnTypes = ReadonlyMap<string, string>;

/**
 * What the exporter writes into one table: its insert columns, each with the type the table
 * really has and the encoding that type reads. `matchesDefault` when that is the exporter's own
 * schema, so rows encoded before the table was read need no second encoding.
 */
export interface TableLayout {
  columns: readonly InsertColumn[];
  matchesDefault: boolean;
  /**
   * Rows encoded for the exporter's own schema have the bytes this table reads in RowBinary
   * (its types differ only by LowCardinality): they can go under this layout's header as they are.
   */
  sameBytes: boolean;
  /**
   * RowBinary writes every column in the bytes of the table's type: the same types but for
   * LowCardinality, or a time the encoding adapts (`DateTime` seconds). Otherwise (an older
   * table's `Int32` where ours is `UInt8`, a `Nullable`...) rows go to this table as JSON, which
   * the server converts.
   */
  rowBinary: boolean;
}

/** Strips the wrappers that change neither the wire form nor the text form of a value. */
function baseType(type: string): string {
  const lowCardinality = /^LowCardinality\((.*)\)$/.exec(type);
  return lowCardinality ? lowCardinality[1] : type;
}

/**
 * The encoding of one of our columns for the table's type. Only time columns change: the
 * Collector's metric tables keep `DateTime` (seconds) where the exporter's own have
 * `DateTime64(9)`, and DateTime refuses a fraction (error 27). Any other difference is left to
 * the server: JSON input converts between compatible types, and RowBinary states the table's
 * type in its header, which only works where the bytes are the same (String and
 * LowCardinality(String), Bool and Boolean).
 */
function kindFor(ours: ColumnKind, tableType: string): ColumnKind {
  const type = baseType(tableType);
  if (ours === 'datetime64' && /^DateTime(\(.*\))?$/.test(type)) return 'datetime';
  if (ours === 'datetime64[]' && /^Array\(DateTime(\(.*\))?\)$/.test(type)) return 'datetime[]';
  return ours;
}

/**
 * Our insert columns of a table, typed as the table has them. A column the table lacks keeps
 * our type: the INSERT then fails with ClickHouse's own "no such column" error, which says
 * what to add.
 */
export function layoutFor(kind: TableKind, types: ColumnTypes): TableLayout {
  let matchesDefault = true;
  let sameBytes = true;
  let rowBinary = true;
  const columns = INSERT_COLUMNS[kind].map((column) => {
    const tableType = types.get(column.name);
    if (tableType === undefined || tableType === column.type) return column;
    matchesDefault = false;
    const adapted = kindFor(column.kind, tableType);
    if (baseType(tableType) !== baseType(column.type)) {
      sameBytes = false;
      if (adapted === column.kind) rowBinary = false;
    }
    return { ...column, type: tableType, kind: adapted };
  });
  return { columns, matchesDefault, sameBytes, rowBinary };
}

export const DEFAULT_LAYOUTS: Readonly<Record<TableKind, TableLayout>> = Object.fromEntries(
  (Object.keys(INSERT_COLUMNS) as TableKind[]).map((kind) => [
    kind,
    { columns: INSERT_COLUMNS[kind], matchesDefault: true, sameBytes: true, rowBinary: true },
  ]),
) as Record<TableKind, TableLayout>;

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Reads the column types of the given tables from `system.columns`, in one query. A table that
 * does not exist is absent from the answer (its inserts then fail with UNKNOWN_TABLE).
 */
export async function readColumnTypes(
  client: ClickHouseClient,
  database: string,
  tables: readonly string[],
  options: { abortSignal?: AbortSignal; httpHeaders?: Record<string, string> } = {},
): Promise<Map<string, Map<string, string>>> {
  const result = await client.query({
    query: `SELECT table, name, type FROM system.columns WHERE database = ${sqlString(database)} AND table IN (${tables.map(sqlString).join(', ')})`,
    format: 'JSONEachRow',
    ...(options.abortSignal ? { abort_signal: options.abortSignal } : {}),
    ...(options.httpHeaders ? { http_headers: options.httpHeaders } : {}),
  });
  const rows = await result.json<{ table: string; name: string; type: string }>();
  const byTable = new Map<string, Map<string, string>>();
  for (const row of rows) {
    let columns = byTable.get(row.table);
    if (!columns) byTable.set(row.table, (columns = new Map()));
    columns.set(row.name, row.type);
  }
  return byTable;
}
