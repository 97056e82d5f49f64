import type { AnyValue, ReadableLogRecordLike, ReadableSpanLike } from '@otelpack/batching-core';
import type { ResourceMapper } from '../mapping/resource';
import { anyValueAsString, wellFormed } from '../mapping/values';
import type { InsertColumn } from '../schema/tables';
import {
  KeyOrders,
  resourceAndScopeFragments,
  LOG_RESOURCE_AND_SCOPE,
  SPAN_NESTED,
  SPAN_RESOURCE_AND_SCOPE,
} from './record-caches';
import { LogFields, SpanFields } from './record-fields';
import { ByteWriter, ROW_BINARY_WRITERS } from './row-binary';
import { ROW_SLABS } from './row-slabs';

/*
 * RowBinary rows for spans and log records, written from the SDK's objects: the same bytes as
 * rowBinaryWriter of spanToRow / logRecordToRow (the tests hold every fixture and a seeded random
 * series to it), without the row object or its `[key, value]` arrays, and with the resource's and
 * the scope's columns encoded once per resource and scope (by identity, the last pair seen), as
 * json-lines.ts does for JSONEachRow.
 */

/** A map key's bytes: its length, then its UTF-8 (well formed, as attributesToMap makes it). */
function keyBytes(key: string): Buffer {
  const writer = new ByteWriter(16 + key.length * 3);
  writer.string(wellFormed(key));
  return writer.take();
}

/** Attributes as the map attributesToMap makes of them (keys sorted), written as they are read. */
function writeAttributes(
  writer: ByteWriter,
  attributes: Readonly<Record<string, AnyValue>> | undefined,
  keyOrders: KeyOrders<Buffer>,
): void {
  const own = attributes ? Object.keys(attributes) : [];
  if (own.length === 0) {
    writer.uint8(0);
    return;
  }
  const { keys, forms } = keyOrders.of(own);
  writer.varUInt(keys.length);
  const values = attributes as Readonly<Record<string, AnyValue>>;
  for (let i = 0; i < keys.length; i++) {
    writer.bytes(forms[i]);
    writer.string(anyValueAsString(values[keys[i]]));
  }
}

/** The bytes of `columns`, from `values` by column name. */
function columnBytes(
  columns: readonly InsertColumn[],
  values: Readonly<Record<string, unknown>>,
): Buffer {
  const writer = new ByteWriter(1024);
  for (const column of columns) ROW_BINARY_WRITERS[column.kind](writer, values[column.name]);
  return writer.take();
}

/** The Nested columns of a span without events or links: seven empty arrays. */
const EMPTY_NESTED = Buffer.alloc(SPAN_NESTED.length);

/** A function from a finished span to its `otel_traces` RowBinary row. */
export function spanRowBinaryWriter(resources: ResourceMapper): (span: ReadableSpanLike) => Buffer {
  const fields = new SpanFields(resources);
  const fragments = resourceAndScopeFragments(SPAN_RESOURCE_AND_SCOPE, columnBytes);
  const keyOrders = new KeyOrders(keyBytes);
  const writer = new ByteWriter(ROW_SLABS);
  return (span) => {
    fields.read(span);
    writer.reset();
    writer.timestamp(fields.start);
    writer.string(fields.traceId);
    writer.string(fields.spanId);
    writer.string(fields.parentSpanId);
    writer.string(fields.traceState);
    writer.string(fields.name);
    writer.string(fields.kind);
    writer.bytes(fragments.of(fields.resource, fields.scope));
    writeAttributes(writer, fields.attributes, keyOrders);
    writer.uint64(fields.duration);
    writer.string(fields.statusCode);
    writer.string(fields.statusMessage);
    const nested = fields.nested as Readonly<Record<string, unknown>> | undefined;
    if (nested) {
      for (const column of SPAN_NESTED)
        ROW_BINARY_WRITERS[column.kind](writer, nested[column.name]);
    } else {
      writer.bytes(EMPTY_NESTED);
    }
    return writer.take();
  };
}

/** A function from a log record to its `otel_logs` RowBinary row. */
export function logRowBinaryWriter(
  resources: ResourceMapper,
): (record: ReadableLogRecordLike) => Buffer {
  const fields = new LogFields(resources);
  const fragments = resourceAndScopeFragments(LOG_RESOURCE_AND_SCOPE, columnBytes);
  const keyOrders = new KeyOrders(keyBytes);
  const writer = new ByteWriter(ROW_SLABS);
  return (record) => {
    fields.read(record);
    writer.reset();
    writer.timestamp(fields.timestamp);
    writer.string(fields.traceId);
    writer.string(fields.spanId);
    writer.uint8(fields.traceFlags);
    writer.string(fields.severityText);
    writer.uint8(fields.severityNumber);
    writer.string(fields.resource.serviceName);
    writer.string(fields.body);
    writer.bytes(fragments.of(fields.resource, fields.scope));
    writeAttributes(writer, fields.attributes, keyOrders);
    writer.string(fields.eventName);
    return writer.take();
  };
}
