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

/**
 * What an index remembers, built once per index: its field types by full path, each with the
 * kind of check it needs (looked up once per type, not per value), and whether the index takes
 * the OpenTelemetry templates' flat roots. Mappings never change after an index is created.
 */
interface IndexTypes {
  known: Map<string, FieldType>;
  otel: boolean;
  /** The root of the index's field paths met so far (path ''). */
  paths: PathNode;
}

/**
 * A field path, made once per index and path: a document's walk reaches a child by its key
 * instead of joining and hashing a new path string for every field of every document. Types
 * still belong to path strings (`a.b` as a dotted key and as nested objects is one field), and
 * a node only remembers a type that `known` has, which never changes once there.
 */
interface PathNode {
  path: string;
  field: FieldType | undefined;
  children: Map<string, PathNode> | undefined;
}

function childOf(node: PathNode, key: string): PathNode {
  let child = node.children?.get(key);
  if (!child) {
    child = {
      path: node.path ? `${node.path}.${key}` : key,
      field: undefined,
      children: undefined,
    };
    (node.children ??= new Map()).set(key, child);
  }
  return child;
}

interface FieldType {
  type: string;
  kind: Kind;
}

const enum Kind {
  Numeric,
  Boolean,
  Date,
  Textual,
  Object,
  Flattened,
  /** Types with no check here (geo_point, histogram, …): they take anything. */
  Any,
}

const cache = new WeakMap<IndexState, IndexTypes>();

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

function kindOf(type: string): Kind {
  if (NUMERIC.has(type)) return Kind.Numeric;
  if (type === 'boolean') return Kind.Boolean;
  if (DATES.has(type)) return Kind.Date;
  if (TEXTUAL.has(type)) return Kind.Textual;
  if (OBJECTS.has(type)) return Kind.Object;
  if (type === 'flattened') return Kind.Flattened;
  return Kind.Any;
}

/** One FieldType per type name, shared by every field of that type. */
const FIELD_TYPES = new Map<string, FieldType>();
function fieldType(type: string): FieldType {
  let field = FIELD_TYPES.get(type);
  if (!field) {
    field = { type, kind: kindOf(type) };
    FIELD_TYPES.set(type, field);
  }
  return field;
}

function seed(index: IndexState): Map<string, FieldType> {
  const known = new Map<string, FieldType>();
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
      if (type) known.set(path, fieldType(type));
      walk(field.properties, path);
    }
  };
  walk(index.mappings.properties, '');
  // A data stream's @timestamp is always a date field.
  if (index.dataStream && !known.has('@timestamp')) known.set('@timestamp', fieldType('date'));
  return known;
}

function typesOf(index: IndexState): IndexTypes {
  let types = cache.get(index);
  if (!types) {
    types = {
      known: seed(index),
      otel: /\.otel-/.test(index.dataStream ?? index.name),
      paths: { path: '', field: undefined, children: undefined },
    };
    cache.set(index, types);
  }
  return types;
}

function preview(value: Json): string {
  return isObject(value) || Array.isArray(value) ? JSON.stringify(value) : String(value);
}

