import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from '@clickhouse/client';
import type { InsertFormat } from '@otelpack/exporter-clickhouse';
import { backendUrl } from '../../src/env';
import { collectorSchema } from './collector-ddl';
import { assertGrafanaQueries } from './grafana-queries';
import {
  FAST_PIPELINE,
  assertAllDelivered,
  assertLogsStored,
  assertMetricsStored,
  assertTraceLookup,
  assertTracesStored,
  clickHouseExporters,
  exporterStats,
  produceTelemetry,
  recordedCounts,
  select,
  shutdownExporters,
  uniqueDatabase,
} from './support';

/*
 * REAL engine: the tables are created with the OpenTelemetry Collector's current DDL
 * (collector-ddl.ts), then the exporters write into them with createSchema: false — the setup
 * the README recommends for production — and every row is read back. The Collector's metric
 * tables have DateTime (seconds) times, which refuse the exporter's own nanosecond text.
 */

const ID = 'clickhouse';

for (const format of ['JSONEachRow', 'JSONCompactEachRow', 'RowBinary'] as InsertFormat[]) {
  test(`every signal lands in tables a current Collector created (${format}, createSchema: false)`, async (t) => {
    const url = backendUrl(t, ID);
    if (!url) return;
    const database = uniqueDatabase(`it_collector_${format.toLowerCase()}`);
    const client = createClient({ url });
    const exporters = clickHouseExporters({
      url,
      database,
      format,
      createSchema: false,
      ...FAST_PIPELINE,
    });
    try {
      for (const statement of collectorSchema(database)) await client.command({ query: statement });
      const recorded = await produceTelemetry(exporters, database);
      assertAllDelivered(exporterStats(exporters), recordedCounts(recorded));
      await assertTracesStored(client, database, recorded);
      await assertTraceLookup(client, database, recorded);
      await assertLogsStored(client, database, recorded);
      await assertMetricsStored(client, database, recorded, { seconds: true });
      await assertGrafanaQueries(client, database, recorded);
      // The Collector's materialized columns fill from what the exporter wrote.
      const materialized = await select<{ env: string }>(
        client,
        `SELECT \`__otel_materialized_deployment.environment.name\` AS env FROM \`${database}\`.otel_logs
         WHERE ServiceName = '${recorded.service}' LIMIT 1`,
      );
      assert.deepEqual(materialized, [{ env: 'it' }]);
    } finally {
      await shutdownExporters(exporters);
      await client.command({ query: `DROP DATABASE IF EXISTS \`${database}\`` }).catch(() => {});
      await client.close();
    }
  });
}
