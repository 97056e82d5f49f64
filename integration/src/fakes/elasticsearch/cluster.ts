/* `GET /` (cluster info, where the fake names itself) and `_cluster/health` (always green). */
import type { Call } from './call';
import { FAKE_TAGLINE } from './reply';

export function root(call: Call): void {
  const { state } = call;
  call.reply.json(200, {
    name: 'otelpack-fake-node',
    cluster_name: state.clusterName,
    cluster_uuid: state.clusterUuid,
    version: {
      number: state.version,
      build_flavor: 'default',
      build_type: 'otelpack-fake',
      build_hash: '0000000000000000000000000000000000000000',
      build_date: state.startedAt,
      build_snapshot: false,
      lucene_version: '9.12.0',
      minimum_wire_compatibility_version: `${state.major - 1}.17.0`,
      minimum_index_compatibility_version: `${state.major - 1}.0.0`,
    },
    tagline: FAKE_TAGLINE,
  });
}

export function clusterHealth(call: Call): void {
  const shards = call.state.store.indices.size;
  call.reply.json(200, {
    cluster_name: call.state.clusterName,
    status: 'green',
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    active_primary_shards: shards,
    active_shards: shards,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: 0,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: 100,
  });
}
