import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { backendUrl } from '../../src/env';

/*
 * REAL engine: ClickHouse 26.x (chdb) behind otelpack's HTTP front natively, or a ClickHouse
 * server as the compose service. Proves the harness is honest: what @clickhouse/client sends is
 * stored and read back exactly (nanosecond timestamps, maps, binary RowBinary bytes), settings
 * reach the engine, compression works both ways, and failures carry ClickHouse's own codes,
 * texts and HTTP statuses. Everything asserted here holds against a real ClickHouse server too.
 */

const ID = 'clickhouse';

function uniqueName(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
}

async function withClient<T>(
  url: string,
  options: NonNullable<Parameters<typeof createClient>[0]>,
  use: (client: ClickHouseClient) => Promise<T>,
): Promise<T> {
  // 64-bit integers as JSON strings whatever the server's default, so that exact values
  // compare as strings.
  const client = createClient({
    url,
    // The refusals below are expected; the client would log each one as an error.
    log: { level: ClickHouseLogLevel.OFF },
    ...options,
    clickhouse_settings: {
      output_format_json_quote_64bit_integers: 1,
      ...options.clickhouse_settings,
    },
  });
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** As it came off the wire: not decompressed. */
  body: Buffer;
}

/** One HTTP request with nothing done for us: no decompression, no retries, no client logic. */
function raw(
  url: string,
  options: {
    method?: string;
    search?: Record<string, string>;
    headers?: Record<string, string>;
    body?: Buffer | string;
  },
): Promise<RawResponse> {
  const target = new URL(url);
  for (const [key, value] of Object.entries(options.search ?? {}))
    target.searchParams.set(key, value);
  return new Promise((resolve, reject) => {
    const request = http.request(
      target,
      { method: options.method ?? 'POST', headers: options.headers, timeout: 15_000 },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.on('timeout', () => request.destroy(new Error('raw request timed out')));
    request.end(options.body);
  });
}

async function rejection(promise: Promise<unknown>): Promise<ClickHouseError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ClickHouseError, `expected a ClickHouseError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the request to be refused');
}

/** 'YYYY-MM-DD hh:mm:ss.nnnnnnnnn' (UTC) for nanoseconds since the epoch. */
function dateTime64(nanoseconds: bigint): string {
  const milliseconds = nanoseconds / 1_000_000n;
  const iso = new Date(Number(milliseconds)).toISOString();
  const fraction = (nanoseconds % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${fraction}`;
}

// Timestamps near now: a TTL on a table would silently drop rows dated in the past.
function nanosecondsNow(offset: bigint): bigint {
  return BigInt(Date.now()) * 1_000_000n + offset;
}

const TABLE_COLUMNS = `(
  Timestamp DateTime64(9) CODEC(Delta, ZSTD(1)),
  ServiceName LowCardinality(String),
  Attributes Map(LowCardinality(String), String),
  Duration UInt64,
  Body String
) ENGINE = MergeTree
PARTITION BY toDate(Timestamp)
ORDER BY (ServiceName, Timestamp)`;

test('GET /ping answers "Ok." and the client pings', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const ping = await raw(`${url}/ping`, { method: 'GET' });
  assert.equal(ping.status, 200);
  assert.equal(ping.body.toString(), 'Ok.\n');
  await withClient(url, {}, async (client) => {
    const result = await client.ping();
    assert.equal(result.success, true, `ping failed: ${String(!result.success && result.error)}`);
  });
});

