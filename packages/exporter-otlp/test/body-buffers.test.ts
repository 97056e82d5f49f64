import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HttpRequest, HttpResponse, HttpTransport } from '@otelpack/batching-core';
import { OtlpSender, ProtobufCodec, spanMapping } from '../src';
import type { OtlpRecord } from '../src';
import { sdkSpans } from './helpers/sdk-data';

/*
 * The sender writes each request into a buffer handed back after the previous 2xx answer. What
 * reaches the transport must still be the batch's exact encoding (a reused buffer holds the
 * bytes of an older, larger request), and a buffer whose request did not end in a 2xx is never
 * reused (the transport may still be writing it).
 */

function records(count: number): OtlpRecord[] {
  const codec = new ProtobufCodec();
  const mapping = spanMapping(codec) as unknown as {
    map(items: unknown[]): { records: OtlpRecord[] };
  };
  return mapping.map(sdkSpans(count, false)).records;
}

/** A transport that keeps a copy of each body as sent, the body itself, and answers `status`. */
function recordingSender(statuses: number[]) {
  const sent: { copy: Buffer; body: Buffer }[] = [];
  const transport = {
    async request(request: HttpRequest): Promise<HttpResponse> {
      const body = request.body as Buffer;
      sent.push({ copy: Buffer.from(body), body });
      const status = statuses[sent.length - 1] ?? 200;
      return { status, headers: {}, body: Buffer.alloc(0) };
    },
    redact: (text: string) => text,
    classifyError: () => ({ kind: 'retryable', reason: 'unexpected' }),
    close: async () => undefined,
  } as unknown as HttpTransport;
  const sender = new OtlpSender({
    signal: 'traces',
    codec: new ProtobufCodec(),
    endpoints: [{ url: new URL('http://127.0.0.1:4318/v1/traces'), display: 'fake' }],
    compression: 'none',
    name: 'test',
    createTransport: () => transport,
  });
  return { sender, sent };
}

const context = () => ({ signal: new AbortController().signal }) as never;

describe('request bodies in reused buffers', () => {
  it('after a 2xx the next body is written into the same memory, and is exactly its batch', async () => {
    const { sender, sent } = recordingSender([200, 200, 200]);
    const large = records(40);
    const small = records(6);
    const smallAgain = records(12);
    await sender.send(large, context());
    await sender.send(small, context());
    await sender.send(smallAgain, context());
    assert.equal(sent.length, 3);
    assert.equal(sent[1].body.buffer, sent[0].body.buffer, 'the buffer was reused');
    assert.equal(sent[2].body.buffer, sent[0].body.buffer);
    const fresh = new ProtobufCodec();
    assert.deepEqual(sent[0].copy, fresh.request(large, 'traces'));
    assert.deepEqual(sent[1].copy, fresh.request(small, 'traces'));
    assert.deepEqual(sent[2].copy, fresh.request(smallAgain, 'traces'));
    assert.equal(sent[1].body.length, sent[1].copy.length, 'the body is the request alone');
  });

  it('after a non-2xx answer the buffer is not reused', async () => {
    const { sender, sent } = recordingSender([503, 200, 400, 200]);
    const batch = records(8);
    for (let i = 0; i < 4; i++) await sender.send(batch, context());
    assert.notEqual(sent[1].body.buffer, sent[0].body.buffer, 'not after a 503');
    assert.notEqual(sent[3].body.buffer, sent[2].body.buffer, 'not after a 400');
    // the 200 of the second send freed its buffer for the third
    assert.equal(sent[2].body.buffer, sent[1].body.buffer);
  });
});
