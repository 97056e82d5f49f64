/*
 * Dynamic mapping, as far as a writer meets it — part of the otelpack FAKE Elasticsearch. Each
 * index remembers the type of every field it has seen (from its mappings' `properties`, else
 * the first value: integer → long, other number → float, boolean, a date-looking string → date,
 * other string → text, object → object). A later value the field's type cannot take fails its
 * document alone (400 document_parsing_exception), as Elasticsearch's DocumentParserTests
 * (testUnexpectedFieldMappingType) and DynamicMappingIT show: "failed to parse field [f] of type
 * [long] in document with id 'x'. Preview of field's value: 'abc'", "object mapping for [f]
 * tried to parse field [f] as object, but found a concrete value". Numbers in strings coerce into
 * numeric fields and scalars into text, as in Elasticsearch.
 *
 * Approximations: keys with dots are objects (Elasticsearch's default), except under the
 * OpenTelemetry roots of `*.otel-*` indices (`attributes`, `resource.attributes`,
 * `scope.attributes`, `metrics`), which Elasticsearch's OTel templates map with
 * `subobjects: false`, and `body.structured`, which they map as `flattened`. Types with no
 * check here (geo_point, histogram, …) take anything.
 */
import { EsError } from './errors';
import { isObject } from './json';
import type { Json, JsonObject } from './json';
import type { IndexState } from './store';

const types = new WeakMap<IndexState, Map<string, string>>();

const NUMERIC = new Set([
  'long',
  'integer',
  'short',
  'byte',
  'float',
  'double',
  'half_float',
  'scaled_float',
  'unsigned_long',
]);
const TEXTUAL = new Set([
  'text',
  'keyword',
  'match_only_text',
  'wildcard',
  'constant_keyword',
  'version',
  'ip',
]);
const OBJECTS = new Set(['object', 'nested', 'passthrough']);
const DATES = new Set(['date', 'date_nanos']);
const DATE_DETECTION =
  /^\d{4}[-/]\d{2}[-/]\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const OTEL_FLAT_ROOTS = ['attributes', 'resource.attributes', 'scope.attributes', 'metrics'];
const OTEL_FLATTENED = ['body.structured'];

function seed(index: IndexState): Map<string, string> {
  const known = new Map<string, string>();
  const walk = (properties: Json | undefined, prefix: string) => {
    if (!isObject(properties)) return;
    for (const [name, field] of Object.entries(properties)) {
      if (!isObject(field)) continue;
      const path = prefix ? `${prefix}.${name}` : name;
      const type =
        typeof field.type === 'string'
          ? field.type
          : isObject(field.properties)
            ? 'object'
            : undefined;
      if (type) known.set(path, type);
      walk(field.properties, path);
    }
  };
  walk(index.mappings.properties, '');
  // A data stream's @timestamp is always a date field.
  if (index.dataStream && !known.has('@timestamp')) known.set('@timestamp', 'date');
  return known;
}

function typesOf(index: IndexState): Map<string, string> {
  let known = types.get(index);
  if (!known) {
    known = seed(index);
    types.set(index, known);
  }
  return known;
}

function preview(value: Json): string {
  return isObject(value) || Array.isArray(value) ? JSON.stringify(value) : String(value);
}

function dynamicType(value: Json): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'long' : 'float';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string')
    return DATE_DETECTION.test(value) && !Number.isNaN(Date.parse(value.replace(/\//g, '-')))
      ? 'date'
      : 'text';
  return 'object';
}

function accepts(type: string, value: Json): boolean {
  if (NUMERIC.has(type)) {
    if (typeof value === 'number') return true;
    return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
  }
  if (type === 'boolean')
    return typeof value === 'boolean' || value === 'true' || value === 'false' || value === '';
  if (DATES.has(type)) {
    if (typeof value === 'number') return true;
    return (
      typeof value === 'string' && (/^\d+(\.\d+)?$/.test(value) || !Number.isNaN(Date.parse(value)))
    );
  }
  if (TEXTUAL.has(type)) return !isObject(value);
  return true;
}

/** Checks every field of `source` against the index's types; records new ones if all pass. */
export function applyDynamicMapping(
  index: IndexState,
  source: JsonObject,
  id: string | undefined,
): void {
  const known = typesOf(index);
  const added = new Map<string, string>();
  const otel = /\.otel-/.test(index.dataStream ?? index.name);
  const typeAt = (path: string) => added.get(path) ?? known.get(path);
  const fail = (reason: string) =>
    new EsError(400, 'document_parsing_exception', `[1:1] ${reason}`);
  const docId = id ?? 'null';

  const visit = (value: Json, path: string, flatRoot: boolean): void => {
    if (value === null) return;
    if (Array.isArray(value)) {
      for (const element of value) visit(element, path, flatRoot);
      return;
    }
    const type = typeAt(path);
    if (type === 'flattened' || (otel && OTEL_FLATTENED.includes(path))) return;
    if (isObject(value)) {
      if (type !== undefined && !OBJECTS.has(type)) {
        throw fail(
          `failed to parse field [${path}] of type [${type}] in document with id '${docId}'. Preview of field's value: '${preview(value)}'`,
        );
      }
      if (type === undefined) added.set(path, 'object');
      const flat = otel && OTEL_FLAT_ROOTS.includes(path);
      for (const [key, child] of Object.entries(value)) enter(child, path, key, flat || flatRoot);
      return;
    }
    if (type !== undefined && OBJECTS.has(type)) {
      throw fail(
        `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`,
      );
    }
    if (type !== undefined && !accepts(type, value)) {
      throw fail(
        `failed to parse field [${path}] of type [${type}] in document with id '${docId}'. Preview of field's value: '${preview(value)}'`,
      );
    }
    if (type === undefined) added.set(path, dynamicType(value));
  };

  /** A key of an object: split on dots into objects, unless under a flat (subobjects: false) root. */
  const enter = (value: Json, parent: string, key: string, flat: boolean) => {
    if (flat) {
      visit(value, parent ? `${parent}.${key}` : key, true);
      return;
    }
    const parts = key.split('.');
    let path = parent;
    for (let i = 0; i < parts.length - 1; i++) {
      path = path ? `${path}.${parts[i]}` : parts[i];
      const type = typeAt(path);
      if (type !== undefined && !OBJECTS.has(type)) {
        const full = `${path}.${parts.slice(i + 1).join('.')}`;
        throw fail(
          `Could not dynamically add mapping for field [${full}]. Existing mapping for [${path}] must be of type object but found [${type}].`,
        );
      }
      if (type === undefined) added.set(path, 'object');
    }
    const last = parts[parts.length - 1];
    visit(value, path ? `${path}.${last}` : last, false);
  };

  for (const [key, value] of Object.entries(source)) enter(value, '', key, false);
  for (const [path, type] of added) known.set(path, type);
}
