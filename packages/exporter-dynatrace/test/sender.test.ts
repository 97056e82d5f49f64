import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import type { HttpResponse, SendResult } from '@otelpack/batching-core';
import { LineSender, readIngestAnswer } from '../src';

function sender(url = 'http://127.0.0.1:9/api/v2/metrics/ingest', onRefused?: (s: number) => void) {
  return new LineSender({ url: new URL(url), display: url, name: 'dynatrace', onRefused });
}

function response(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    headers,
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

// The documented answers (Dynatrace API v2 "POST ingest data points": 202 Accepted, 400 with
// linesOk / linesInvalid / error.invalidLines[] {line (1-based), error}).
const PARTIAL = {
  linesOk: 2,
  linesInvalid: 2,
  error: {
    code: 400,
    message: '2 invalid lines',
    invalidLines: [
      { line: 2, error: "invalid payload: expected 'gauge' or 'count'" },
      { line: 4, error: 'dimension value too long' },
    ],
  },
  warnings: null,
};

const UNNAMED = (counted: number, named: number) =>
  `HTTP 400: the ingest counted ${counted} invalid lines but named ${named}; this line is counted as one of those it did not name`;

describe('LineSender: the ingest’s answer settles each line', () => {
  const cases: { title: string; answer: HttpResponse; size: number; expected: SendResult }[] = [
    {
      title: '202: every line delivered',
      answer: response(202, { linesOk: 3, linesInvalid: 0, error: null, warnings: null }),
      size: 3,
      expected: { kind: 'delivered', httpStatus: 202 },
    },
    {
      title: '400 with invalid lines: those refused with their error, the others delivered',
      answer: response(400, PARTIAL),
      size: 4,
      expected: {
        kind: 'partial',
        httpStatus: 400,
        failures: [
          {
            index: 1,
            retryable: false,
            reason: "HTTP 400: line 2: invalid payload: expected 'gauge' or 'count'",
          },
          { index: 3, retryable: false, reason: 'HTTP 400: line 4: dimension value too long' },
        ],
      },
    },
    {
      title: '400 naming every line: every line refused, each with its error',
      answer: response(400, {
        linesOk: 0,
        linesInvalid: 1,
        error: {
          code: 400,
          message: '1 invalid lines',
          invalidLines: [{ line: 1, error: 'bad key' }],
        },
      }),
      size: 1,
      expected: {
        kind: 'partial',
        httpStatus: 400,
        failures: [{ index: 0, retryable: false, reason: 'HTTP 400: line 1: bad key' }],
      },
    },
    {
      title: 'line numbers outside the request, or named twice, count once or not at all',
      answer: response(400, {
        linesOk: 1,
        linesInvalid: 1,
        error: {
          invalidLines: [
            { line: 2, error: 'x' },
            { line: 2, error: 'x' },
            { line: 9, error: 'y' },
            { line: 0, error: 'z' },
          ],
        },
      }),
      size: 2,
      expected: {
        kind: 'partial',
        httpStatus: 400,
        failures: [{ index: 1, retryable: false, reason: 'HTTP 400: line 2: x' }],
      },
    },
    {
      title: 'more invalid lines counted than named: the unnamed ones refused too, the last lines',
      answer: response(400, {
        linesOk: 2,
        linesInvalid: 3,
        error: { code: 400, invalidLines: [{ line: 2, error: 'bad key' }] },
      }),
      size: 5,
      expected: {
        kind: 'partial',
        httpStatus: 400,
        failures: [
          { index: 1, retryable: false, reason: 'HTTP 400: line 2: bad key' },
          { index: 4, retryable: false, reason: UNNAMED(3, 1) },
          { index: 3, retryable: false, reason: UNNAMED(3, 1) },
        ],
      },
    },
    {
      title: 'invalid lines counted and none named: that many refused, never counted delivered',
      answer: response(202, { linesOk: 1, linesInvalid: 1, error: null }),
      size: 2,
      expected: {
        kind: 'partial',
        httpStatus: 202,
        failures: [{ index: 1, retryable: false, reason: UNNAMED(1, 0) }],
      },
    },
    {
      title: 'more invalid lines counted than the request has: every line refused, once',
      answer: response(400, {
        linesInvalid: 9,
        error: { invalidLines: [{ line: 1, error: 'x' }] },
      }),
      size: 2,
      expected: {
        kind: 'partial',
        httpStatus: 400,
        failures: [
          { index: 0, retryable: false, reason: 'HTTP 400: line 1: x' },
          { index: 1, retryable: false, reason: UNNAMED(2, 1) },
        ],
      },
    },
    {
      title: '400 without a line list (an empty body, say): the batch refused',
      answer: response(400, { error: { code: 400, message: 'Empty payload' } }),
      size: 2,
      expected: {
        kind: 'permanent',
        httpStatus: 400,
        reason:
          'http://127.0.0.1:9/api/v2/metrics/ingest: HTTP 400: {"error":{"code":400,"message":"Empty payload"}}',
      },
    },
    {
      title: '413: too large, the core halves the batch',
      answer: response(413, { error: { code: 413, message: 'Payload too large' } }),
      size: 2,
      expected: {
        kind: 'too_large',
        httpStatus: 413,
        reason: 'HTTP 413: {"error":{"code":413,"message":"Payload too large"}}',
      },
    },
    {
      title: '429: retried, with back-pressure and Retry-After',
      answer: response(429, '', { 'retry-after': '3' }),
      size: 2,
      expected: {
        kind: 'retryable',
        httpStatus: 429,
        reason: 'http://127.0.0.1:9/api/v2/metrics/ingest: HTTP 429',
        retryAfterMs: 3000,
        backpressure: true,
      },
    },
    {
      title: '503: retried',
      answer: response(503, 'unavailable'),
      size: 1,
      expected: {
        kind: 'retryable',
        httpStatus: 503,
        reason: 'http://127.0.0.1:9/api/v2/metrics/ingest: HTTP 503: unavailable',
        backpressure: true,
      },
    },
  ];
  for (const c of cases) {
    it(c.title, () => assert.deepEqual(sender().settle(c.answer, c.size), c.expected));
  }

  it('401 and 403: refused, and the token problem told', () => {
    const told: number[] = [];
    const s = sender(undefined, (status) => told.push(status));
    assert.equal(
      s.settle(response(401, { error: { code: 401, message: 'Missing authorization' } }), 1).kind,
      'permanent',
    );
    assert.equal(
      s.settle(
        response(403, { error: { code: 403, message: 'Token is missing required scope' } }),
        1,
      ).kind,
      'permanent',
    );
    assert.deepEqual(told, [401, 403]);
  });

  it('readIngestAnswer: not an answer of the ingest, undefined', () => {
    assert.equal(readIngestAnswer('<html>bad gateway</html>'), undefined);
    assert.equal(readIngestAnswer('{"other":1}'), undefined);
    assert.deepEqual(
      readIngestAnswer(JSON.stringify(PARTIAL))?.invalidLines.map((l) => l.line),
      [2, 4],
    );
  });
});

describe('LineSender: the request', () => {
  it('posts the lines as text/plain, one a line, with the token header', async () => {
    let seen: { headers: Record<string, unknown>; body: string; path: string } | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = {
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          path: req.url ?? '',
        };
        res
          .writeHead(202, { 'content-type': 'application/json' })
          .end('{"linesOk":2,"linesInvalid":0}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v2/metrics/ingest`;
    const s = new LineSender({
      url: new URL(url),
      display: url,
      name: 'dynatrace',
      transport: { headers: { authorization: 'Api-Token dt0c01.ABC' } },
    });
    try {
      const result = await s.send(['a gauge,1', 'b.count count,delta=2'], {
        signal: new AbortController().signal,
        attempt: 1,
      });
      assert.equal(result.kind, 'delivered');
      assert.equal(seen?.path, '/api/v2/metrics/ingest');
      assert.equal(seen?.body, 'a gauge,1\nb.count count,delta=2');
      assert.equal(seen?.headers['content-type'], 'text/plain; charset=utf-8');
      assert.equal(seen?.headers.authorization, 'Api-Token dt0c01.ABC');
      assert.equal(seen?.headers['content-encoding'], undefined);
    } finally {
      await s.close();
      server.close();
    }
  });

  it('sizeOf: UTF-8 bytes and the newline', () => {
    assert.equal(sender().sizeOf('ä gauge,1'), 11);
  });
});
