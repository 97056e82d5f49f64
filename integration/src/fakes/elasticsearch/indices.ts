/*
 * The index APIs: create (`PUT /<index>`), describe or test (`GET|HEAD /<index>`), delete, and
 * `_refresh`, which has nothing to do since every write is visible at once.
 */
import type { Call } from './call';
import { jsonBody } from './call';
import { EsError, illegalArgument, invalidIndexName } from './errors';
import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { indexNameProblem } from './names';

export function createIndex(call: Call): void {
  const { store, templates } = call.state;
  const name = call.params.index;
  const problem = indexNameProblem(name);
  if (problem) throw invalidIndexName(name, problem);
  const existing = store.indices.get(name);
  if (existing || store.dataStreams.has(name)) {
    throw new EsError(
      400,
      'resource_already_exists_exception',
      `index [${name}/${existing?.uuid ?? '_na_'}] already exists`,
      {
        index_uuid: existing?.uuid ?? '_na_',
        index: name,
      },
    );
  }
  const body = jsonBody(call) ?? {};
  const template = templates.match(name);
  if (template && isObject(template.body.data_stream)) {
    throw illegalArgument(
      `cannot create index with name [${name}], because it matches with template [${template.name}] that creates data streams only, use create data stream api instead`,
    );
  }
  store.newIndex(name, template, body);
  call.reply.json(200, { acknowledged: true, shards_acknowledged: true, index: name });
}

/**
 * Settings as Elasticsearch shows them under `settings.index`: given nested (`{index: {mode}}`)
 * or flat (`index.mode`), with or without the `index.` prefix, they come out nested.
 */
function indexSettingsView(settings: JsonObject): JsonObject {
  const out: JsonObject = {};
  const put = (path: string[], value: Json) => {
    let node = out;
    for (const part of path.slice(0, -1)) {
      if (!isObject(node[part])) node[part] = {};
      node = node[part] as JsonObject;
    }
    node[path[path.length - 1]] = value;
  };
  const walk = (value: Json, path: string[]) => {
    if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) walk(child, [...path, ...key.split('.')]);
      return;
    }
    put(path[0] === 'index' && path.length > 1 ? path.slice(1) : path, value);
  };
  walk(settings, []);
  return out;
}

export function getIndex(call: Call): void {
  const targets = call.state.store.resolveTargets(call.params.index, call.query);
  const out: JsonObject = {};
  for (const index of targets) {
    const entry: JsonObject = {
      aliases: index.aliases,
      mappings: index.mappings,
      settings: {
        index: {
          ...indexSettingsView(index.settings),
          creation_date: String(index.created),
          number_of_shards: '1',
          number_of_replicas: '1',
          uuid: index.uuid,
          provided_name: index.name,
          hidden: String(Boolean(index.dataStream)),
        },
      },
    };
    if (index.dataStream) entry.data_stream = index.dataStream;
    out[index.name] = entry;
  }
  if (call.method === 'HEAD') {
    call.reply.empty(targets.length > 0 ? 200 : 404);
    return;
  }
  call.reply.json(200, out);
}

/** A backing index goes with its data stream, never alone. */
export function deleteIndex(call: Call): void {
  const { store } = call.state;
  const name = call.params.index;
  const index = store.concreteIndex(name);
  if (index.dataStream) {
    throw illegalArgument(
      `index [${name}] is the write index for data stream [${index.dataStream}] and cannot be deleted`,
    );
  }
  store.indices.delete(name);
  call.reply.json(200, { acknowledged: true });
}

export function refresh(call: Call): void {
  const total = call.state.store.resolveTargets(call.params.index, call.query).length;
  call.reply.json(200, { _shards: { total: total * 2, successful: total, failed: 0 } });
}
