import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { HecSender, SplunkHecLogRecordExporter } from '../src';
import type { HecRecord } from '../src';
import { HecFake, configFor, newToken } from './helpers/fake';
import { logRecord } from './helpers/items';

/*
 * Indexer acknowledgement end to end, into otelpack's HEC fake (integration/src/fakes/hec-fake.ts,
 * a fake written from Splunk's documentation): nothing counts delivered that Splunk did not
 * acknowledge, whatever the ack endpoint answers meanwhile.
 */
const FAST = {
  flushIntervalMs: 10,
  initialBackoffMs: 10,
  maxBackoffMs: 50,
  healthCheck: false,
  indexerAcknowledgement: true,
  ackPollIntervalMs: 10,
  ackTimeoutMs: 200,
};

let fake: HecFake;
let url: string;
// The ack tracker's timer is unref'd: this keeps the test process alive while a batch waits.
let keepAlive: NodeJS.Timeout;
before(async () => {
  fake = new HecFake();
  url = await fake.listen();
  keepAlive = setInterval(() => undefined, 1_000);
});
after(async () => {
  clearInterval(keepAlive);
  await fake.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('indexer acknowledgement: only an acknowledgement counts a batch delivered', () => {
  it('ack never comes, then the token is disabled (/ack answers 403 code 1): nothing counted delivered', async () => {
    const token = newToken({ ack: true });
    fake.addToken(token);
    // 200 with an ackId that never turns true, and nothing stored: an indexer that died.
    fake.addFaults(token.token, [{ lose: true }]);
    const exporter = new SplunkHecLogRecordExporter({ url, auth: { token: token.token }, ...FAST });
    exporter.export([logRecord({ body: 'lost' })], () => undefined);
    for (let i = 0; i < 200 && fake.stats(token.token).ackQueries === 0; i++) await sleep(5);
    assert.ok(fake.stats(token.token).ackQueries > 0, 'the exporter polls for its ackId');
    fake.updateToken(token.token, { disabled: true });
    await exporter.forceFlush();
    const stats = exporter.stats();
    await exporter.shutdown();
    assert.equal(fake.events(token.token).length, 0, 'the fake stored nothing');
    assert.equal(stats.delivered, 0, 'nothing counted delivered that was not stored');
    assert.equal(stats.dropped.rejected, 1, 'the resend met the disabled token: rejected');
    assertLedgerBalances(stats);
  });

  it('invalid-event-number k: the events before k are not counted delivered unacknowledged', async () => {
    const token = newToken({ ack: true, allowedIndexes: ['main'] });
    fake.addToken(token);
    const config = configFor({
      url,
      auth: { token: token.token },
      ...FAST,
      metadataAttributes: { index: 'tenant.index' },
    });
    const sender = new HecSender({ config });
    const records: HecRecord[] = [
      { json: JSON.stringify({ event: 'a' }), bytes: 15 },
      { json: JSON.stringify({ event: 'b', index: 'forbidden' }), bytes: 35 },
      { json: JSON.stringify({ event: 'c' }), bytes: 15 },
    ];
    const result = await sender.send(records, { signal: new AbortController().signal } as never);
    await sender.close();
    assert.equal(result.kind, 'partial');
    const failures = result.kind === 'partial' ? result.failures : [];
    assert.deepEqual(
      failures.map((f) => [f.index, f.retryable]),
      [
        [0, true],
        [1, false],
        [2, true],
      ],
    );
    assert.match(failures[0].reason, /gave no ackId/);
  });

  it('HEC stopped at event k for its own trouble (500): the events before k wait for the backoff too, not a tight loop', async () => {
    const token = newToken({ ack: true });
    fake.addToken(token);
    fake.addFaults(token.token, [
      { status: 500, code: 8, text: 'Internal server error', takeFirst: 1 },
    ]);
    const sender = new HecSender({
      config: configFor({ url, auth: { token: token.token }, ...FAST }),
    });
    const records: HecRecord[] = ['a', 'b', 'c'].map((event) => ({
      json: JSON.stringify({ event }),
      bytes: 15,
    }));
    const result = await sender.send(records, { signal: new AbortController().signal } as never);
    await sender.close();
    assert.equal(result.kind, 'partial');
    const failures = result.kind === 'partial' ? result.failures : [];
    // retryAfterMs 0 would send event 0 again at once, and again, while HEC is failing.
    assert.deepEqual(
      failures.map((f) => [f.index, f.retryable, f.retryAfterMs]),
      [
        [0, true, undefined],
        [1, true, undefined],
        [2, true, undefined],
      ],
    );
  });

  it('the same end to end: every good event delivered once acknowledged, the bad one rejected', async () => {
    const token = newToken({ ack: true, allowedIndexes: ['main'] });
    fake.addToken(token);
    const exporter = new SplunkHecLogRecordExporter({
      url,
      auth: { token: token.token },
      ...FAST,
      metadataAttributes: { index: 'tenant.index' },
    });
    const records = [
      logRecord({ body: 'a' }),
      logRecord({ body: 'b', attributes: { 'tenant.index': 'forbidden' } }),
      logRecord({ body: 'c' }),
    ];
    await new Promise<void>((resolve) => exporter.export(records, () => resolve()));
    await exporter.forceFlush();
    const stats = exporter.stats();
    await exporter.shutdown();
    assert.deepEqual([stats.delivered, stats.dropped.rejected], [2, 1]);
    assert.ok(fake.stats(token.token).ackQueries > 0, 'delivery waited for acknowledgements');
    // At least once: 'a' was stored by the refused request and again by the resend.
    assert.deepEqual(
      fake
        .events(token.token)
        .map((e) => e.event)
        .sort(),
      ['a', 'a', 'c'],
    );
    assertLedgerBalances(stats);
  });
});
