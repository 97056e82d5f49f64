import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowBinaryWriter } from '../src/encoding/row-binary';
import { logRowBinaryWriter, spanRowBinaryWriter } from '../src/encoding/row-binary-rows';
import { logRecordToRow } from '../src/mapping/logs';
import { spanToRow } from '../src/mapping/spans';
import { CLICKHOUSE_OPTIONS } from '../src/options';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { logMapping, spanMapping } from '../src/wiring';
import { directWriterTests } from './direct-writer-suite';
import { LOGS, SPANS } from './record-cases';

/*
 * RowBinary rows are written straight from the SDK's objects (row-binary-rows.ts): they must be
 * the generic RowBinary writer's bytes of the row mapping (direct-writer-suite.ts).
 */
directWriterTests('RowBinary rows', {
  span: spanRowBinaryWriter,
  log: logRowBinaryWriter,
  rowWriter: rowBinaryWriter,
});

const genericSpan = rowBinaryWriter(INSERT_COLUMNS.traces);
const genericLog = rowBinaryWriter(INSERT_COLUMNS.logs);

test('with format RowBinary the exporter maps spans and log records to the same bytes', () => {
  const rowBinary = CLICKHOUSE_OPTIONS.resolve({ format: 'RowBinary' }, 'traces');
  const spans = spanMapping(rowBinary).map(SPANS.map(([, span]) => span));
  assert.deepEqual(
    spans.records.map((row) => row.data),
    SPANS.map(([, span]) => genericSpan(spanToRow(span))),
  );
  const logs = logMapping(rowBinary).map(LOGS.map(([, record]) => record));
  assert.deepEqual(
    logs.records.map((row) => row.data),
    LOGS.map(([, record]) => genericLog(logRecordToRow(record))),
  );
  const compact = CLICKHOUSE_OPTIONS.resolve({ format: 'JSONCompactEachRow' }, 'logs');
  assert.equal(typeof logMapping(compact).map([LOGS[0][1]]).records[0].data, 'string');
});
