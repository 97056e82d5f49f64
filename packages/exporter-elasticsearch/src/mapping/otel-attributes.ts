import { isEmptyObject, setField, toJsonObject } from './json-value';
import type { JsonObject, JsonValue, ValueLimits } from './json-value';
import { CONTROL_ATTRIBUTES } from './routing';

/*
 * The `attributes` maps of the `otel` mode, as the Collector writes them (its otelserializer's
 * writeAttributes): control attributes left out, paired `*.geo.location.lat/lon` merged into one
 * `geo_point` array, and for metric documents map values written as JSON text (a time series
 * dimension cannot be an object).
 */

const LON = 'geo.location.lon';
const LAT = 'geo.location.lat';
const MERGED = 'geo.location';

interface GeoParts {
  lon?: number;
  lat?: number;
}

/** "foo.bar." for "foo.bar.geo.location.lon", "" for "geo.location.lon"; undefined otherwise. */
function geoPrefix(key: string, suffix: string): string | undefined {
  if (key === suffix) return '';
  if (
    key.length > suffix.length &&
    key.endsWith(suffix) &&
    key[key.length - suffix.length - 1] === '.'
  ) {
    return key.slice(0, key.length - suffix.length);
  }
  return undefined;
}

/**
 * Merges lat/lon pairs in place: `{prefix}geo.location` = [lon, lat] (Elasticsearch's geo_point
 * array order). A lone half stays as it was. Only numbers take part, as only doubles do in the
 * Collector (our integers are numbers too: see the README, "Compared with the Collector").
 */
export function mergeGeoLocation(attributes: JsonObject): void {
  let parts: Map<string, GeoParts> | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    if (typeof value !== 'number') continue;
    const lonPrefix = geoPrefix(key, LON);
    const latPrefix = lonPrefix === undefined ? geoPrefix(key, LAT) : undefined;
    const prefix = lonPrefix ?? latPrefix;
    if (prefix === undefined) continue;
    parts ??= new Map();
    const geo = parts.get(prefix) ?? {};
    if (lonPrefix !== undefined) geo.lon = value;
    else geo.lat = value;
    parts.set(prefix, geo);
  }
  if (!parts) return;
  for (const [prefix, geo] of parts) {
    if (geo.lon === undefined || geo.lat === undefined) continue;
    delete attributes[prefix + LON];
    delete attributes[prefix + LAT];
    setField(attributes, prefix + MERGED, [geo.lon, geo.lat]);
  }
}

function stringifyMaps(value: JsonValue): JsonValue {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(stringifyMaps);
  return JSON.stringify(value);
}

/** An `attributes` field, or undefined when nothing is left to write. */
export function otelAttributes(
  attributes: Readonly<Record<string, unknown>> | undefined,
  limits: ValueLimits,
  mapsAsText = false,
): JsonObject | undefined {
  const out = toJsonObject(attributes, limits, CONTROL_ATTRIBUTES);
  if (isEmptyObject(out)) return undefined;
  mergeGeoLocation(out);
  if (mapsAsText) {
    for (const key in out) out[key] = stringifyMaps(out[key]);
  }
  return out;
}
