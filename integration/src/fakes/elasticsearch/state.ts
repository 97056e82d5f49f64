/*
 * Everything one fake instance holds. Handlers get it on each call (call.ts); nothing lives in
 * module globals, so that several fakes can run in one process, as tests that start their own do.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Faults } from './faults';
import type { PolicyState } from './ilm';
import { newUuid, Store } from './store';
import { TemplateRegistry } from './templates';

export interface ElasticsearchFakeOptions {
  /** The version `GET /` reports, and whose major the compatibility headers must name. */
  version?: string;
  /** `http.max_content_length` in bytes (default 100 MiB). */
  maxContentLength?: number;
  clusterName?: string;
}

const DEFAULT_VERSION = '8.17.0';
const DEFAULT_MAX_CONTENT_LENGTH = 100 * 1024 * 1024;

/** How many requests `/_otelpack_fake/requests` remembers. */
export const REQUEST_LOG_SIZE = 200;

export function freshStats() {
  return {
    requests: { total: 0, byEndpoint: {} as Record<string, number> },
    bulk: {
      requests: 0,
      items: 0,
      created: 0,
      updated: 0,
      deleted: 0,
      conflicts: 0,
      rejected: 0,
      mappingErrors: 0,
      otherItemErrors: 0,
      requestFaults: 0,
      stalls: 0,
    },
    tooLarge: 0,
    bytesReceived: 0,
    bytesDecoded: 0,
  };
}

export type Stats = ReturnType<typeof freshStats>;

export interface RequestLogEntry {
  at: string;
  method: string;
  uri: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
  decodedBytes: number;
  status: number;
  durationMs: number;
}

export interface FakeState {
  readonly version: string;
  readonly major: number;
  readonly maxContentLength: number;
  readonly clusterName: string;
  readonly clusterUuid: string;
  readonly startedAt: string;
  readonly store: Store;
  readonly templates: TemplateRegistry;
  readonly policies: Map<string, PolicyState>;
  /*
   * The next three are replaced, not emptied, by a reset: a request still in flight (a stalled
   * bulk, say) finishes against the objects it started with where it holds them.
   */
  faults: Faults;
  stats: Stats;
  requestLog: RequestLogEntry[];
}

export function createState(options: ElasticsearchFakeOptions = {}): FakeState {
  const clusterUuid = newUuid();
  const startedAt = new Date().toISOString();
  const version = options.version ?? DEFAULT_VERSION;
  const major = Number.parseInt(version, 10);
  if (!Number.isInteger(major)) throw new Error(`invalid version [${version}]`);
  return {
    version,
    major,
    maxContentLength: options.maxContentLength ?? DEFAULT_MAX_CONTENT_LENGTH,
    clusterName: options.clusterName ?? 'otelpack-fake',
    clusterUuid,
    startedAt,
    store: new Store(),
    templates: new TemplateRegistry(),
    policies: new Map(),
    faults: {},
    stats: freshStats(),
    requestLog: [],
  };
}

/** Back to a freshly started fake's state, keeping its identity (version, name, uuid). */
export function resetState(state: FakeState): void {
  state.store.clear();
  state.templates.reset();
  state.policies.clear();
  state.faults = {};
  state.stats = freshStats();
  state.requestLog = [];
}
