import { promisify } from 'node:util';
import {
  brotliCompress as brotliCallback,
  brotliCompressSync,
  constants,
  gzip as gzipCallback,
  gzipSync,
} from 'node:zlib';
import type { BrotliOptions, ZlibOptions } from 'node:zlib';
import type { CompressionCodec } from '../options/define';

const gzipAsync = promisify<Uint8Array, ZlibOptions, Buffer>(gzipCallback);
const brotliAsync = promisify<Uint8Array, BrotliOptions, Buffer>(brotliCallback);

/**
 * Bodies up to this many bytes are compressed on the calling thread; larger ones on libuv's
 * thread pool. A one-shot `zlib.gzip` costs 1.5-1.9x the CPU of `gzipSync` for the same
 * bytes (an 80 KB OTLP logs request at level 6 on the 2-core CI VM: 740-920 µs of process CPU
 * against 480-510 µs, of which 140-230 µs on the main thread for the stream machinery alone);
 * for ClickHouse's 190 KB bodies at Brotli quality 1, 2.2x (and a zlib stream, as an HTTP client
 * pipes a body through, 2.5-4x). The pool's extra is per call: on 3 MB bodies it is gone.
 * 256 KB takes ~1.5 ms at gzip level 6 there, about what mapping the same records cost the event
 * loop beforehand; a larger body (up to the batch limits' megabytes) would hold the loop for tens
 * of milliseconds, and goes to the pool. The price is event-loop time: ~0.5 ms per 80 KB body
 * there where the pool's call takes ~0.15-0.25 ms of it; a service that wants none passes 0.
 */
export const SYNC_COMPRESS_MAX_BYTES = 256 * 1024;

/**
 * The fast settings (gzip level 1-2, Brotli quality 0-2) compress telemetry 4-10x faster than
 * gzip level 6 (ClickHouse rows on the CI VM: gzip 1 at 0.8 GB/s, Brotli 1 at 1.2-1.9 GB/s,
 * gzip 6 at 0.15 GB/s), so four times the bytes stay within the same event-loop time.
 */
function callingThreadMaxBytesOf(compression: BodyCompression): number {
  const level = compression.level;
  if (level !== undefined && level <= 2) return 4 * SYNC_COMPRESS_MAX_BYTES;
  // Brotli's slow qualities never run on the event loop: a 256 KB ClickHouse body took 16 ms
  // at quality 9 and 1,089 ms at 11 (gzip 9: 2.6 ms, fine).
  if (compression.codec === 'br' && (level ?? 4) > 4) return 0;
  return SYNC_COMPRESS_MAX_BYTES;
}

/**
 * A body's codec and its level: zlib's level for gzip (default 6, as Node's and the official
 * exporters use), Brotli's quality for br (default 4: zlib's 11 is for files, far too slow for
 * requests).
 */
export interface BodyCompression {
  codec: Exclude<CompressionCodec, 'none'>;
  level?: number;
}

/**
 * `body` compressed: at once when its UTF-8 bytes are at most `callingThreadMaxBytes` (by
 * default 256 KB, 1 MB at a fast level, nothing at Brotli's slow qualities 5-11), else on the
 * thread pool.
 */
export function compressBody(
  body: Uint8Array | string,
  compression: BodyCompression,
  callingThreadMaxBytes = callingThreadMaxBytesOf(compression),
): Buffer | Promise<Buffer> {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const onCallingThread = bytes.length <= callingThreadMaxBytes;
  if (compression.codec === 'gzip') {
    const options: ZlibOptions = { level: compression.level ?? constants.Z_DEFAULT_COMPRESSION };
    return onCallingThread ? gzipSync(bytes, options) : gzipAsync(bytes, options);
  }
  const options: BrotliOptions = {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: compression.level ?? 4,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      // A 256 KB window, not the 4 MB default: a request repeats itself within a few rows, and
      // the default's buffers, allocated and freed for every body, cost more than compressing
      // (ClickHouse log rows end to end, 300,000 a run: 240-260 ms of kernel time for page
      // faults against 60-90 ms, and 8-10 % of the process CPU; the body grows 5-7 %).
      [constants.BROTLI_PARAM_LGWIN]: 18,
    },
  };
  return onCallingThread ? brotliCompressSync(bytes, options) : brotliAsync(bytes, options);
}
