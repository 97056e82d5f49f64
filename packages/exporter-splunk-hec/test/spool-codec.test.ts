import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { replayThroughSpool } from '@otelpack/batching-core/testing';
import { RawJson, toRecord } from '../src';
import type { HecEvent } from '../src';
import { hecRecordSpoolCodec } from '../src/mapping/event';

function event(body: unknown, fields: Record<string, unknown> = {}): HecEvent {
  return {
    time: 1_700_000_000.123,
    host: 'h',
    source: 'otel',
    sourcetype: '',
    index: '',
    event: body,
    fields,
  };
}

describe('the HEC sender’s spool codec', () => {
  it('a spool of HEC events replays them with their JSON and byte lengths as mapped', async () => {
    const records = [
      event('plain'),
      event('é ✓ 𝄞 non-ASCII', { 'service.name': 'api', n: 3 }),
      event(new RawJson('{"start_time":1700000000123456789}')),
      event({ nested: [1, 'two'] }),
    ].map(toRecord);
    const replayed = await replayThroughSpool(records, hecRecordSpoolCodec);
    assert.equal(replayed.corrupt, 0);
    assert.equal(replayed.payloadTag, 0x01);
    assert.deepEqual(replayed.records, records);
  });
});
