import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { ExportResultCode } from '@opentelemetry/core';
import type { ExportResult } from '@otelpack/batching-core';
import { ClickHouseSpanExporter } from '../src/index';
import type { ClickHouseExporterOptions } from '../src/options';
import { readRowBinaryBody } from '../src/encoding/row-binary-reader';
import { INSERT_COLUMNS } from '../src/schema/tables';
import { clearClickHouseEnv, makeSpan } from './fixtures';

/*
 * What goes on the wire for each `compression`. The server here is a FAKE: it answers every
 * request 200 with an empty body, as ClickHouse answers an INSERT (and, to the exporter's read
 * of system.columns, no columns: the exporter then keeps its own types). It keeps each
 * INSERT's Content-Encoding and raw body, and decodes the body as ClickHouse does by that header
 * (src/IO/CompressionMethod.cpp: gzip, deflate, br, ...; none).
 */

interface Insert {
  headers: http.IncomingHttpHeaders;
  encoding: string | undefined;
  raw: Buffer;
  decoded: Buffer;
}

async function withRecordingServer(
  run: (url: string, inserts: Insert[]) => Promise<void>,
): Promise<void> {
  const inserts: Insert[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const query = new URL(request.url ?? '/', 'http://x').searchParams.get('query') ?? '';
      if (/^INSERT INTO/i.test(query)) {
        const raw = Buffer.concat(chunks);
        const encoding = request.headers['content-encoding'];
        const decoded =
          encoding === 'br'
            ? zlib.brotliDecompressSync(raw)
            : encoding === 'gzip'
              ? zlib.gunzipSync(raw)
              : raw;
        inserts.push({ headers: request.headers, encoding, raw, decoded });
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}`, inserts);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Spans alike enough to compress well, different enough that the quality shows. */
const SPANS = Array.from({ length: 200 }, (_, i) =>
  makeSpan({
    name: `GET /cart/${i % 17}`,
    attributes: { 'http.route': `/cart/${i}`, 'user.id': `u-${(i * 7919) % 1000}` },
  }),
);

async function exportThrough(
  url: string,
  options: ClickHouseExporterOptions,
): Promise<ExportResult> {
  clearClickHouseEnv();
  const exporter = new ClickHouseSpanExporter({ url, createSchema: false, ...options });
  const result = await new Promise<ExportResult>((resolve) => exporter.export(SPANS, resolve));
  await exporter.shutdown();
  return result;
}

test('each codec on the wire: Brotli by default, gzip and none as asked; the rows decode alike', async () => {
  await withRecordingServer(async (url, inserts) => {
    const cases: [ClickHouseExporterOptions, string | undefined][] = [
      [{}, 'br'],
      [{ compression: 'br', compressionLevel: 11 }, 'br'],
      [{ compression: 'gzip' }, 'gzip'],
      [{ compression: 'none' }, undefined],
    ];
    for (const [options, encoding] of cases) {
      inserts.length = 0;
      const result = await exportThrough(url, options);
      assert.equal(result.code, ExportResultCode.SUCCESS, JSON.stringify(options));
      assert.equal(inserts.length, 1, JSON.stringify(options));
      assert.equal(inserts[0].encoding, encoding, JSON.stringify(options));
      // Whatever the codec, the body decodes to the same rows.
      const { rows } = readRowBinaryBody(INSERT_COLUMNS.traces, inserts[0].decoded);
      assert.deepEqual(
        rows.map((row) => (row as { SpanName: string }).SpanName),
        SPANS.map((span) => span.name),
      );
    }
  });
});

test('compressionLevel reaches the compressor: Brotli quality 11 is smaller than 1, gzip 9 than 1', async () => {
  await withRecordingServer(async (url, inserts) => {
    const sizeWith = async (options: ClickHouseExporterOptions) => {
      inserts.length = 0;
      await exportThrough(url, options);
      assert.equal(inserts.length, 1);
      return inserts[0].raw.length;
    };
    const brFast = await sizeWith({ compressionLevel: 1 });
    const brSmall = await sizeWith({ compressionLevel: 11 });
    assert.ok(brSmall < brFast, `br quality 11: ${brSmall} B, quality 1: ${brFast} B`);
    const gzipFast = await sizeWith({ compression: 'gzip', compressionLevel: 1 });
    const gzipSmall = await sizeWith({ compression: 'gzip', compressionLevel: 9 });
    assert.ok(gzipSmall < gzipFast, `gzip level 9: ${gzipSmall} B, level 1: ${gzipFast} B`);
  });
});

test('OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES=0 keeps compression off the event loop, as in the core transports', async () => {
  // zlib's one-shot functions are looked up at each call (CommonJS), so a count here sees them.
  const original = zlib.brotliCompressSync;
  let syncCalls = 0;
  (zlib as { brotliCompressSync: typeof original }).brotliCompressSync = (...args) => {
    syncCalls++;
    return original(...args);
  };
  const saved = process.env.OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES;
  try {
    await withRecordingServer(async (url, inserts) => {
      const run = async () => {
        syncCalls = 0;
        inserts.length = 0;
        assert.equal((await exportThrough(url, {})).code, ExportResultCode.SUCCESS);
        assert.equal(inserts.length, 1);
        assert.equal(inserts[0].encoding, 'br');
        readRowBinaryBody(INSERT_COLUMNS.traces, inserts[0].decoded);
        return syncCalls;
      };
      delete process.env.OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES;
      assert.equal(await run(), 1, 'a small body at quality 1: on the event loop');
      process.env.OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES = '0';
      assert.equal(await run(), 0, 'with the limit at 0: on the thread pool');
    });
  } finally {
    (zlib as { brotliCompressSync: typeof original }).brotliCompressSync = original;
    if (saved === undefined) delete process.env.OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES;
    else process.env.OTELPACK_GZIP_ON_CALLING_THREAD_MAX_BYTES = saved;
  }
});

test("a header provider's own Content-Encoding, in any case, gives way to the body's; its other headers go", async () => {
  await withRecordingServer(async (url, inserts) => {
    const result = await exportThrough(url, {
      headers: () => ({
        'content-encoding': 'gzip',
        'CONTENT-ENCODING': 'identity',
        'x-tenant': 'a',
      }),
    });
    assert.equal(result.code, ExportResultCode.SUCCESS);
    assert.equal(inserts.length, 1);
    assert.equal(inserts[0].headers['content-encoding'], 'br');
    assert.equal(inserts[0].headers['x-tenant'], 'a');
    readRowBinaryBody(INSERT_COLUMNS.traces, inserts[0].decoded);
  });
});
