import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BodyBuffers } from '../src';

/*
 * The buffers request bodies are written into, kept from one request to the next (OTLP,
 * ClickHouse and Elasticsearch senders; each sender's own test checks what it sends from them).
 */
describe('BodyBuffers', () => {
  it('BodyBuffers hands back a kept buffer large enough, and allocates otherwise', () => {
    const buffers = new BodyBuffers(2);
    const first = buffers.take(100);
    assert.ok(first.length >= 100);
    buffers.give(first);
    assert.equal(buffers.take(50), first);
    assert.equal(buffers.kept, 0);
    buffers.give(first);
    const larger = buffers.take(first.length + 1);
    assert.notEqual(larger, first);
    assert.equal(buffers.kept, 1, 'the smaller one stays kept');
    buffers.give(larger);
    buffers.give(Buffer.alloc(10));
    assert.equal(buffers.kept, 2, 'no more than `keep`');
  });

  it('keeps none larger than its bound, and sizes new buffers in 64 KiB steps', () => {
    const buffers = new BodyBuffers(4, 128 * 1024);
    const small = buffers.take(1);
    assert.equal(small.length, 64 * 1024);
    assert.equal(buffers.take(64 * 1024 + 1).length, 128 * 1024);
    const large = buffers.take(128 * 1024 + 1);
    assert.equal(large.length, 192 * 1024);
    buffers.give(large);
    assert.equal(buffers.kept, 0, 'over largestBytes: not kept');
    buffers.give(small);
    assert.equal(buffers.kept, 1);
  });

  it('takes a body back after a 2xx answer only: any other outcome may leave it in the transport', () => {
    const rows: [number | undefined, number][] = [
      [200, 1],
      [204, 1],
      [299, 1],
      [199, 0],
      [300, 0],
      [413, 0],
      [503, 0],
      [undefined, 0],
    ];
    for (const [status, kept] of rows) {
      const buffers = new BodyBuffers();
      buffers.giveAfterAnswer(buffers.take(10), status);
      assert.equal(buffers.kept, kept, `status ${status}`);
    }
    const buffers = new BodyBuffers();
    buffers.giveAfterAnswer(undefined, 200);
    assert.equal(buffers.kept, 0, 'nothing taken, nothing kept');
  });
});
