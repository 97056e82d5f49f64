/*
 * ============================================================================================
 *  THIS IS A FAKE. It is not Elasticsearch, contains no Elasticsearch code, and only speaks the
 *  part of Elasticsearch 8.x's HTTP protocol that otelpack's exporter and tests need.
 * ============================================================================================
 *
 * Why it exists: the machines that run otelpack's integration tests have no Docker and no JVM,
 * so the Elasticsearch exporter is tested against this in-memory stand-in, written from
 * Elasticsearch's documentation and from the error bodies Elasticsearch is known to send. It says
 * what it is: `GET /` answers `"tagline": "otelpack Elasticsearch protocol fake (not
 * Elasticsearch)"` and every response carries `x-otelpack-fake: elasticsearch` next to the
 * `x-elastic-product: Elasticsearch` header that the official client insists on.
 *
 * Run: node --import tsx src/fakes/elasticsearch-fake.ts --port 9200
 *        [--host 127.0.0.1] [--version 8.17.0] [--max-content-length 100mb]
 *
 * Elasticsearch API (all in memory, one shard per index, refresh is instantaneous):
 *   GET|HEAD /                                       cluster info
 *   POST|PUT /_bulk, /<target>/_bulk                 index, create, delete (update: per-item error)
 *   PUT|POST /<index>/_doc/<id>, POST /<index>/_doc, PUT|POST /<index>/_create/<id>
 *   GET|HEAD|DELETE /<index>/_doc/<id>
 *   GET|POST /_search, /<target>/_search             match_all, match_none, term, terms, match,
 *                                                    match_phrase, prefix, exists, ids, range, bool;
 *                                                    size, from, sort, search_after,
 *                                                    track_total_hits, q=, _source: false
 *   GET|POST /_count, /<target>/_count
 *   GET|POST /_refresh, /<target>/_refresh           no-op
 *   PUT|GET|HEAD|DELETE /<index>                     create / describe / exists / delete an index
 *   GET|HEAD|PUT|POST|DELETE /_index_template[/<name>], /_component_template[/<name>]
 *   GET|PUT|DELETE /_data_stream[/<name>]
 *   GET|PUT|DELETE /_ilm/policy[/<name>]            stored and echoed; nothing ages
 *   GET /_cluster/health
 *   `filter_path` (inclusions and `-` exclusions) and `pretty` work on every JSON response.
 *
 * Behaviour worth knowing (each is what Elasticsearch does, as far as its documentation says):
 *   - A write to a missing name matching an index template with `data_stream` creates the data
 *     stream with backing index `.ds-<name>-<yyyy.MM.dd>-000001`. Built-in templates stand in for
 *     Elasticsearch's own: `logs-*-*`, `metrics-*-*`, `traces-*-*`, `synthetics-*-*` (priority 100)
 *     and `logs-*.otel-*`, `metrics-*.otel-*`, `traces-*.otel-*` (priority 150).
 *   - Data streams take only `create`; other ops get a per-item 400. Their documents need
 *     `@timestamp`. Writes straight to a backing index are refused.
 *   - `require_data_stream` (per request or per item) refuses a plain index (404
 *     resource_not_found_exception) and a name no data stream template matches (404
 *     index_not_found_exception), per item. An empty `_id` fails its item only.
 *   - Dynamic mapping (mapping.ts): each index remembers its field types; a value a field's type
 *     cannot take, or an object where a value was (and the reverse), fails its document alone
 *     with a 400 document_parsing_exception.
 *   - `filter_path` exclusions (`-path`) apply after the inclusions.
 *   - These are replayed from Elasticsearch's own REST tests in
 *     test/elasticsearch/rest-replay.test.ts, each case naming its source file.
 *   - Time series (TSDB) indices (`index.mode: time_series`; the built-in `metrics-*.otel-*`
 *     template sets it, as Elasticsearch's does): ids derived from dimensions and timestamp, a
 *     client `_id` refused, 409 for a repeated series + time, 400 outside the backing index's
 *     writable window (now − 2h to now + 30m). The rules and approximations are in tsdb.ts.
 *   - Bodies: Content-Type must be JSON or NDJSON, plain or the vendor types
 *     (`application/vnd.elasticsearch+x-ndjson; compatible-with=8`), else 406; `Content-Encoding:
 *     gzip` and `deflate` are decoded; over `http.max_content_length` (uncompressed) → 413 with an
 *     empty body.
 *   - Search approximations (no mappings, no analysis): `term` compares exactly (`.keyword`
 *     suffixes are ignored), `match` matches when any lower-cased word of the query appears in the
 *     value (all words with `operator: and`). Field paths resolve through nested objects and
 *     through keys that themselves contain dots (`resource.attributes["service.name"]`). Strings
 *     that look like ISO dates sort and compare as dates, and their sort values are epoch millis,
 *     as Elasticsearch's `date` fields do. Totals are capped at 10,000 (`relation: gte`) unless
 *     `track_total_hits` says otherwise.
 *
 * Cost: the exporter's end-to-end bench measures clients through this fake, so a `_bulk` item
 * must cost the fake less than it costs a client. Per index the field types, the field paths and
 * the time series rules are worked out once; identical action lines (no `_id`) are checked once;
 * generated ids come from a pool of random bytes. None of it changes an answer.
 *
 * Test control (fake only, under /_otelpack_fake):
 *   GET    /_otelpack_fake                 this summary, as JSON
 *   POST   /_otelpack_fake/faults          replace the scripted faults (body below; `{}` clears)
 *   GET    /_otelpack_fake/faults          the faults now in force, with what is left of counts
 *   DELETE /_otelpack_fake/faults          clear the faults
 *   POST   /_otelpack_fake/reset           drop all data, templates, policies, faults, stats;
 *                                          with `{"index": "<pattern>"}` only the matching
 *                                          indices and data streams
 *   GET    /_otelpack_fake/stats           request and item counters, documents per index
 *   GET    /_otelpack_fake/requests        the last 200 requests (method, uri, headers, sizes)
 *
 *   Faults body (every key optional; faults act on `_bulk` requests only):
 *   {
 *     "index": "otelpack-smoke-*",          scope: only bulk requests/items whose target name
 *                                           (as written in the action or path) matches
 *     "request": { "status": 429, "retryAfter": "2", "count": 1, "type": "...", "reason": "...",
 *                  "rawBody": "..." },      whole bulk request fails (Elasticsearch error body,
 *                                           or rawBody as text/plain), nothing stored
 *     "itemRejections":    { "share": 0.1, "onlyFirstAttempt": true },   per-item 429
 *                                           es_rejected_execution_exception
 *     "itemMappingErrors": { "every": 100, "offset": 0 },                per-item 400
 *                                           mapper_parsing_exception
 *     "maxContentLength": "1kb",            413 over this many uncompressed bytes (in scope)
 *     "stall": { "delayMs": 5000, "count": 1, "afterStore": true }
 *                                           afterStore: store the batch, then answer late;
 *                                           false: wait first, store only if the client waited
 *   }
 *   `count` is how many in-scope bulk requests a fault hits (absent: all, until cleared).
 *   Item selection is deterministic. With `share`, let h = the first 4 bytes of SHA-1 of the
 *   document's source line (as sent, without its newline), big-endian, divided by 2^32:
 *   mapping errors take h < mappingShare, rejections take mappingShare ≤ h < mappingShare +
 *   rejectionShare, so the two never pick the same document. With `every`, the fault takes the
 *   in-scope items whose running number (counted from when the faults were set) modulo `every`
 *   is `offset`. `onlyFirstAttempt` (default true for rejections, false for mapping errors) spares
 *   a document whose source line was already failed once by that fault, so its retry succeeds.
 */

