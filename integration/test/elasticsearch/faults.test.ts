import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DeadLetter } from '@otelpack/batching-core';
import { assertLedgerBalances, deliveryLetter } from '@otelpack/batching-core/testing';
import {
  ElasticsearchLogRecordExporter,
  ElasticsearchSpanExporter,
} from '@otelpack/exporter-elasticsearch';
import type { BulkRecord } from '@otelpack/exporter-elasticsearch';
import { backendUrl } from '../../src/env';
import { clearFaults, hashFraction, isFake, searchAll, setFaults } from './helpers';

/*
 * FAKE only: otelpack's Elasticsearch protocol fake, whose `/_otelpack_fake/faults` API scripts
 * per-item 429s, mapping errors and stalls (a real Elasticsearch cannot be told to fail on cue;
 * against one these tests skip themselves). Every fault is scoped to the run's own data stream.
 */

const ID = 'elasticsearch';
const FAST = { flushIntervalMs: 50, initialBackoffMs: 50, maxBackoffMs: 200 };
const resource = resourceFromAttributes({ 'service.name': 'it-faults' });

async function fakeUrl(t: TestContext): Promise<string | undefined> {
  const url = backendUrl(t, ID);
  if (!url) return undefined;
  if (!(await isFake(url))) {
    t.skip('needs the otelpack fake (scripted faults); this Elasticsearch is real');
    return undefined;
  }
  return url;
}

describe('Elasticsearch fake: per-item failures and retries', () => {
  it('429 for 10 % of items and mapper_parsing_exception for 1 %: each 429 item stored once, each mapping failure dead-lettered with its reason', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const dataset = `it_partial_${randomUUID().slice(0, 8)}`;
    const stream = `logs-${dataset}.otel-default`;
    await setFaults(url, stream, {
      itemRejections: { share: 0.1, onlyFirstAttempt: true },
      itemMappingErrors: { share: 0.01 },
    });
    try {
      const letters: DeadLetter<BulkRecord>[] = [];
      const exporter = new ElasticsearchLogRecordExporter({
        url,
        dataset,
        ...FAST,
        maxBatchItems: 250,
        deadLetter: (letter) => {
          letters.push(deliveryLetter(letter));
        },
      });
      const provider = new LoggerProvider({
        resource,
        processors: [
          new BatchLogRecordProcessor({
            exporter,
            scheduledDelayMillis: 20,
            maxExportBatchSize: 512,
          }),
        ],
      });
      const logger = provider.getLogger('it');
      const total = 2_000;
      for (let seq = 0; seq < total; seq++)
        logger.emit({ body: `record ${seq}`, attributes: { seq } });
      await provider.forceFlush();
      await exporter.forceFlush();

      // What the fake picks is documented: SHA-1 of the document line. Recompute it from the
      // dead letters (which hold the exact lines sent) and from what was stored.
      const rejected = letters.flatMap((l) => l.items);
      const rejectedSeqs = rejected.map(
        (i) => (JSON.parse(i.record.document) as { attributes: { seq: number } }).attributes.seq,
      );
      for (const item of rejected) {
        assert.ok(hashFraction(item.record.document) < 0.01, 'only the 1 % band is rejected');
        assert.match(item.detail, /^400 mapper_parsing_exception: /);
      }
      assert.deepEqual(
        letters.map((l) => l.reason),
        letters.map(() => 'rejected'),
      );

      const hits = await searchAll(url, stream);
      const storedSeqs = hits.map((h) => (h._source.attributes as { seq: number }).seq);
      assert.equal(new Set(storedSeqs).size, storedSeqs.length, 'no record stored twice');
      assert.deepEqual(
        [...storedSeqs, ...rejectedSeqs].sort((a, b) => a - b),
        Array.from({ length: total }, (_, i) => i),
        'every record is stored or dead-lettered, none both, none lost',
      );
      const throttled = hits.filter((h) => {
        const line = JSON.stringify(h._source);
        const fraction = hashFraction(line);
        return fraction >= 0.01 && fraction < 0.11;
      });
      assert.ok(
        throttled.length > 100,
        `about 10 % of ${total} were throttled first (got ${throttled.length})`,
      );
      assert.ok(
        rejected.length > 0 && rejected.length < 60,
        `about 1 % rejected (got ${rejected.length})`,
      );

      const stats = exporter.stats();
      assertLedgerBalances(stats);
      assert.equal(stats.accepted, total);
      assert.equal(stats.delivered, hits.length);
      assert.equal(stats.dropped.rejected, rejected.length);
      assert.equal(
        stats.retries,
        throttled.length,
        'exactly the throttled records were retried, once each',
      );
      await provider.shutdown();
    } finally {
      await clearFaults(url);
    }
  });

  async function stalledRun(
    url: string,
    deterministicIds: boolean,
  ): Promise<{ ids: string[]; delivered: number }> {
    const dataset = `it_dup_${randomUUID().slice(0, 8)}`;
    const stream = `traces-${dataset}.otel-default`;
    // The first bulk request is stored, then answered long after the client's timeout.
    await setFaults(url, stream, { stall: { delayMs: 3_000, count: 1, afterStore: true } });
    try {
      const exporter = new ElasticsearchSpanExporter({
        url,
        dataset,
        ...FAST,
        timeoutMs: 500,
        deterministicIds,
      });
      const provider = new BasicTracerProvider({
        resource,
        spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20 })],
      });
      const tracer = provider.getTracer('it');
      for (let i = 0; i < 50; i++) tracer.startSpan(`op ${i}`).end();
      await provider.forceFlush();
      await exporter.forceFlush();
      const stats = exporter.stats();
      assertLedgerBalances(stats);
      assert.equal(stats.retries, 50, 'the whole timed-out batch was sent again');
      await provider.shutdown();
      const hits = await searchAll(url, stream);
      return { ids: hits.map((h) => h._id), delivered: stats.delivered };
    } finally {
      await clearFaults(url);
    }
  }

  it('a batch stored but answered after the client timeout: with deterministic ids the retry leaves no duplicate', async (t) => {
    const url = await fakeUrl(t);
    if (!url) return;
    const { ids, delivered } = await stalledRun(url, true);
    assert.equal(ids.length, 50);
    assert.equal(new Set(ids).size, 50);
    assert.equal(delivered, 50, '409 on the retry counts as delivered');

    // Control: the same fault without deterministic ids stores every span twice.
    const control = await stalledRun(url, false);
    assert.equal(control.ids.length, 100);
  });
});
