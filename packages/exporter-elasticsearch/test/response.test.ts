import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BulkRecord } from '../src/bulk/record';
import { MAX_REASON_LENGTH, interpretBulkResponse } from '../src/bulk/response';

function record(conflictMeansStored = false): BulkRecord {
  return {
    index: 'logs-x',
    id: undefined,
    action: '{}',
    document: '{}',
    documentBytes: Buffer.from('{}'),
    bytes: 6,
    conflictMeansStored,
    timeSeries: false,
  };
}

const mapperError = {
  type: 'mapper_parsing_exception',
  reason: "failed to parse field [n] of type [long] in document with id 'x'",
  caused_by: { type: 'illegal_argument_exception', reason: 'For input string: "abc"' },
};

test('bulk answers: per-item outcomes become one SendResult', () => {
  const cases: [string, unknown, BulkRecord[], unknown][] = [
    [
      'errors false',
      { errors: false, items: [{ create: { status: 201 } }] },
      [record()],
      { kind: 'delivered' },
    ],
    [
      'errors false without items (filtered)',
      { errors: false },
      [record(), record()],
      { kind: 'delivered' },
    ],
    [
      'errors true but every item 2xx',
      { errors: true, items: [{ create: { status: 201 } }, { index: { status: 200 } }] },
      [record(), record()],
      { kind: 'delivered' },
    ],
    [
      '409 on a deterministic id is delivered',
      {
        errors: true,
        items: [
          {
            create: {
              status: 409,
              error: { type: 'version_conflict_engine_exception', reason: 'exists' },
            },
          },
        ],
      },
      [record(true)],
      { kind: 'delivered' },
    ],
    [
      '409 without a deterministic id is rejected',
      {
        errors: true,
        items: [
          {
            create: {
              status: 409,
              error: { type: 'version_conflict_engine_exception', reason: 'exists' },
            },
          },
        ],
      },
      [record(false)],
      {
        kind: 'partial',
        failures: [
          { index: 0, retryable: false, reason: '409 version_conflict_engine_exception: exists' },
        ],
      },
    ],
    [
      '429 and 5xx retry alone, mapping errors are permanent with type and reason',
      {
        errors: true,
        items: [
          { create: { status: 201 } },
          {
            create: {
              status: 429,
              error: { type: 'es_rejected_execution_exception', reason: 'queue full' },
            },
          },
          { create: { status: 400, error: mapperError } },
          {
            create: {
              status: 503,
              error: { type: 'unavailable_shards_exception', reason: 'primary not active' },
            },
          },
          { create: { status: 500 } },
        ],
      },
      [record(), record(), record(), record(), record()],
      {
        kind: 'partial',
        backpressure: true,
        failures: [
          { index: 1, retryable: true, reason: '429 es_rejected_execution_exception: queue full' },
          {
            index: 2,
            retryable: false,
            reason:
              '400 mapper_parsing_exception: failed to parse field [n] of type [long] in document with id \'x\' (caused by illegal_argument_exception: For input string: "abc")',
          },
          {
            index: 3,
            retryable: true,
            reason: '503 unavailable_shards_exception: primary not active',
          },
          { index: 4, retryable: true, reason: '500 no error details' },
        ],
      },
    ],
    [
      'an item without a status is rejected, not counted delivered',
      { errors: true, items: [{ create: {} }] },
      [record()],
      {
        kind: 'partial',
        failures: [{ index: 0, retryable: false, reason: 'no status no error details' }],
      },
    ],
    [
      'item count mismatch retries the whole batch',
      { errors: true, items: [{ create: { status: 201 } }] },
      [record(), record()],
      { kind: 'retryable', reason: 'bulk answer has 1 items for 2 documents' },
    ],
    [
      'not an object',
      'oops',
      [record()],
      { kind: 'retryable', reason: 'bulk answer is not a JSON object' },
    ],
    [
      'errors true without items',
      { errors: true },
      [record()],
      { kind: 'retryable', reason: 'bulk answer has no items for 1 documents' },
    ],
  ];
  for (const [name, body, batch, expected] of cases) {
    assert.deepEqual(interpretBulkResponse(body, batch), expected, name);
  }
});

test('bulk answers: reasons are redacted and bounded', () => {
  const long = 'x'.repeat(5_000);
  const result = interpretBulkResponse(
    {
      errors: true,
      items: [
        {
          create: {
            status: 400,
            error: { type: 'illegal_argument_exception', reason: `token s3cr3t-value ${long}` },
          },
        },
      ],
    },
    [record()],
    (text) => text.split('s3cr3t-value').join('[REDACTED]'),
  );
  assert.equal(result.kind, 'partial');
  const reason = result.kind === 'partial' ? result.failures[0].reason : '';
  assert.equal(reason.includes('s3cr3t'), false);
  assert.equal(reason.startsWith('400 illegal_argument_exception: token [REDACTED] xxx'), true);
  assert.equal(reason.length, MAX_REASON_LENGTH + 1);
});
