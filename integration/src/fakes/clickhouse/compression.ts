/*
 * HTTP compression, both ways. Request bodies: gzip, deflate and br are decoded; the other
 * codings ClickHouse knows are NOT_IMPLEMENTED here (Node 20's zlib has none of them), and any
 * unknown one is refused as the server refuses it. Responses: compressed with the best coding
 * the client accepts, when `enable_http_compression` is on (request.ts decides).
 */
import type http from 'node:http';
import zlib from 'node:zlib';
import { contentCoding, decompress, readBody } from '../http-util';
import { raise } from './errors';

export interface ResponseCompression {
  encoding: 'br' | 'gzip' | 'deflate';
  level: number;
}

/** The whole request body, decoded. */
export async function readRequestBody(request: http.IncomingMessage): Promise<Buffer> {
  const { body: raw } = await readBody(request);
  const encoding = contentCoding(request.headers['content-encoding']);
  if (encoding === '' || encoding === 'none' || encoding === 'identity') return raw;
  let decoded: Buffer | undefined;
  try {
    decoded = decompress(raw, encoding);
  } catch (error) {
    raise(
      'ZLIB_INFLATE_FAILED',
      `inflate failed: ${(error as Error).message}: While reading the request body.`,
    );
  }
  if (decoded) return decoded;
  if (['zstd', 'lz4', 'xz', 'bz2', 'snappy'].includes(encoding)) {
    raise(
      'NOT_IMPLEMENTED',
      `Content-Encoding '${encoding}' is not supported by otelpack's ClickHouse HTTP front (gzip, deflate and br are).`,
    );
  }
  raise(
    'BAD_ARGUMENTS',
    `Unknown compression method '${encoding}'. Only 'auto', 'none', 'gzip', 'deflate', 'xz', 'zstd', 'lz4', 'bz2', 'snappy', 'br' are supported as compression methods.`,
  );
}

export function chooseResponseEncoding(
  acceptEncoding: string,
): ResponseCompression['encoding'] | undefined {
  // ClickHouse prefers zstd, br, lz4, snappy, gzip, deflate, xz, bz2 in that order; the ones
  // Node 20's zlib has are kept in that order.
  const list = acceptEncoding.toLowerCase();
  if (list.includes('br')) return 'br';
  if (list.includes('gzip')) return 'gzip';
  if (list.includes('deflate')) return 'deflate';
  return undefined;
}

/** The zlib level is clamped to 1–9; brotli keeps its default quality. */
export function compress(body: Uint8Array, compression: ResponseCompression | undefined): Buffer {
  const input = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (!compression) return input;
  const level = Math.max(1, Math.min(9, compression.level));
  if (compression.encoding === 'gzip') return zlib.gzipSync(input, { level });
  if (compression.encoding === 'deflate') return zlib.deflateSync(input, { level });
  return zlib.brotliCompressSync(input);
}
