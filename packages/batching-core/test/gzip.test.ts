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

  test('text is compressed as its UTF-8 bytes, a Uint8Array as its bytes', async () => {
    const text = 'héllo wörld ✓ '.repeat(30_000); // > the limit in UTF-8
    assert.equal(gunzipSync(await gzipBody(text)).toString('utf8'), text);
    const whole = Buffer.from('abc'.repeat(100));
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 30);
    assert.equal(gunzipSync(await gzipBody(view)).toString(), 'abc'.repeat(10));
  });
});
