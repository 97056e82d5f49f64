import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { toJsonValue } from '../src/mapping/json-value';

/*
 * Bad input (issue 11): a body or attribute that refers to itself, or that doubles at every
 * level without a cycle, is written bounded (the core's boundedValue) rather than expanded.
 */

const limits = { maxStringLength: 32_766 };

test('a value that refers to itself has the circular marker in place of the repeat', () => {
  assert.deepEqual(toJsonValue(selfReferringValue(), limits), { a: '[circular]', b: '[circular]' });
});

test('a value doubling at every level is written bounded', () => {
  const text = JSON.stringify(toJsonValue(doublingValue(), limits));
  assert.ok(text.length < 30_000_000, `${text.length} characters`);
  assert.match(text, /\[too deep\]|\[truncated\]/);
});

test('a value whose every leaf shares one long text is cut by characters', () => {
  const text = JSON.stringify(toJsonValue(doublingTextValue(), limits));
  assert.ok(text.length < 5_000_000, `${text.length} characters`);
  assert.match(text, /\[truncated\]/);
});
