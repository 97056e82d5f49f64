import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DeadLetter, UnmappedLetter } from '@otelpack/batching-core';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { SplunkHecLogRecordExporter } from '@otelpack/exporter-splunk-hec';
import type { HecRecord, SplunkHecExporterOptions } from '@otelpack/exporter-splunk-hec';
import { FAST, addFaults, fakeStats, hecTarget, sdkLogItem, storedEvents } from './helpers';
import type { Target } from './helpers';

/*
 * FAKE only: indexer acknowledgement. The fake's token has acknowledgement on: every request needs
 * a channel, every 200 carries an ackId, and an id turns true on /services/collector/ack after
 * `ackDelayMs`, or never for a request a `lose` fault swallowed (an indexer that died).
 */

function exporterFor(
  target: Target,
  options: SplunkHecExporterOptions = {},
): SplunkHecLogRecordExporter {
  return new SplunkHecLogRecordExporter({
    url: target.url,
    auth: { token: target.token },
    ...FAST,
    healthCheck: false,
    indexerAcknowledgement: true,
    ackPollIntervalMs: 50,
    ...options,
  });
}

function exportBodies(exporter: SplunkHecLogRecordExporter, bodies: string[]): void {
  exporter.export(bodies.map(sdkLogItem) as never, () => undefined);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('indexer acknowledgement', () => {
  it('a batch counts as delivered only once Splunk acknowledges it', async (t) => {
    const target = await hecTarget(t, { ack: true, ackDelayMs: 600 });
    if (!target) return;
    const exporter = exporterFor(target);
    exportBodies(exporter, ['a', 'b', 'c']);
    await sleep(300);
    // Sent and stored, not yet acknowledged: still pending.
    assert.equal((await storedEvents(target)).length, 3);
    assert.equal(exporter.stats().delivered, 0);
    assert.equal(exporter.stats().pending, 3);
    assert.equal(exporter.sender.pendingAcks, 1);
    await exporter.forceFlush();
    const stats = exporter.stats();
    assert.equal(stats.delivered, 3);
    assertLedgerBalances(stats);
    assert.ok((await fakeStats(target)).ackQueries >= 2, 'polled until true');
    await exporter.shutdown();
  });

  it('acks that never come: after ackTimeoutMs the batch is sent again, and stored once', async (t) => {
    const target = await hecTarget(t, { ack: true });
    if (!target) return;
    await addFaults(target, [{ lose: true }]);
    const exporter = exporterFor(target, { ackTimeoutMs: 300 });
    exportBodies(exporter, ['x', 'y']);
    await exporter.forceFlush();
    const stats = exporter.stats();
    assert.equal(stats.delivered, 2, JSON.stringify(stats));
    assert.equal(stats.retries, 2, 'both events sent a second time');
    assert.equal((await fakeStats(target)).requests, 2);
    assert.deepEqual(
      (await storedEvents(target)).map((e) => e.event),
      ['x', 'y'],
    );
    await exporter.shutdown();
  });

  it('shutdown while waiting for an ack: the batch is dropped as shutdown, counted, never lost silently', async (t) => {
    const target = await hecTarget(t, { ack: true });
    if (!target) return;
    await addFaults(target, [{ lose: true, times: 100 }]);
    const letters: (DeadLetter<HecRecord> | UnmappedLetter)[] = [];
    const exporter = exporterFor(target, {
      ackTimeoutMs: 60_000,
      shutdownTimeoutMs: 200,
      deadLetter: (l) => void letters.push(l),
      deadLetterReasons: ['shutdown'],
    });
    exportBodies(exporter, ['s']);
    await sleep(100);
    await exporter.shutdown();
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 0);
    assert.equal(stats.dropped.shutdown, 1, JSON.stringify(stats.dropped));
  });

  it('a token without acknowledgement answers no ackId: a 200 counts as delivered', async (t) => {
    const target = await hecTarget(t, {});
    if (!target) return;
    const exporter = exporterFor(target);
    exportBodies(exporter, ['n']);
    await exporter.forceFlush();
    assert.equal(exporter.stats().delivered, 1);
    await exporter.shutdown();
  });

  it('a token with acknowledgement refuses requests without a channel (code 10): permanent', async (t) => {
    const target = await hecTarget(t, { ack: true });
    if (!target) return;
    const letters: (DeadLetter<HecRecord> | UnmappedLetter)[] = [];
    const exporter = exporterFor(target, {
      indexerAcknowledgement: false,
      deadLetter: (l) => void letters.push(l),
    });
    exportBodies(exporter, ['m']);
    await exporter.forceFlush();
    assert.equal(exporter.stats().dropped.rejected, 1);
    assert.match(
      (letters[0] as DeadLetter<HecRecord>).items[0].detail,
      /HEC code 10: Data channel is missing/,
    );
    await exporter.shutdown();
  });
});