/*
 * Where things are: server.ts (HTTP, routing, error responses) → routes.ts (the API table) →
 * one module per API family: bulk.ts, documents.ts, search.ts + query.ts, indices.ts,
 * templates.ts, data-streams.ts, ilm.ts, cluster.ts; admin.ts + faults.ts for the test control
 * above. The data lives in store.ts, everything else an instance holds in state.ts. This module
 * is the program: options, start, signals.
 */
import { parseByteSize } from './bytes';
import { FAKE_TAGLINE } from './reply';
import { startElasticsearchFake } from './server';

function parseArgs(argv: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const eq = arg.indexOf('=');
    if (eq > 0) args[arg.slice(2, eq)] = arg.slice(eq + 1);
    else args[arg.slice(2)] = argv[++i] ?? '';
  }
  return args;
}

async function start(argv: string[]): Promise<void> {
  const args = parseArgs(argv);
  const known = ['port', 'host', 'version', 'max-content-length'];
  for (const key of Object.keys(args)) {
    if (!known.includes(key))
      throw new Error(`unknown option --${key} (known: ${known.map((k) => `--${k}`).join(', ')})`);
  }
  const port = Number(args.port ?? 9200);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`invalid --port ${args.port}`);
  const maxContentLength =
    args['max-content-length'] === undefined
      ? undefined
      : parseByteSize(args['max-content-length']);
  if (args['max-content-length'] !== undefined && maxContentLength === undefined) {
    throw new Error(`invalid --max-content-length ${args['max-content-length']}`);
  }
  const started = await startElasticsearchFake({
    port,
    host: args.host,
    version: args.version,
    maxContentLength,
  });
  process.stdout.write(
    `${FAKE_TAGLINE}: listening on ${started.url} (reports version ${started.fake.version})\n`,
  );
  const stop = () => {
    void started.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Runs the fake as a program; a bad option or a busy port is one line on stderr and exit 1. */
export function main(argv: string[] = process.argv.slice(2)): void {
  start(argv).catch((error: unknown) => {
    process.stderr.write(
      `otelpack elasticsearch fake: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}

if (require.main === module) main();
