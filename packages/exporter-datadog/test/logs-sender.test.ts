import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { DatadogLogRecordExporter, LogRecord, LogsIntakeSender, MISSING_API_KEY } from '../src';

const context = { signal: new AbortController().signal, attempt: 1 };
const record = new LogRecord(JSON.stringify({ message: 'm' }));

describe('LogsIntakeSender', () => {
  it('POSTs a gzip JSON array with DD-API-KEY; the intake answers decide the outcome', async () => {
    const seen: { headers: Record<string, unknown>; body: Buffer }[] = [];
    const statuses = [202, 403, 413];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(parts) });
        res.writeHead(statuses.shift() ?? 202);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const sender = new LogsIntakeSender({ url, apiKey: 'key-1234', compression: 'gzip' });
    try {
      assert.equal((await sender.send([record, record], context)).kind, 'delivered');
      assert.equal((await sender.send([record], context)).kind, 'permanent');
      assert.equal((await sender.send([record], context)).kind, 'too_large');
    } finally {
      await sender.close();
      server.close();
    }
    assert.equal(seen[0].headers['dd-api-key'], 'key-1234');
    assert.equal(seen[0].headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(seen[0].body).toString()), [
      { message: 'm' },
      { message: 'm' },
    ]);
  });

  it('without an API key: constructs, says so at ERROR, and refuses every send (nothing leaves)', async () => {
    const errors: string[] = [];
    diag.setLogger(
      { error: (m: string) => errors.push(m), warn() {}, info() {}, debug() {}, verbose() {} },
      DiagLogLevel.ERROR,
    );
    const saved = process.env.DD_API_KEY;
    delete process.env.DD_API_KEY;
    try {
      const exporter = new DatadogLogRecordExporter();
      assert.ok(
        errors.some((e) => e.includes(MISSING_API_KEY)),
        errors.join('\n'),
      );
      const result = await exporter.sender.send([record], context);
      assert.equal(result.kind, 'permanent');
      await exporter.shutdown();
    } finally {
      diag.disable();
      if (saved !== undefined) process.env.DD_API_KEY = saved;
    }
  });
});
