/**
 * Where an event goes in Splunk: the attributes that name its `host`, `source`, `sourcetype` and
 * `index` (the Collector's `otel_attrs_to_hec_metadata` defaults), and the static values used
 * when no attribute names them. Routing attributes become envelope keys, never fields.
 */

import { setOwnField } from '@otelpack/batching-core';

export interface RoutingOptions {
  source: string;
  sourcetype: string;
  index: string;
  /** The attributes that name them; default ROUTING_ATTRIBUTES (the Collector's defaults). */
  attributes?: RoutingAttributes;
  /** The fields severity goes to in log events; default LOG_FIELDS' (the Collector's defaults). */
  severityFields?: SeverityFields;
}

/** The Collector's `otel_to_hec_fields`. */
export interface SeverityFields {
  severityText: string;
  severityNumber: string;
}

/** Which attribute names each envelope key (the Collector's `otel_attrs_to_hec_metadata`). */
export interface RoutingAttributes {
  source: string;
  sourcetype: string;
  index: string;
  host: string;
}

export const ROUTING_ATTRIBUTES: Readonly<RoutingAttributes> = {
  source: 'com.splunk.source',
  sourcetype: 'com.splunk.sourcetype',
  index: 'com.splunk.index',
  host: 'host.name',
};

/** A per-record token the Collector's HEC receiver sets; never copied into an event. */
export const HEC_TOKEN_ATTRIBUTE = 'com.splunk.hec.access_token';

/** The Collector's host when no `host.name` is set. */
export const UNKNOWN_HOST = 'unknown';

export interface Route {
  host: string;
  source: string;
  sourcetype: string;
  index: string;
  /** Not written: which attributes set the four above. */
  readonly keys: RoutingAttributes;
}

export function defaultRoute(options: RoutingOptions): Route {
  return {
    host: UNKNOWN_HOST,
    source: options.source,
    sourcetype: options.sourcetype,
    index: options.index,
    keys: options.attributes ?? ROUTING_ATTRIBUTES,
  };
}

/** The envelope's keys of a route (what an event carries of it). */
export function envelope(route: Route): {
  host: string;
  source: string;
  sourcetype: string;
  index: string;
} {
  return {
    host: route.host,
    source: route.source,
    sourcetype: route.sourcetype,
    index: route.index,
  };
}

/**
 * Takes a routing attribute into `route` (its value as text, as pdata's `Str()` would give a
 * string) and says so; false for any other key, which the caller makes a field.
 */
export function takeRouting(route: Route, key: string, value: unknown): boolean {
  const keys = route.keys;
  if (key === keys.host) route.host = routingText(value);
  else if (key === keys.source) route.source = routingText(value);
  else if (key === keys.sourcetype) route.sourcetype = routingText(value);
  else if (key === keys.index) route.index = routingText(value);
  else return key === HEC_TOKEN_ATTRIBUTE;
  return true;
}

/** pdata's `Str()` is '' for a value that is not a string; so is ours. */
function routingText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/**
 * Puts a log attribute into the flat `fields` as the Collector's `mergeValue` does: maps are
 * flattened with `.` between keys, flat arrays kept, arrays holding arrays or maps written as
 * JSON text (HEC answers code 15 for a nested field).
 */
export function mergeField(fields: Record<string, unknown>, key: string, value: unknown): void {
  if (Array.isArray(value)) {
    setOwnField(fields, key, isFlat(value) ? value : JSON.stringify(value, bytesAsBase64));
  } else if (isMap(value)) {
    for (const inner of Object.keys(value)) mergeField(fields, `${key}.${inner}`, value[inner]);
  } else {
    // Assigned, a key named `__proto__` would be lost (setOwnField says why).
    setOwnField(fields, key, value === undefined ? null : value);
  }
}

function isFlat(array: unknown[]): boolean {
  return array.every((v) => !Array.isArray(v) && !isMap(v));
}

function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array)
  );
}

function bytesAsBase64(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('base64') : value;
}
