import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GZIP_ON_CALLING_THREAD_ENV, HttpTransport, TransportError } from '../src/http/transport';
import { SYNC_COMPRESS_MAX_BYTES } from '../src/http/compress';
import type { HeaderMap, HttpTransportOptions } from '../src/http/transport';
import { REDACTED } from '../src/http/redact';
import { InvalidConfigError } from '../src/errors';

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

interface TestServer {
  base: string;
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

function listen(
  server: http.Server | https.Server,
  handlerFor: () => Handler,
  seen: Seen[],
): Promise<number> {
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      };
      seen.push(entry);
      handlerFor()(entry, res);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

/** A tiny HTTP server on 127.0.0.1; `handler` can be swapped between requests. */
async function startServer(
  handler: Handler = (_req, res) => res.end('ok'),
): Promise<TestServer & { handle(h: Handler): void }> {
  let current = handler;
  const seen: Seen[] = [];
  const server = http.createServer();
  const port = await listen(server, () => current, seen);
  return {
    base: `http://127.0.0.1:${port}`,
    port,
    seen,
    handle(h: Handler) {
      current = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on: bind one, then let it go. */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function withTransport<T>(
  options: HttpTransportOptions,
  fn: (t: HttpTransport) => Promise<T>,
): Promise<T> {
  const transport = new HttpTransport(options);
  try {
    return await fn(transport);
  } finally {
    await transport.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TransportError, `expected a TransportError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('expected the request to fail');
}

let server: Awaited<ReturnType<typeof startServer>>;
before(async () => {
  server = await startServer();
});
after(async () => {
  await server.close();
});

function echo(status = 200, extraHeaders: http.OutgoingHttpHeaders = {}): Handler {
  return (req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...extraHeaders });
    res.end(`${req.method} ${req.path} ${req.body.length}`);
  };
}

describe('HttpTransport: requests', () => {
  const joins: { name: string; base: string; path: string | undefined; expected: string }[] = [
    { name: 'no base path, path given', base: '', path: '/v1/logs', expected: '/v1/logs' },
    { name: 'no base path, no path', base: '', path: undefined, expected: '/' },
    { name: 'base path, no path', base: '/prefix', path: undefined, expected: '/prefix' },
    { name: 'base path + /path', base: '/prefix', path: '/_bulk', expected: '/prefix/_bulk' },
    {
      name: 'base path with trailing slash + /path',
      base: '/prefix/',
      path: '/_bulk',
      expected: '/prefix/_bulk',
    },
    {
      name: 'base path with trailing slash + path without slash',
      base: '/prefix/',
      path: '_bulk',
      expected: '/prefix/_bulk',
    },
    { name: 'base path + path without slash', base: '/a/b', path: 'c', expected: '/a/b/c' },
    {
      name: 'nested base path',
      base: '/insert/0:0/prometheus',
      path: '/api/v1/write',
      expected: '/insert/0:0/prometheus/api/v1/write',
    },
    {
      name: 'query string in the path',
      base: '/p',
      path: '/_bulk?refresh=false',
      expected: '/p/_bulk?refresh=false',
    },
    {
      name: 'query string in the base URL',
      base: '/p?channel=abc',
      path: '/event',
      expected: '/p/event?channel=abc',
    },
    {
      name: 'query strings in both',
      base: '/p?channel=abc',
      path: '/event?x=1',
      expected: '/p/event?channel=abc&x=1',
    },
    {
      name: 'query string in the base URL, no path',
      base: '/p?channel=abc',
      path: undefined,
      expected: '/p?channel=abc',
    },
    {
      name: 'root base with query, path',
      base: '/?token=zz',
      path: '/v1',
      expected: '/v1?token=zz',
    },
  ];
  for (const c of joins) {
    test(`path joining: ${c.name}`, async () => {
      server.handle(echo());
      const before = server.seen.length;
      await withTransport({ url: `${server.base}${c.base}` }, async (t) => {
        const response = await t.request({ path: c.path, body: 'x' });
        assert.equal(response.status, 200);
      });
      assert.equal(server.seen[before].path, c.expected);
    });
  }

  test('POST with the body as sent, by default', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport({ url: server.base }, async (t) => {
      await t.request({ path: '/a', body: '{"a":1}\n{"b":"é"}\n' });
      await t.request({ path: '/b', body: Buffer.from([0, 1, 2, 255]) });
      await t.request({ path: '/c', body: new Uint8Array([9, 8, 7]) });
      await t.request({ method: 'GET', path: '/health' });
    });
    const seen = server.seen.slice(before);
    assert.deepEqual(
      seen.map((s) => [s.method, s.path, s.body.toString('hex')]),
      [
        ['POST', '/a', Buffer.from('{"a":1}\n{"b":"é"}\n').toString('hex')],
        ['POST', '/b', '000102ff'],
        ['POST', '/c', '090807'],
        ['GET', '/health', ''],
      ],
    );
    assert.equal(seen[0].headers['content-encoding'], undefined);
  });

  test('static headers, user agent, and per-request headers (which win)', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport(
      {
        url: server.base,
        headers: { 'Content-Type': 'application/x-ndjson', 'X-Static': 'one' },
        userAgent: 'otelpack-test/1.2',
      },
      async (t) => {
        await t.request({ path: '/', body: 'x' });
        await t.request({
          path: '/',
          body: 'x',
          headers: { 'x-static': 'override', 'x-extra': 'e' },
        });
      },
    );
    const [first, second] = server.seen.slice(before);
    assert.equal(first.headers['content-type'], 'application/x-ndjson');
    assert.equal(first.headers['x-static'], 'one');
    assert.equal(first.headers['user-agent'], 'otelpack-test/1.2');
    assert.equal(first.headers['x-extra'], undefined);
    assert.equal(second.headers['x-static'], 'override');
    assert.equal(second.headers['x-extra'], 'e');
  });

  test('a header named __proto__ is sent like any other, from options, provider and request', async () => {
    server.handle(echo());
    const before = server.seen.length;
    // Own properties, as JSON.parse or a computed key make them: assigned into a plain object,
    // `__proto__` would set its prototype (or be ignored) and the header vanish without a word.
    const own = (value: string) => JSON.parse(`{"__proto__": "${value}"}`) as HeaderMap;
    await withTransport({ url: server.base, headers: own('static') }, async (t) => {
      await t.request({ body: 'x' });
      await t.request({ body: 'x', headers: own('per-request') });
    });
    await withTransport({ url: server.base, headerProvider: () => own('provided') }, (t) =>
      t.request({ body: 'x' }),
    );
    assert.deepEqual(
      // The raw list: Node's parsed headers object does not keep a header of that name.
      server.seen.slice(before).map((s) => s.rawHeaders[s.rawHeaders.indexOf('__proto__') + 1]),
      ['static', 'per-request', 'provided'],
    );
  });

  test('the default user agent is otelpack', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport({ url: server.base }, (t) => t.request({ body: 'x' }));
    assert.equal(server.seen[before].headers['user-agent'], 'otelpack');
  });

  test('an async headerProvider is called per request: a refreshed token reaches the server', async () => {
    server.handle(echo());
    const before = server.seen.length;
    let calls = 0;
    await withTransport(
      {
        url: server.base,
        headers: { authorization: 'Bearer static-token-0000', 'x-static': 's' },
        headerProvider: async () => {
          calls++;
          await new Promise((resolve) => setTimeout(resolve, 1));
          return { Authorization: `Bearer refreshed-token-${calls}` };
        },
      },
      async (t) => {
        for (let i = 0; i < 3; i++) await t.request({ body: 'x' });
        // Per-request headers win over the provider's.
        await t.request({ body: 'x', headers: { authorization: 'Bearer per-request-9999' } });
      },
    );
    assert.equal(calls, 4);
    assert.deepEqual(
      server.seen.slice(before).map((s) => [s.headers.authorization, s.headers['x-static']]),
      [
        ['Bearer refreshed-token-1', 's'],
        ['Bearer refreshed-token-2', 's'],
        ['Bearer refreshed-token-3', 's'],
        ['Bearer per-request-9999', 's'],
      ],
    );
  });

  test('a synchronous headerProvider works too', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport({ url: server.base, headerProvider: () => ({ 'x-sync': 'yes' }) }, (t) =>
      t.request({ body: 'x' }),
    );
    assert.equal(server.seen[before].headers['x-sync'], 'yes');
  });

  test('a failing headerProvider is a retryable TransportError, and no request is sent', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport(
      {
        url: server.base,
        headerProvider: () => {
          throw new Error('token endpoint said no to Bearer leaked-token-abcdef');
        },
      },
      async (t) => {
        const error = await rejection(t.request({ body: 'x' }));
        assert.equal(error.code, 'OTELPACK_ERR_NETWORK');
        assert.equal(error.retryable, true);
        assert.match(error.message, /^header provider failed: /);
        assert.ok(!error.message.includes('leaked-token-abcdef'), error.message);
        assert.ok(error.message.includes(`Bearer ${REDACTED}`), error.message);
        const result = await t.send({ body: 'x' });
        assert.equal(result.kind, 'retryable');
      },
    );
    assert.equal(server.seen.length, before);
  });

  const basicCases: {
    name: string;
    userinfo: string;
    headers?: Record<string, string>;
    expected: string;
  }[] = [
    {
      name: 'user and password',
      userinfo: 'elastic:changeme',
      expected: `Basic ${Buffer.from('elastic:changeme').toString('base64')}`,
    },
    {
      name: 'percent-encoded characters are decoded',
      userinfo: 'us%40er:p%3Ass%20w',
      expected: `Basic ${Buffer.from('us@er:p:ss w').toString('base64')}`,
    },
    {
      name: 'user only',
      userinfo: 'apikeyuser',
      expected: `Basic ${Buffer.from('apikeyuser:').toString('base64')}`,
    },
    {
      name: 'an explicit Authorization header wins',
      userinfo: 'elastic:changeme',
      headers: { Authorization: 'ApiKey explicit==' },
      expected: 'ApiKey explicit==',
    },
  ];
  for (const c of basicCases) {
    test(`basic auth from URL user info: ${c.name}`, async () => {
      server.handle(echo());
      const before = server.seen.length;
      await withTransport(
        { url: `http://${c.userinfo}@127.0.0.1:${server.port}/x`, headers: c.headers },
        (t) => t.request({ body: 'x' }),
      );
      assert.equal(server.seen[before].headers.authorization, c.expected);
      assert.equal(server.seen[before].path, '/x');
    });
  }

  test('gzip: the server receives a gzip body that decodes to what was sent', async () => {
    server.handle(echo());
    const before = server.seen.length;
    const text = '{"line":"' + 'abcdefghij'.repeat(2_000) + '"}\n';
    await withTransport({ url: server.base, compression: 'gzip' }, async (t) => {
      await t.request({ body: text });
      await t.request({ body: Buffer.from(text) });
      await t.request({ body: text, compression: 'none' });
    });
    const [a, b, c] = server.seen.slice(before);
    for (const s of [a, b]) {
      assert.equal(s.headers['content-encoding'], 'gzip');
      assert.ok(s.body.length < text.length / 10, `compressed to ${s.body.length} bytes`);
      assert.equal(gunzipSync(s.body).toString('utf8'), text);
    }
    assert.equal(c.headers['content-encoding'], undefined);
    assert.equal(c.body.toString('utf8'), text);
  });

  test('gzip of a body past the calling-thread limit (the thread pool), and with the limit at 0', async () => {
    server.handle(echo());
    const before = server.seen.length;
    // Past the limit in UTF-8 bytes though not in characters: the limit counts bytes.
    const text = 'é'.repeat(SYNC_COMPRESS_MAX_BYTES / 2 + 1);
    await withTransport({ url: server.base, compression: 'gzip' }, (t) =>
      t.request({ body: text }),
    );
    await withTransport(
      { url: server.base, compression: 'gzip', gzipOnCallingThreadMaxBytes: 0 },
      (t) => t.request({ body: 'small' }),
    );
    const [large, small] = server.seen.slice(before);
    assert.equal(large.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(large.body).toString('utf8'), text);
    assert.equal(gunzipSync(small.body).toString('utf8'), 'small');
  });

  test(`gzipOnCallingThreadMaxBytes is checked; ${GZIP_ON_CALLING_THREAD_ENV} sets it process-wide`, () => {
    assert.throws(
      () => new HttpTransport({ url: server.base, gzipOnCallingThreadMaxBytes: -1 }),
      (e: unknown) =>
        e instanceof InvalidConfigError && /gzipOnCallingThreadMaxBytes/.test(e.message),
    );
    const saved = process.env[GZIP_ON_CALLING_THREAD_ENV];
    try {
      process.env[GZIP_ON_CALLING_THREAD_ENV] = 'lots';
      assert.throws(
        () => new HttpTransport({ url: server.base }),
        (e: unknown) =>
          e instanceof InvalidConfigError &&
          e.message.includes(GZIP_ON_CALLING_THREAD_ENV) &&
          e.message.includes('lots'),
      );
      // The option wins over the variable.
      void new HttpTransport({ url: server.base, gzipOnCallingThreadMaxBytes: 0 }).close();
      process.env[GZIP_ON_CALLING_THREAD_ENV] = '0';
      void new HttpTransport({ url: server.base }).close();
    } finally {
      if (saved === undefined) delete process.env[GZIP_ON_CALLING_THREAD_ENV];
      else process.env[GZIP_ON_CALLING_THREAD_ENV] = saved;
    }
  });

  test('gzip per request on a transport without compression', async () => {
    server.handle(echo());
    const before = server.seen.length;
    await withTransport({ url: server.base }, (t) =>
      t.request({ body: 'hello', compression: 'gzip' }),
    );
    assert.equal(server.seen[before].headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(server.seen[before].body).toString(), 'hello');
  });

  test('status, headers and body are returned, 4xx and 5xx included (not thrown)', async () => {
    for (const status of [200, 201, 202, 204, 400, 404, 500, 503]) {
      server.handle((req, res) => {
        res.writeHead(status, { 'x-answer': `s${status}` });
        res.end(status === 204 ? undefined : `body of ${status}`);
      });
      await withTransport({ url: server.base }, async (t) => {
        const response = await t.request({ body: 'x' });
        assert.equal(response.status, status);
        assert.equal(response.headers['x-answer'], `s${status}`);
        assert.equal(response.body.toString(), status === 204 ? '' : `body of ${status}`);
      });
    }
  });
});

