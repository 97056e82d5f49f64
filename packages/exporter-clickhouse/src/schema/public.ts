import type { ClickHouseClient } from '@clickhouse/client';
import { resolveSchemaOptions } from '../config';
import type { ClickHouseSchemaOptions } from '../options';
import { runSchemaStatements } from './create';
import { schemaStatements } from './ddl';
import type { SchemaSignal } from './ddl';

export interface SchemaRequest extends ClickHouseSchemaOptions {
  /** Which signals' tables; default all three. */
  signals?: readonly SchemaSignal[];
}

const ALL_SIGNALS: readonly SchemaSignal[] = ['traces', 'logs', 'metrics'];

/**
 * The DDL the exporters would run, as one SQL script (statements end with `;`): for a DBA to
 * review and apply when `createSchema` is off.
 */
export function schemaSql(request: SchemaRequest = {}): string {
  const settings = resolveSchemaOptions(request);
  return `${schemaStatements(settings, request.signals ?? ALL_SIGNALS).join(';\n\n')};\n`;
}

/**
 * Creates the database, tables and view through a client, idempotently; safe to run from many
 * processes at once. Rejects with @clickhouse/client's error (ClickHouse's code and message).
 */
export async function createSchema(
  client: ClickHouseClient,
  request: SchemaRequest = {},
): Promise<void> {
  const settings = resolveSchemaOptions(request);
  await runSchemaStatements(client, settings, request.signals ?? ALL_SIGNALS);
}
