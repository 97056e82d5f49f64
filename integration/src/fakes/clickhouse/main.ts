/*
 * otelpack's HTTP front for ClickHouse — NOT ClickHouse's own server.
 *
 * Every query runs in a REAL ClickHouse engine (26.x), the one the npm package `chdb` embeds;
 * only the HTTP layer is ours, written from ClickHouse's HTTP interface documentation and its
 * HTTPHandler as @clickhouse/client uses them. What the tests see of SQL, types, storage, merges,
 * deduplication and error codes/messages is therefore the engine's; what they see of the HTTP
 * protocol is this file's imitation of it.
 *
 *   node --import tsx src/fakes/clickhouse-front.ts --port <port> --dir <dir> [--password <pw>]
 *        [--max-concurrent <n>]
 *
 * Protocol covered: GET /ping and GET / (`Ok.`), the query in `?query=` and/or the body (the
 * server's rule: query parameter + "\n" + body), INSERT data in the body in any input format the
 * engine knows (binary ones such as RowBinary included), multipart/form-data queries with
 * `param_*` fields, `database` / `default_format` / `query_id` / `param_*` URL parameters and
 * their X-ClickHouse-* headers, every other URL parameter applied as a setting, GET queries
 * forced read-only, gzip/deflate/br request bodies, compressed responses when the client accepts
 * them and `enable_http_compression` is on, Basic auth, X-ClickHouse-User/Key and user/password
 * parameters, and the response headers X-ClickHouse-Summary, -Format, -Query-Id, -Timezone and
 * -Exception-Code with ClickHouse's own status mapping.
 *
 * Not covered, and answered with NOT_IMPLEMENTED (501) where a client could ask for it:
 * ClickHouse's native block compression (`compress=1`/`decompress=1`), zstd/lz4/xz/bz2/snappy
 * bodies (Node 20's zlib has none of them; responses fall back to br, gzip or deflate), external data tables in multipart bodies, HTTP sessions (`session_id`: every
 * request gets a fresh engine connection), progress headers, and streaming (results are buffered,
 * as with `wait_end_of_query=1`).

/*
 * Where things are: server.ts (HTTP: health, errors, one query per request) reads the request
 * with auth.ts, request.ts and compression.ts, runs it through engine.ts (chdb; sql.ts finds
 * INSERT data and FORMAT clauses) under limiter.ts, and answers via response.ts; errors.ts has
 * ClickHouse's codes and statuses. This module is the program: options, engine, listen, signals.
 */
import { parseArgs } from 'node:util';
import { Engine } from './engine';
import { createFrontServer } from './server';

export function main(): void {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      dir: { type: 'string' },
      password: { type: 'string', default: '' },
      'max-concurrent': { type: 'string', default: '8' },
    },
  });
  if (!values.port || !values.dir) {
    process.stderr.write(
      'usage: clickhouse-front --port <port> --dir <dir> [--password <pw>] [--max-concurrent <n>]\n',
    );
    process.exit(2);
  }
  const port = Number(values.port);
  const password = values.password ?? '';
  const maxConcurrent = Math.max(1, Number(values['max-concurrent']));

  void Engine.open(values.dir).then(
    (engine) => {
      const { version } = engine.defaults;
      const server = createFrontServer(engine, { password, maxConcurrent });

      server.listen(port, '127.0.0.1', () => {
        process.stdout.write(
          `otelpack's ClickHouse HTTP front (not ClickHouse's server) over the real ClickHouse ${version} engine from chdb, ` +
            `listening on http://127.0.0.1:${port}, data in ${values.dir}\n`,
        );
      });

      let stopping = false;
      const stop = (signal: string): void => {
        if (stopping) return;
        stopping = true;
        process.stdout.write(`${signal}: stopping\n`);
        server.close(() => {
          engine.close();
          process.exit(0);
        });
        server.closeIdleConnections();
        // Requests still running in the engine get a moment; then the process goes regardless.
        setTimeout(() => process.exit(0), 3_000).unref();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    },
    (error: unknown) => {
      process.stderr.write(
        `could not open the chdb engine in ${values.dir}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}

if (require.main === module) main();