describe('HttpTransport: send() classification', () => {
  test('2xx: delivered', async () => {
    server.handle(echo(202));
    await withTransport({ url: server.base }, async (t) => {
      assert.deepEqual(await t.send({ body: 'x' }), { kind: 'delivered', httpStatus: 202 });
    });
  });

  test('503 with Retry-After: retryable, with retryAfterMs and back-pressure', async () => {
    server.handle((req, res) => {
      res.writeHead(503, { 'retry-after': '7' });
      res.end('{"text":"Server is busy","code":9}');
    });
    await withTransport({ url: server.base }, async (t) => {
      assert.deepEqual(await t.send({ body: 'x' }), {
        kind: 'retryable',
        reason: 'HTTP 503: {"text":"Server is busy","code":9}',
        retryAfterMs: 7_000,
        backpressure: true,
        httpStatus: 503,
      });
    });
  });

  test('429 with an HTTP-date Retry-After', async () => {
    server.handle((req, res) => {
      res.writeHead(429, { 'retry-after': new Date(Date.now() + 60_000).toUTCString() });
      res.end();
    });
    await withTransport({ url: server.base }, async (t) => {
      const result = await t.send({ body: 'x' });
      assert.equal(result.kind, 'retryable');
      assert.ok(result.kind === 'retryable' && result.retryAfterMs !== undefined);
      assert.ok(
        result.retryAfterMs > 50_000 && result.retryAfterMs <= 60_000,
        String(result.retryAfterMs),
      );
      assert.equal(result.backpressure, true);
      assert.equal(result.reason, 'HTTP 429');
    });
  });

  test('400: permanent, with a snippet of the body in the reason', async () => {
    server.handle((req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        '{"error":{"type":"mapper_parsing_exception",\n  "reason":"failed to parse field [x]"}}',
      );
    });
    await withTransport({ url: server.base }, async (t) => {
      assert.deepEqual(await t.send({ body: 'x' }), {
        kind: 'permanent',
        reason:
          'HTTP 400: {"error":{"type":"mapper_parsing_exception", "reason":"failed to parse field [x]"}}',
        httpStatus: 400,
      });
    });
  });

  test('a long error body is cut to 512 bytes and marked', async () => {
    server.handle((req, res) => {
      res.writeHead(400);
      res.end('e'.repeat(2_000));
    });
    await withTransport({ url: server.base }, async (t) => {
      assert.deepEqual(await t.send({ body: 'x' }), {
        kind: 'permanent',
        reason: `HTTP 400: ${'e'.repeat(512)}…`,
        httpStatus: 400,
      });
    });
  });

  test('501: permanent; 500, 502, 504: retryable without back-pressure', async () => {
    const got: [number, string, boolean | undefined][] = [];
    for (const status of [500, 501, 502, 504]) {
      server.handle((req, res) => {
        res.writeHead(status);
        res.end();
      });
      await withTransport({ url: server.base }, async (t) => {
        const r = await t.send({ body: 'x' });
        got.push([status, r.kind, r.kind === 'retryable' ? r.backpressure : undefined]);
      });
    }
    assert.deepEqual(got, [
      [500, 'retryable', false],
      [501, 'permanent', undefined],
      [502, 'retryable', false],
      [504, 'retryable', false],
    ]);
  });
});

