import { rowBinaryWriter } from '../src/encoding/row-binary';
import { logRowBinaryWriter, spanRowBinaryWriter } from '../src/encoding/row-binary-rows';
import { directWriterTests } from './direct-writer-suite';

/*
 * RowBinary rows are written straight from the SDK's objects (row-binary-rows.ts): they must be
 * the generic RowBinary writer's bytes of the row mapping (direct-writer-suite.ts).
 */
directWriterTests('RowBinary rows', {
  span: spanRowBinaryWriter,
  log: logRowBinaryWriter,
  rowWriter: rowBinaryWriter,
});
