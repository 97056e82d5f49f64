import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { SplunkHecLogRecordExporter } from '@otelpack/exporter-splunk-hec';
import { FAST, fakeStats, hecTarget, sdkLogItem, storedEvents } from './helpers';

/*
 * FAKE only: HEC's `max_content_length` (413), end to end through the harness's fake process. A
 * real Splunk's limit is 800 MB unless limits.conf lowers it; the fake's token here carries a
 * small one of its own (HecTokenConfig.maxContentLength) so no other test meets it.
 */

describe("HEC's max_content_length", () => {
  it('a request over it (413) is halved until it fits; every event delivered, and stored once', async (t) => {
    const target = await hecTarget(t, { maxContentLength: 3_000 });
    if (!target) return;
    const exporter = new SplunkHecLogRecordExporter({
      url: target.url,
      auth: { token: target.token },
      ...FAST,
      healthCheck: false,
      compression: 'none',
      // Larger than the limit: the exporter cannot know HEC's, only HEC's 413 tells it.
      maxBatchBytes: 20_000,
    });
    const bodies = Array.from({ length: 80 }, (_, i) => `event-${i}-${'z'.repeat(100)}`);
    await new Promise<void>((resolve) =>
      exporter.export(bodies.map(sdkLogItem) as never, () => resolve()),
    );
    await exporter.forceFlush();
    const stats = exporter.stats();
    await exporter.shutdown();
    assert.equal(stats.delivered, 80, JSON.stringify(stats));
    assertLedgerBalances(stats);
    const fake = await fakeStats(target);
    assert.ok((fake.refusedByCode['413'] ?? 0) >= 1, JSON.stringify(fake));
    assert.deepEqual((await storedEvents(target)).map((e) => e.event).sort(), [...bodies].sort());
  });
});
