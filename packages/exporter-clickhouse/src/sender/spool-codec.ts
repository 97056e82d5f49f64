import { SpoolLayout, defaultSpoolCodec } from '@otelpack/batching-core';
import type { SpoolCodec } from '@otelpack/batching-core';
import { EncodedRow } from '../encoding/encoder';
import type { ClickHouseRow } from '../encoding/encoder';
import { tableRowReader } from '../encoding/row-binary-reader';
import { rowBinaryWriter } from '../encoding/row-binary';
import { PROCESS_ORIGIN, freshOrigin } from '../encoding/row-ids';
import { INSERT_COLUMNS } from '../schema/tables';
import type { TableKind } from '../schema/tables';

/*
 * The sender's spool codec. The core's default codec wrote JSON rows as columns, but a RowBinary
 * row (its bytes a Buffer) and a metric row (with the row object kept for tables of other types)
 * went through V8's serialisation: a hook per Buffer, and every key of every row object.
 *
 * Layout (SpoolPayloadWriter):
 *
 *   u8 'C', u8 format version 1, text: the writing process's origin (row-ids.ts)
 *   per row: u8 flags, u8 table, [f64 id], [text origin], data, [source]
 *     flags: 1 data is RowBinary bytes (else JSON text), 2 has an id, 4 has a row object,
 *            8 an origin of its own (a row another process encoded)
 *     data: length-prefixed bytes, or text (UTF-8, as the insert body has it: a lone surrogate
 *           comes back as U+FFFD, which is what UTF-8 made of it on the wire anyway)
 *     source: the row object in RowBinary, when the data is JSON text; with RowBinary data the
 *             row object is read back from the data itself (row-binary-reader.ts)
 *
 * A row's number and origin come back with it: a batch replayed after a restart, cut as it was,
 * carries the dedup token it had, and never one of the new process's own rows (which number
 * from 1 again).
 *
 * A row object read back from RowBinary writes the same JSON and the same RowBinary as the one
 * the mapping made (test/row-binary-reader.test.ts): the sender's re-encoding for a table of
 * other types gives the same rows after a restart.
 */

const LAYOUT = new SpoolLayout('ClickHouse', 0x43); // 'C'
const BINARY = 1;
const HAS_ID = 2;
const HAS_SOURCE = 4;
const HAS_ORIGIN = 8;
/** The tables by number: the order is part of the format. */
const TABLES: readonly TableKind[] = [
  'traces',
  'logs',
  'gauge',
  'sum',
  'histogram',
  'exponentialHistogram',
  'summary',
];
const TABLE_NUMBERS = new Map(TABLES.map((table, i) => [table, i]));
/** Past this the writer grows as it goes: a huge export does not take it all up front. */
const MAX_EXPECTED_BYTES = 4 * 1024 * 1024;

const writers = new Map<TableKind, (row: object) => Buffer>();

function writerOf(table: TableKind): (row: object) => Buffer {
  let write = writers.get(table);
  if (!write) writers.set(table, (write = rowBinaryWriter(INSERT_COLUMNS[table])));
  return write;
}

export const clickHouseRowSpoolCodec: SpoolCodec<ClickHouseRow> = {
  encode(rows) {
    let expected = 64;
    for (const row of rows) expected += 16 + row.data.length;
    const out = LAYOUT.writer(Math.min(MAX_EXPECTED_BYTES, expected));
    out.text(PROCESS_ORIGIN);
    for (const row of rows) {
      const table = TABLE_NUMBERS.get(row.table);
      if (table === undefined) throw new Error(`a row for an unknown table ${String(row.table)}`);
      const binary = typeof row.data !== 'string';
      out.u8(
        (binary ? BINARY : 0) |
          (row.id !== undefined ? HAS_ID : 0) |
          (row.source !== undefined ? HAS_SOURCE : 0) |
          (row.origin !== undefined ? HAS_ORIGIN : 0),
      );
      out.u8(table);
      if (row.id !== undefined) out.f64(row.id);
      if (row.origin !== undefined) out.text(row.origin);
      if (binary) out.bytes(row.data as Buffer);
      else out.text(row.data as string);
      if (row.source !== undefined && !binary) out.bytes(writerOf(row.table)(row.source));
    }
    return out.finish();
  },

  decode(payload, count) {
    // What the core's default codec wrote before this one (JSON rows as columns, the others
    // through V8) is replayed as it was written, checked to be rows: an upgrade loses nothing.
    if (!LAYOUT.owns(payload)) return fromDefaultCodec(payload, count);
    const input = LAYOUT.reader(payload);
    const writer = input.text();
    const rows: ClickHouseRow[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const flags = input.u8();
      if (flags > (BINARY | HAS_ID | HAS_SOURCE | HAS_ORIGIN)) {
        throw new Error(`row flags ${flags}`);
      }
      const table = TABLES[input.index(TABLES.length, 'table')];
      const id = flags & HAS_ID ? input.f64() : undefined;
      const origin = flags & HAS_ORIGIN ? input.text() : writer;
      const data = flags & BINARY ? Buffer.from(input.bytesView()) : input.text();
      // An EncodedRow, as the mapping makes them: the same shape as a mapped row.
      const row: ClickHouseRow = new EncodedRow(table, data, id, origin);
      if (flags & HAS_SOURCE) {
        row.source = tableRowReader(table)(
          flags & BINARY ? (data as Buffer) : Buffer.from(input.bytesView()),
        );
      }
      rows[i] = row;
    }
    input.end();
    return rows;
  },
};

function fromDefaultCodec(payload: Uint8Array, count: number): ClickHouseRow[] {
  const rows = defaultSpoolCodec.decode(payload, count) as ClickHouseRow[];
  // Their writer's origin was not kept: one of their own keeps their tokens off this process's.
  const origin = freshOrigin();
  for (const row of rows) {
    const data = (row as { data?: unknown } | undefined)?.data;
    if (
      !TABLE_NUMBERS.has(row?.table) ||
      (typeof data !== 'string' && !(data instanceof Uint8Array))
    ) {
      throw new Error('a spooled record that is not a ClickHouse row');
    }
    // The body is written with Buffer methods.
    if (typeof data !== 'string' && !Buffer.isBuffer(data)) {
      row.data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    row.origin ??= origin;
  }
  return rows;
}
