/*
 * otelpack's HTTP front for ClickHouse — NOT ClickHouse's own server — over the REAL ClickHouse
 * engine that the npm package `chdb` embeds. The code and its documentation are in ./clickhouse/
 * (start with main.ts). This path stays as the program the harness launches
 * (src/backends/clickhouse.ts):
 *
 *   node --import tsx src/fakes/clickhouse-front.ts --port <port> --dir <dir> [--password <pw>]
 */
import { main } from './clickhouse/main';

export { httpStatusForCode, normalizeEngineError } from './clickhouse/errors';
export { analyze } from './clickhouse/sql';
export type { Analysis } from './clickhouse/sql';

if (require.main === module) main();
