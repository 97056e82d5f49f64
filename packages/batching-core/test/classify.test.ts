import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyStatus,
  errorCode,
  isRetryableNetworkError,
  isRetryableStatus,
} from '../src/http/classify';
import type { SendResult } from '../src/types';

const NOW_MS = Date.UTC(2024, 0, 1, 0, 0, 0);

describe('classifyStatus', () => {
  const cases: {
    status: number;
    retryAfter?: string | string[] | null;
    detail?: string;
    expected: SendResult;
  }[] = [
    { status: 200, expected: { kind: 'delivered' } },
    { status: 201, expected: { kind: 'delivered' } },
    { status: 202, expected: { kind: 'delivered' } },
    { status: 204, expected: { kind: 'delivered' } },
    { status: 299, expected: { kind: 'delivered' } },
    { status: 200, detail: 'ignored on success', expected: { kind: 'delivered' } },
    { status: 301, expected: { kind: 'permanent', reason: 'HTTP 301' } },
    { status: 304, expected: { kind: 'permanent', reason: 'HTTP 304' } },
    {
      status: 400,
      detail: 'mapper_parsing_exception',
      expected: { kind: 'permanent', reason: 'HTTP 400: mapper_parsing_exception' },
    },
    { status: 401, expected: { kind: 'permanent', reason: 'HTTP 401' } },
    { status: 403, expected: { kind: 'permanent', reason: 'HTTP 403' } },
    { status: 404, expected: { kind: 'permanent', reason: 'HTTP 404' } },
    { status: 408, expected: { kind: 'retryable', reason: 'HTTP 408', backpressure: false } },
    { status: 409, expected: { kind: 'permanent', reason: 'HTTP 409' } },
    {
      status: 413,
      detail: 'too big',
      expected: { kind: 'too_large', reason: 'HTTP 413: too big' },
    },
    // Retry-After on a permanent status is ignored.
    { status: 400, retryAfter: '10', expected: { kind: 'permanent', reason: 'HTTP 400' } },
    { status: 429, expected: { kind: 'retryable', reason: 'HTTP 429', backpressure: true } },
    {
      status: 429,
      retryAfter: '7',
      expected: { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: 7_000, backpressure: true },
    },
    {
      status: 429,
      retryAfter: '0.5',
      expected: { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: 500, backpressure: true },
    },
    {
      status: 429,
      retryAfter: 'Mon, 01 Jan 2024 00:00:30 GMT',
      expected: { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: 30_000, backpressure: true },
    },
    {
      status: 429,
      retryAfter: ['2', '9'],
      expected: { kind: 'retryable', reason: 'HTTP 429', retryAfterMs: 2_000, backpressure: true },
    },
    // A malformed hint is ignored, not trusted.
    {
      status: 429,
      retryAfter: 'later',
      expected: { kind: 'retryable', reason: 'HTTP 429', backpressure: true },
    },
    {
      status: 429,
      retryAfter: null,
      expected: { kind: 'retryable', reason: 'HTTP 429', backpressure: true },
    },
    {
      status: 500,
      detail: 'boom',
      expected: { kind: 'retryable', reason: 'HTTP 500: boom', backpressure: false },
    },
    { status: 501, expected: { kind: 'permanent', reason: 'HTTP 501' } },
    { status: 502, expected: { kind: 'retryable', reason: 'HTTP 502', backpressure: false } },
    { status: 503, expected: { kind: 'retryable', reason: 'HTTP 503', backpressure: true } },
    {
      status: 503,
      retryAfter: '120',
      expected: {
        kind: 'retryable',
        reason: 'HTTP 503',
        retryAfterMs: 120_000,
        backpressure: true,
      },
    },
    {
      status: 504,
      retryAfter: '3',
      expected: { kind: 'retryable', reason: 'HTTP 504', retryAfterMs: 3_000, backpressure: false },
    },
    { status: 599, expected: { kind: 'retryable', reason: 'HTTP 599', backpressure: false } },
    { status: 600, expected: { kind: 'permanent', reason: 'HTTP 600' } },
    { status: 100, expected: { kind: 'permanent', reason: 'HTTP 100' } },
  ];
  for (const c of cases) {
    const label = `${c.status}${c.retryAfter !== undefined ? ` Retry-After ${JSON.stringify(c.retryAfter)}` : ''}${c.detail ? ` (${c.detail})` : ''}`;
    test(label, () => {
      // Every result carries the status it was read from, for self-telemetry.
      assert.deepEqual(classifyStatus(c.status, c.retryAfter, c.detail, NOW_MS), {
        ...c.expected,
        httpStatus: c.status,
      });
    });
  }

  test('isRetryableStatus agrees with the classification for every status 100..699', () => {
    const retryable: number[] = [];
    for (let status = 100; status < 700; status++) {
      const kind = classifyStatus(status, undefined, undefined, NOW_MS).kind;
      assert.equal(isRetryableStatus(status), kind === 'retryable', `status ${status}`);
      if (isRetryableStatus(status)) retryable.push(status);
    }
    const expected = [
      408,
      429,
      ...Array.from({ length: 100 }, (_, i) => 500 + i).filter((s) => s !== 501),
    ];
    assert.deepEqual(retryable, expected);
  });
});

