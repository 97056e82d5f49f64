import { SpoolLayout, SpoolTable, defaultSpoolCodec } from '@otelpack/batching-core';
import type { SpoolCodec } from '@otelpack/batching-core';
import { internedTail } from '../mapping/otel-writer';
import type { SharedJsonTail } from '../mapping/types';
import { DocumentSlabs, bulkRecordOf, ownDocumentBytes, sharedTailOf } from './record';
import type { BulkRecord } from './record';

/*
 * The bulk sender's spool codec. A record's document is UTF-8 in a slab (record.ts), and the
 * record a class instance: the core's default codec would take V8's serialisation for it (a
 * hook per view, every key of every record) and replay plain objects, without the `document`
 * getter. Here a record is its bytes, two flags and its action line, once per export.
 *
 * Layout (SpoolPayloadWriter: counts and lengths as varints):
 *
 *   u8 'E', u8 format version 1
 *   per record: u8 flags, uv action, bytes document[, uv tail]
 *     flags: 1 a 409 means stored (conflictMeansStored), 2 bound for a time series data stream,
 *            4 the document is in two parts (its own, then a tail it shares)
 *     action: 0 is a new action line, its text following, the next entry of the export's table
 *             of action lines; n > 0 is the table's entry n - 1 (a batch's records mostly share
 *             one line)
 *     document: the document line's UTF-8, as the body carries it; with flag 4 only the
 *               record's own part, the tail following
 *     tail: as action, with the tail's UTF-8 (bytes) for a new one: the resource, scope and data
 *           stream members that the export's records of one target share, written once; read
 *           back, it is found again among the mapping's tails (otel-writer.ts), so that replayed
 *           records share it with each other and with new records, and are counted as they were
 *           (the core counts a shared tail once)
 *
 * Flag 4 came after the layout's first payloads: those, whole documents, read as they were.
 * The index and the id come back from the action line, which JSON.stringify wrote (a lone
 * surrogate escaped, so the line is exact in UTF-8).
 */

const LAYOUT = new SpoolLayout('Elasticsearch', 0x45); // 'E'
const CONFLICT_MEANS_STORED = 1;
const TIME_SERIES = 2;
const SPLIT = 4;
const NEW_ENTRY = 0;
/** Past this the writer grows as it goes: a huge export does not take it all up front. */
const MAX_EXPECTED_BYTES = 4 * 1024 * 1024;

export const bulkRecordSpoolCodec: SpoolCodec<BulkRecord> = {
  encode(records) {
    let expected = 64;
    for (const record of records) {
      // An action line with an id is the record's own; the others are mostly one per export.
      // Its lines less a shared tail (written once): an estimate that makes no view.
      expected += 8 + record.bytes - (sharedTailOf(record)?.wireBytes ?? 0);
    }
    const out = LAYOUT.writer(Math.min(MAX_EXPECTED_BYTES, expected));
    const actions = new SpoolTable<string>();
    const tails = new SpoolTable<SharedJsonTail>();
    for (const record of records) {
      const tail = sharedTailOf(record);
      out.u8(
        (record.conflictMeansStored ? CONFLICT_MEANS_STORED : 0) |
          (record.timeSeries ? TIME_SERIES : 0) |
          (tail === undefined ? 0 : SPLIT),
      );
      const knownActions = actions.items.length;
      const action = actions.indexOf(record.action);
      if (action < knownActions) {
        out.uv(action + 1);
      } else {
        out.uv(NEW_ENTRY);
        out.text(record.action);
      }
      out.bytes(ownDocumentBytes(record));
      if (tail === undefined) continue;
      const knownTails = tails.items.length;
      const tailIndex = tails.indexOf(tail);
      if (tailIndex < knownTails) {
        out.uv(tailIndex + 1);
      } else {
        out.uv(NEW_ENTRY);
        out.bytes(tail.bytes);
      }
    }
    return out.finish();
  },

  decode(payload, count) {
    // What the core's default codec wrote before this one (the records as columns) is replayed
    // as it was written, checked to be bulk records: an upgrade loses nothing.
    if (!LAYOUT.owns(payload)) return fromDefaultCodec(payload, count);
    const input = LAYOUT.reader(payload);
    const actions: ActionLine[] = [];
    const tails: SharedJsonTail[] = [];
    const records: BulkRecord[] = new Array(count);
    // The documents are copied out of the payload, which a replayed record then does not keep.
    const slabs = new DocumentSlabs();
    for (let i = 0; i < count; i++) {
      const flags = input.u8();
      if (flags > (CONFLICT_MEANS_STORED | TIME_SERIES | SPLIT)) {
        throw new Error(`record flags ${flags}`);
      }
      const reference = input.uv();
      let action: ActionLine;
      if (reference === NEW_ENTRY) {
        action = parseActionLine(input.text());
        actions.push(action);
      } else if (reference <= actions.length) {
        action = actions[reference - 1];
      } else {
        throw new Error(`spool payload names action line ${reference - 1} of ${actions.length}`);
      }
      const own = input.bytesView();
      let tail: SharedJsonTail | undefined;
      if ((flags & SPLIT) !== 0) {
        const tailReference = input.uv();
        if (tailReference === NEW_ENTRY) {
          tail = internedTail(Buffer.from(input.bytesView()).toString('utf8'));
          tails.push(tail);
        } else if (tailReference <= tails.length) {
          tail = tails[tailReference - 1];
        } else {
          throw new Error(`spool payload names tail ${tailReference - 1} of ${tails.length}`);
        }
      }
      records[i] = bulkRecordOf(
        {
          index: action.index,
          id: action.id,
          action: action.line,
          conflictMeansStored: (flags & CONFLICT_MEANS_STORED) !== 0,
          timeSeries: (flags & TIME_SERIES) !== 0,
        },
        own,
        slabs,
        tail,
      );
    }
    input.end();
    return records;
  },
};

interface ActionLine {
  line: string;
  index: string;
  id: string | undefined;
}

function parseActionLine(line: string): ActionLine {
  const meta = (JSON.parse(line) as { create?: { _index?: unknown; _id?: unknown } }).create;
  if (
    typeof meta?._index !== 'string' ||
    (meta._id !== undefined && typeof meta._id !== 'string')
  ) {
    throw new Error('a spooled action line that is not a bulk create');
  }
  return { line, index: meta._index, id: meta._id as string | undefined };
}

function fromDefaultCodec(payload: Uint8Array, count: number): BulkRecord[] {
  const written = defaultSpoolCodec.decode(payload, count) as Partial<Record<string, unknown>>[];
  const slabs = new DocumentSlabs();
  return written.map((record) => {
    const { index, id, action, document, conflictMeansStored, timeSeries } = record ?? {};
    if (
      typeof index !== 'string' ||
      (id !== undefined && typeof id !== 'string') ||
      typeof action !== 'string' ||
      typeof document !== 'string' ||
      typeof conflictMeansStored !== 'boolean' ||
      typeof timeSeries !== 'boolean'
    ) {
      throw new Error('a spooled record that is not a bulk record');
    }
    return bulkRecordOf({ index, id, action, conflictMeansStored, timeSeries }, document, slabs);
  });
}
