/*
 * The `_data_stream` APIs. Data streams are created here explicitly or, more often, by the
 * first write to a name whose template asks for one (documents.ts); they live in the store.
 */
import type { Call } from './call';
import { EsError, illegalArgument, indexNotFound, invalidIndexName } from './errors';
import { isObject } from './json';
import type { JsonObject } from './json';
import { expandNames, indexNameProblem } from './names';
import type { DataStreamState } from './store';
import { lifecyclePolicyOf } from './templates';

/** Elasticsearch answers a missing data stream with its missing-index error, not a 404 of its own. */
function dataStreamNames(call: Call): string[] {
  return expandNames(call.state.store.dataStreams, call.params.name, indexNotFound);
}

export function getDataStreams(call: Call): void {
  const { store, templates } = call.state;
  const streams = dataStreamNames(call).map((name) => {
    const stream = store.dataStreams.get(name) as DataStreamState;
    const policy = lifecyclePolicyOf(templates.index.get(stream.template));
    const entry: JsonObject = {
      name,
      timestamp_field: { name: '@timestamp' },
      indices: stream.backingIndices.map((backing) => ({
        index_name: backing,
        index_uuid: store.indices.get(backing)?.uuid ?? '_na_',
        prefer_ilm: true,
        managed_by: policy === undefined ? 'Unmanaged' : 'Index Lifecycle Management',
      })),
      generation: stream.generation,
      status: 'GREEN',
      template: stream.template,
      next_generation_managed_by: policy === undefined ? 'Unmanaged' : 'Index Lifecycle Management',
      prefer_ilm: true,
      hidden: false,
      system: false,
      allow_custom_routing: false,
      replicated: false,
      rollover_on_write: false,
    };
    if (policy !== undefined) entry.ilm_policy = policy;
    return entry;
  });
  call.reply.json(200, { data_streams: streams });
}

export function putDataStream(call: Call): void {
  const { store, templates } = call.state;
  const name = call.params.name;
  const problem = indexNameProblem(name);
  if (problem) throw invalidIndexName(name, problem);
  if (store.dataStreams.has(name)) {
    throw new EsError(
      400,
      'resource_already_exists_exception',
      `data_stream [${name}] already exists`,
    );
  }
  if (store.indices.has(name)) {
    throw new EsError(400, 'resource_already_exists_exception', `index [${name}] already exists`);
  }
  const template = templates.match(name);
  if (!template)
    throw illegalArgument(`no matching index template found for data stream [${name}]`);
  if (!isObject(template.body.data_stream)) {
    throw illegalArgument(
      `matching index template [${template.name}] for data stream [${name}] has no data stream template`,
    );
  }
  store.createDataStream(name, template);
  call.reply.json(200, { acknowledged: true });
}

/** Deletes the streams with their backing indices, and so their documents. */
export function deleteDataStream(call: Call): void {
  const { store } = call.state;
  for (const name of dataStreamNames(call)) {
    const stream = store.dataStreams.get(name) as DataStreamState;
    for (const backing of stream.backingIndices) store.indices.delete(backing);
    store.dataStreams.delete(name);
  }
  call.reply.json(200, { acknowledged: true });
}
