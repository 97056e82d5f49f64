import { join } from 'node:path';
import type { BackendDefinition } from '../backend';
import { probe } from '../launcher';

/**
 * ClickHouse: the real engine (26.x, from the npm package chdb, run in-process by a small Node
 * program) behind otelpack's own HTTP front, src/fakes/clickhouse-front.ts. SQL, storage, types,
 * deduplication and the error codes and messages are ClickHouse's; the HTTP layer is ours,
 * written to behave as ClickHouse's HTTP interface does for @clickhouse/client. Debian's
 * clickhouse-server (18.16) is too old to stand in: it has neither DateTime64 nor Map.
 */
export const clickhouse: BackendDefinition = {
  id: 'clickhouse',
  kind: 'real',
  description: "ClickHouse 26.x engine (chdb) behind otelpack's HTTP front",
  composeService: 'clickhouse',
  composeUrl: 'http://127.0.0.1:18123',

  async available() {
    try {
      require.resolve('chdb');
      return { ok: true };
    } catch {
      return {
        ok: false,
        reason: 'the npm package chdb is not installed',
        install: 'npm install (chdb is a devDependency of @otelpack/integration, about 550 MB)',
      };
    }
  },

  command({ port, dir, packageDir }) {
    return {
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(packageDir, 'src', 'fakes', 'clickhouse-front.ts'),
        '--port',
        String(port),
        '--dir',
        dir,
      ],
    };
  },

  async ready(url) {
    // The front listens only once the engine has opened its data directory and answered a query.
    const answer = await probe(`${url}/ping`);
    return answer?.status === 200 && answer.text === 'Ok.\n';
  },
};
