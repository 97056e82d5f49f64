import type { AnyValue } from '../sdk/types';
import type { Field, Key } from './ast';
import { TransformSyntaxError } from './errors';
import { setOwnField } from '../sdk/own-field';
import { isMap } from './values';
import type { ValueMap } from './values';
import type {
  DataPointView,
  EventView,
  LogView,
  MapView,
  ResourceView,
  ScopeView,
  SpanView,
} from './views';

/** The contexts statements run in, as OTTL names them. */
export type ContextName = 'resource' | 'scope' | 'span' | 'spanevent' | 'log' | 'datapoint';
export const CONTEXT_NAMES: readonly ContextName[] = [
  'resource',
  'scope',
  'span',
  'spanevent',
  'log',
  'datapoint',
];

/** What one statement sees while it runs on one item. */
export interface Frame {
  resource: ResourceView;
  scope: ScopeView;
  span?: SpanView;
  event?: EventView;
  log?: LogView;
  point?: DataPointView;
}

/** A compiled path: how to read it, and (if it can be written) how to write it. */
export interface Ref {
  get(frame: Frame): unknown;
  set?(frame: Frame, value: unknown): void;
  /** For a map-valued path: the map to change in place (a copy of the SDK's). */
  writableMap?(frame: Frame): ValueMap | undefined;
  /** For a map-valued path: removes the keys `drop` says yes to (see MapView.removeKeys). */
  removeKeys?(frame: Frame, drop: (key: string) => boolean): void;
  /** For a map-valued path: sets one key (see MapView.setKey). */
  setKey?(frame: Frame, key: string, value: unknown): void;
  text: string;
}

type Field0 = Omit<Ref, 'text'>;
type Fields = Record<string, Field0>;

const mapField = (view: (f: Frame) => MapView): Field0 => ({
  get: (f) => view(f).read(),
  writableMap: (f) => view(f).write(),
  removeKeys: (f, drop) => view(f).removeKeys(drop),
  setKey: (f, key, value) => view(f).setKey(key, value),
  set: (f, value) => {
    if (!isMap(value)) return;
    const map = view(f).write();
    for (const key of Object.keys(map)) delete map[key];
    for (const key of Object.keys(value)) setOwnField(map, key, value[key]);
  },
});

const hex = (bytes: string | undefined) => bytes ?? '';