describe('network errors', () => {
  const retryable = [
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'EPIPE',
    'ETIMEDOUT',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'ENETDOWN',
    'EHOSTUNREACH',
    'EHOSTDOWN',
    'UND_ERR_SOCKET',
    'UND_ERR_CONNECT_TIMEOUT',
    'UND_ERR_HEADERS_TIMEOUT',
    'UND_ERR_BODY_TIMEOUT',
    'UND_ERR_CLOSED',
    'UND_ERR_DESTROYED',
    'UND_ERR_ABORTED',
  ];
  const permanent = [
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_INVALID_URL',
    'UND_ERR_INVALID_ARG',
  ];

  function withCode(code: string, message = 'failed'): Error {
    return Object.assign(new Error(message), { code });
  }

  for (const code of retryable) {
    test(`${code} is retryable, at the top and nested in cause`, () => {
      assert.equal(errorCode(withCode(code)), code);
      assert.equal(isRetryableNetworkError(withCode(code)), true);
      // undici: TypeError('fetch failed') { cause: Error { code } }
      const nested = new TypeError('fetch failed', { cause: withCode(code) });
      assert.equal(errorCode(nested), code);
      assert.equal(isRetryableNetworkError(nested), true);
    });
  }

  for (const code of permanent) {
    test(`${code} is permanent, at the top and nested in cause`, () => {
      assert.equal(errorCode(withCode(code)), code);
      assert.equal(isRetryableNetworkError(withCode(code)), false);
      const nested = new Error('request failed', { cause: withCode(code) });
      assert.equal(errorCode(nested), code);
      assert.equal(isRetryableNetworkError(nested), false);
    });
  }

  test('a known code nested under an unknown one wins', () => {
    const error = Object.assign(new Error('outer'), {
      code: 'UND_ERR_SOMETHING_NEW',
      cause: withCode('DEPTH_ZERO_SELF_SIGNED_CERT'),
    });
    assert.equal(errorCode(error), 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.equal(isRetryableNetworkError(error), false);
  });

  test('a code three causes deep is found', () => {
    const deep = new Error('a', {
      cause: new Error('b', { cause: new Error('c', { cause: withCode('CERT_HAS_EXPIRED') }) }),
    });
    assert.equal(errorCode(deep), 'CERT_HAS_EXPIRED');
    assert.equal(isRetryableNetworkError(deep), false);
  });

  test('the outermost code is the answer when no known code is found', () => {
    const error = Object.assign(new Error('odd'), {
      code: 'E_SOMETHING',
      cause: withCode('E_OTHER'),
    });
    assert.equal(errorCode(error), 'E_SOMETHING');
    // Unknown network failures are retried: maxElapsedMs bounds them.
    assert.equal(isRetryableNetworkError(error), true);
  });

  const codeless: { name: string; error: unknown }[] = [
    { name: 'an Error without code', error: new Error('socket hang up') },
    { name: 'a string', error: 'boom' },
    { name: 'undefined', error: undefined },
    { name: 'null', error: null },
    { name: 'a numeric code', error: Object.assign(new Error('x'), { code: 42 }) },
  ];
  for (const c of codeless) {
    test(`${c.name}: no code, retryable`, () => {
      assert.equal(errorCode(c.error), undefined);
      assert.equal(isRetryableNetworkError(c.error), true);
    });
  }

  test('a cyclic cause chain terminates', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.equal(errorCode(a), undefined);
    assert.equal(isRetryableNetworkError(a), true);
  });
});
