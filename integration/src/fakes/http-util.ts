/*
 * Request-body plumbing shared by the protocol servers under src/fakes/. Only the mechanics are
 * shared: each server keeps its own answers (error bodies, codes, which codings it accepts),
 * since those are exactly what the servers imitate and they differ between the real products.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export interface ReadBody {
  /** What was received, or an empty buffer when it went past the limit. */
  body: Buffer;
  /** Bytes received on the wire, counting those that were not kept. */
  bytes: number;
  tooLarge: boolean;
}

/**
 * Reads a request body to its end. Past `limit` it keeps draining but stops storing: a server
 * that stopped reading would leave the client writing into a full socket instead of seeing the
 * error the server answers with.
 */
export async function readBody(req: IncomingMessage, limit = Infinity): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk);
  }
  return { body: tooLarge ? Buffer.alloc(0) : Buffer.concat(chunks), bytes, tooLarge };
}

/** A Content-Encoding header value as compared: trimmed and lower-cased, '' when absent. */
export function contentCoding(header: string | undefined): string {
  return (header ?? '').trim().toLowerCase();
}

export interface DecompressOptions {
  /** zlib's `maxOutputLength`; going past it throws with code ERR_BUFFER_TOO_LARGE. */
  maxOutputLength?: number;
  /** Retry a `deflate` body that lacks the zlib wrapper as bare RFC 1951 data. */
  rawDeflateFallback?: boolean;
}

/**
 * Undoes `gzip` (`x-gzip`), `deflate` or `br` with zlib; undefined for any other coding, which
 * the caller answers as its server would. zlib's errors are thrown for the caller to translate.
 */
export function decompress(
  raw: Buffer,
  coding: string,
  options: DecompressOptions = {},
): Buffer | undefined {
  const limits =
    options.maxOutputLength === undefined ? {} : { maxOutputLength: options.maxOutputLength };
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.gunzipSync(raw, limits);
    case 'deflate':
      if (!options.rawDeflateFallback) return zlib.inflateSync(raw, limits);
      try {
        return zlib.inflateSync(raw, limits);
      } catch (error) {
        // Too large is too large in either framing; only a framing error earns the retry.
        if (isTooLarge(error)) throw error;
        return zlib.inflateRawSync(raw, limits);
      }
    case 'br':
      return zlib.brotliDecompressSync(raw, limits);
    default:
      return undefined;
  }
}

/** Whether a zlib error means the output went past `maxOutputLength`. */
export function isTooLarge(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
}

/** A JSON answer (the fakes' control endpoints). */
export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** Listens on 127.0.0.1 (port 0: any free one) and gives the server's base URL. */
export async function listenLocal(server: Server, port = 0): Promise<string> {
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes a server and its kept-alive connections (clients of the fakes pool theirs). */
export async function closeLocal(server: Server | undefined): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
