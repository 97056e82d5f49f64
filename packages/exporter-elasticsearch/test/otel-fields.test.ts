import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SpanContext } from '@opentelemetry/api';
import { spanIdOf, traceIdOf } from '../src/mapping/otel-fields';

const context = (traceId: unknown, spanId: unknown) =>
  ({ traceId, spanId, traceFlags: 1 }) as unknown as SpanContext;

// [trace id given, what is written] — the API's validity rule (isValidTraceId: 32 lowercase hex
// digits, not all zeros), with ids from other writers lowercased first.
const TRACE_IDS: [unknown, string | undefined][] = [
  ['0af7651916cd43dd8448eb211c80319c', '0af7651916cd43dd8448eb211c80319c'],
  ['0AF7651916CD43DD8448EB211C80319C', '0af7651916cd43dd8448eb211c80319c'],
  ['0aF7651916cD43dd8448eb211c80319C', '0af7651916cd43dd8448eb211c80319c'],
  ['00000000000000000000000000000001', '00000000000000000000000000000001'],
  ['0'.repeat(32), undefined],
  ['0af7651916cd43dd8448eb211c80319', undefined],
  ['0af7651916cd43dd8448eb211c80319c0', undefined],
  ['0af7651916cd43dd8448eb211c80319g', undefined],
  ['0af7651916cd43dd8448eb211c80319G', undefined],
  ['0af7651916cd43dd8448eb211c80319@', undefined],
  ['0af7651916cd43dd8448eb211c80319`', undefined],
  ['0af7651916cd43dd8448eb211c80319/', undefined],
  ['0af7651916cd43dd8448eb211c80319:', undefined],
  ['0af7651916cd43dd8448eb211c80319\u0000', undefined],
  ['0af7651916cd43dd8448eb211c80319\u0101', undefined],
  ['0af7651916cd43dd8448eb211c8031\u0130', undefined],
  ['', undefined],
  [undefined, undefined],
  [12, undefined],
  [{ toString: () => '0af7651916cd43dd8448eb211c80319c' }, undefined],
];

const SPAN_IDS: [unknown, string | undefined][] = [
  ['b7ad6b7169203331', 'b7ad6b7169203331'],
  ['B7AD6B7169203331', 'b7ad6b7169203331'],
  ['0'.repeat(16), undefined],
  ['0000000000000010', '0000000000000010'],
  ['b7ad6b716920333', undefined],
  ['b7ad6b7169203331a', undefined],
  ['b7ad6b716920333z', undefined],
  ['b7ad-b7169203331', undefined],
  [null, undefined],
];

test('trace and span ids: valid ones lowercased, anything else left out', () => {
  for (const [given, expected] of TRACE_IDS) {
    assert.equal(
      traceIdOf(context(given, 'b7ad6b7169203331')),
      expected,
      `trace id ${String(given)}`,
    );
  }
  for (const [given, expected] of SPAN_IDS) {
    assert.equal(
      spanIdOf(context('0af7651916cd43dd8448eb211c80319c', given)),
      expected,
      `span id ${String(given)}`,
    );
  }
  // The last id read is remembered: the same input again, and another after it, read right.
  assert.equal(spanIdOf(context('x', 'B7AD6B7169203331')), 'b7ad6b7169203331');
  assert.equal(spanIdOf(context('x', 'B7AD6B7169203331')), 'b7ad6b7169203331');
  assert.equal(spanIdOf(context('x', '0'.repeat(16))), undefined);
  assert.equal(spanIdOf(undefined), undefined);
});