test('JSONEachRow rows are stored and read back exactly, nanosecond timestamps and maps included', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_json');
  const rows = [
    {
      Timestamp: nanosecondsNow(123_456_789n),
      ServiceName: 'checkout',
      Attributes: { 'http.route': '/cart', 'net.peer': 'a "quoted" \\ value' },
      Duration: 18_446_744_073_709_551_615n, // UInt64 max: beyond what a JS number holds
      Body: 'tab\there, newline\nthere, unicode ✓',
    },
    {
      Timestamp: nanosecondsNow(1n),
      ServiceName: 'checkout',
      Attributes: {},
      Duration: 1n,
      Body: '',
    },
    {
      Timestamp: nanosecondsNow(999_999_999n),
      ServiceName: 'frontend',
      Attributes: { a: '1', b: '2', c: '3' },
      Duration: 1_500_000_000n,
      Body: 'third',
    },
  ];
  await withClient(url, {}, async (client) => {
    await client.command({ query: `CREATE TABLE ${table} ${TABLE_COLUMNS}` });
    const inserted = await client.insert({
      table,
      format: 'JSONEachRow',
      values: rows.map((row) => ({
        ...row,
        Timestamp: dateTime64(row.Timestamp),
        Duration: row.Duration.toString(),
      })),
    });
    assert.equal(
      inserted.summary?.written_rows,
      '3',
      `summary: ${JSON.stringify(inserted.summary)}`,
    );

    const result = await client.query({
      query: `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, ServiceName, Attributes,
                     toString(Duration) AS duration, Body
              FROM ${table} ORDER BY ns`,
      format: 'JSONEachRow',
    });
    const stored = await result.json<{
      ns: string;
      ServiceName: string;
      Attributes: Record<string, string>;
      duration: string;
      Body: string;
    }>();
    const expected = [...rows]
      .sort((a, b) => (a.Timestamp < b.Timestamp ? -1 : 1))
      .map((row) => ({
        ns: row.Timestamp.toString(),
        ServiceName: row.ServiceName,
        Attributes: row.Attributes,
        duration: row.Duration.toString(),
        Body: row.Body,
      }));
    assert.deepEqual(stored, expected);
  });
});

/*
 * RowBinary, hand-encoded: LEB128 lengths, little-endian numbers, and a String column carrying
 * a NUL, 0xff and a lone continuation byte, which no text path would carry intact.
 */
function leb128(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (rest !== 0);
  return Buffer.from(bytes);
}

function rowBinaryString(value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([leb128(bytes.length), bytes]);
}

function rowBinaryRow(row: {
  timestamp: bigint;
  service: string;
  attributes: [string, string][];
  duration: bigint;
  body: Buffer;
}): Buffer {
  const timestamp = Buffer.alloc(8);
  timestamp.writeBigInt64LE(row.timestamp);
  const duration = Buffer.alloc(8);
  duration.writeBigUInt64LE(row.duration);
  return Buffer.concat([
    timestamp,
    rowBinaryString(row.service),
    leb128(row.attributes.length),
    ...row.attributes.flatMap(([key, value]) => [rowBinaryString(key), rowBinaryString(value)]),
    duration,
    rowBinaryString(row.body),
  ]);
}

test('RowBinary bytes reach the engine unchanged', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_rowbinary');
  const rows = [
    {
      timestamp: nanosecondsNow(42n),
      service: 'binary-service',
      attributes: [
        ['k', 'v'],
        ['ключ', 'значение'],
      ] as [string, string][],
      duration: 7n,
      body: Buffer.from([0x00, 0xff, 0x0a, 0x80, 0x41]),
    },
    {
      timestamp: nanosecondsNow(43n),
      service: 'binary-service',
      attributes: [] as [string, string][],
      duration: 2n ** 64n - 1n,
      body: Buffer.alloc(0),
    },
  ];
  await withClient(url, {}, async (client) => {
    await client.command({ query: `CREATE TABLE ${table} ${TABLE_COLUMNS}` });
    const result = await client.exec({
      query: `INSERT INTO ${table} FORMAT RowBinary`,
      values: Readable.from([Buffer.concat(rows.map(rowBinaryRow))]),
    });
    result.stream.resume();
    assert.equal(result.summary?.written_rows, '2', `summary: ${JSON.stringify(result.summary)}`);

    const stored = await (
      await client.query({
        query: `SELECT toString(toUnixTimestamp64Nano(Timestamp)) AS ns, ServiceName,
                       mapKeys(Attributes) AS keys, mapValues(Attributes) AS values,
                       toString(Duration) AS duration, hex(Body) AS body
                FROM ${table} ORDER BY Timestamp`,
        format: 'JSONEachRow',
      })
    ).json();
    assert.deepEqual(stored, [
      {
        ns: rows[0].timestamp.toString(),
        ServiceName: 'binary-service',
        keys: ['k', 'ключ'],
        values: ['v', 'значение'],
        duration: '7',
        body: '00FF0A8041',
      },
      {
        ns: rows[1].timestamp.toString(),
        ServiceName: 'binary-service',
        keys: [],
        values: [],
        duration: '18446744073709551615',
        body: '',
      },
    ]);
  });
});