describe('HttpTransport: failures without an HTTP answer', () => {
  test('connection refused: a retryable TransportError with networkCode ECONNREFUSED', async () => {
    const port = await freePort();
    await withTransport(
      { url: `http://127.0.0.1:${port}/x`, connectTimeoutMs: 2_000 },
      async (t) => {
        const error = await rejection(t.request({ body: 'x' }));
        assert.equal(error.code, 'OTELPACK_ERR_NETWORK');
        assert.equal(error.networkCode, 'ECONNREFUSED');
        assert.equal(error.retryable, true);
        assert.equal(error.name, 'TransportError');
        assert.ok(
          error.message.startsWith(`request to http://127.0.0.1:${port} failed (ECONNREFUSED)`),
          error.message,
        );
        const result = await t.send({ body: 'x' });
        assert.equal(result.kind, 'retryable');
        assert.ok(result.kind === 'retryable' && result.reason.includes('ECONNREFUSED'));
        assert.equal(result.kind === 'retryable' && result.backpressure, false);
      },
    );
  });

  test('no response headers within timeoutMs: OTELPACK_ERR_TIMEOUT, retryable', async () => {
    const stall = await startServer(() => {
      /* never answer */
    });
    try {
      await withTransport({ url: stall.base, timeoutMs: 150 }, async (t) => {
        const started = Date.now();
        const error = await rejection(t.request({ body: 'x' }));
        const elapsed = Date.now() - started;
        assert.equal(error.code, 'OTELPACK_ERR_TIMEOUT');
        assert.equal(error.networkCode, 'UND_ERR_HEADERS_TIMEOUT');
        assert.equal(error.retryable, true);
        // Loose: it waited about timeoutMs, not forever and not zero.
        assert.ok(elapsed >= 100 && elapsed < 10_000, `elapsed ${elapsed} ms`);
        const result = await t.send({ body: 'x' });
        // A backend that stops answering in time counts as back-pressure.
        assert.equal(result.kind, 'retryable');
        assert.equal(result.kind === 'retryable' && result.backpressure, true);
      });
    } finally {
      await stall.close();
    }
  });

  test('a body that stalls mid-way also times out', async () => {
    const stall = await startServer((req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    try {
      await withTransport({ url: stall.base, timeoutMs: 150 }, async (t) => {
        const error = await rejection(t.request({ body: 'x' }));
        assert.equal(error.code, 'OTELPACK_ERR_TIMEOUT');
        assert.equal(error.networkCode, 'UND_ERR_BODY_TIMEOUT');
        assert.equal(error.retryable, true);
      });
    } finally {
      await stall.close();
    }
  });

  test('abort through the signal: OTELPACK_ERR_ABORTED; a timeout reason: OTELPACK_ERR_TIMEOUT', async () => {
    const stall = await startServer(() => {});
    try {
      await withTransport({ url: stall.base }, async (t) => {
        const controller = new AbortController();
        const pending = t.request({ body: 'x', signal: controller.signal });
        setTimeout(() => controller.abort(new Error('caller gave up')), 50);
        const aborted = await rejection(pending);
        assert.equal(aborted.code, 'OTELPACK_ERR_ABORTED');
        assert.equal(aborted.retryable, true);
        assert.match(aborted.message, /aborted: caller gave up/);

        const timedOut = await rejection(t.request({ body: 'x', signal: AbortSignal.timeout(50) }));
        assert.equal(timedOut.code, 'OTELPACK_ERR_TIMEOUT');

        // The pipeline's own timeout reason (an OtelpackError with the timeout code).
        const c2 = new AbortController();
        const p2 = t.request({ body: 'x', signal: c2.signal });
        setTimeout(
          () =>
            c2.abort(
              Object.assign(new Error('request timed out after 50 ms'), {
                code: 'OTELPACK_ERR_TIMEOUT',
              }),
            ),
          50,
        );
        assert.equal((await rejection(p2)).code, 'OTELPACK_ERR_TIMEOUT');

        // Already aborted before the call.
        const already = await rejection(t.request({ body: 'x', signal: AbortSignal.abort() }));
        assert.equal(already.code, 'OTELPACK_ERR_ABORTED');
      });
    } finally {
      await stall.close();
    }
  });

  test('a response over maxResponseBytes: permanent OTELPACK_ERR_RESPONSE_TOO_LARGE', async () => {
    server.handle((req, res) => {
      res.writeHead(200);
      res.end('z'.repeat(100_000));
    });
    await withTransport({ url: server.base, maxResponseBytes: 1_000 }, async (t) => {
      const error = await rejection(t.request({ body: 'x' }));
      assert.equal(error.code, 'OTELPACK_ERR_RESPONSE_TOO_LARGE');
      assert.equal(error.retryable, false);
      assert.match(error.message, /maxResponseBytes \(1000\)/);
      const result = await t.send({ body: 'x' });
      assert.equal(result.kind, 'permanent');
    });
    // Exactly at the limit is fine.
    server.handle((req, res) => res.end('z'.repeat(1_000)));
    await withTransport({ url: server.base, maxResponseBytes: 1_000 }, async (t) => {
      assert.equal((await t.request({ body: 'x' })).body.length, 1_000);
    });
  });
});

describe('HttpTransport: invalid config', () => {
  const cases: { name: string; options: unknown; option: string }[] = [
    { name: 'no options', options: undefined, option: 'options' },
    { name: 'no url', options: {}, option: 'url' },
    { name: 'ftp url', options: { url: 'ftp://host/' }, option: 'url' },
    {
      name: 'compression',
      options: { url: 'http://h/', compression: 'brotli' },
      option: 'compression',
    },
    { name: 'timeoutMs 0', options: { url: 'http://h/', timeoutMs: 0 }, option: 'timeoutMs' },
    { name: 'connections', options: { url: 'http://h/', connections: 1.5 }, option: 'connections' },
    {
      name: 'maxResponseBytes',
      options: { url: 'http://h/', maxResponseBytes: -1 },
      option: 'maxResponseBytes',
    },
    {
      name: 'headerProvider',
      options: { url: 'http://h/', headerProvider: 'token' },
      option: 'headerProvider',
    },
    {
      name: 'header value',
      options: { url: 'http://h/', headers: { 'x-n': 5 } },
      option: 'headers.x-n',
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => new HttpTransport(c.options as HttpTransportOptions),
        (error: unknown) => error instanceof InvalidConfigError && error.option === c.option,
      );
    });
  }

  test('an invalid URL is not echoed (it may carry credentials)', () => {
    assert.throws(
      () => new HttpTransport({ url: 'http//user:hunter2-secret@host' }),
      (error: unknown) =>
        error instanceof InvalidConfigError && !error.message.includes('hunter2-secret'),
    );
  });
});

