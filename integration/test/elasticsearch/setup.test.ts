import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { assertLedgerBalances } from '@otelpack/batching-core/testing';
import { ElasticsearchLogRecordExporter } from '@otelpack/exporter-elasticsearch';
import { backendUrl } from '../../src/env';
import { getJson, searchAll } from './helpers';

/*
 * FAKE natively, REAL Elasticsearch with docker-compose: the optional setup on start (an ILM
 * policy and an index template for plain, date-suffixed indices) is put before the first
 * document, and documents land in the index named after their own day.
 */

const ID = 'elasticsearch';

describe('Elasticsearch: index template and ILM policy on start', () => {
  it('puts the policy and the template, then indexes into <index>-YYYY.MM.DD', async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const index = `it-setup-${randomUUID().slice(0, 8)}`;
    const exporter = new ElasticsearchLogRecordExporter({
      url,
      index,
      indexDateSuffix: 'daily',
      setup: { indexTemplate: true, ilm: { warmAfter: '2d', deleteAfter: '10d' } },
      flushIntervalMs: 50,
    });
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'it-setup' }),
      processors: [new BatchLogRecordProcessor({ exporter, scheduledDelayMillis: 20 })],
    });
    const timestamp = Date.UTC(2031, 4, 6, 12, 0, 0);
    provider.getLogger('it').emit({ body: 'dated record', timestamp });
    await provider.forceFlush();
    await exporter.forceFlush();
    const stats = exporter.stats();
    assertLedgerBalances(stats);
    assert.equal(stats.delivered, 1, JSON.stringify(stats));

    const name = `otelpack-${index}`;
    const policy = await getJson<
      Record<string, { policy: { phases: Record<string, { min_age: string }> } }>
    >(url, `/_ilm/policy/${name}`);
    assert.equal(policy.status, 200);
    const phases = policy.body[name].policy.phases;
    assert.deepEqual(
      Object.fromEntries(Object.entries(phases).map(([phase, body]) => [phase, body.min_age])),
      { hot: '0ms', warm: '2d', delete: '10d' },
    );
    const template = await getJson<{
      index_templates: {
        name: string;
        index_template: { index_patterns: string[]; template: { settings: unknown } };
      }[];
    }>(url, `/_index_template/${name}`);
    assert.equal(template.status, 200);
    assert.deepEqual(template.body.index_templates[0].index_template.index_patterns, [
      index,
      `${index}-*`,
    ]);

    const hits = await searchAll(url, `${index}-2031.05.06`);
    assert.equal(hits.length, 1);
    assert.deepEqual(hits[0]._source.body, { text: 'dated record' });
    assert.equal(
      'data_stream' in hits[0]._source,
      false,
      'a plain index carries no data_stream fields',
    );
    await provider.shutdown();
  });
});
