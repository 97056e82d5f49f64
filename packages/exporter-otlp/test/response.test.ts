import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpResponse, SendResult } from '@otelpack/batching-core';
import { encodeExportResponse, encodeStatus } from '../../../integration/src/protocols/otlp';
import { classifyOtlpResponse, readErrorReason, readPartialSuccess } from '../src';

/*
 * OTLP/HTTP's answers, built with the official definitions (protobufjs over integration/proto),
 * read by this package's own reader: what each one comes to for the core.
 */

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const JSON_TYPE = { 'content-type': 'application/json' };

function answer(status: number, body: Buffer, headers: HttpResponse['headers'] = PROTOBUF) {
  return { status, headers, body };
}
const noRedaction = (text: string) => text;
const classify = (response: HttpResponse, batch = 10) =>
  classifyOtlpResponse(response, batch, noRedaction, Date.parse('2030-01-01T00:00:00Z'));

describe('OTLP/HTTP answers', () => {
  it('200 with an empty body or an empty response: delivered', () => {
    assert.equal(classify(answer(200, Buffer.alloc(0))).kind, 'delivered');
    assert.equal(classify(answer(200, encodeExportResponse('traces', false))).kind, 'delivered');
    assert.equal(
      classify(answer(200, encodeExportResponse('logs', true), JSON_TYPE)).kind,
      'delivered',
    );
  });

  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    for (const json of [false, true]) {
      it(`${signal}, ${json ? 'JSON' : 'protobuf'}: partial_success rejects the last N records, with the message`, () => {
        const body = encodeExportResponse(signal, json, { rejected: 3, message: 'bad attribute' });
        const result = classify(answer(200, body, json ? JSON_TYPE : PROTOBUF), 10);
        assert.equal(result.kind, 'partial');
        const failures = (result as Extract<SendResult, { kind: 'partial' }>).failures;
        assert.deepEqual(
          failures.map((f) => f.index),
          [7, 8, 9],
        );
        assert.ok(failures.every((f) => !f.retryable && /bad attribute/.test(f.reason)));
      });
    }
  }

  it('partial_success with 0 rejected and a message is a warning: delivered', () => {
    const body = encodeExportResponse('traces', false, { rejected: 0, message: 'slow down soon' });
    assert.deepEqual(readPartialSuccess(body, 'application/x-protobuf'), {
      rejected: 0,
      errorMessage: 'slow down soon',
    });
    assert.equal(classify(answer(200, body)).kind, 'delivered');
  });

  it('more rejected than were sent: the whole batch, no more', () => {
    const body = encodeExportResponse('traces', false, { rejected: 50, message: 'x' });
    const result = classify(answer(200, body), 4) as Extract<SendResult, { kind: 'partial' }>;
    assert.equal(result.failures.length, 4);
  });

  it('429, 502, 503, 504: retryable, Retry-After honoured (seconds and HTTP date)', () => {
    for (const status of [429, 502, 503, 504]) {
      const result = classify(
        answer(status, encodeStatus(14, 'unavailable', false), { ...PROTOBUF, 'retry-after': '7' }),
      );
      assert.equal(result.kind, 'retryable', String(status));
      assert.equal((result as { retryAfterMs?: number }).retryAfterMs, 7000);
    }
    const dated = classify(
      answer(503, Buffer.alloc(0), { 'retry-after': 'Tue, 01 Jan 2030 00:00:30 GMT' }),
    );
    assert.equal((dated as { retryAfterMs?: number }).retryAfterMs, 30_000);
  });

  it('other 4xx and 5xx (500, 501, 400, 401, 403, 404, 408): permanent, not retried', () => {
    for (const status of [400, 401, 403, 404, 408, 500, 501]) {
      assert.equal(classify(answer(status, Buffer.alloc(0))).kind, 'permanent', String(status));
    }
  });

  it('413: too large (the core halves the batch)', () => {
    assert.equal(classify(answer(413, Buffer.alloc(0))).kind, 'too_large');
  });

  it('a google.rpc.Status body, protobuf or JSON, is the reason', () => {
    const proto = classify(answer(400, encodeStatus(3, 'span name is empty', false)));
    assert.equal(
      (proto as { reason: string }).reason,
      'HTTP 400: span name is empty (INVALID_ARGUMENT)',
    );
    const json = classify(answer(403, encodeStatus(7, 'token not valid', true), JSON_TYPE));
    assert.equal(
      (json as { reason: string }).reason,
      'HTTP 403: token not valid (PERMISSION_DENIED)',
    );
    assert.equal(
      readErrorReason(Buffer.from('plain text error'), 'text/plain'),
      'plain text error',
    );
  });

  it('the reason is redacted', () => {
    const result = classifyOtlpResponse(
      answer(401, encodeStatus(16, 'token abc123secret rejected', false)),
      1,
      (text) => text.replaceAll('abc123secret', '[REDACTED]'),
    );
    assert.equal(
      (result as { reason: string }).reason,
      'HTTP 401: token [REDACTED] rejected (UNAUTHENTICATED)',
    );
  });

  it('a body that does not decode: no partial success, and its text as the reason', () => {
    assert.equal(
      readPartialSuccess(Buffer.from([0x0a, 0x05, 0x08]), 'application/x-protobuf'),
      undefined,
    );
    assert.equal(classify(answer(200, Buffer.from([0x0a, 0x05, 0x08]))).kind, 'delivered');
  });
});
