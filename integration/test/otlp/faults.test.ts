import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter } from '@otelpack/batching-core';
import { assertLedgerBalances, deliveryLetter } from '@otelpack/batching-core/testing';
import type { OtlpRecord } from '@otelpack/exporter-otlp';
import {
  assertAllDelivered,
  clearFaults,
  decodedKeys,
  exporterOptions,
  newScope,
  receiverUrl,
  sendLogs,
  sendMetrics,
  sendSpans,
  setFaults,
  storedRequests,
} from './helpers';

/*
 * FAKE only: otelpack's OTLP receiver fake, told to answer with partial successes, 413s,
 * retryable statuses, resets, stalls and permanent errors (a real Collector cannot be told to
 * fail on cue; against one these tests skip themselves). Every fault is scoped to the test's own
 * requests.
 */

describe('OTLP fake: partial success, 413, faults', () => {
  for (const encoding of ['protobuf', 'json'] as const) {
    it(`partial_success (${encoding}): the rejected count is counted rejected, with the message; the rest delivered`, async (t) => {
      const receiver = await receiverUrl(t, true);
      if (!receiver) return;
      const scope = newScope();
      await setFaults(receiver.url, scope, [
        {
          fault: { kind: 'partial_success', rejected: 3, message: 'attribute too long' },
          times: 1,
        },
      ]);
      try {
        const letters: DeadLetter<OtlpRecord>[] = [];
        const { stats } = await sendSpans(
          exporterOptions(receiver.url, scope, {
            encoding,
            deadLetter: (letter) => {
              letters.push(deliveryLetter(letter));
            },
          }),
          `it-partial-${scope}`,
          20,
        );
        assertLedgerBalances(stats);
        assert.equal(stats.delivered, 17);
        assert.equal(stats.dropped.rejected, 3);
        const rejected = letters.flatMap((letter) => letter.items);
        assert.equal(rejected.length, 3);
        assert.ok(
          rejected.every((item) => /attribute too long/.test(item.detail)),
          rejected[0]?.detail,
        );
        // The receiver took all 20 and said it rejected 3: nothing is sent again.
        const requests = await storedRequests(receiver.url, 'traces', scope);
        assert.equal(decodedKeys('traces', requests).length, 20);
      } finally {
        await clearFaults(receiver.url, scope);
      }
    });
  }

  it('partial_success for logs and data points counts log records and points', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    await setFaults(receiver.url, scope, [
      { fault: { kind: 'partial_success', rejected: 2, message: 'bad record' }, times: 2 },
    ]);
    try {
      const logs = await sendLogs(exporterOptions(receiver.url, scope), `it-pl-${scope}`, 10);
      assert.equal(logs.stats.dropped.rejected, 2);
      assert.equal(logs.stats.delivered, 8);
      const points = await sendMetrics(exporterOptions(receiver.url, scope), `it-pm-${scope}`, 10);
      assert.equal(points.stats.dropped.rejected, 2);
      assert.equal(points.stats.delivered, 8);
    } finally {
      await clearFaults(receiver.url, scope);
    }
  });

  it('413 above the receiver limit: the core halves the batch until it fits; everything delivered once', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    const limit = 8_000;
    await setFaults(receiver.url, scope, [], limit);
    try {
      const count = 300;
      const { stats } = await sendSpans(
        exporterOptions(receiver.url, scope, { compression: 'none' }),
        `it-413-${scope}`,
        count,
      );
      assertAllDelivered(stats, count);
      const requests = await storedRequests(receiver.url, 'traces', scope);
      assert.ok(
        requests.every((r) => r.wireBytes <= limit),
        'a request over the limit was stored',
      );
      assert.ok(requests.length >= 4, `only ${requests.length} requests: no splitting seen`);
      const keys = decodedKeys('traces', requests);
      assert.equal(keys.length, count);
      assert.equal(new Set(keys).size, count);
    } finally {
      await clearFaults(receiver.url, scope);
    }
  });

  it('503 with Retry-After, 429, 502, 504, resets, a slow answer: nothing retryable is lost, nothing twice', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    await setFaults(receiver.url, scope, [
      { fault: { kind: 'status', status: 503, retryAfter: '0' }, times: 2 },
      { fault: { kind: 'reset' }, times: 1 },
      { fault: { kind: 'status', status: 429 }, times: 1 },
      { fault: { kind: 'status', status: 502 }, times: 1 },
      { fault: { kind: 'slow', delayMs: 300 }, times: 1 },
      { fault: { kind: 'status', status: 504 }, times: 1 },
      { fault: { kind: 'reset' }, times: 1 },
    ]);
    try {
      const count = 1_000;
      const { stats } = await sendSpans(
        exporterOptions(receiver.url, scope, { maxBatchItems: 100, maxConcurrency: 2 }),
        `it-faults-${scope}`,
        count,
      );
      assertAllDelivered(stats, count);
      assert.ok(stats.retries >= 8, `only ${stats.retries} retries: the faults were not served`);
      const keys = decodedKeys('traces', await storedRequests(receiver.url, 'traces', scope));
      assert.equal(keys.length, count, 'a span was stored twice or lost');
      assert.equal(new Set(keys).size, count);
    } finally {
      await clearFaults(receiver.url, scope);
    }
  });

  it('a stalled request times out and is retried; nothing lost', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    await setFaults(receiver.url, scope, [{ fault: { kind: 'stall' }, times: 1 }]);
    try {
      const { stats } = await sendLogs(
        exporterOptions(receiver.url, scope, { timeoutMs: 500 }),
        `it-stall-${scope}`,
        50,
      );
      assertAllDelivered(stats, 50);
      assert.ok(stats.retries >= 1);
    } finally {
      await clearFaults(receiver.url, scope);
    }
  });

  it('400 with a google.rpc.Status body: the batch is rejected with its message, not retried', async (t) => {
    const receiver = await receiverUrl(t, true);
    if (!receiver) return;
    const scope = newScope();
    await setFaults(receiver.url, scope, [{ fault: { kind: 'status', status: 400 }, times: 1 }]);
    try {
      const letters: DeadLetter<OtlpRecord>[] = [];
      const { stats } = await sendSpans(
        exporterOptions(receiver.url, scope, {
          deadLetter: (letter) => {
            letters.push(deliveryLetter(letter));
          },
        }),
        `it-400-${scope}`,
        30,
      );
      assertLedgerBalances(stats);
      assert.equal(stats.dropped.rejected, 30);
      assert.equal(stats.retries, 0);
      assert.match(letters[0].items[0].detail, /HTTP 400: scripted status 400 .*\(UNAVAILABLE\)/);
    } finally {
      await clearFaults(receiver.url, scope);
    }
  });
});
