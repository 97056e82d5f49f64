import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide } from '../src';
import type { RecordDecision, RetryContext, SendResult, SentRecord } from '../src';

/*
 * The retry policy is pure: each row is a send's result, the batch's records (acceptance time,
 * settled meanwhile or not) and the context, and the decisions expected. No timers, no pipeline.
 * Backoff: initial 100 ms, ×2, capped at 1,000 ms; maxElapsedMs 5,000; the jitter draw is 0.5,
 * so a backoff wait is half its ceiling.
 */
const SETTINGS = {
  backoff: { initialBackoffMs: 100, maxBackoffMs: 1_000, multiplier: 2 },
  maxElapsedMs: 5_000,
};
const NOW = 10_000;

const fresh = (n: number): SentRecord[] =>
  Array.from({ length: n }, () => ({ acceptedAtMs: NOW - 100, state: 'in_flight' }));

function context(overrides: Partial<RetryContext> = {}): RetryContext {
  return { attempt: 1, nowMs: NOW, jitter: () => 0.5, shutdownDeadlineMs: undefined, ...overrides };
}

const retryable = (
  extra: Partial<Extract<SendResult, { kind: 'retryable' }>> = {},
): SendResult => ({
  kind: 'retryable',
  reason: 'HTTP 503',
  ...extra,
});

const rows: {
  name: string;
  result: SendResult;
  records: SentRecord[];
  context?: Partial<RetryContext>;
  expected: RecordDecision[];
}[] = [
  {
    name: 'delivered: every record delivered',
    result: { kind: 'delivered' },
    records: fresh(3),
    expected: [{ action: 'deliver', indexes: [0, 1, 2] }],
  },
  {
    name: 'permanent: every record dropped as rejected, with the reason',
    result: { kind: 'permanent', reason: 'HTTP 400: bad' },
    records: fresh(2),
    expected: [
      {
        action: 'drop',
        indexes: [0, 1],
        reason: 'rejected',
        details: ['HTTP 400: bad', 'HTTP 400: bad'],
      },
    ],
  },
  {
    name: 'retryable, first failure: half of the initial backoff',
    result: retryable(),
    records: fresh(2),
    expected: [{ action: 'retry', indexes: [0, 1], delayMs: 50, detail: 'HTTP 503' }],
  },
  {
    name: 'retryable, third failure: half of initial × 2²',
    result: retryable(),
    records: fresh(1),
    context: { attempt: 3 },
    expected: [{ action: 'retry', indexes: [0], delayMs: 200, detail: 'HTTP 503' }],
  },
  {
    name: 'retryable, tenth failure: the wait is capped by maxBackoffMs',
    result: retryable(),
    records: fresh(1),
    context: { attempt: 10 },
    expected: [{ action: 'retry', indexes: [0], delayMs: 500, detail: 'HTTP 503' }],
  },
  {
    name: "retryable with Retry-After: the backend's wait, no jitter",
    result: retryable({ retryAfterMs: 2_000 }),
    records: fresh(1),
    expected: [{ action: 'retry', indexes: [0], delayMs: 2_000, detail: 'HTTP 503' }],
  },
  {
    name: 'retryable past maxElapsedMs: expired, the others retried',
    result: retryable(),
    records: [
      { acceptedAtMs: NOW - 4_990, state: 'in_flight' },
      { acceptedAtMs: NOW - 100, state: 'in_flight' },
    ],
    expected: [
      {
        action: 'drop',
        indexes: [0],
        reason: 'expired',
        details: ['gave up after 1 attempts within maxElapsedMs (5000 ms): HTTP 503'],
      },
      { action: 'retry', indexes: [1], delayMs: 50, detail: 'HTTP 503' },
    ],
  },
  {
    name: 'retryable while shutting down, the retry due after the deadline: dropped as shutdown',
    result: retryable(),
    records: fresh(2),
    context: { shutdownDeadlineMs: NOW + 40 },
    expected: [
      {
        action: 'drop',
        indexes: [0, 1],
        reason: 'shutdown',
        details: [
          'shutting down before the next retry: HTTP 503',
          'shutting down before the next retry: HTTP 503',
        ],
      },
    ],
  },
  {
    name: 'retryable while shutting down, the retry due before the deadline: retried',
    result: retryable(),
    records: fresh(1),
    context: { shutdownDeadlineMs: NOW + 60 },
    expected: [{ action: 'retry', indexes: [0], delayMs: 50, detail: 'HTTP 503' }],
  },
  {
    name: 'too_large, several records: split in halves (the larger half first)',
    result: { kind: 'too_large', reason: 'HTTP 413' },
    records: fresh(5),
    expected: [
      {
        action: 'split',
        halves: [
          [0, 1, 2],
          [3, 4],
        ],
        detail: 'HTTP 413',
      },
    ],
  },
  {
    name: 'too_large, one record: dropped as too_large',
    result: { kind: 'too_large', reason: 'HTTP 413' },
    records: fresh(1),
    expected: [
      {
        action: 'drop',
        indexes: [0],
        reason: 'too_large',
        details: ['the backend refused a single record for its size: HTTP 413'],
      },
    ],
  },
  {
    name: 'partial: unnamed records delivered, permanent failures rejected, retryable retried after the longest Retry-After',
    result: {
      kind: 'partial',
      failures: [
        { index: 1, retryable: false, reason: 'mapper_parsing_exception' },
        { index: 2, retryable: true, reason: 'es_rejected_execution_exception', retryAfterMs: 300 },
        { index: 3, retryable: true, reason: 'version_conflict', retryAfterMs: 700 },
      ],
    },
    records: fresh(5),
    expected: [
      { action: 'deliver', indexes: [0, 4] },
      { action: 'drop', indexes: [1], reason: 'rejected', details: ['mapper_parsing_exception'] },
      { action: 'retry', indexes: [2, 3], delayMs: 700, detail: 'es_rejected_execution_exception' },
    ],
  },
  {
    name: 'records settled meanwhile (shutdown, eviction) are left out of every decision',
    result: { kind: 'delivered' },
    records: [
      { acceptedAtMs: NOW, state: 'done' },
      { acceptedAtMs: NOW, state: 'in_flight' },
    ],
    expected: [{ action: 'deliver', indexes: [1] }],
  },
  {
    name: 'every record settled meanwhile: nothing to decide',
    result: retryable(),
    records: [{ acceptedAtMs: NOW, state: 'done' }],
    expected: [],
  },
  {
    name: 'a partial failure naming a settled record does not bring it back',
    result: { kind: 'partial', failures: [{ index: 0, retryable: true, reason: 'busy' }] },
    records: [
      { acceptedAtMs: NOW, state: 'done' },
      { acceptedAtMs: NOW, state: 'in_flight' },
    ],
    expected: [{ action: 'deliver', indexes: [1] }],
  },
];

for (const row of rows) {
  test(`retry policy: ${row.name}`, () => {
    assert.deepEqual(decide(row.result, row.records, SETTINGS, context(row.context)), row.expected);
  });
}

test('retry policy: draws jitter only when it waits on backoff, at most once', () => {
  let draws = 0;
  const jitter = () => {
    draws++;
    return 0.25;
  };
  decide(retryable({ retryAfterMs: 10 }), fresh(3), SETTINGS, context({ jitter }));
  assert.equal(draws, 0);
  const [decision] = decide(retryable(), fresh(3), SETTINGS, context({ jitter, attempt: 2 }));
  assert.equal(draws, 1);
  assert.deepEqual(decision, {
    action: 'retry',
    indexes: [0, 1, 2],
    delayMs: 50,
    detail: 'HTTP 503',
  });
});