function dynamicType(value: Json): FieldType {
  if (typeof value === 'number') return fieldType(Number.isInteger(value) ? 'long' : 'float');
  if (typeof value === 'boolean') return fieldType('boolean');
  if (typeof value === 'string')
    return fieldType(
      DATE_DETECTION.test(value) && !Number.isNaN(Date.parse(value.replace(/\//g, '-')))
        ? 'date'
        : 'text',
    );
  return fieldType('object');
}

const DIGITS = /^\d+(\.\d+)?$/;

function accepts(field: FieldType, value: Json): boolean {
  switch (field.kind) {
    case Kind.Numeric:
      if (typeof value === 'number') return true;
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value));
    case Kind.Boolean:
      return typeof value === 'boolean' || value === 'true' || value === 'false' || value === '';
    case Kind.Date:
      if (typeof value === 'number') return true;
      return typeof value === 'string' && (DIGITS.test(value) || !Number.isNaN(Date.parse(value)));
    case Kind.Textual:
      return !isObject(value);
    default:
      return true;
  }
}

/**
 * One document's walk. A class rather than closures made per document: the fake checks every
 * document of every bulk request, and that walk was its largest cost. Types first seen in this
 * document go to `added` (made only when there is one) and reach the index only if all pass.
 */
class MappingWalk {
  added: Map<string, FieldType> | undefined;

  constructor(
    readonly known: Map<string, FieldType>,
    readonly otel: boolean,
    readonly docId: string,
  ) {}

  typeAt(node: PathNode): FieldType | undefined {
    if (node.field) return node.field;
    const field = this.known.get(node.path);
    if (field) {
      node.field = field;
      return field;
    }
    return this.added?.get(node.path);
  }

  add(path: string, field: FieldType): void {
    (this.added ??= new Map()).set(path, field);
  }

  fail(reason: string): EsError {
    return new EsError(400, 'document_parsing_exception', `[1:1] ${reason}`);
  }

  visit(value: Json, node: PathNode, flatRoot: boolean): void {
    if (value === null) return;
    if (Array.isArray(value)) {
      for (const element of value) this.visit(element, node, flatRoot);
      return;
    }
    const path = node.path;
    const field = this.typeAt(node);
    if (field?.kind === Kind.Flattened || (this.otel && OTEL_FLATTENED.includes(path))) return;
    if (typeof value === 'object') {
      if (field !== undefined && field.kind !== Kind.Object) {
        throw this.fail(
          `failed to parse field [${path}] of type [${field.type}] in document with id '${this.docId}'. Preview of field's value: '${preview(value)}'`,
        );
      }
      if (field === undefined) this.add(path, fieldType('object'));
      const flat = flatRoot || (this.otel && OTEL_FLAT_ROOTS.includes(path));
      for (const key in value) this.enter(value[key], node, key, flat);
      return;
    }
    if (field === undefined) {
      this.add(path, dynamicType(value));
      return;
    }
    if (field.kind === Kind.Object) {
      throw this.fail(
        `object mapping for [${path}] tried to parse field [${path}] as object, but found a concrete value`,
      );
    }
    if (!accepts(field, value)) {
      throw this.fail(
        `failed to parse field [${path}] of type [${field.type}] in document with id '${this.docId}'. Preview of field's value: '${preview(value)}'`,
      );
    }
  }

  /** A key of an object: split on dots into objects, unless under a flat (subobjects: false) root. */
  enter(value: Json, parent: PathNode, key: string, flat: boolean): void {
    if (flat || !key.includes('.')) {
      this.visit(value, childOf(parent, key), flat);
      return;
    }
    const parts = key.split('.');
    let node = parent;
    for (let i = 0; i < parts.length - 1; i++) {
      node = childOf(node, parts[i]);
      const field = this.typeAt(node);
      if (field !== undefined && field.kind !== Kind.Object) {
        const full = `${node.path}.${parts.slice(i + 1).join('.')}`;
        throw this.fail(
          `Could not dynamically add mapping for field [${full}]. Existing mapping for [${node.path}] must be of type object but found [${field.type}].`,
        );
      }
      if (field === undefined) this.add(node.path, fieldType('object'));
    }
    this.visit(value, childOf(node, parts[parts.length - 1]), false);
  }
}

/** Checks every field of `source` against the index's types; records new ones if all pass. */
export function applyDynamicMapping(
  index: IndexState,
  source: JsonObject,
  id: string | undefined,
): void {
  const { known, otel, paths } = typesOf(index);
  const walk = new MappingWalk(known, otel, id ?? 'null');
  for (const key in source) walk.enter(source[key], paths, key, false);
  if (walk.added) for (const [path, field] of walk.added) known.set(path, field);
}
