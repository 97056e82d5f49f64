import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import type { SendResult } from '@otelpack/batching-core';
import {
  DatadogLogRecordExporter,
  LOGS_MAX_AGE_MS,
  LogRecord,
  LogsIntakeSender,
  MISSING_API_KEY,
} from '../src';

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

// https://docs.datadoghq.com/api/latest/logs/send-logs/: the intake takes logs up to 18 h in the
// past and answers 202 for older ones, which it then drops. The mapping refuses those; a record
// that crossed the line while it waited (retries, a restart in the spool) is refused at send.
describe('LogsIntakeSender: the 18 h limit again at send', () => {
  const NOW_MS = 1_700_000_000_000;
  const at = (ageMs: number, message: string): LogRecord => {
    const ms = NOW_MS - ageMs;
    // Built from its text only, as a record read back from the spool is.
    return new LogRecord(
      JSON.stringify({ message, 'otel.timestamp': `${BigInt(ms) * 1_000_000n + 123n}` }),
    );
  };

  /** A fake intake (node:http): answers each request with the next status, 202 when none. */
  async function withIntake(
    statuses: number[],
    run: (sender: LogsIntakeSender) => Promise<void>,
  ): Promise<string[][]> {
    const received: string[][] = [];
    const server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (c: Buffer) => parts.push(c));
      req.on('end', () => {
        const entries = JSON.parse(gunzipSync(Buffer.concat(parts)).toString()) as {
          message: string;
        }[];
        received.push(entries.map((e) => e.message));
        res.writeHead(statuses.shift() ?? 202);
        res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const sender = new LogsIntakeSender({
      url,
      apiKey: 'key-1234',
      compression: 'gzip',
      now: () => NOW_MS,
    });
    try {
      await run(sender);
    } finally {
      await sender.close();
      server.close();
    }
    return received;
  }

  it('reads the time of a record made from its text (the spool) from otel.timestamp', () => {
    assert.equal(at(5_000, 'm').timeMs, NOW_MS - 5_000);
    assert.ok(Number.isNaN(new LogRecord('{"message":"no time"}').timeMs));
  });

  it('sends the records within 18 h, and refuses the older ones by their place in the batch', async () => {
    const batch = [
      at(LOGS_MAX_AGE_MS + 1_000, 'stale-0'),
      at(1_000, 'fresh-1'),
      at(LOGS_MAX_AGE_MS, 'exactly-18h-2'),
      at(LOGS_MAX_AGE_MS + 60_000, 'stale-3'),
    ];
    let result: SendResult | undefined;
    const received = await withIntake([], async (sender) => {
      result = await sender.send(batch, context);
    });
    assert.deepEqual(received, [['fresh-1', 'exactly-18h-2']]);
    assert.equal(result?.kind, 'partial');
    const failures = result?.kind === 'partial' ? result.failures : [];
    assert.deepEqual(
      failures.map((f) => [f.index, f.retryable]),
      [
        [0, false],
        [3, false],
      ],
    );
    assert.match(failures[0].reason, /more than 18 h ago/);
  });

  it('sends nothing when every record is too old', async () => {
    let result: SendResult | undefined;
    const received = await withIntake([], async (sender) => {
      result = await sender.send(
        [at(LOGS_MAX_AGE_MS + 1, 'a'), at(LOGS_MAX_AGE_MS * 2, 'b')],
        context,
      );
    });
    assert.deepEqual(received, []);
    assert.deepEqual(
      result?.kind === 'partial' ? result.failures.map((f) => [f.index, f.retryable]) : result,
      [
        [0, false],
        [1, false],
      ],
    );
  });

  it('an outage stays one: a busy intake answers the whole request; a refusal fails the fresh at their places', async () => {
    const batch = [
      at(1_000, 'fresh-0'),
      at(LOGS_MAX_AGE_MS + 1_000, 'stale-1'),
      at(2_000, 'fresh-2'),
    ];
    const outcomes: (SendResult | undefined)[] = [];
    await withIntake([503, 403], async (sender) => {
      outcomes.push(await sender.send(batch, context));
      outcomes.push(await sender.send(batch, context));
    });
    // 503: retryable as a whole (the failure watch and request telemetry see the outage);
    // the stale record is refused, without a request, at the next attempt.
    assert.equal(outcomes[0]?.kind, 'retryable');
    const refused = outcomes[1];
    assert.ok(refused?.kind === 'partial', refused?.kind);
    assert.deepEqual(
      refused.failures
        .map((f) => [f.index, f.retryable])
        .sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [0, false],
        [1, false],
        [2, false],
      ],
    );
  });
});