test('gzip both ways: compressed request bodies are read, responses compressed when asked', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_gzip');
  await withClient(url, { compression: { request: true, response: true } }, async (client) => {
    await client.command({
      query: `CREATE TABLE ${table} (n UInt32, s String) ENGINE = MergeTree ORDER BY n`,
    });
    await client.insert({
      table,
      format: 'JSONEachRow',
      values: Array.from({ length: 100 }, (_, n) => ({ n, s: 'x'.repeat(n) })),
    });
    const result = await client.query({
      query: `SELECT count(), sum(length(s)) FROM ${table}`,
      format: 'JSONCompactEachRow',
    });
    assert.deepEqual(await result.json(), [['100', '4950']]);
  });

  // The same on the wire, without the client: a gzipped INSERT, then a gzipped answer.
  const insert = await raw(url, {
    search: { query: `INSERT INTO ${table} FORMAT JSONEachRow` },
    headers: { 'Content-Encoding': 'gzip' },
    body: gzipSync('{"n":1000,"s":"from raw gzip"}\n'),
  });
  assert.equal(insert.status, 200, insert.body.toString());

  const query = `SELECT s FROM ${table} WHERE n = 1000 FORMAT TabSeparated`;
  const compressed = await raw(url, {
    search: { enable_http_compression: '1' },
    headers: { 'Accept-Encoding': 'gzip' },
    body: query,
  });
  assert.equal(compressed.status, 200, compressed.body.toString());
  assert.equal(compressed.headers['content-encoding'], 'gzip');
  assert.equal(gunzipSync(compressed.body).toString(), 'from raw gzip\n');

  const plain = await raw(url, {
    search: { enable_http_compression: '0' },
    headers: { 'Accept-Encoding': 'gzip' },
    body: query,
  });
  assert.equal(plain.status, 200, plain.body.toString());
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.toString(), 'from raw gzip\n');
});

test("an unknown table is code 60 UNKNOWN_TABLE with HTTP 404 and ClickHouse's own text", async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_missing');
  await withClient(url, {}, async (client) => {
    const error = await rejection(
      client.query({ query: `SELECT * FROM ${table}`, format: 'JSONEachRow' }),
    );
    assert.equal(error.code, '60');
    assert.equal(error.type, 'UNKNOWN_TABLE');
    assert.match(error.message, new RegExp(`Unknown table expression identifier '${table}'`));
  });

  const answer = await raw(url, { body: `SELECT * FROM ${table}` });
  assert.equal(answer.status, 404);
  assert.equal(answer.headers['x-clickhouse-exception-code'], '60');
  assert.match(
    answer.body.toString(),
    new RegExp(
      `^Code: 60\\. DB::Exception: Unknown table expression identifier '${table}' in scope SELECT \\* FROM ${table}\\..* \\(UNKNOWN_TABLE\\) \\(version \\d+\\.\\d+[.\\d]*\\)\\n$`,
    ),
  );

  // Inserting into it fails the same way.
  const insert = await raw(url, {
    search: { query: `INSERT INTO ${table} FORMAT JSONEachRow` },
    body: '{"a":1}\n',
  });
  assert.equal(insert.status, 404, insert.body.toString());
  assert.equal(insert.headers['x-clickhouse-exception-code'], '60');
});

test('a syntax error is code 62 SYNTAX_ERROR with HTTP 400', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  await withClient(url, {}, async (client) => {
    const error = await rejection(client.command({ query: 'SELEC 1' }));
    assert.equal(error.code, '62');
    // Not error.type: the client takes the first "(UPPERCASE)" in the text, and ClickHouse's
    // syntax errors quote the offending token first ("failed at position 1 (SELEC)").
  });
  const answer = await raw(url, { body: 'SELEC 1' });
  assert.equal(answer.status, 400);
  assert.equal(answer.headers['x-clickhouse-exception-code'], '62');
  assert.match(
    answer.body.toString(),
    /^Code: 62\. DB::Exception: Syntax error: failed at position 1 \(SELEC\).* \(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s,
  );

  // One statement per request, as the server has it.
  const two = await raw(url, { body: 'SELECT 1; SELECT 2' });
  assert.equal(two.status, 400, two.body.toString());
  assert.match(two.body.toString(), /Multi-statements are not allowed/);
});

