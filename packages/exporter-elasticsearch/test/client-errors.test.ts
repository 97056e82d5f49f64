import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errors } from '@elastic/elasticsearch';
import { classifyClientError } from '../src/bulk/client-errors';

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
