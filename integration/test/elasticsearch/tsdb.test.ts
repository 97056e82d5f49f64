import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType } from '@opentelemetry/sdk-metrics';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { DeadLetter } from '@otelpack/batching-core';
import { deliveryLetter } from '@otelpack/batching-core/testing';
import { ElasticsearchMetricExporter } from '@otelpack/exporter-elasticsearch';
import type { BulkRecord } from '@otelpack/exporter-elasticsearch';
import { startElasticsearchFake } from '../../src/fakes/elasticsearch-fake';
import type { StartedFake } from '../../src/fakes/elasticsearch-fake';
import { getJson, searchAll, setFaults } from './helpers';

/*
 * The metric exporter against time series data streams, on otelpack's Elasticsearch FAKE (started
 * here, in process), which models TSDB as Elasticsearch does (src/fakes/elasticsearch/tsdb.ts):
 * ids derived from dimensions and timestamp, 409 for a repeated series + time, 400 outside the
 * writable range. Run against a real Elasticsearch, the same exports give the same outcomes.
 */

let es: StartedFake;
before(async () => {
  es = await startElasticsearchFake({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await es.close();
});

function gaugeAt(timeMs: number, value: number, host = 'a'): ResourceMetrics {
  const time: [number, number] = [Math.floor(timeMs / 1000), (timeMs % 1000) * 1_000_000];
  return {
    resource: resourceFromAttributes({ 'service.name': 'it-tsdb', 'host.name': host }),
    scopeMetrics: [
      {
        scope: { name: 'it' },
        metrics: [
          {
            descriptor: { name: 'load', description: '', unit: '1', valueType: 1, type: 'GAUGE' },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.GAUGE,
            dataPoints: [{ startTime: time, endTime: time, attributes: { cpu: '0' }, value }],
          },
        ],
      },
    ],
  } as unknown as ResourceMetrics;
}

function exporterFor(dataset: string, letters: DeadLetter<BulkRecord>[], extra = {}) {
  return new ElasticsearchMetricExporter({
    url: es.url,
    dataset,
    flushIntervalMs: 20,
    initialBackoffMs: 20,
    maxBackoffMs: 100,
    deadLetter: (letter) => {
      letters.push(deliveryLetter(letter));
    },
    ...extra,
  });
}

function exportOnce(exporter: ElasticsearchMetricExporter, metrics: ResourceMetrics) {
  return new Promise<ExportResult>((resolve) => exporter.export(metrics, resolve));
}

describe('Elasticsearch metrics into time series data streams (fake)', () => {
  it('the stream is a TSDB stream; documents go without a client _id even with deterministicIds', async () => {
    const letters: DeadLetter<BulkRecord>[] = [];
    // deterministicIds gives logs and plain-index metrics an _id, which a TSDB stream refuses.
    const exporter = exporterFor('tsdb_ok', letters, { deterministicIds: true });
    const now = Date.now();
    assert.equal((await exportOnce(exporter, gaugeAt(now, 1))).code, ExportResultCode.SUCCESS);
    await exporter.forceFlush();
    const stream = 'metrics-tsdb_ok.otel-default';
    const hits = await searchAll(es.url, stream);
    assert.equal(hits.length, 1);
    const backing = await getJson<unknown>(es.url, `/${hits[0]._index}`);
    assert.match(JSON.stringify(backing.body), /"mode":"time_series"/);
    assert.deepEqual(letters, [], 'a client _id would have been refused with a 400');
    await exporter.shutdown();
  });

  it('the same series and timestamp sent again by a new export is rejected with the reason, once', async () => {
    const letters: DeadLetter<BulkRecord>[] = [];
    const exporter = exporterFor('tsdb_dup', letters);
    const now = Date.now();
    await exportOnce(exporter, gaugeAt(now, 1));
    await exporter.forceFlush();
    await exportOnce(exporter, gaugeAt(now, 2));
    await exporter.forceFlush();
    const hits = await searchAll(es.url, 'metrics-tsdb_dup.otel-default');
    assert.equal(hits.length, 1);
    assert.deepEqual((hits[0]._source.metrics as { load: number }).load, 1);
    const items = letters.flatMap((l) => l.items);
    assert.equal(items.length, 1);
    assert.equal(letters[0].reason, 'rejected');
    assert.match(
      items[0].detail,
      /^409 version_conflict_engine_exception: .*not stored by this exporter/,
    );
    await exporter.shutdown();
  });

  it('a resend after a lost answer (stored, then the client timed out) is delivered, stored once', async () => {
    const letters: DeadLetter<BulkRecord>[] = [];
    const exporter = exporterFor('tsdb_retry', letters, { timeoutMs: 300 });
    const stream = 'metrics-tsdb_retry.otel-default';
    await setFaults(es.url, stream, { stall: { delayMs: 1_000, count: 1, afterStore: true } });
    await exportOnce(exporter, gaugeAt(Date.now(), 3));
    await exporter.forceFlush();
    assert.deepEqual(letters, [], 'the 409 on the resend is our own first write');
    assert.equal((await searchAll(es.url, stream)).length, 1);
    await exporter.shutdown();
  });

  it('a data point outside the writable range is rejected with Elasticsearch’s reason, not retried', async () => {
    const letters: DeadLetter<BulkRecord>[] = [];
    const exporter = exporterFor('tsdb_old', letters);
    const now = Date.now();
    await exportOnce(exporter, gaugeAt(now, 1)); // creates the stream
    await exporter.forceFlush();
    const before = (await getJson<{ bulk: { requests: number } }>(es.url, '/_otelpack_fake/stats'))
      .body;
    await exportOnce(exporter, gaugeAt(now - 3 * 3_600_000, 1, 'b'));
    await exporter.forceFlush();
    const afterStats = (
      await getJson<{ bulk: { requests: number } }>(es.url, '/_otelpack_fake/stats')
    ).body;
    assert.equal(afterStats.bulk.requests - before.bulk.requests, 1, 'one attempt, no retry');
    const items = letters.flatMap((l) => l.items);
    assert.equal(items.length, 1);
    assert.match(
      items[0].detail,
      /^400 illegal_argument_exception: the document timestamp \[.*\] is outside of ranges of currently writable indices/,
    );
    await exporter.shutdown();
  });
});
