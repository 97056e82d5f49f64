/*
 * OTLP's JSON encoding (the protobuf JSON mapping with OTLP's exceptions): field names in
 * lowerCamelCase, trace and span ids as hex strings (not base64), enums as integers, 64-bit
 * integers as decimal strings, bytes as base64, NaN and the infinities as strings, fields at
 * their default value left out.
 */

import { boundedValue } from '@otelpack/batching-core';

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

export type JsonObject = Record<string, unknown>;

/** HrTime `[seconds, nanoseconds]` as decimal nanoseconds. */
export function nanosText(time: readonly [number, number]): string {
  return (BigInt(time[0]) * 1_000_000_000n + BigInt(time[1])).toString();
}

/** A double as proto3 JSON writes it. */
export function jsonDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** An integer in ±2^63 as a decimal string (exact for integers JS holds exactly). */
export function int64Text(value: number): string {
  return BigInt(value).toString();
}

/**
 * One AnyValue. An array or map is bounded first by the core's `boundedValue` (a cycle written
 * as "[circular]", deeper than 32 levels as "[too deep]", at most 100,000 values in all).
 */
export function anyValue(value: unknown): JsonObject {
  return jsonValue(typeof value === 'object' ? boundedValue(value) : value);
}

function jsonValue(value: unknown): JsonObject {
  switch (typeof value) {
    case 'string':
      return { stringValue: value };
    case 'boolean':
      return { boolValue: value };
    case 'number':
      return Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64
        ? { intValue: int64Text(value) }
        : { doubleValue: jsonDouble(value) };
    case 'object':
      if (value === null) return {};
      if (value instanceof Uint8Array) {
        return {
          bytesValue: Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64'),
        };
      }
      if (Array.isArray(value)) return { arrayValue: { values: value.map(jsonValue) } };
      return { kvlistValue: { values: entries(value as Record<string, unknown>, jsonValue) } };
    default:
      return {};
  }
}

export function keyValues(attributes: Readonly<Record<string, unknown>> | undefined): JsonObject[] {
  return entries(attributes, anyValue);
}

/** The KeyValues of a map, each value made by `value` (inside a bounded value: unchecked). */
function entries(
  attributes: Readonly<Record<string, unknown>> | undefined,
  value: (value: unknown) => JsonObject,
): JsonObject[] {
  const out: JsonObject[] = [];
  if (!attributes) return out;
  for (const key in attributes) {
    if (!Object.prototype.hasOwnProperty.call(attributes, key)) continue;
    out.push({ key, value: value(attributes[key]) });
  }
  return out;
}

/** Sets `field` unless `value` is the proto3 default (0, '', false, empty list, undefined). */
export function put(target: JsonObject, field: string, value: unknown): void {
  if (value === undefined || value === null || value === 0 || value === '' || value === false)
    return;
  if (Array.isArray(value) && value.length === 0) return;
  target[field] = value;
}
