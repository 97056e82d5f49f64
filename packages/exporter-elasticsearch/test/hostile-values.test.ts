import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  doublingTextValue,
  doublingValue,
  selfReferringValue,
} from '@otelpack/batching-core/testing';
import { encodeDocument } from '../src/bulk/record';
import { toJsonValue } from '../src/mapping/json-value';
import { mapLogRecord, mapSpan } from '../src/mapping/mapper';
import { logRecord, settings, span } from './helpers/fixtures';

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

/*
 * The same values through each mode's whole mapping (a log record's body and attributes, a span's
 * attributes, encoded as the bulk body's document): no walk of its own before the bounded one
 * (New Relic's attribute limits had one) recurses without end or expands them.
 */
for (const mode of ['otel', 'ecs', 'raw'] as const) {
  test(`${mode} mode: a log record and a span with such values map and encode bounded`, () => {
    const bounds = settings({ mode });
    for (const [name, value] of [
      ['refers to itself', selfReferringValue()],
      ['doubles at every level', doublingValue()],
      ['shares one long text', doublingTextValue()],
    ] as const) {
      const log = mapLogRecord(
        logRecord({ body: value as never, attributes: { hostile: value as never } }),
        bounds,
      );
      const encoded = encodeDocument(log as never);
      const text = JSON.stringify(encoded);
      assert.ok(text.length < 30_000_000, `${mode}, ${name}: ${text.length} characters`);
      assert.match(text, /\[circular\]|\[too deep\]|\[truncated\]/, `${mode}, ${name}`);
      const spanText = JSON.stringify(
        mapSpan(span({ attributes: { hostile: value as never } }), bounds),
      );
      assert.ok(
        spanText.length < 30_000_000,
        `${mode} span, ${name}: ${spanText.length} characters`,
      );
      assert.match(spanText, /\[circular\]|\[too deep\]|\[truncated\]/, `${mode} span, ${name}`);
    }
  });
}