test('settings pass through: insert_deduplication_token decides what is a duplicate', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_dedup');
  await withClient(url, {}, async (client) => {
    await client.command({
      query: `CREATE TABLE ${table} (n UInt32) ENGINE = MergeTree ORDER BY n
              SETTINGS non_replicated_deduplication_window = 100`,
    });
    const insert = (values: number[], token: string) =>
      client.insert({
        table,
        format: 'JSONEachRow',
        values: values.map((n) => ({ n })),
        clickhouse_settings: { insert_deduplication_token: token },
      });
    const count = async () =>
      (
        await (
          await client.query({ query: `SELECT count() AS c FROM ${table}`, format: 'JSONEachRow' })
        ).json<{ c: string }>()
      )[0].c;

    await insert([1, 2, 3], 'batch-a');
    // Different rows, same token: a retried batch must not land twice, whatever it holds now.
    await insert([4, 5], 'batch-a');
    assert.equal(await count(), '3');
    // Same rows as the first batch, new token: a new batch, stored.
    await insert([1, 2, 3], 'batch-b');
    assert.equal(await count(), '6');
  });
});

test('a setting changes the answer: output_format_json_quote_64bit_integers', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  await withClient(url, {}, async (client) => {
    const read = async (quote: 0 | 1) =>
      (
        await client.query({
          query: 'SELECT toUInt64(12345678901) AS big',
          format: 'JSONEachRow',
          clickhouse_settings: { output_format_json_quote_64bit_integers: quote },
        })
      ).text();
    assert.equal(await read(1), '{"big":"12345678901"}\n');
    assert.equal(await read(0), '{"big":12345678901}\n');
  });
});

test('X-ClickHouse-Summary counts the rows an INSERT wrote', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_summary');
  await withClient(url, {}, async (client) => {
    await client.command({
      query: `CREATE TABLE ${table} (n UInt32) ENGINE = MergeTree ORDER BY n`,
    });
  });
  const body = Array.from({ length: 5 }, (_, n) => JSON.stringify({ n })).join('\n');
  const answer = await raw(url, {
    search: { query: `INSERT INTO ${table} FORMAT JSONEachRow` },
    body,
  });
  assert.equal(answer.status, 200, answer.body.toString());
  const summary = JSON.parse(String(answer.headers['x-clickhouse-summary'])) as Record<
    string,
    string
  >;
  assert.equal(summary.written_rows, '5');
  assert.equal(typeof summary.elapsed_ns, 'string');
});

test('X-ClickHouse-Query-Id echoes the query_id given, and is generated when none is', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const queryId = `smoke-${randomUUID()}`;
  await withClient(url, {}, async (client) => {
    const result = await client.query({
      query: 'SELECT 1',
      format: 'JSONEachRow',
      query_id: queryId,
    });
    assert.equal(result.query_id, queryId);
    assert.equal(result.response_headers['x-clickhouse-query-id'], queryId);
    await result.json();
  });
  const given = await raw(url, { search: { query_id: queryId }, body: 'SELECT 1' });
  assert.equal(given.headers['x-clickhouse-query-id'], queryId);
  assert.equal(given.headers['x-clickhouse-format'], 'TabSeparated');

  const generated = await raw(url, { body: 'SELECT 1 FORMAT JSONEachRow' });
  assert.match(
    String(generated.headers['x-clickhouse-query-id']),
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  assert.equal(generated.headers['x-clickhouse-format'], 'JSONEachRow');
});

test('query parameters are bound by the engine, in the URL and in multipart bodies', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const text = "tab\t, quote ', backslash \\, newline \n, ✓";
  for (const use_multipart_params of [false, true]) {
    await withClient(url, { use_multipart_params }, async (client) => {
      const result = await client.query({
        query: 'SELECT {text:String} AS text, {n:UInt64} + 1 AS next, {list:Array(String)} AS list',
        format: 'JSONEachRow',
        query_params: { text, n: 41, list: ['a', "b'c"] },
      });
      assert.deepEqual(
        await result.json(),
        [{ text, next: '42', list: ['a', "b'c"] }],
        `multipart: ${use_multipart_params}`,
      );
    });
  }
});

