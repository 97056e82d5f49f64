import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname } from 'node:path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseClientConfigOptions } from '@clickhouse/client';
import { DiagClickHouseLogger } from './diag-logger';

export interface EmbeddedClickHouseOptions {
  /**
   * Where the embedded engine keeps its data: `:memory:` (default) for a temporary directory
   * removed when the last connection to it closes, or a directory that persists. One process
   * holds one data directory at a time.
   */
  path?: string;
}

type CreateChdbConnection = (options: { path?: string }) => unknown;

/** The exact message users see when chdb is not installed: what it is and how to add it. */
export const CHDB_MISSING_MESSAGE =
  'The embedded ClickHouse needs the optional package "chdb" (a ClickHouse engine in-process, ' +
  'about 550 MB), which is not installed. Add it to your application with `npm install chdb@^3.4`, ' +
  'or point the exporter at a ClickHouse server with `url` / CLICKHOUSE_URL instead.';

export class ChdbNotInstalledError extends Error {
  constructor(cause: unknown) {
    super(CHDB_MISSING_MESSAGE, { cause });
    this.name = 'ChdbNotInstalledError';
  }
}

// Clients made here carry a text-only insert path (the chdb connection turns bodies into
// strings); the exporter looks them up to refuse RowBinary with them.
const embeddedClients = new WeakSet<object>();

/**
 * Whether a client runs on chdb's connection: made by `createEmbeddedClickHouseClient`, or by
 * the application with `createClient({ connection: createChdbConnection() })` (recognised by
 * the connection's own `connectionName`).
 */
export function isEmbeddedClient(client: object): boolean {
  if (embeddedClients.has(client)) return true;
  const connection = (client as { connection?: { connectionName?: unknown } }).connection;
  return connection?.connectionName === 'chdb';
}

/** Test seam: how the chdb module is loaded. */
export type ModuleLoader = (id: string) => unknown;

const loadModule: ModuleLoader = createRequire(__filename);

/**
 * Loads chdb only when the embedded mode is asked for, so the exporter never needs it
 * otherwise, and says how to add it when it is missing.
 */
export function loadChdbConnectionFactory(load: ModuleLoader = loadModule): CreateChdbConnection {
  let loaded: unknown;
  try {
    loaded = load('chdb/connection');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (
      code === 'MODULE_NOT_FOUND' ||
      code === 'ERR_MODULE_NOT_FOUND' ||
      code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'
    ) {
      throw new ChdbNotInstalledError(error);
    }
    throw error;
  }
  const factory = (loaded as { createChdbConnection?: unknown }).createChdbConnection;
  if (typeof factory !== 'function') {
    throw new ChdbNotInstalledError(
      new Error('chdb/connection has no createChdbConnection: chdb >= 3.4 is needed'),
    );
  }
  return factory as CreateChdbConnection;
}

/**
 * A @clickhouse/client whose queries run in a ClickHouse engine inside this process (chdb),
 * with no server: hand it to the exporters as `client`, and query it with the same client.
 * Closing it releases the engine (and, for `:memory:`, its data once no other connection holds it).
 */
export function createEmbeddedClickHouseClient(
  options: EmbeddedClickHouseOptions = {},
  load?: ModuleLoader,
): ClickHouseClient {
  const createChdbConnection = loadChdbConnectionFactory(load);
  const connection = createChdbConnection({ path: options.path ?? ':memory:' });
  if ((options.path ?? ':memory:') === ':memory:') removeAtExit(connection);
  const client = createClient({
    connection: connection as NonNullable<ClickHouseClientConfigOptions['connection']>,
    log: { LoggerClass: DiagClickHouseLogger },
  });
  embeddedClients.add(client);
  return client;
}

const removedAtExit = new Set<string>();

/**
 * chdb removes a `:memory:` engine's temporary directory (`<tmp>/chdb-node-mem-*`) when its last
 * connection closes, and never otherwise: a process that exits without `close()` left it behind,
 * data and all. The directory is removed at the process's exit too. (A process killed by a signal
 * runs no exit handler; a library does not take the application's signals.)
 */
function removeAtExit(connection: unknown): void {
  const path = (connection as { chdb?: { session?: { path?: unknown } } }).chdb?.session?.path;
  if (typeof path !== 'string' || removedAtExit.has(path)) return;
  // Only chdb's own temporary directory, never a path that could be the application's.
  if (dirname(path) !== tmpdir() || !basename(path).startsWith('chdb-node-mem-')) return;
  removedAtExit.add(path);
  if (removedAtExit.size === 1) {
    process.once('exit', () => {
      for (const dir of removedAtExit) rmSync(dir, { recursive: true, force: true });
    });
  }
}
