import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { gzipBody, SYNC_GZIP_MAX_BYTES } from '../src/http/gzip';

describe('gzipBody', () => {
  test('a body up to the limit is compressed at once, on the calling thread', () => {
    for (const bytes of [0, 1, 1_000, SYNC_GZIP_MAX_BYTES]) {
      const body = Buffer.alloc(bytes, 'otlp ');
      const compressed = gzipBody(body);
      assert.ok(Buffer.isBuffer(compressed), `${bytes} bytes: a Buffer, not a promise`);
      assert.deepEqual(gunzipSync(compressed), body);
    }
  });

  test('a larger body goes to the thread pool (a promise), and decodes the same', async () => {
    // Random bytes do not compress: the output is larger than zlib's 16 KB chunks, so the
    // pool's chunked path is exercised too.
    const body = randomBytes(SYNC_GZIP_MAX_BYTES + 1);
    const compressed = gzipBody(body);
    assert.ok(compressed instanceof Promise);
    assert.deepEqual(gunzipSync(await compressed), body);
  });

  test('the limit counts UTF-8 bytes; a Uint8Array view is compressed as its own bytes', async () => {
    // Within the limit in characters, past it in bytes: the thread pool.
    const text = 'é'.repeat(SYNC_GZIP_MAX_BYTES / 2 + 1);
    const compressed = gzipBody(text);
    assert.ok(compressed instanceof Promise);
    assert.equal(gunzipSync(await compressed).toString('utf8'), text);
    const whole = Buffer.from('abc'.repeat(100));
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 30);
    assert.equal(gunzipSync(await gzipBody(view)).toString(), 'abc'.repeat(10));
  });

  test('a limit of 0 sends every body to the pool', async () => {
    const compressed = gzipBody('small', 0);
    assert.ok(compressed instanceof Promise);
    assert.equal(gunzipSync(await compressed).toString(), 'small');
  });
});
