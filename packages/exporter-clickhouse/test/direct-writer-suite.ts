import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import { logRecordToRow } from '../src/mapping/logs';
import { ResourceColumnsCache } from '../src/mapping/resource';
import type { ResourceMapper } from '../src/mapping/resource';
import { spanToRow } from '../src/mapping/spans';
import { MappingError } from '../src/mapping/time';
import { INSERT_COLUMNS } from '../src/schema/tables';
import type { InsertColumn } from '../src/schema/tables';
import {
  LOGS,
  SPANS,
  UNMAPPABLE_LOGS,
  UNMAPPABLE_SPANS,
  keyListCases,
  randomRecords,
} from './record-cases';

/*
 * The tests of a format's writers that encode spans and log records straight from the SDK's
 * objects (json-lines.ts, row-binary-rows.ts): their output must be, byte for byte, what the row
 * mapping (spanToRow / logRecordToRow, the conformance tables' subject) gives through the
 * format's generic writer, for every case of record-cases.ts. Each list goes through ONE writer
 * in order, so that what it keeps from record to record (the resource and scope columns, the
 * sorted key orders) is checked as it changes, and after a record it refused.
 */

/** What a writer made of a record: its output, or the error it threw (class and message). */
function outcomeOf<T>(write: () => T): { value: T } | { error: string } {
  try {
    return { value: write() };
  } catch (error) {
    const e = error as Error;
    return { error: `${e.constructor.name}: ${e.message}` };
  }
}

export interface DirectWriters<O> {
  span: (resources: ResourceMapper) => (span: ReadableSpanLike) => O;
  log: (resources: ResourceMapper) => (record: ReadableLogRecordLike) => O;
  /** The format's writer of row objects. */
  rowWriter: (columns: readonly InsertColumn[]) => (row: object) => O;
  /** A further check of each output (JSON: that it parses). */
  check?: (output: O, name: string) => void;
}

export function directWriterTests<O>(what: string, writers: DirectWriters<O>): void {
  const genericSpan = writers.rowWriter(INSERT_COLUMNS.traces);
  const genericLog = writers.rowWriter(INSERT_COLUMNS.logs);

  /** Every case's output from one writer equals the generic one, or both throw the same error. */
  function assertSame<T>(cases: [string, T][], direct: (item: T) => O, generic: (item: T) => O) {
    for (const [name, item] of cases) {
      const ours = outcomeOf(() => direct(item));
      assert.deepEqual(
        ours,
        outcomeOf(() => generic(item)),
        name,
      );
      if ('value' in ours) writers.check?.(ours.value, name);
    }
  }
  const assertSpans = (cases: [string, ReadableSpanLike][]) =>
    assertSame(cases, writers.span(new ResourceColumnsCache()), (span) =>
      genericSpan(spanToRow(span)),
    );
  const assertLogs = (cases: [string, ReadableLogRecordLike][]) =>
    assertSame(cases, writers.log(new ResourceColumnsCache()), (record) =>
      genericLog(logRecordToRow(record)),
    );

  test(`${what}: spans are the generic writer of spanToRow, byte for byte`, () => {
    assertSpans(SPANS);
  });

  test(`${what}: log records are the generic writer of logRecordToRow, byte for byte`, () => {
    assertLogs(LOGS);
  });

  test(`${what}: a time that cannot be mapped fails the record as it fails the row`, () => {
    const span = writers.span(new ResourceColumnsCache());
    const log = writers.log(new ResourceColumnsCache());
    for (const [name, item] of UNMAPPABLE_SPANS)
      assert.throws(() => span(item), MappingError, name);
    for (const [name, item] of UNMAPPABLE_LOGS) assert.throws(() => log(item), MappingError, name);
    // With the same message, in a writer that then goes on right.
    assertSpans([...UNMAPPABLE_SPANS, ...SPANS]);
    assertLogs([...UNMAPPABLE_LOGS, ...LOGS]);
  });

  test(`${what}: attribute maps stay sorted when key lists repeat, reorder and outnumber the kept orders`, () => {
    const { spans, logs } = keyListCases();
    assertSpans(spans);
    assertLogs(logs);
  });

  test(`${what}: seeded random series of spans and log records, in one writer each`, () => {
    for (const seed of [1, 20261203]) {
      const { spans, logs } = randomRecords(seed, 300);
      assertSpans(spans);
      assertLogs(logs);
    }
  });
}