describe('HttpTransport: TLS', () => {
  let certDir: string | undefined;
  let cert: string;
  let key: string;
  let tlsServer: https.Server | undefined;
  let tlsPort = 0;
  let skipReason: string | undefined;

  before(async () => {
    try {
      execFileSync('which', ['openssl'], { stdio: 'pipe' });
    } catch {
      skipReason = 'the openssl CLI is not installed: cannot generate a self-signed certificate';
      return;
    }
    certDir = mkdtempSync(join(tmpdir(), 'otelpack-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'pipe' },
    );
    cert = readFileSync(join(certDir, 'cert.pem'), 'utf8');
    key = readFileSync(join(certDir, 'key.pem'), 'utf8');
    tlsServer = https.createServer({ cert, key });
    tlsPort = await listen(tlsServer, () => echo(200), []);
  });

  after(async () => {
    if (tlsServer) {
      tlsServer.closeAllConnections();
      await new Promise<void>((resolve) => tlsServer!.close(() => resolve()));
    }
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  test('trusting the self-signed certificate through `ca` works', async (t) => {
    if (skipReason) return t.skip(skipReason);
    await withTransport(
      { url: `https://127.0.0.1:${tlsPort}/secure`, tls: { ca: cert } },
      async (transport) => {
        const response = await transport.request({ body: 'abc' });
        assert.equal(response.status, 200);
        assert.equal(response.body.toString(), 'POST /secure 3');
        assert.deepEqual(await transport.send({ body: 'abc' }), {
          kind: 'delivered',
          httpStatus: 200,
        });
      },
    );
  });

  test('by default an untrusted certificate fails, permanently', async (t) => {
    if (skipReason) return t.skip(skipReason);
    await withTransport({ url: `https://127.0.0.1:${tlsPort}/secure` }, async (transport) => {
      const error = await rejection(transport.request({ body: 'abc' }));
      assert.equal(error.retryable, false);
      assert.equal(error.networkCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
      assert.equal(error.code, 'OTELPACK_ERR_NETWORK');
      const result = await transport.send({ body: 'abc' });
      assert.equal(result.kind, 'permanent');
    });
  });

  test('rejectUnauthorized: false accepts it (tests only)', async (t) => {
    if (skipReason) return t.skip(skipReason);
    await withTransport(
      { url: `https://127.0.0.1:${tlsPort}/`, tls: { rejectUnauthorized: false } },
      async (transport) => {
        assert.equal((await transport.request({ body: 'x' })).status, 200);
      },
    );
  });
});

describe('HttpTransport: secrets never reach an error message', () => {
  const TOKEN = 'tok-SECRET-4f9a8b7c6d5e';
  const API_KEY = 'apikey-SECRET-0a1b2c3d';
  const PASSWORD = 'pw-SECRET-77aa88bb';
  const USER = 'user-SECRET-name';
  const QUERY_KEY = 'qk-SECRET-998877';
  const PROVIDER_TOKEN = 'provider-SECRET-5566';
  const REQUEST_KEY = 'reqkey-SECRET-1234';
  const ALL: Record<string, string> = {
    TOKEN,
    API_KEY,
    PASSWORD,
    USER,
    QUERY_KEY,
    PROVIDER_TOKEN,
    REQUEST_KEY,
  };

  function options(base: string): HttpTransportOptions {
    const url = new URL(base);
    return {
      url: `http://${USER}:${PASSWORD}@${url.host}/ingest?api_key=${QUERY_KEY}`,
      headers: { Authorization: `Bearer ${TOKEN}`, 'api-key': API_KEY },
      headerProvider: () => ({ 'x-splunk-token': PROVIDER_TOKEN }),
    };
  }

  function assertClean(what: string, text: string, mustRedact: boolean): void {
    for (const [name, secret] of Object.entries(ALL)) {
      // Names the secret, never prints it.
      assert.ok(!text.includes(secret), `${what} leaks ${name}`);
    }
    if (mustRedact) assert.ok(text.includes(REDACTED), `${what} shows ${REDACTED}`);
  }

  test('refused connection', async () => {
    const port = await freePort();
    await withTransport(options(`http://127.0.0.1:${port}`), async (t) => {
      const error = await rejection(
        t.request({ path: '/x', body: 'x', headers: { 'dd-api-key': REQUEST_KEY } }),
      );
      assert.equal(error.networkCode, 'ECONNREFUSED');
      assertClean('message', error.message, false);
      assertClean('stack', String(error.stack), false);
      assertClean('inspect', inspect(error, { depth: 10 }), false);
      assertClean('JSON', JSON.stringify(error), false);
      const result = await t.send({ body: 'x' });
      assert.equal(result.kind, 'retryable');
      assertClean('reason', result.kind === 'retryable' ? result.reason : '', false);
    });
  });

  test('401 whose body echoes every credential', async () => {
    const echoing = await startServer((req, res) => {
      // What a careless backend does: quote the request's credentials back.
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: 'invalid credentials',
          authorization: req.headers.authorization,
          apiKey: req.headers['api-key'],
          bareToken: TOKEN,
          splunk: req.headers['x-splunk-token'],
          ddApiKey: req.headers['dd-api-key'] ?? null,
          path: req.path,
          url: `http://${USER}:${PASSWORD}@host${req.path}`,
          password: PASSWORD,
          user: USER,
        }),
      );
    });
    try {
      await withTransport(options(echoing.base), async (t) => {
        // The request did carry the secrets (the server saw them)...
        const response = await t.request({ path: '/events', body: 'x' });
        assert.equal(response.status, 401);
        const raw = response.body.toString();
        assert.ok(raw.includes(TOKEN) && raw.includes(PROVIDER_TOKEN) && raw.includes(QUERY_KEY));
        assert.equal(echoing.seen[0].headers.authorization, `Bearer ${TOKEN}`);
        assert.equal(echoing.seen[0].path, `/ingest/events?api_key=${QUERY_KEY}`);

        // ...but the classification's reason carries none of them.
        const result = await t.send({ path: '/events', body: 'x' });
        assert.equal(result.kind, 'permanent');
        const reason = result.kind === 'permanent' ? result.reason : '';
        assert.match(reason, /^HTTP 401: /);
        assertClean('send() reason', reason, true);
        assertClean('classify() reason', JSON.stringify(t.classify(response)), true);

        // A per-request credential header is kept out of the reason as well.
        const withRequestKey = await t.send({
          path: '/events',
          body: 'x',
          headers: { 'dd-api-key': REQUEST_KEY },
        });
        assertClean('reason with a per-request key', JSON.stringify(withRequestKey), true);
        // And redact() on any text the exporter wants to log.
        assertClean('redact()', t.redact(raw), true);
      });
    } finally {
      await echoing.close();
    }
  });

  test('a stalled server: timeout and abort messages are clean', async () => {
    const stall = await startServer(() => {});
    try {
      await withTransport({ ...options(stall.base), timeoutMs: 100 }, async (t) => {
        const timeout = await rejection(t.request({ body: 'x' }));
        assert.equal(timeout.code, 'OTELPACK_ERR_TIMEOUT');
        assertClean('timeout message', `${timeout.message} ${inspect(timeout)}`, false);
        const c = new AbortController();
        const pending = t.request({ body: 'x', signal: c.signal });
        c.abort(
          new Error(
            `cancelled while sending Bearer ${TOKEN} to http://${USER}:${PASSWORD}@h/?api_key=${QUERY_KEY}`,
          ),
        );
        const aborted = await rejection(pending);
        assert.equal(aborted.code, 'OTELPACK_ERR_ABORTED');
        assertClean('abort message', aborted.message, true);
      });
    } finally {
      await stall.close();
    }
  });

  test('basic auth derived from the URL is redacted, encoded or not', async () => {
    const echoing = await startServer((req, res) => {
      res.writeHead(403);
      res.end(`forbidden: ${req.headers.authorization} for ${USER}`);
    });
    try {
      await withTransport(
        { url: `http://${USER}:${PASSWORD}@127.0.0.1:${echoing.port}/` },
        async (t) => {
          const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
          assert.equal(echoing.seen.length, 0);
          const result = await t.send({ body: 'x' });
          assert.equal(echoing.seen[0].headers.authorization, `Basic ${basic}`);
          const reason = result.kind === 'permanent' ? result.reason : '';
          assert.ok(!reason.includes(basic), 'the base64 credentials are not in the reason');
          assertClean('reason', reason, true);
        },
      );
    } finally {
      await echoing.close();
    }
  });
});

test('a URL object that is not http(s) is refused like a string one', () => {
  assert.throws(
    () => new HttpTransport({ url: new URL('ftp://example.com/x') }),
    /url: expected an http:\/\/ or https:\/\/ URL/,
  );
});
