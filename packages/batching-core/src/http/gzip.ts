import { promisify } from 'node:util';
import { gzip as gzipCallback, gzipSync } from 'node:zlib';

const gzipAsync = promisify(gzipCallback);

/**
 * Bodies up to this many bytes are compressed on the calling thread; larger ones on libuv's
 * thread pool. A one-shot `zlib.gzip` costs 1.5-1.9x the CPU of `gzipSync` for the same
 * bytes (an 80 KB OTLP logs request at level 6 on the 2-core CI VM: 740-920 µs of process CPU
 * against 480-510 µs, of which 140-230 µs on the main thread for the stream machinery alone).
 * 256 KB takes ~1.5 ms at level 6 there, about what mapping the same records cost the event loop
 * beforehand; a larger body (up to the batch limits' megabytes) would hold the loop for tens of
 * milliseconds, and goes to the pool. The price is event-loop time: ~0.5 ms per 80 KB body there
 * where the pool's call takes ~0.15-0.25 ms of it; a service that wants none sets the
 * transport's `gzipOnCallingThreadMaxBytes` to 0.
 */
export const SYNC_GZIP_MAX_BYTES = 256 * 1024;

/**
 * `body` gzip-compressed at zlib's default level (6), as Node's and the official exporters do:
 * at once when its UTF-8 bytes are at most `callingThreadMaxBytes`, else on the thread pool.
 */
export function gzipBody(
  body: Uint8Array | string,
  callingThreadMaxBytes = SYNC_GZIP_MAX_BYTES,
): Buffer | Promise<Buffer> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return bytes.length <= callingThreadMaxBytes ? gzipSync(bytes) : gzipAsync(bytes);
}
