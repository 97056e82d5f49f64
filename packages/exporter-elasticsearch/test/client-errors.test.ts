import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '@elastic/elasticsearch';
import { classifyClientError, mayHaveBeenApplied } from '../src/bulk/client-errors';

// The client's own error classes, built as the transport builds them.
function responseError(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return new errors.ResponseError({
    body,
    statusCode,
    headers,
    warnings: null,
    meta: {} as never,
  });
}

const NOW = Date.parse('2024-01-15T10:30:00Z');

test('client errors: HTTP statuses follow the core classification, client errors by name', () => {
  const esError = {
    error: { type: 'security_exception', reason: 'missing authentication credentials' },
    status: 401,
  };
  const cases: [string, unknown, unknown][] = [
    [
      '429 with Retry-After',
      responseError(
        429,
        { error: { type: 'circuit_breaking_exception', reason: 'data too large' } },
        { 'retry-after': '7' },
      ),
      {
        kind: 'retryable',
        reason: 'HTTP 429: circuit_breaking_exception: data too large',
        retryAfterMs: 7000,
        backpressure: true,
        httpStatus: 429,
      },
    ],
    [
      '503',
      responseError(503, 'busy'),
      { kind: 'retryable', reason: 'HTTP 503: busy', backpressure: true, httpStatus: 503 },
    ],
    [
      '401 is permanent',
      responseError(401, esError),
      {
        kind: 'permanent',
        reason: 'HTTP 401: security_exception: missing authentication credentials',
        httpStatus: 401,
      },
    ],
    [
      '413 is too large: the core splits the batch; the reason says what to do',
      responseError(413, ''),
      {
        kind: 'too_large',
        reason:
          'HTTP 413: ResponseError (the request exceeds http.max_content_length: lower maxBatchBytes)',
        httpStatus: 413,
      },
    ],
    [
      'timeout',
      new errors.TimeoutError('Request timed out'),
      { kind: 'retryable', reason: 'timeout: Request timed out', backpressure: true },
    ],
    [
      'connection refused',
      new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'),
      { kind: 'retryable', reason: 'connection: connect ECONNREFUSED 127.0.0.1:9200' },
    ],
    [
      'TLS',
      new errors.ConnectionError('self-signed certificate in certificate chain'),
      { kind: 'permanent', reason: 'TLS: self-signed certificate in certificate chain' },
    ],
    [
      'no living connections',
      new errors.NoLivingConnectionsError('none', {} as never),
      { kind: 'retryable', reason: 'no living connections: none' },
    ],
    [
      'aborted',
      new errors.RequestAbortedError('Request aborted'),
      { kind: 'retryable', reason: 'aborted: Request aborted' },
    ],
    [
      'unreadable answer',
      new errors.DeserializationError('Unexpected token', '{'),
      { kind: 'retryable', reason: 'unreadable answer: Unexpected token' },
    ],
    [
      'not Elasticsearch',
      new errors.ProductNotSupportedError('Elasticsearch'),
      {
        kind: 'permanent',
        reason:
          'the server did not identify itself as Elasticsearch (x-elastic-product header): The client noticed that the server is not Elasticsearch and we do not support this unknown product.',
      },
    ],
    [
      'configuration',
      new errors.ConfigurationError('bad'),
      { kind: 'permanent', reason: 'ConfigurationError: bad' },
    ],
    [
      'anything else',
      new Error('socket hang up'),
      { kind: 'retryable', reason: 'Error: socket hang up' },
    ],
  ];
  for (const [name, error, expected] of cases) {
    assert.deepEqual(classifyClientError(error, undefined, NOW), expected, name);
  }
});

test('client errors: secrets are scrubbed from reasons', () => {
  const result = classifyClientError(
    new errors.ConnectionError('connect to https://elastic:hunter22@es.example:9200 failed'),
    (text) => text.split('hunter22').join('[REDACTED]'),
  );
  assert.deepEqual(result, {
    kind: 'retryable',
    reason: 'connection: connect to https://elastic:[REDACTED]@es.example:9200 failed',
  });
});

test('client errors: whether Elasticsearch may have applied the request (a time series 409 after it is ours)', () => {
  const ES = { 'x-elastic-product': 'Elasticsearch' };
  const cases: [string, unknown, boolean][] = [
    // The answer was lost after the body went out: the request may have run.
    ['timeout', new errors.TimeoutError('Request timed out'), true],
    ['aborted by the deadline in flight', new errors.RequestAbortedError('Request aborted'), true],
    ['unreadable answer', new errors.DeserializationError('Unexpected token', '{'), true],
    [
      'connection cut mid-request (undici)',
      new errors.ConnectionError(
        'other side closed - Local: 127.0.0.1:51234, Remote: 127.0.0.1:9200',
      ),
      true,
    ],
    ['connection reset (node:http)', new errors.ConnectionError('read ECONNRESET'), true],
    ['socket hang up', new errors.ConnectionError('socket hang up'), true],
    ['500 from Elasticsearch', responseError(500, 'boom', ES), true],
    ['502 from a gateway', responseError(502, 'bad gateway'), true],
    ['504 from a gateway', responseError(504, 'gateway timeout'), true],
    // Envoy's answer after it forwarded the request and lost the upstream's.
    [
      '503 from a proxy, not Elasticsearch',
      responseError(503, 'upstream connect error or disconnect/reset before headers'),
      true,
    ],
    ['429 from a proxy', responseError(429, 'rate limited'), true],
    [
      'read EHOSTUNREACH on an open connection',
      new errors.ConnectionError('read EHOSTUNREACH'),
      true,
    ],
    [
      'write ENETUNREACH on an open connection',
      new errors.ConnectionError('write ENETUNREACH'),
      true,
    ],
    // Nothing left, or Elasticsearch refused the request whole before indexing.
    ['refused', new errors.ConnectionError('connect ECONNREFUSED 127.0.0.1:9200'), false],
    ['DNS', new errors.ConnectionError('getaddrinfo ENOTFOUND es.example'), false],
    ['DNS, try again', new errors.ConnectionError('getaddrinfo EAI_AGAIN es.example'), false],
    ['no route', new errors.ConnectionError('connect EHOSTUNREACH 10.0.0.9:9200'), false],
    ['connect timeout (undici)', new errors.ConnectionError('Connect Timeout Error'), false],
    ['TLS', new errors.ConnectionError('self-signed certificate in certificate chain'), false],
    ['no living connections', new errors.NoLivingConnectionsError('none', {} as never), false],
    [
      'an already aborted signal (the transport checks it before taking a connection)',
      new errors.RequestAbortedError('Request has been aborted by the user'),
      false,
    ],
    [
      "Elasticsearch's 429",
      responseError(429, { error: { type: 'es_rejected_execution_exception' } }, ES),
      false,
    ],
    [
      "Elasticsearch's 503",
      responseError(503, { error: { type: 'cluster_block_exception' } }, ES),
      false,
    ],
    ['400', responseError(400, { error: { type: 'illegal_argument_exception' } }), false],
    ['401', responseError(401, { error: { type: 'security_exception' } }), false],
    ['413', responseError(413, ''), false],
    ['configuration', new errors.ConfigurationError('bad'), false],
    ['not a request error (a header provider threw)', new Error('token expired'), false],
    ['undefined', undefined, false],
  ];
  for (const [name, error, expected] of cases) {
    assert.equal(mayHaveBeenApplied(error), expected, name);
  }
});
