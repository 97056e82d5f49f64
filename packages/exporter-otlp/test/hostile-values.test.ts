import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { anyValue } from '../src/json/values';
import { writeAnyValue } from '../src/protobuf/common';
import { OtlpProtoWriter } from '../src/protobuf/writer';

/*
 * Bad input (issue 11): a body or attribute that refers to itself, or that doubles at every
 * level, is encoded bounded (the core's boundedValue) in both OTLP encodings.
 */

test('JSON: a value that refers to itself has the circular marker in place of the repeat', () => {
  assert.deepEqual(anyValue(selfReferringValue()), {
    kvlistValue: {
      values: [
        { key: 'a', value: { stringValue: '[circular]' } },
        { key: 'b', value: { stringValue: '[circular]' } },
      ],
    },
  });
});

test('JSON: a value doubling at every level is encoded bounded', () => {
  const text = JSON.stringify(anyValue(doublingValue()));
  assert.ok(text.length < 30_000_000, `${text.length} characters`);
  assert.match(text, /\[too deep\]|\[truncated\]/);
});

function protobuf(value: unknown): Buffer {
  const writer = new OtlpProtoWriter();
  writeAnyValue(writer, value);
  const view = writer.finish();
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

test('protobuf: a value that refers to itself has the circular marker in place of the repeat', () => {
  const bytes = protobuf(selfReferringValue());
  assert.equal(bytes.toString('latin1').split('[circular]').length - 1, 2);
  assert.ok(bytes.length < 100);
});

test('protobuf: a value doubling at every level is encoded bounded', () => {
  const bytes = protobuf(doublingValue());
  assert.ok(bytes.length < 10_000_000, `${bytes.length} bytes`);
  assert.match(bytes.toString('latin1'), /\[too deep\]|\[truncated\]/);
});

test('JSON and protobuf: a value whose every leaf shares one long text is cut by characters', () => {
  const text = JSON.stringify(anyValue(doublingTextValue()));
  assert.ok(text.length < 10_000_000, `${text.length} characters`);
  assert.match(text, /\[truncated\]/);
  const bytes = protobuf(doublingTextValue());
  assert.ok(bytes.length < 5_000_000, `${bytes.length} bytes`);
  assert.match(bytes.toString('latin1'), /\[truncated\]/);
});
