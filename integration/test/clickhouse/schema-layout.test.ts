import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { createSchema } from '@otelpack/exporter-clickhouse';
import { backendUrl } from '../../src/env';
import { collectorSchema } from './collector-ddl';
import { select, uniqueDatabase } from './support';

/*
 * REAL engine: the schema the exporter creates is the Collector's current layout. Both are
 * created side by side and compared as the engine sees them — every column (type, DEFAULT /
 * MATERIALIZED / ALIAS expression, codec), every skip index, and each table's partition key,
 * primary key, sorting key, TTL and settings — so a difference of spelling that means the same
 * is no difference, and a real one is.
 */

const ID = 'clickhouse';

/**
 * The one deliberate difference: the exporter keeps nanosecond DateTime64(9) metric times where
 * the Collector has DateTime (README, "Compared with the OpenTelemetry Collector").
 */
const METRIC_TIME_COLUMNS = new Set(['StartTimeUnix', 'TimeUnix', 'Exemplars.TimeUnix']);

async function layout(client: ClickHouseClient, database: string) {
  const columns = await select<Record<string, string>>(
    client,
    `SELECT table, name, type, default_kind, default_expression, compression_codec
     FROM system.columns WHERE database = '${database}' ORDER BY table, name`,
  );
  const tables = await select<Record<string, string>>(
    client,
    `SELECT name, engine, partition_key, primary_key, sorting_key, engine_full
     FROM system.tables WHERE database = '${database}' ORDER BY name`,
  );
  const indexes = await select<Record<string, string>>(
    client,
    `SELECT table, name, type_full, expr, granularity
     FROM system.data_skipping_indices WHERE database = '${database}' ORDER BY table, name`,
  );
  return {
    columns: columns.map((column) =>
      column.table.startsWith('otel_metrics_') && METRIC_TIME_COLUMNS.has(column.name)
        ? {
            ...column,
            type: column.type.replace('DateTime64(9)', 'DateTime'),
            // Delta's width follows the type: 8 bytes for DateTime64, 4 for DateTime.
            compression_codec: column.compression_codec.replace('Delta(8)', 'Delta(4)'),
          }
        : column,
    ),
    tables: tables.map(({ engine_full: engineFull, ...table }): Record<string, string> => ({
      ...table,
      ...ttlAndSettings(table.name, engineFull),
    })),
    indexes,
  };
}

/**
 * A table's TTL and SETTINGS as the engine prints them (`engine_full` from its TTL on), with the
 * exporter's deliberate differences taken out (README, "Compared with the OpenTelemetry
 * Collector"): metric tables convert their DateTime64(9) `TimeUnix` for the TTL, and every
 * non-replicated table has `non_replicated_deduplication_window` for the dedup token.
 */
function ttlAndSettings(table: string, engineFull: string): { ttl: string; settings: string } {
  const ttlAt = engineFull.indexOf(' TTL ');
  const settingsAt = engineFull.indexOf(' SETTINGS ');
  const ttl =
    ttlAt === -1 ? '' : engineFull.slice(ttlAt + 5, settingsAt === -1 ? undefined : settingsAt);
  const settings = settingsAt === -1 ? '' : engineFull.slice(settingsAt + 10);
  return {
    ttl: table.startsWith('otel_metrics_') ? ttl.replace('toDateTime(TimeUnix)', 'TimeUnix') : ttl,
    settings: settings
      .split(', ')
      .filter((setting) => !setting.startsWith('non_replicated_deduplication_window = '))
      .join(', '),
  };
}

test("the schema the exporter creates is the Collector's current layout, table by table", async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const client = createClient({ url });
  const collector = uniqueDatabase('it_layout_collector');
  const ours = uniqueDatabase('it_layout_ours');
  try {
    for (const statement of collectorSchema(collector)) await client.command({ query: statement });
    await createSchema(client, { database: ours, ttlSeconds: 3 * 86_400 });
    const theirs = await layout(client, collector);
    const mine = await layout(client, ours);
    assert.ok(theirs.columns.length > 100 && theirs.indexes.length > 30);
    assert.ok(
      theirs.tables
        .filter((table) => table.engine !== 'MaterializedView')
        .every((table) => table.ttl.includes('toIntervalDay(3)') && table.settings !== ''),
      'every Collector table (not the view) has its TTL and settings',
    );
    assert.deepEqual(mine.tables, theirs.tables, 'tables, engines, keys, TTL and settings');
    assert.deepEqual(mine.indexes, theirs.indexes, 'skip indexes');
    assert.deepEqual(mine.columns, theirs.columns, 'columns');
  } finally {
    for (const database of [collector, ours]) {
      await client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).catch(() => {});
    }
    await client.close();
  }
});
