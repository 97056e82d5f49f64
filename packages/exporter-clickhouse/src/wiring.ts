import { mapEach, mapEachWithUnmapped } from '@otelpack/batching-core';
import type {
  ItemMapping,
  ReadableLogRecordLike,
  ReadableSpanLike,
  ResourceMetricsLike,
  Signal,
} from '@otelpack/batching-core';
import { createHttpClient } from './client/http-clients';
import { clickHouseConfig, insertFormatOf } from './config';
import type { ResolvedClickHouseOptions, ResolvedConfig } from './config';
import { RowEncoder, encodedRow } from './encoding/encoder';
import { logJsonLineWriter, spanJsonLineWriter } from './encoding/json-lines';
import { logRowBinaryWriter, spanRowBinaryWriter } from './encoding/row-binary-rows';
import type { ClickHouseRow } from './encoding/encoder';
import { logRecordToRow } from './mapping/logs';
import { resourceMetricsToRows } from './mapping/metrics';
import { ResourceColumnsCache } from './mapping/resource';
import { spanToRow } from './mapping/spans';
import { qualifiedTableName, tableKindsOf } from './schema/ddl';
import type { SchemaSignal } from './schema/ddl';
import { SchemaGate } from './schema/gate';
import { TableLayouts } from './schema/layouts';
import type { TableKind } from './schema/tables';
import { ClickHouseSender } from './sender/sender';
import type { SenderHost } from './sender/sender';

/*
 * From the kit's resolved options to what the kit assembles: the sender of a signal, and its
 * mapping. The SDK classes themselves are made by the kit (exporters.ts).
 */

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
  return {
    hosts: connection.endpoints.map((endpoint) => ({
      label: endpoint.origin,
      client: createHttpClient(endpoint.origin, {
        username: connection.username,
        password: connection.password,
        timeoutMs: config.timeoutMs,
        maxOpenConnections: connection.maxOpenConnections,
        headers: config.headers,
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

/** One signal's sender: its hosts (or the application's client), schema gate and insert settings. */
export function createClickHouseSender(
  options: ResolvedClickHouseOptions,
  signal: Signal,
): ClickHouseSender {
  const config = clickHouseConfig(options);
  const { hosts, owned } = hostsOf(config);
  const scrub = (text: string): string => options.redact(text);
  const gate = config.createSchema
    ? new SchemaGate(
        config.schema,
        [signal as SchemaSignal],
        scrub,
        config.timeoutMs,
        config.headerProvider,
      )
    : undefined;
  const layouts = new TableLayouts(
    config.schema.database,
    config.schema.tables,
    tableKindsOf(signal as SchemaSignal),
    scrub,
    config.timeoutMs,
    config.headerProvider,
  );
  // The schema first (when the exporter creates it), then the types of what is there.
  const prepare = async (host: SenderHost) =>
    (await gate?.ensure(host.client)) ?? layouts.ensure(host.client);
  return new ClickHouseSender({
    name: config.name,
    hosts,
    format: config.format,
    tables: qualifiedTables(config),
    deduplicate: config.deduplicate,
    asyncInsert: config.asyncInsert,
    insertSettings: config.insertSettings,
    // @clickhouse/client speaks HTTP unless it runs on chdb's connection.
    http: !(config.connection.kind === 'client' && config.connection.embedded),
    ...(config.connection.kind === 'http' ? { compression: config.connection.compression } : {}),
    secrets: config.secrets,
    ownsClients: owned,
    ...(config.headerProvider ? { headerProvider: config.headerProvider } : {}),
    prepare,
    layoutOf: (host, table) => layouts.layoutOf(host.client, table),
    onTableMismatch: (host) => layouts.forget(host.client),
  });
}

/** `otel_traces` rows (the lookup table fills itself through the materialized view). */
export function spanMapping(
  options: ResolvedClickHouseOptions,
): ItemMapping<ReadableSpanLike, ClickHouseRow> {
  const resources = new ResourceColumnsCache();
  const format = insertFormatOf(options);
  // RowBinary (the default over HTTP) and JSONEachRow are written straight from the span
  // (row-binary-rows.ts, json-lines.ts); JSONCompactEachRow from the row.
  if (format === 'JSONEachRow') {
    const line = spanJsonLineWriter(resources);
    return mapEach((span) => encodedRow('traces', line(span)));
  }
  if (format === 'RowBinary') {
    const row = spanRowBinaryWriter(resources);
    return mapEach((span) => encodedRow('traces', row(span)));
  }
  const encoder = new RowEncoder(format);
  return mapEach((span) => encoder.encode('traces', spanToRow(span, resources)));
}

/** `otel_logs` rows. */
export function logMapping(
  options: ResolvedClickHouseOptions,
): ItemMapping<ReadableLogRecordLike, ClickHouseRow> {
  const resources = new ResourceColumnsCache();
  const format = insertFormatOf(options);
  if (format === 'JSONEachRow') {
    const line = logJsonLineWriter(resources);
    return mapEach((record) => encodedRow('logs', line(record)));
  }
  if (format === 'RowBinary') {
    const row = logRowBinaryWriter(resources);
    return mapEach((record) => encodedRow('logs', row(record)));
  }
  const encoder = new RowEncoder(format);
  return mapEach((record) => encoder.encode('logs', logRecordToRow(record, resources)));
}

/** One row per data point, in the table of its type; points that make no row are unmapped. */
export function metricMapping(
  options: ResolvedClickHouseOptions,
): ItemMapping<ResourceMetricsLike, ClickHouseRow> {
  const encoder = new RowEncoder(insertFormatOf(options));
  const resources = new ResourceColumnsCache();
  return mapEachWithUnmapped((resourceMetrics) => {
    const { rows, failures } = resourceMetricsToRows(resourceMetrics, resources);
    return {
      records: rows.map((mapped) => encoder.encodeKeepingSource(mapped.table, mapped.row)),
      unmapped: failures,
    };
  });
}