test('the database parameter selects the database; an unknown one is code 81 with HTTP 404', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const database = uniqueName('smoke_db');
  await withClient(url, {}, async (client) => {
    await client.command({ query: `CREATE DATABASE ${database}` });
  });
  await withClient(url, { database }, async (client) => {
    await client.command({ query: 'CREATE TABLE t (n UInt8) ENGINE = MergeTree ORDER BY n' });
    await client.insert({ table: 't', format: 'JSONEachRow', values: [{ n: 7 }] });
    const result = await client.query({
      query: 'SELECT currentDatabase() AS db, sum(n) AS s FROM t',
      format: 'JSONEachRow',
    });
    assert.deepEqual(await result.json(), [{ db: database, s: '7' }]);
  });
  const missing = await raw(url, { search: { database: `${database}_missing` }, body: 'SELECT 1' });
  assert.equal(missing.status, 404, missing.body.toString());
  assert.equal(missing.headers['x-clickhouse-exception-code'], '81');
});

test('credentials are checked: the default user gets in, a wrong password is code 516 with HTTP 403', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  await withClient(url, { username: 'default', password: '' }, async (client) => {
    const result = await client.query({
      query: 'SELECT currentUser() AS user',
      format: 'JSONEachRow',
    });
    assert.deepEqual(await result.json(), [{ user: 'default' }]);
  });
  await withClient(url, { username: 'default', password: 'not-the-password' }, async (client) => {
    const error = await rejection(client.query({ query: 'SELECT 1', format: 'JSONEachRow' }));
    assert.equal(error.code, '516');
    assert.equal(error.type, 'AUTHENTICATION_FAILED');
  });
  const wrongUser = await raw(url, {
    headers: { 'X-ClickHouse-User': 'nobody', 'X-ClickHouse-Key': '' },
    body: 'SELECT 1',
  });
  assert.equal(wrongUser.status, 403);
  assert.equal(wrongUser.headers['x-clickhouse-exception-code'], '516');
  const headers = await raw(url, {
    headers: { 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': '' },
    body: 'SELECT 1',
  });
  assert.equal(headers.status, 200, headers.body.toString());
});

test('GET queries are read-only: an INSERT over GET is refused with code 164 READONLY', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_readonly');
  await withClient(url, {}, async (client) => {
    await client.command({
      query: `CREATE TABLE ${table} (n UInt8) ENGINE = MergeTree ORDER BY n`,
    });
  });
  const select = await raw(url, {
    method: 'GET',
    search: { query: `SELECT count() FROM ${table}` },
  });
  assert.equal(select.status, 200, select.body.toString());
  assert.equal(select.body.toString(), '0\n');
  const insert = await raw(url, {
    method: 'GET',
    search: { query: `INSERT INTO ${table} VALUES (1)` },
  });
  assert.equal(insert.status, 500, insert.body.toString());
  assert.equal(insert.headers['x-clickhouse-exception-code'], '164');
  assert.match(insert.body.toString(), /\(READONLY\)/);
});

test('state persists across requests, and concurrent inserts all land', async (t) => {
  const url = backendUrl(t, ID);
  if (!url) return;
  const table = uniqueName('smoke_concurrent');
  await withClient(url, { max_open_connections: 20 }, async (client) => {
    await client.command({
      query: `CREATE TABLE ${table} (writer UInt32, n UInt32) ENGINE = MergeTree ORDER BY (writer, n)`,
    });
    await Promise.all(
      Array.from({ length: 20 }, (_, writer) =>
        client.insert({
          table,
          format: 'JSONEachRow',
          values: Array.from({ length: 50 }, (_, n) => ({ writer, n })),
        }),
      ),
    );
    const result = await client.query({
      query: `SELECT count() AS rows, uniqExact(writer) AS writers FROM ${table}`,
      format: 'JSONEachRow',
    });
    assert.deepEqual(await result.json(), [{ rows: '1000', writers: '20' }]);
  });
});
