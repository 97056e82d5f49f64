import type { ClickHouseRow } from '../encoding/encoder';
import type { TableKind } from '../schema/tables';

/** The rows of one table in a batch, by their index in it. */
export interface TableGroup {
  table: TableKind;
  indexes: number[];
}

/** The numbers of a group's rows, when every one has one. */
export function idsOf(group: TableGroup, batch: readonly ClickHouseRow[]): number[] | undefined {
  const ids: number[] = new Array(group.indexes.length);
  for (let i = 0; i < ids.length; i++) {
    const id = batch[group.indexes[i]].id;
    if (id === undefined) return undefined;
    ids[i] = id;
  }
  return ids.length > 0 ? ids : undefined;
}

/** The origins of a group's rows, when any was replayed from another process's spool. */
export function originsOf(
  group: TableGroup,
  batch: readonly ClickHouseRow[],
): (string | undefined)[] | undefined {
  if (group.indexes.every((index) => batch[index].origin === undefined)) return undefined;
  return group.indexes.map((index) => batch[index].origin);
}

export function groupByTable(batch: readonly ClickHouseRow[]): TableGroup[] {
  const first = batch[0]?.table;
  if (batch.every((row) => row.table === first)) {
    return [{ table: first, indexes: batch.map((_, index) => index) }];
  }
  const groups = new Map<TableKind, number[]>();
  batch.forEach((row, index) => {
    const indexes = groups.get(row.table);
    if (indexes) indexes.push(index);
    else groups.set(row.table, [index]);
  });
  return [...groups].map(([table, indexes]) => ({ table, indexes }));
}
