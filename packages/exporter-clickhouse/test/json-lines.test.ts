import assert from 'node:assert/strict';
import { jsonEachRowWriter } from '../src/encoding/json';
import { logJsonLineWriter, spanJsonLineWriter } from '../src/encoding/json-lines';
import { directWriterTests } from './direct-writer-suite';

/*
 * The default format's lines are written straight from the SDK's objects (json-lines.ts): they
 * must be the generic JSONEachRow writer's text of the row mapping (direct-writer-suite.ts), and
 * valid JSON.
 */
directWriterTests('JSONEachRow lines', {
  span: spanJsonLineWriter,
  log: logJsonLineWriter,
  rowWriter: jsonEachRowWriter,
  check: (line, name) => assert.doesNotThrow(() => JSON.parse(line), name),
});
