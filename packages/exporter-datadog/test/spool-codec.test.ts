import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReadableLogRecordLike } from '@otelpack/batching-core';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { DogStatsDSender, LogRecord, dogStatsDTarget, encodeLine, mapLog } from '../src';
import { LogsIntakeSender } from '../src/logs/sender';

const NOW_MS = 1_700_000_060_000;
const OPTIONS = { source: 'otlp', globalTags: ['team:pay'], fallback: {}, now: () => NOW_MS };

function log(body: unknown): ReadableLogRecordLike {
  return {
    hrTime: [1_700_000_000, 123_456_789],
    hrTimeObserved: [1_700_000_000, 0],
    resource: { attributes: { 'service.name': 'api' } },
    instrumentationScope: { name: 's' },
    attributes: { 'http.route': '/orders' },
    droppedAttributesCount: 0,
    body,
    severityNumber: 9,
  } as unknown as ReadableLogRecordLike;
}

describe('the senders’ spool codecs', () => {
  it('a spool of log records replays them as LogRecords, text and bytes as mapped', async () => {
    const sender = new LogsIntakeSender({
      url: new URL('http://127.0.0.1:1'),
      apiKey: 'k',
      compression: 'none',
    });
    const records = ['plain', 'é ✓ 𝄞 non-ASCII', '', '{"a":1}'].map((b) => mapLog(log(b), OPTIONS));
    const replayed = await replayThroughSpool(records, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x01);
    // deepStrictEqual compares prototypes: a plain { text, bytes } would not pass.
    assert.deepEqual(replayed.records, records);
    assert.ok(replayed.records.every((r) => r instanceof LogRecord));
    assert.deepEqual(
      replayed.records.map((r) => r.entry),
      records.map((r) => r.entry),
    );
  });

  it('without it a LogRecord would come back a plain object (why the sender gives one)', async () => {
    const records = [mapLog(log('x'), OPTIONS)];
    const replayed = await replayThroughSpool(records);
    assert.equal(replayed.records[0] instanceof LogRecord, false);
  });

  it('a spool of DogStatsD lines replays them with their byte lengths', async () => {
    const sender = new DogStatsDSender({
      target: dogStatsDTarget({}),
      name: 't',
      client: { sendMessage: (_m, done) => done(null), close: (done) => done?.() },
    });
    const records = [
      encodeLine({ name: 'http.requests', value: 3, type: 'c', tags: ['route:/a'] }),
      encodeLine({ name: 'é', value: -0.5, type: 'g', tags: [], timestampS: 1_700_000_000 }),
      encodeLine({ name: 'latency', value: 12.5, type: 'd', tags: ['ü:✓'], sampleRate: 0.5 }),
    ];
    const replayed = await replayThroughSpool(records, sender.spoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x01);
    assert.deepEqual(replayed.records, records);
  });
});