/* OTTL's span kind numbers are OTLP's (0 = unspecified), one more than the JS API's SpanKind. */
const RESOURCE: Fields = {
  attributes: mapField((f) => f.resource.attributes),
};
const SCOPE: Fields = {
  attributes: mapField((f) => f.scope.attributes),
  name: {
    get: (f) => f.scope.name,
    set: (f, v) => void (typeof v === 'string' && (f.scope.name = v)),
  },
  version: {
    get: (f) => f.scope.version ?? '',
    set: (f, v) => void (typeof v === 'string' && (f.scope.version = v)),
  },
};
const SPAN: Fields = {
  attributes: mapField((f) => span(f).attributes),
  name: {
    get: (f) => span(f).get('name'),
    set: (f, v) => void (typeof v === 'string' && span(f).change('name', v)),
  },
  kind: {
    get: (f) => span(f).get('kind') + 1,
    set: (f, v) =>
      void (typeof v === 'number' && v >= 1 && v <= 5 && span(f).change('kind', v - 1)),
  },
  'status.code': {
    get: (f) => span(f).get('status').code,
    set: (f, v) => {
      if (typeof v !== 'number' || v < 0 || v > 2) return;
      span(f).change('status', { ...span(f).get('status'), code: v });
    },
  },
  'status.message': {
    get: (f) => span(f).get('status').message ?? '',
    set: (f, v) => {
      if (typeof v !== 'string') return;
      span(f).change('status', { ...span(f).get('status'), message: v });
    },
  },
  'trace_id.string': { get: (f) => hex(span(f).source.spanContext().traceId) },
  'span_id.string': { get: (f) => hex(span(f).source.spanContext().spanId) },
  'parent_span_id.string': { get: (f) => hex(span(f).source.parentSpanContext?.spanId) },
  dropped_attributes_count: { get: (f) => span(f).source.droppedAttributesCount },
};
const SPAN_EVENT: Fields = {
  attributes: mapField((f) => event(f).attributes),
  name: {
    get: (f) => event(f).name,
    set: (f, v) => void (typeof v === 'string' && (event(f).name = v)),
  },
  dropped_attributes_count: { get: (f) => event(f).source.droppedAttributesCount ?? 0 },
};
const LOG: Fields = {
  attributes: mapField((f) => log(f).attributes),
  body: {
    get: (f) => log(f).body(),
    set: (f, v) => log(f).setBody(v as AnyValue),
    writableMap: (f) => {
      const body = log(f).writableBody();
      return isMap(body) ? body : undefined;
    },
  },
  severity_number: {
    get: (f) => log(f).get('severityNumber') ?? 0,
    set: (f, v) => void (typeof v === 'number' && log(f).change('severityNumber', v)),
  },
  severity_text: {
    get: (f) => log(f).get('severityText') ?? '',
    set: (f, v) => void (typeof v === 'string' && log(f).change('severityText', v)),
  },
  event_name: {
    get: (f) => log(f).get('eventName') ?? '',
    set: (f, v) => void (typeof v === 'string' && log(f).change('eventName', v)),
  },
  'trace_id.string': { get: (f) => hex(log(f).source.spanContext?.traceId) },
  'span_id.string': { get: (f) => hex(log(f).source.spanContext?.spanId) },
  dropped_attributes_count: { get: (f) => log(f).source.droppedAttributesCount },
};
const DATA_POINT: Fields = {
  attributes: mapField((f) => point(f).attributes),
  value_double: { get: (f) => numberValue(point(f).source.value) },
  value_int: { get: (f) => numberValue(point(f).source.value) },
  count: { get: (f) => field(point(f).source.value, 'count') },
  sum: { get: (f) => field(point(f).source.value, 'sum') },
};
/* The metric a data point belongs to, read-only here: a point cannot move to another metric. */
const METRIC: Fields = {
  name: { get: (f) => point(f).metric.descriptor.name },
  unit: { get: (f) => point(f).metric.descriptor.unit },
  description: { get: (f) => point(f).metric.descriptor.description },
  type: { get: (f) => OTLP_METRIC_TYPE[point(f).metric.dataPointType] },
};

/** sdk-metrics' DataPointType (HISTOGRAM, EXPONENTIAL_HISTOGRAM, GAUGE, SUM) to OTLP's metric type. */
const OTLP_METRIC_TYPE = [3, 4, 1, 2];

const FIELDS: Record<ContextName | 'metric', Fields> = {
  resource: RESOURCE,
  scope: SCOPE,
  span: SPAN,
  spanevent: SPAN_EVENT,
  log: LOG,
  datapoint: DATA_POINT,
  metric: METRIC,
};

/** The contexts a statement may name in a path: its own and those above it. */
const REACHABLE: Record<ContextName, readonly (ContextName | 'metric')[]> = {
  resource: ['resource'],
  scope: ['scope', 'resource'],
  span: ['span', 'resource', 'scope'],
  spanevent: ['spanevent', 'span', 'resource', 'scope'],
  log: ['log', 'resource', 'scope'],
  datapoint: ['datapoint', 'metric', 'resource', 'scope'],
};

/** The paths each context knows, for errors and the README. */
export function pathsOf(context: ContextName): string[] {
  return Object.keys(FIELDS[context]);
}

/**
 * Resolves a path in a context: `attributes["k"]`, `resource.attributes["k"]` (the context named
 * first, as OTTL allows), `instrumentation_scope.name`, `span.status.code`, `metric.name`. An
 * unknown path is a construction error at its column.
 */
