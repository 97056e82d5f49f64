import { WIRE, boundedValue } from '@otelpack/batching-core';
import type { InstrumentationScopeLike, ResourceLike } from '@otelpack/batching-core';
import type { OtlpProtoWriter } from './writer';

/*
 * opentelemetry/proto/common/v1/common.proto and resource.proto:
 *
 *   AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3;
 *              double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6;
 *              bytes bytes_value = 7; } }
 *   ArrayValue { repeated AnyValue values = 1; }     KeyValueList { repeated KeyValue values = 1; }
 *   KeyValue { string key = 1; AnyValue value = 2; }
 *   InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3;
 *                          uint32 dropped_attributes_count = 4; }
 *   Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
 *
 * Values are typed as the official JS serializer types them, so that both decode alike: an
 * integer in ±2^63 is int_value, any other number double_value; a Uint8Array bytes_value; null
 * and undefined an AnyValue with no value set.
 */

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

export type Attributes = Readonly<Record<string, unknown>>;

/**
 * One AnyValue. An array or map is bounded first by the core's `boundedValue` (a cycle written
 * as "[circular]", deeper than 32 levels as "[too deep]", at most 100,000 values in all), so an
 * application's object graph can neither recurse without end nor expand exponentially.
 */
export function writeAnyValue(writer: OtlpProtoWriter, value: unknown): void {
  writeValue(writer, typeof value === 'object' ? boundedValue(value) : value);
}

function writeValue(writer: OtlpProtoWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.tag(1, WIRE.LENGTH);
      writer.string(value);
      return;
    case 'boolean':
      writer.tag(2, WIRE.VARINT);
      writer.bool(value);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        writer.tag(3, WIRE.VARINT);
        writer.int64(value);
      } else {
        writer.tag(4, WIRE.FIXED64);
        writer.double(value);
      }
      return;
    case 'object': {
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.tag(7, WIRE.LENGTH);
        writer.bytes(value);
        return;
      }
      if (Array.isArray(value)) {
        writer.tag(5, WIRE.LENGTH);
        const array = writer.begin();
        for (const item of value) {
          writer.tag(1, WIRE.LENGTH);
          const start = writer.begin();
          writeValue(writer, item);
          writer.end(start);
        }
        writer.end(array);
        return;
      }
      writer.tag(6, WIRE.LENGTH);
      const list = writer.begin();
      writeEntries(writer, value as Attributes, 1, writeValue);
      writer.end(list);
      return;
    }
    default:
      // undefined, and what attributes cannot hold (functions, symbols, bigints): no value.
      return;
  }
}

/**
 * Attribute keys repeat from span to span, so each key's encoded KeyValue.key field (tag, length,
 * UTF-8 bytes) is kept, for the first KEY_CACHE_LIMIT keys seen in the process: a bounded map, so
 * that keys made of data (an id in a key) cannot grow it; the keys after those take the general
 * path, as do keys of 120 bytes or more.
 */
const KEY_CACHE_LIMIT = 4096;
const keyFields = new Map<string, Uint8Array>();

function keyField(key: string): Uint8Array | undefined {
  const cached = keyFields.get(key);
  if (cached !== undefined || keyFields.size >= KEY_CACHE_LIMIT) return cached;
  const encoded = Buffer.from(key, 'utf8');
  if (encoded.length >= 120) return undefined;
  const field = new Uint8Array(encoded.length + 2);
  field[0] = 0x0a; // KeyValue.key, field 1
  field[1] = encoded.length;
  field.set(encoded, 2);
  keyFields.set(key, field);
  return field;
}

/** The number of keys whose encoding is kept (tests). */
export function cachedKeyCount(): number {
  return keyFields.size;
}

/** Each own property as a KeyValue in the repeated field `field` (below 16). */
export function writeKeyValues(
  writer: OtlpProtoWriter,
  attributes: Attributes,
  field: number,
): void {
  writeEntries(writer, attributes, field, writeAnyValue);
}

/** The KeyValues of a map, each value written by `write` (inside a bounded value: unchecked). */
function writeEntries(
  writer: OtlpProtoWriter,
  attributes: Attributes,
  field: number,
  write: (writer: OtlpProtoWriter, value: unknown) => void,
): void {
  const tag = (field << 3) | WIRE.LENGTH;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    const value = attributes[key];
    const cachedKey = keyField(key);
    if (cachedKey !== undefined) {
      if (typeof value === 'string') {
        if (writer.shortStringKeyValue(tag, cachedKey, value)) continue;
      } else if (
        typeof value === 'number' &&
        value >= 0 &&
        value < 0x1000_0000 &&
        Number.isInteger(value) &&
        writer.smallIntKeyValue(tag, cachedKey, value)
      ) {
        continue;
      }
    }
    writer.tag(field, WIRE.LENGTH);
    const keyValue = writer.begin();
    writer.tag(1, WIRE.LENGTH);
    writer.string(key);
    writer.tag(2, WIRE.LENGTH);
    const anyValue = writer.begin();
    write(writer, value);
    writer.end(anyValue);
    writer.end(keyValue);
  }
}

/** A Resource message body. */
export function writeResource(writer: OtlpProtoWriter, resource: ResourceLike): void {
  if (resource.attributes) writeKeyValues(writer, resource.attributes, 1);
}

/** An InstrumentationScope message body. */
export function writeScope(writer: OtlpProtoWriter, scope: InstrumentationScopeLike): void {
  if (scope.name) {
    writer.tag(1, WIRE.LENGTH);
    writer.string(scope.name);
  }
  if (scope.version) {
    writer.tag(2, WIRE.LENGTH);
    writer.string(scope.version);
  }
  if (scope.attributes) writeKeyValues(writer, scope.attributes, 3);
  const dropped = (scope as { droppedAttributesCount?: number }).droppedAttributesCount;
  if (dropped) {
    writer.tag(4, WIRE.VARINT);
    writer.uint32(dropped);
  }
}

/** A uint32 field, left out at 0 (proto3's default). */
export function writeUint32Field(
  writer: OtlpProtoWriter,
  field: number,
  value: number | undefined,
) {
  if (!value) return;
  writer.tag(field, WIRE.VARINT);
  writer.uint32(value);
}
