/*
 * The Elasticsearch API the fake answers: path patterns to handlers, per method. Order matters
 * only where patterns overlap; `{index}` and `{name}` never take a segment starting with `_`,
 * since those name APIs (see matchRoute), so `/_search` cannot be read as an index.
 */
import { bulk } from './bulk';
import type { Handler } from './call';
import { clusterHealth, root } from './cluster';
import { deleteDataStream, getDataStreams, putDataStream } from './data-streams';
import { deleteOne, getDocument, writeOne } from './documents';
import { deletePolicy, getPolicies, putPolicy } from './ilm';
import { createIndex, deleteIndex, getIndex, refresh } from './indices';
import { search } from './search';
import {
  deleteComponentTemplate,
  deleteIndexTemplate,
  getComponentTemplates,
  getIndexTemplates,
  putComponentTemplate,
  putIndexTemplate,
} from './templates';

export interface Route {
  pattern: string[];
  methods: Partial<Record<string, Handler>>;
  /** The pattern's fixed segments, the key of the per-endpoint request counter. */
  endpoint: string;
}

function route(pattern: string, methods: Partial<Record<string, Handler>>): Route {
  const segments = pattern.split('/').filter((s) => s !== '');
  return {
    pattern: segments,
    methods,
    endpoint: segments.filter((s) => !s.startsWith('{')).join('/') || 'root',
  };
}

const searchHits: Handler = (c) => search(c, false);
const count: Handler = (c) => search(c, true);
const writeDoc: Handler = (c) =>
  writeOne(c, c.query.get('op_type') === 'create' ? 'create' : 'index');
const createDoc: Handler = (c) => writeOne(c, 'create');

export const ROUTES: Route[] = [
  route('', { GET: root, HEAD: root }),
  route('_bulk', { POST: bulk, PUT: bulk }),
  route('{index}/_bulk', { POST: bulk, PUT: bulk }),
  route('_search', { GET: searchHits, POST: searchHits }),
  route('{index}/_search', { GET: searchHits, POST: searchHits }),
  route('_count', { GET: count, POST: count }),
  route('{index}/_count', { GET: count, POST: count }),
  route('_refresh', { GET: refresh, POST: refresh }),
  route('{index}/_refresh', { GET: refresh, POST: refresh }),
  route('_cluster/health', { GET: clusterHealth }),
  route('_index_template', { GET: getIndexTemplates }),
  route('_index_template/{name}', {
    GET: getIndexTemplates,
    HEAD: getIndexTemplates,
    PUT: putIndexTemplate,
    POST: putIndexTemplate,
    DELETE: deleteIndexTemplate,
  }),
  route('_component_template', { GET: getComponentTemplates }),
  route('_component_template/{name}', {
    GET: getComponentTemplates,
    HEAD: getComponentTemplates,
    PUT: putComponentTemplate,
    POST: putComponentTemplate,
    DELETE: deleteComponentTemplate,
  }),
  route('_data_stream', { GET: getDataStreams }),
  route('_data_stream/{name}', {
    GET: getDataStreams,
    PUT: putDataStream,
    DELETE: deleteDataStream,
  }),
  route('_ilm/policy', { GET: getPolicies }),
  route('_ilm/policy/{name}', { GET: getPolicies, PUT: putPolicy, DELETE: deletePolicy }),
  route('{index}/_doc/{id}', {
    GET: getDocument,
    HEAD: getDocument,
    PUT: writeDoc,
    POST: writeDoc,
    DELETE: deleteOne,
  }),
  // Elasticsearch's REST handler makes an id-less index request a `create` unless op_type says
  // otherwise, so it works on data streams (data_stream/150_tsdb.yml, 190_require_data_stream.yml).
  route('{index}/_doc', {
    POST: (c) => writeOne(c, c.query.get('op_type') === 'index' ? 'index' : 'create'),
  }),
  route('{index}/_create/{id}', { PUT: createDoc, POST: createDoc }),
  route('{index}', {
    GET: getIndex,
    HEAD: getIndex,
    PUT: createIndex,
    DELETE: deleteIndex,
  }),
];

/** The route's `{name}` parameters, or undefined when the path does not fit the pattern. */
export function matchRoute(
  pattern: string[],
  segments: string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    if (part.startsWith('{')) {
      // Names starting with `_` are API endpoints, never indices or templates.
      if (part !== '{id}' && segments[i].startsWith('_')) return undefined;
      params[part.slice(1, -1)] = segments[i];
    } else if (part !== segments[i]) {
      return undefined;
    }
  }
  return params;
}
