/*
 * The fake's own control API under `/_otelpack_fake` (documented in main.ts's header): set and
 * read faults, reset, and read the counters and the request log. Elasticsearch has nothing
 * like it; tests that reach a real Elasticsearch skip what needs it.
 */
import { jsonParseError, illegalArgument, StringError } from './errors';
import { describeFaults, FAULT_FIELDS, parseFaults } from './faults';
import { isObject } from './json';
import type { Json, JsonObject } from './json';
import { globToRegExp } from './names';
import type { Reply } from './reply';
import { FAKE_TAGLINE } from './reply';
import type { FakeState } from './state';
import { REQUEST_LOG_SIZE, resetState } from './state';

export function admin(
  state: FakeState,
  method: string,
  path: string[],
  body: Buffer,
  reply: Reply,
): void {
  const route = `${method} ${path.join('/')}`;
  const json = (): Json => {
    if (body.length === 0) return {};
    try {
      return JSON.parse(body.toString('utf8')) as Json;
    } catch (error) {
      throw jsonParseError(error);
    }
  };
  switch (route) {
    case 'GET ':
      reply.json(200, {
        fake: FAKE_TAGLINE,
        endpoints: {
          'POST /_otelpack_fake/faults': 'replace the scripted faults; {} clears them',
          'GET /_otelpack_fake/faults': 'the faults in force',
          'DELETE /_otelpack_fake/faults': 'clear the faults',
          'POST /_otelpack_fake/reset':
            'drop everything, or {"index": "<pattern>"} to drop only matches',
          'GET /_otelpack_fake/stats': 'counters and documents per index',
          'GET /_otelpack_fake/requests': `the last ${REQUEST_LOG_SIZE} requests`,
        },
        faultFields: [...FAULT_FIELDS],
      });
      return;
    case 'POST faults':
    case 'PUT faults':
      state.faults = parseFaults(json());
      reply.json(200, { acknowledged: true, faults: describeFaults(state.faults) });
      return;
    case 'GET faults':
      reply.json(200, { faults: describeFaults(state.faults) });
      return;
    case 'DELETE faults':
      state.faults = {};
      reply.json(200, { acknowledged: true, faults: {} });
      return;
    case 'POST reset': {
      const spec = json();
      if (!isObject(spec))
        throw illegalArgument('otelpack fake: reset takes {} or {"index": "<pattern>"}');
      if (typeof spec.index === 'string') {
        const removed = state.store.dropMatching(globToRegExp(spec.index));
        reply.json(200, { acknowledged: true, removed });
        return;
      }
      resetState(state);
      reply.json(200, { acknowledged: true });
      return;
    }
    case 'GET stats':
      reply.json(200, statsSnapshot(state));
      return;
    case 'GET requests':
      reply.json(200, { requests: state.requestLog as unknown as Json });
      return;
    default:
      throw new StringError(
        400,
        `no handler found for uri [/_otelpack_fake/${path.join('/')}] and method [${method}]`,
      );
  }
}

function statsSnapshot(state: FakeState): JsonObject {
  const { store } = state;
  const indices: JsonObject = {};
  for (const index of store.indices.values()) {
    indices[index.name] = { docs: index.docs.size, dataStream: index.dataStream ?? null };
  }
  const dataStreams: JsonObject = {};
  for (const stream of store.dataStreams.values()) {
    const docs = stream.backingIndices.reduce(
      (n, name) => n + (store.indices.get(name)?.docs.size ?? 0),
      0,
    );
    dataStreams[stream.name] = { docs, backingIndices: stream.backingIndices };
  }
  return {
    ...(state.stats as unknown as JsonObject),
    indices,
    dataStreams,
    faults: describeFaults(state.faults),
  };
}
