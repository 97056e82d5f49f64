import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { compressBody, SYNC_COMPRESS_MAX_BYTES } from '../src/http/compress';
import type { BodyCompression } from '../src/http/compress';

const CODECS: [BodyCompression, (bytes: Buffer) => Buffer][] = [
  [{ codec: 'gzip' }, gunzipSync],
  [{ codec: 'gzip', level: 1 }, gunzipSync],
  [{ codec: 'br' }, brotliDecompressSync],
  [{ codec: 'br', level: 0 }, brotliDecompressSync],
];

describe('compressBody', () => {
  test('a body up to the limit is compressed at once, on the calling thread', () => {
    for (const [compression, decode] of CODECS) {
      for (const bytes of [0, 1, 1_000, SYNC_COMPRESS_MAX_BYTES]) {
        const body = Buffer.alloc(bytes, 'otlp ');
        const compressed = compressBody(body, compression);
        const label = `${JSON.stringify(compression)}, ${bytes} bytes`;
        assert.ok(Buffer.isBuffer(compressed), `${label}: a Buffer, not a promise`);
        assert.deepEqual(decode(compressed), body, label);
      }
    }
  });

  test('a larger body goes to the thread pool (a promise), and decodes the same', async () => {
    // Random bytes do not compress: the output is larger than zlib's 16 KB chunks, so the
    // pool's chunked path is exercised too.
    const body = randomBytes(4 * SYNC_COMPRESS_MAX_BYTES + 1);
    for (const [compression, decode] of CODECS) {
      const compressed = compressBody(body, compression);
      assert.ok(compressed instanceof Promise, JSON.stringify(compression));
      assert.deepEqual(decode(await compressed), body, JSON.stringify(compression));
    }
  });

  test('the level reaches the codec: a higher one gives fewer bytes of the same text', async () => {
    const body = Buffer.from(
      Array.from({ length: 4_000 }, (_, i) => `span ${i % 97} route /api/${(i * 31) % 211}`).join(
        '\n',
      ),
    );
    const size = async (compression: BodyCompression) =>
      (await compressBody(body, compression)).length;
    assert.ok(
      (await size({ codec: 'gzip', level: 9 })) < (await size({ codec: 'gzip', level: 1 })),
    );
    assert.ok((await size({ codec: 'br', level: 11 })) < (await size({ codec: 'br', level: 1 })));
  });

  test('the limit counts UTF-8 bytes; a Uint8Array view is compressed as its own bytes', async () => {
    // Within the limit in characters, past it in bytes: the thread pool.
    const text = 'é'.repeat(SYNC_COMPRESS_MAX_BYTES / 2 + 1);
    const compressed = compressBody(text, { codec: 'gzip' });
    assert.ok(compressed instanceof Promise);
    assert.equal(gunzipSync(await compressed).toString('utf8'), text);
    const whole = Buffer.from('abc'.repeat(100));
    const view = new Uint8Array(whole.buffer, whole.byteOffset + 3, 30);
    assert.equal(
      gunzipSync(await compressBody(view, { codec: 'gzip' })).toString(),
      'abc'.repeat(10),
    );
    assert.equal(
      brotliDecompressSync(await compressBody(view, { codec: 'br' })).toString(),
      'abc'.repeat(10),
    );
  });

  test('at a fast level (gzip 1-2, Brotli 0-2) four times the bytes stay on the calling thread', async () => {
    const body = Buffer.alloc(4 * SYNC_COMPRESS_MAX_BYTES, 'otlp ');
    for (const [compression, decode] of CODECS) {
      const compressed = compressBody(body, compression);
      const fast = compression.level !== undefined && compression.level <= 2;
      assert.equal(Buffer.isBuffer(compressed), fast, JSON.stringify(compression));
      assert.deepEqual(decode(await compressed), body, JSON.stringify(compression));
    }
    const past = compressBody(Buffer.alloc(4 * SYNC_COMPRESS_MAX_BYTES + 1), {
      codec: 'br',
      level: 1,
    });
    assert.ok(past instanceof Promise);
    await past;
  });

  test("Brotli's slow qualities (5-11) never run on the calling thread", async () => {
    for (const level of [5, 9, 11]) {
      const compressed = compressBody('small', { codec: 'br', level });
      assert.ok(compressed instanceof Promise, `quality ${level}`);
      assert.equal(brotliDecompressSync(await compressed).toString(), 'small');
    }
    assert.ok(Buffer.isBuffer(compressBody('small', { codec: 'br', level: 4 })));
    assert.ok(Buffer.isBuffer(compressBody('small', { codec: 'gzip', level: 9 })));
  });

  test('a limit of 0 sends every body to the pool', async () => {
    for (const [compression, decode] of CODECS) {
      const compressed = compressBody('small', compression, 0);
      assert.ok(compressed instanceof Promise);
      assert.equal(decode(await compressed).toString(), 'small');
    }
  });
});
