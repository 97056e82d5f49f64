import { InvalidConfigError, Pipeline, redact } from '@otelpack/batching-core';
import type { Signal } from '@otelpack/batching-core';
import { createHttpClient } from './client/http-clients';
import { clientTimeoutMs, resolveConfig } from './config';
import type { ResolvedConfig } from './config';
import { RowEncoder } from './encoding/encoder';
import type { ClickHouseRow } from './encoding/encoder';
import type { ClickHouseExporterOptions } from './options';
import { qualifiedTableName } from './schema/ddl';
import type { SchemaSignal } from './schema/ddl';
import { SchemaGate } from './schema/gate';
import type { TableKind } from './schema/tables';
import { ClickHouseSender } from './sender/sender';
import type { SenderHost } from './sender/sender';

/** What an exporter class needs: its pipeline and the encoder its mapping writes with. */
export interface ExporterParts {
  config: ResolvedConfig;
  pipeline: Pipeline<ClickHouseRow>;
  encoder: RowEncoder;
  sender: ClickHouseSender;
}

function hostsOf(config: ResolvedConfig): { hosts: SenderHost[]; owned: boolean } {
  const connection = config.connection;
  if (connection.kind === 'client') {
    return {
      hosts: [
        { client: connection.client, label: connection.embedded ? 'embedded chdb' : 'client' },
      ],
      owned: false,
    };
  }
  const timeoutMs = clientTimeoutMs(config.pipeline);
  return {
    hosts: connection.endpoints.map((endpoint) => ({
      label: endpoint.origin,
      client: createHttpClient(endpoint.origin, {
        username: connection.username,
        password: connection.password,
        compression: connection.compression,
        compressionLevel: connection.compressionLevel,
        requestTimeoutMs: timeoutMs,
        maxOpenConnections: connection.maxOpenConnections,
        ...(connection.tls ? { tls: connection.tls } : {}),
      }),
    })),
    owned: true,
  };
}

function qualifiedTables(config: ResolvedConfig): Record<TableKind, string> {
  const schema = config.schema;
  const names = schema.tables;
  const tables = {} as Record<TableKind, string>;
  for (const kind of Object.keys(names) as TableKind[]) {
    tables[kind] = qualifiedTableName(schema, names[kind]);
  }
  return tables;
}

/** Options to config, config to sender and pipeline: the few lines every exporter class shares. */
export function buildExporterParts(
  options: ClickHouseExporterOptions | undefined,
  signal: Signal,
): ExporterParts {
  const config = resolveConfig(options);
  if (
    signal !== 'metrics' &&
    (options as { temporality?: unknown } | undefined)?.temporality !== undefined
  ) {
    throw new InvalidConfigError('temporality', 'is an option of ClickHouseMetricExporter only');
  }
  const { hosts, owned } = hostsOf(config);
  const scrub = (text: string): string => redact(text, config.secrets);
  const gate = config.createSchema
    ? new SchemaGate(config.schema, [signal as SchemaSignal], scrub)
    : undefined;
  const sender = new ClickHouseSender({
    hosts,
    format: config.format,
    tables: qualifiedTables(config),
    deduplicate: config.deduplicate,
    asyncInsert: config.asyncInsert,
    insertSettings: config.insertSettings,
    // @clickhouse/client speaks HTTP unless it runs on chdb's connection.
    http: !(config.connection.kind === 'client' && config.connection.embedded),
    secrets: config.secrets,
    ownsClients: owned,
    ...(gate ? { prepare: (host: SenderHost) => gate.ensure(host.client) } : {}),
  });
  const pipeline = new Pipeline<ClickHouseRow>({
    ...config.pipeline,
    name: 'clickhouse',
    signal,
    sender,
  });
  return { config, pipeline, encoder: new RowEncoder(config.format), sender };
}
