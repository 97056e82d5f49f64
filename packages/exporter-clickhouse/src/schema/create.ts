import type { ClickHouseClient } from '@clickhouse/client';
import { schemaStatements } from './ddl';
import type { SchemaSettings, SchemaSignal } from './ddl';

/**
 * Codes another process's concurrent CREATE can make ours fail with although what we wanted now
 * exists: TABLE_ALREADY_EXISTS, DATABASE_ALREADY_EXISTS, and the DDL guard of a table being
 * created right now by someone else.
 */
const ALREADY_BEING_CREATED = new Set(['57', '82', '337']);

/**
 * Runs the schema's statements one by one. Safe to run at once from many processes: every
 * statement is `IF NOT EXISTS`, and losing a creation race to another process counts as done.
 * Throws @clickhouse/client's error (with ClickHouse's code and message) on any other failure.
 */
export async function runSchemaStatements(
  client: ClickHouseClient,
  settings: SchemaSettings,
  signals: readonly SchemaSignal[],
  abortSignal?: AbortSignal,
  /** Sent with every statement (the exporter's header provider's, at the time). */
  httpHeaders?: Record<string, string>,
): Promise<void> {
  for (const statement of schemaStatements(settings, signals)) {
    try {
      await client.command({
        query: statement,
        // With ON CLUSTER, wait for every replica rather than the initiator only.
        clickhouse_settings: settings.clusterName ? { distributed_ddl_task_timeout: '180' } : {},
        ...(abortSignal ? { abort_signal: abortSignal } : {}),
        ...(httpHeaders ? { http_headers: httpHeaders } : {}),
      });
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'string' && ALREADY_BEING_CREATED.has(code)) continue;
      throw error;
    }
  }
}