export function resolvePath(context: ContextName, fields: readonly Field[], offset: number): Ref {
  let target: ContextName | 'metric' = context;
  let rest = fields;
  const first = fields[0].name === 'instrumentation_scope' ? 'scope' : fields[0].name;
  if (
    fields.length > 1 &&
    fields[0].keys.length === 0 &&
    (REACHABLE[context] as string[]).includes(first)
  ) {
    target = first as ContextName | 'metric';
    rest = fields.slice(1);
  }
  // Keys may only follow the last field (`attributes["a"]["b"]`, not `status["x"].code`).
  for (const f of rest.slice(0, -1)) {
    if (f.keys.length > 0) throw unknownPath(context, fields, offset);
  }
  const name = rest.map((f) => f.name).join('.');
  const base = FIELDS[target][name];
  if (!base) throw unknownPath(context, fields, offset);
  const keys = rest[rest.length - 1].keys;
  const text = pathText(fields);
  return keys.length === 0 ? { ...base, text } : indexed(base, keys, text);
}

function indexed(base: Field0, keys: readonly Key[], text: string): Ref {
  if (keys.length === 1 && keys[0].kind === 'string') return literalKey(base, keys[0].value, text);
  return {
    text,
    get: (f) => {
      let value = base.get(f);
      for (const key of keys) value = step(value, key);
      return value;
    },
    set: base.writableMap
      ? (f, value) => {
          let container: unknown = base.writableMap?.(f);
          if (container === undefined) return;
          for (let i = 0; i < keys.length - 1; i++) {
            const key = keys[i];
            let next = step(container, key);
            if (next === undefined && key.kind === 'string' && isMap(container)) {
              next = {};
              setOwnField(container, key.value, next);
            }
            container = next;
          }
          const last = keys[keys.length - 1];
          if (last.kind === 'string' && isMap(container)) setOwnField(container, last.value, value);
          else if (
            last.kind === 'int' &&
            Array.isArray(container) &&
            last.value < container.length
          ) {
            container[last.value] = value;
          }
        }
      : undefined,
    writableMap: base.writableMap
      ? (f) => {
          let value: unknown = base.writableMap?.(f);
          for (const key of keys) value = step(value, key);
          return isMap(value) ? value : undefined;
        }
      : undefined,
  };
}

/**
 * The common path, one literal key (`attributes["k"]`): the key is a constant of the closures, no
 * loop over keys, no container walk. Reads and writes as `indexed` does for one string key.
 */
function literalKey(base: Field0, key: string, text: string): Ref {
  const writableMap = base.writableMap;
  const setKey = base.setKey;
  return {
    text,
    get: (f) => {
      const map = base.get(f);
      return isMap(map) && Object.hasOwn(map, key) ? map[key] : undefined;
    },
    set: setKey
      ? (f, value) => setKey(f, key, value)
      : writableMap
        ? (f, value) => {
            const map = writableMap(f);
            if (map !== undefined && isMap(map)) setOwnField(map, key, value);
          }
        : undefined,
    writableMap: writableMap
      ? (f) => {
          const map = writableMap(f);
          const value = map === undefined ? undefined : map[key];
          return isMap(value) && Object.hasOwn(map as ValueMap, key) ? value : undefined;
        }
      : undefined,
  };
}

function step(value: unknown, key: Key): unknown {
  if (key.kind === 'string')
    return isMap(value) && Object.hasOwn(value, key.value) ? value[key.value] : undefined;
  return Array.isArray(value) ? value[key.value] : undefined;
}

function unknownPath(
  context: ContextName,
  fields: readonly Field[],
  offset: number,
): TransformSyntaxError {
  return new TransformSyntaxError(
    `${context} has no path '${pathText(fields)}' (paths: ${pathsOf(context).join(', ')}; with resource., scope.${context === 'spanevent' ? ', span.' : ''}${context === 'datapoint' ? ', metric.' : ''} for the others)`,
    offset,
  );
}

export function pathText(fields: readonly Field[]): string {
  return fields
    .map(
      (f) =>
        f.name +
        f.keys
          .map((k) => (k.kind === 'string' ? `[${JSON.stringify(k.value)}]` : `[${k.value}]`))
          .join(''),
    )
    .join('.');
}

function span(f: Frame): SpanView {
  return f.span as SpanView;
}
function event(f: Frame): EventView {
  return f.event as EventView;
}
function log(f: Frame): LogView {
  return f.log as LogView;
}
function point(f: Frame): DataPointView {
  return f.point as DataPointView;
}

function numberValue(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function field(value: unknown, name: string): unknown {
  return isMap(value) ? value[name] : undefined;
}
