import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import type { DeadLetter, UnmappedLetter } from '@otelpack/batching-core';
import { assertLedgerBalances, seededRandom } from '@otelpack/batching-core/testing';
import { SplunkHecLogRecordExporter } from '@otelpack/exporter-splunk-hec';
import type { HecRecord } from '@otelpack/exporter-splunk-hec';
import { FAST, fakeStats, hecTarget, storedEvents } from './helpers';

/*
 * FAKE only: one bad event at a random position among 10,000 log records. HEC refuses the request
 * that holds it with code 7 (Incorrect index: the token may not write to the index the record
 * names) and `invalid-event-number`, after indexing the events before it. The exporter must
 * deliver all 9,999 others exactly once and dead-letter the bad one with HEC's words.
 */
const COUNT = 10_000;

describe('one bad event among 10,000', () => {
  for (const seed of [Number(process.env.OTELPACK_IT_SEED ?? Date.now() % 100_000)]) {
    it(`the 9,999 others stored exactly once, the bad one dead-lettered (seed ${seed})`, async (t) => {
      const target = await hecTarget(t, { allowedIndexes: ['main'], defaultIndex: 'main' });
      if (!target) return;
      const bad = Math.floor(seededRandom(seed)() * COUNT);
      const letters: (DeadLetter<HecRecord> | UnmappedLetter)[] = [];
      const exporter = new SplunkHecLogRecordExporter({
        url: target.url,
        auth: { token: target.token },
        ...FAST,
        deadLetter: (letter) => void letters.push(letter),
      });
      const provider = new LoggerProvider({
        resource: resourceFromAttributes({ 'service.name': 'isolation' }),
        processors: [
          new BatchLogRecordProcessor({ exporter, maxQueueSize: COUNT, maxExportBatchSize: 1_000 }),
        ],
      });
      const logger = provider.getLogger('it-hec');
      for (let i = 0; i < COUNT; i++) {
        logger.emit({
          body: `event ${i}`,
          attributes: i === bad ? { 'com.splunk.index': 'forbidden' } : { n: i },
        });
      }
      await provider.forceFlush();
      await provider.shutdown();

      const stats = exporter.stats();
      assertLedgerBalances(stats);
      assert.equal(stats.accepted, COUNT);
      assert.equal(stats.delivered, COUNT - 1, JSON.stringify(stats));
      assert.equal(stats.dropped.rejected, 1, JSON.stringify(stats.dropped));

      const stored = await storedEvents(target);
      const seen = new Map<string, number>();
      for (const event of stored)
        seen.set(String(event.event), (seen.get(String(event.event)) ?? 0) + 1);
      assert.equal(stored.length, COUNT - 1, 'stored events');
      for (let i = 0; i < COUNT; i++) {
        assert.equal(seen.get(`event ${i}`) ?? 0, i === bad ? 0 : 1, `event ${i}`);
      }

      const deadLetters = letters.filter((l) => l.stage === 'delivery') as DeadLetter<HecRecord>[];
      assert.equal(deadLetters.length, 1);
      assert.equal(deadLetters[0].reason, 'rejected');
      assert.equal(deadLetters[0].items.length, 1);
      assert.match(deadLetters[0].items[0].record.json, new RegExp(`"event":"event ${bad}"`));
      assert.match(deadLetters[0].items[0].detail, /HTTP 400, HEC code 7: Incorrect index/);
      // The refused request, then its tail sent again: one refusal for the bad index only (the
      // start-up check's empty POST is HEC's code 5, No data).
      assert.deepEqual((await fakeStats(target)).refusedByCode, { '5': 1, '7': 1 });
    });
  }
});
